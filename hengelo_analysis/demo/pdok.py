"""Synthetic PDOK wijk/buurt boundaries in the OGC API Features page shape (EPSG:28992 coordinates).

The polygons are invented: the ten wijken are blocks of a 5 x 2 grid around Hengelo's real location
(RD ≈ x 250000, y 477000), each cut into its buurten by jittered horizontal lines, so buurten are
contiguous and nested exactly in their wijk. One extra polygon along the Twentekanaal carries a
buurt code with ``water = "JA"``: ``clean`` must drop it. Coordinates are whole metres.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.demo.geography import DEMO_SEED, hengelo_buurten

INDELING_YEAR = (
    2025  # the indeling the demo 47018NED names (its MapYear is stale, as in the real table)
)
BASE = f"https://api.pdok.nl/cbs/wijken-en-buurten-{INDELING_YEAR}/ogc/v1"
CENTRE = (250_000, 477_000)
CELL = (1_800, 2_200)  # width, height of a wijk block in metres
PAGE_LIMIT = 40
WATER_BUURT = "BU01640600"  # Bedrijventerrein Twentekanaal-Zuid I: its canal is water
TIMESTAMP = "2025-03-15T00:00:00Z"


def _ring(x0: int, y0: int, x1: int, y1: int) -> list[list[int]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def _wijk_origin(index: int) -> tuple[int, int]:
    """Bottom-left corner of wijk block ``index`` (0-4 top row, 5-9 bottom row)."""
    col, row = index % 5, 1 - index // 5
    x0 = CENTRE[0] - 5 * CELL[0] // 2
    y0 = CENTRE[1] - CELL[1]
    return x0 + col * CELL[0], y0 + row * CELL[1]


def features() -> tuple[list[dict], list[dict]]:
    """(wijk features, buurt features) with RD coordinates."""
    rng = random.Random(DEMO_SEED * 1000 + 7)
    buurten = hengelo_buurten()
    wijken = sorted({(b.wijk_code, b.wijk_name) for b in buurten})
    wijk_features, buurt_features = [], []
    for index, (wcode, wname) in enumerate(wijken):
        x0, y0 = _wijk_origin(index)
        x1, y1 = x0 + CELL[0], y0 + CELL[1]
        props = {
            "wijkcode": wcode,
            "wijknaam": wname,
            "gemeentecode": "GM0164",
            "gemeentenaam": "Hengelo",
            "water": "NEE",
        }
        wijk_features.append(_feature(props, _ring(x0, y0, x1, y1)))
        members = [b for b in buurten if b.wijk_code == wcode]
        n = len(members)
        cuts = [y0]
        for k in range(1, n):
            cuts.append(round(y0 + CELL[1] * (k + rng.uniform(-0.25, 0.25)) / n))
        cuts.append(y1)
        for b, lo, hi in zip(members, cuts[:-1], cuts[1:], strict=True):
            props = {
                "buurtcode": b.code,
                "buurtnaam": b.name,
                "wijkcode": wcode,
                "gemeentecode": "GM0164",
                "gemeentenaam": "Hengelo",
                "water": "NEE",
            }
            buurt_features.append(_feature(props, _ring(x0, lo, x1, hi)))
            if b.code == WATER_BUURT:
                # The canal: a water strip just south of the buurt, same code, water "JA".
                water = dict(props, water="JA")
                buurt_features.append(_feature(water, _ring(x0, y0 - 120, x1, y0)))
    return wijk_features, buurt_features


def _feature(props: dict, ring: list[list[int]]) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _pages(collection: str, feats: list[dict]) -> list[tuple[str, bytes]]:
    url = f"{BASE}/collections/{collection}/items"
    query = (
        "f=json&gemeentecode=GM0164&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F28992"
    )
    out = []
    chunks = [feats[i : i + PAGE_LIMIT] for i in range(0, len(feats), PAGE_LIMIT)]
    for number, chunk in enumerate(chunks, start=1):
        for i, f in enumerate(chunk, start=(number - 1) * PAGE_LIMIT + 1):
            f["id"] = i
        links = [
            {
                "rel": "self",
                "type": "application/geo+json",
                "href": f"{url}?{query}&limit={PAGE_LIMIT}",
            }
        ]
        if number < len(chunks):
            links.append(
                {
                    "rel": "next",
                    "type": "application/geo+json",
                    "href": f"{url}?{query}&limit={PAGE_LIMIT}&cursor={number * PAGE_LIMIT}",
                }
            )
        doc = {
            "type": "FeatureCollection",
            "timeStamp": TIMESTAMP,
            "links": links,
            "features": chunk,
            "numberReturned": len(chunk),
        }
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out.append((f"{collection}-{number:04d}.json", data))
    return out


def write(out_dir: Path, synthetic_note: str, retrieved_at: str) -> None:
    """Write ``out_dir/pdok/<year>/`` pages and manifest as ``fetch`` would."""
    target = out_dir / "pdok" / str(INDELING_YEAR)
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.json"):
        stale.unlink()
    wijken, buurten = features()
    files = []
    for collection, feats in (("wijken", wijken), ("buurten", buurten)):
        for name, data in _pages(collection, feats):
            atomic.write_bytes(target / name, data)
            files.append(
                {
                    "file": name,
                    "url": f"{BASE}/collections/{collection}/items",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "rows": len(json.loads(data)["features"]),
                }
            )
    manifest = {
        "url": BASE,
        "indeling_year": INDELING_YEAR,
        "gemeente": "GM0164",
        "crs": "EPSG:28992",
        "retrieved_at": retrieved_at,
        "synthetic": True,
        "note": synthetic_note,
        "files": files,
    }
    atomic.write_text(
        target / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )
