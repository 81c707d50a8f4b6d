"""A synthetic national-size 47018NED in the real page format, for benchmarking ``clean``.

About 13,000 areas (gemeenten, wijken, buurten) × 59 codes × 13 years ≈ 10 million rows, written
as ODataFeed pages of 10,000 rows, with padded keys and some nulls, like the real table.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from hengelo_analysis.demo import crime as demo_crime
from hengelo_analysis.odata import dump_document, envelope

YEARS = range(2012, 2025)


def national_areas(n_gemeenten: int = 342, target_areas: int = 13_150) -> list[str]:
    rng = random.Random(1)
    codes = ["NL00"]
    per_gemeente = (target_areas - n_gemeenten) // n_gemeenten
    for g in range(n_gemeenten):
        gm = f"{g + 1:04d}"
        codes.append(f"GM{gm}")
        n_wijken = max(1, per_gemeente // 5)
        n_buurten = per_gemeente - n_wijken
        for w in range(n_wijken):
            codes.append(f"WK{gm}{w:02d}")
        for b in range(n_buurten):
            codes.append(f"BU{gm}{b // 10 % 100:02d}{b % 100:02d}")
    rng.shuffle(codes)
    return sorted(set(codes))


def write_national(out: Path, page_size: int = 10_000) -> int:
    """Write the table folder; return the number of data rows."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sets = demo_crime.entity_sets()
    areas = national_areas()
    sets["WijkenEnBuurten"] = [{"Key": a.ljust(10), "Title": a, "Description": None} for a in areas]
    for name in ("TableInfos", "DataProperties", "SoortMisdrijf", "WijkenEnBuurten", "Perioden"):
        (out / f"{name}.json").write_bytes(
            dump_document(envelope(f"{demo_crime.FEED}/$metadata#{name}", sets[name]))
        )
    codes = [r["Key"] for r in sets["SoortMisdrijf"]]
    rng = random.Random(2)
    feed = demo_crime.FEED + "/TypedDataSet?$format=json"
    meta = json.dumps(f"{demo_crime.FEED}/$metadata#Cbs.OData.WebAPI.TypedDataSet")
    rows, page, n = [], 0, 0
    for code in codes:
        for area in areas:
            key = area.ljust(10)
            kind = {"NL": "", "GM": "Gemeente  ", "WK": "Wijk      ", "BU": "Buurt     "}[area[:2]]
            for year in YEARS:
                value = "null" if rng.random() < 0.01 else str(int(rng.expovariate(0.2)))
                rows.append(
                    f'{{"ID":{n},"SoortMisdrijf":"{code}","WijkenEnBuurten":"{key}",'
                    f'"Perioden":"{year}JJ00","GeregistreerdeMisdrijven_1":{value},'
                    f'"Gemeentenaam_2":"Gemeente {area[2:6]}","SoortRegio_3":"{kind}"}}'
                )
                n += 1
                if len(rows) == page_size:
                    page += 1
                    _flush(out, page, rows, meta, feed, page_size, last=False)
                    rows = []
    if rows:
        page += 1
        _flush(out, page, rows, meta, feed, page_size, last=True)
    return n


def _flush(out, page, rows, meta, feed, page_size, last):
    nxt = "" if last else f',"odata.nextLink":"{feed}&$skip={page * page_size}"'
    text = f'{{"odata.metadata":{meta},"value":[{",".join(rows)}]{nxt}}}'
    (out / f"TypedDataSet-{page:04d}.json").write_text(text, encoding="utf-8")
