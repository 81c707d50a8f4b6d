"""Synthetic CBS Kerncijfers wijken en buurten (KWB) tables, one per year 2012-2024, in the real v3 shape.

Each table looks like what ``fetch`` saves: the real table id of that year, ``DataProperties`` with
column suffixes that differ per year (as the real ones do), the region dimension (``RegioS`` in the
2013 table, as reported for 82339NED), and the data rows limited by ``$select`` to the columns the
tool uses. 70904NED (2009-2012) carries ``Perioden``. Inhabitants follow ``geography`` (≈ 81,000 in
2024). Traps built in on purpose: one buurt code is absent from the early years (a newer indeling
in 47018NED), one cell holds the sentinel ``-99997``, and all keys are padded.
"""

from __future__ import annotations

import random

from hengelo_analysis.demo.geography import (
    DEMO_SEED,
    GEMEENTEN,
    NL_INHABITANTS_2012,
    NL_INHABITANTS_2024,
    YEARS,
    growth_factor,
    hengelo_buurten,
)
from hengelo_analysis.domain import KWB_TABLES, NL_CODE

PAGE_SIZE = 10_000
# A buurt that 47018NED (latest indeling) has but the KWB tables of these years do not.
NEW_BUURT = "BU01640909"
NEW_BUURT_FIRST_YEAR = 2015
SENTINEL_CELL = ("BU01640900", 2016)  # inhabitants -99997: "not available" in CBS files
AGE_SHARES = (0.16, 0.12, 0.24, 0.27, 0.21)  # 0-15, 15-25, 25-45, 45-65, 65+
AGE_KEYS = ("k_0Tot15Jaar", "k_15Tot25Jaar", "k_25Tot45Jaar", "k_45Tot65Jaar", "k_65JaarOfOuder")


def feed(table_id: str) -> str:
    return f"https://opendata.cbs.nl/ODataFeed/odata/{table_id}"


def topic_keys(year: int) -> dict[str, str]:
    """Column key per concept for ``year``: the numbering shifts as CBS adds and drops columns."""
    order = ["Gemeentenaam", "SoortRegio", "Codering"]
    if year >= 2017:
        order.append("IndelingswijzigingWijkenEnBuurten")
    order += ["AantalInwoners", "Mannen", "Vrouwen", *AGE_KEYS]
    keys = {name: f"{name}_{i}" for i, name in enumerate(order, start=1)}
    # Stedelijkheid sits far down the table and moves most between years.
    keys["MateVanStedelijkheid"] = f"MateVanStedelijkheid_{96 + 3 * ((year * 7) % 11)}"
    keys["Bevolkingsdichtheid"] = f"Bevolkingsdichtheid_{30 + (year % 5)}"
    keys["BedrijfsvestigingenTotaal"] = f"BedrijfsvestigingenTotaal_{80 + (year % 9)}"
    return keys


def _pad(code: str, width: int = 10) -> str:
    return code.ljust(width)


def _split(total: int, shares: tuple[float, ...], rng: random.Random) -> list[int]:
    """Integer parts of ``total`` in roughly ``shares`` that add up exactly."""
    parts = [round(total * s * rng.uniform(0.85, 1.15)) for s in shares[:-1]]
    parts.append(total - sum(parts))
    if parts[-1] < 0:  # tiny areas: put everything in the largest share
        parts = [0] * (len(shares) - 1) + [total]
    return parts


def _areas(year: int) -> list[tuple[str, str, str, int, int | None, str]]:
    """(code, name, soort, inhabitants, stedelijkheid, gemeente name) of every row for ``year``."""
    rng = random.Random(DEMO_SEED * 1000 + year)
    g = growth_factor(year)
    buurten = [
        b for b in hengelo_buurten() if not (b.code == NEW_BUURT and year < NEW_BUURT_FIRST_YEAR)
    ]
    rows = []
    nl = round(
        NL_INHABITANTS_2012 + (NL_INHABITANTS_2024 - NL_INHABITANTS_2012) * (year - 2012) / 12
    )
    rows.append((NL_CODE, "Nederland", "Land", nl, None, ""))
    wijk_totals: dict[str, int] = {}
    buurt_rows = []
    for b in buurten:
        n = max(0, round(b.inhabitants_2024 * g * rng.uniform(0.985, 1.015)))
        wijk_totals[b.wijk_code] = wijk_totals.get(b.wijk_code, 0) + n
        sted = (
            1 if b.name.lower().startswith("binnenstad") else (5 if n < 200 else rng.randint(2, 4))
        )
        buurt_rows.append((b.code, b.name, "Buurt", n, sted, "Hengelo"))
    wijk_names = {b.wijk_code: b.wijk_name for b in buurten}
    for gem in sorted(GEMEENTEN, key=lambda x: x.code):
        if gem.code == "GM0164":
            rows.append(
                (
                    gem.code,
                    gem.name,
                    "Gemeente",
                    sum(wijk_totals.values()),
                    gem.stedelijkheid,
                    gem.name,
                )
            )
            for w in sorted(wijk_totals):
                rows.append((w, wijk_names[w], "Wijk", wijk_totals[w], 2, "Hengelo"))
                rows.extend(r for r in buurt_rows if r[0].startswith("BU" + w[2:8]))
        else:
            n = round(gem.inhabitants_2024 * g * rng.uniform(0.99, 1.01))
            rows.append((gem.code, gem.name, "Gemeente", n, gem.stedelijkheid, gem.name))
    return rows


def _business_rate(code: str, stedelijkheid: int | None) -> float:
    """Vestigingen per inhabitant of one area (its own seeded draw, stable across years).

    Rural gemeenten have more per inhabitant (farms, one-person businesses), as in the real KWB;
    the draw uses its own generator so that every other demo figure stays the same.
    """
    if code == NL_CODE:
        return 0.110
    base = {1: 0.125, 2: 0.093, 3: 0.100, 4: 0.106, 5: 0.115}.get(stedelijkheid or 3, 0.105)
    return base * random.Random(f"{DEMO_SEED}-vestigingen-{code}").uniform(0.85, 1.15)


def business_establishments(year: int, areas: list[tuple]) -> dict[str, int]:
    """Bedrijfsvestigingen on 1 January of ``year`` per area code: about +2% a year since 2012.

    Hengelo's buurten get the gemeente's rate (three times in the binnenstad); its wijken and the
    gemeente itself are the sums of their buurten, as in the real table.
    """
    growth = 1.02 ** (year - 2012)
    out: dict[str, int] = {}
    weights: dict[str, float] = {}
    for code, name, soort, n, sted, _gem in areas:
        if soort == "Buurt":
            factor = 3.0 if name.lower().startswith("binnenstad") else 1.0
            jitter = random.Random(f"{DEMO_SEED}-vestigingen-{code}").uniform(0.7, 1.3)
            weights[code] = n * factor * jitter
        elif soort in ("Gemeente", "Land") and code != "GM0164":
            out[code] = round(n * _business_rate(code, sted) * growth)
    # the buurten share the gemeente's total, which follows the gemeente's own rate
    inhabitants = sum(n for code, _, soort, n, *_ in areas if soort == "Buurt")
    total = inhabitants * _business_rate("GM0164", 2) * growth
    scale = total / sum(weights.values()) if weights else 0.0
    out.update({code: round(w * scale) for code, w in weights.items()})
    for code, _name, soort, *_ in areas:
        if soort == "Wijk":
            out[code] = sum(v for c, v in out.items() if c.startswith("BU" + code[2:8]))
    out["GM0164"] = sum(v for c, v in out.items() if c.startswith("BU0164"))
    return out


def entity_sets(year: int) -> dict[str, list[dict]]:
    """Every entity set of the demo KWB table of ``year``, as ``fetch`` saves it."""
    table_id = KWB_TABLES[year]
    keys = topic_keys(year)
    region = "RegioS" if table_id == "82339NED" else "WijkenEnBuurten"
    multi_year = table_id == "70904NED"
    rng = random.Random(DEMO_SEED * 100_000 + year)
    data, dim = [], []
    areas = _areas(year)
    businesses = business_establishments(year, areas)
    for i, (code, name, soort, n, sted, gem_name) in enumerate(areas):
        dim.append({"Key": _pad(code), "Title": name, "Description": None, "CategoryGroupID": None})
        ages = _split(n, AGE_SHARES, rng)
        men = round(n * rng.uniform(0.49, 0.51))
        row: dict = {"ID": i, region: _pad(code)}
        if multi_year:
            row["Perioden"] = f"{year}JJ00"
        row[keys["Gemeentenaam"]] = _pad(gem_name, 40) if gem_name else None
        row[keys["SoortRegio"]] = _pad(soort)
        row[keys["Codering"]] = _pad(code)
        if "IndelingswijzigingWijkenEnBuurten" in keys:
            row[keys["IndelingswijzigingWijkenEnBuurten"]] = "1" if code != NL_CODE else None
        row[keys["AantalInwoners"]] = n
        row[keys["Mannen"]] = men
        row[keys["Vrouwen"]] = n - men
        for key, value in zip(AGE_KEYS, ages, strict=True):
            row[keys[key]] = value
        row[keys["MateVanStedelijkheid"]] = sted
        row[keys["BedrijfsvestigingenTotaal"]] = businesses[code]
        if (code, year) == SENTINEL_CELL:
            row[keys["AantalInwoners"]] = -99997
        data.append(row)
    props = [
        {
            "ID": 0,
            "Position": 0,
            "ParentID": None,
            "Type": "GeoDetail",
            "Key": region,
            "Title": "Wijken en buurten" if region == "WijkenEnBuurten" else "Regio's",
            "Description": None,
            "MapYear": str(year),
            "ReleasePolicy": False,
        },
    ]
    if multi_year:
        props.append(
            {
                "ID": 1,
                "Position": 1,
                "ParentID": None,
                "Type": "TimeDimension",
                "Key": "Perioden",
                "Title": "Perioden",
                "Description": None,
                "ReleasePolicy": False,
            }
        )
    for concept, key in keys.items():
        props.append(
            {
                "ID": len(props),
                "Position": int(key.rsplit("_", 1)[1]),
                "ParentID": None,
                "Type": "Topic",
                "Key": key,
                "Title": concept,
                "Description": None,
                "Datatype": "String"
                if concept
                in ("Gemeentenaam", "SoortRegio", "Codering", "IndelingswijzigingWijkenEnBuurten")
                else "Long",
                "Unit": "aantal",
                "Decimals": 0,
                "Default": "Impossible",
            }
        )
    infos = [
        {
            "ID": 0,
            "Title": f"Kerncijfers wijken en buurten {'2009-2012' if multi_year else year}",
            "ShortTitle": "Kerncijfers wijken en buurten",
            "Identifier": table_id,
            "Summary": f"SYNTHETISCHE DEMODATA in het formaat van KWB-tabel {table_id}.",
            "Modified": f"{year + 1 if year < 2024 else 2025}-07-01T02:00:00",
            "Frequency": "Perjaar",
            "Period": "2009-2012" if multi_year else str(year),
            "Status": "Regulier",
            "Catalog": "CBS",
            "Language": "nl",
        }
    ]
    sets = {"TableInfos": infos, "DataProperties": props, region: dim}
    if multi_year:
        sets["Perioden"] = [
            {"Key": f"{y}JJ00", "Title": str(y), "Description": None, "Status": "Definitief"}
            for y in range(2009, 2013)
        ]
    sets["TypedDataSet"] = data
    return sets


def tables() -> dict[str, tuple[str, dict[str, list[dict]], str]]:
    """table id → (feed URL, entity sets, Modified) for every demo year."""
    out = {}
    for year in YEARS:
        sets = entity_sets(year)
        out[KWB_TABLES[year]] = (feed(KWB_TABLES[year]), sets, sets["TableInfos"][0]["Modified"])
    return out
