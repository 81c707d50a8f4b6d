"""Synthetic police table 47018NED (registered crime per wijk/buurt, yearly) in its real OData v3 shape.

The numbers are invented but built so that the chapter-2 picture of Hengelo's policy holds: common
crime falls, 2022 rises a little because of bicycle theft (1.2.3), business theft (2.5.1) falls,
shoplifting (2.5.2) stays below the peer gemeenten, cybercrime (3.7.4) and drug/alcohol nuisance
(2.1.1, since 2019) rise. Counts are Poisson draws, so there is real noise, small buurt counts and
suppressed (null) cells for the analysis to handle.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from hengelo_analysis.demo.geography import (
    DEMO_SEED,
    GEMEENTEN,
    NL_INHABITANTS_2012,
    NL_INHABITANTS_2024,
    YEARS,
    growth_factor,
    hengelo_buurten,
)
from hengelo_analysis.reference import soortmisdrijf

TABLE_ID = "47018NED"
FEED = f"https://dataderden.cbs.nl/ODataFeed/OData/{TABLE_ID}"
PAGE_SIZE = 10_000
MODIFIED = "2025-03-14T02:00:00"

# Registered crimes per 1,000 inhabitants in 2012 and the yearly trend factor (invented, of the
# order of the national figures).
RATES: dict[str, tuple[float, float]] = {
    "1.1.1": (5.0, 0.92),
    "1.1.2": (1.5, 0.95),
    "1.2.1": (6.0, 0.93),
    "1.2.2": (0.9, 0.96),
    "1.2.3": (6.5, 0.96),
    "1.2.4": (1.6, 0.93),
    "1.2.5": (0.5, 0.97),
    "1.3.1": (1.5, 0.995),
    "1.4.1": (0.4, 1.03),
    "1.4.2": (0.05, 1.0),
    "1.4.3": (0.3, 0.98),
    "1.4.4": (1.6, 1.0),
    "1.4.5": (2.9, 0.98),
    "1.4.6": (0.4, 0.93),
    "1.4.7": (0.1, 0.9),
    "1.5.2": (0.15, 0.97),
    "1.6.1": (0.5, 0.99),
    "1.6.2": (3.5, 0.98),
    "1.6.3": (0.02, 1.0),
    "2.1.1": (0.35, 0.98),
    "2.2.1": (7.5, 0.95),
    "2.4.1": (0.3, 0.97),
    "2.4.2": (0.4, 0.98),
    "2.5.1": (3.5, 0.93),
    "2.5.2": (4.5, 0.98),
    "2.6.1": (0.03, 1.0),
    "2.6.2": (0.01, 1.0),
    "2.6.3": (0.01, 1.0),
    "2.6.4": (0.08, 1.0),
    "2.6.5": (0.005, 1.0),
    "2.6.7": (0.01, 1.0),
    "2.6.8": (0.005, 1.0),
    "2.6.9": (0.1, 1.0),
    "2.6.10": (0.003, 1.0),
    "2.6.11": (0.03, 1.0),
    "2.6.12": (0.01, 1.0),
    "2.6.13": (0.05, 1.0),
    "2.6.14": (0.005, 1.0),
    "2.7.2": (0.3, 0.99),
    "2.7.3": (0.2, 0.99),
    "3.1.1": (0.8, 0.99),
    "3.1.2": (0.02, 1.0),
    "3.1.3": (0.3, 1.02),
    "3.2.1": (0.1, 1.05),
    "3.2.2": (0.005, 1.0),
    "3.3.2": (0.001, 1.0),
    "3.3.5": (0.002, 1.0),
    "3.4.2": (0.005, 1.0),
    "3.5.2": (1.4, 1.03),
    "3.5.5": (1.0, 0.98),
    "3.6.4": (1.2, 0.99),
    "3.7.1": (0.05, 1.0),
    "3.7.2": (0.1, 0.98),
    "3.7.3": (0.3, 0.99),
    "3.7.4": (0.15, 1.15),
    "3.9.1": (3.0, 1.06),
    "3.9.2": (0.1, 1.0),
    "3.9.3": (0.8, 1.05),
}
# Codes that follow visitors, shops and businesses rather than residents.
ACTIVITY_CODES = {"1.2.1", "1.2.4", "1.3.1", "2.1.1", "2.2.1", "2.5.1", "2.5.2", "3.6.4", "3.1.1"}
# Corona years: street and shop crime down, online crime up.
CORONA = {
    2020: {"1.2.4": 0.6, "2.5.2": 0.85, "1.1.1": 0.8, "3.7.4": 1.3, "3.9.1": 1.2, "1.4.6": 0.8},
    2021: {"1.2.4": 0.7, "2.5.2": 0.9, "1.1.1": 0.85, "3.7.4": 1.2, "3.9.1": 1.15, "1.4.6": 0.85},
}
HORIZONTAL_FRAUD_FIRST_YEAR = 2016  # "3.9.1 not registered before 2016" (data provider)
# Hengelo-specific shape of the chapter-2 picture.
# Shoplifting below the peers (C9); many road accidents, above the national rate (C4).
HENGELO_FACTORS = {"2.5.2": 0.78, "1.3.1": 1.45}
HENGELO_EXTRA = {("1.2.3", 2022): 1.8, ("1.2.3", 2023): 1.3}
NULL_CODES_BELOW_GEMEENTE = {"1.4.1"}  # zeden: not published per wijk/buurt
RANDOM_NULL_SHARE = 0.004
UNLOCATED_SHARE = 0.02  # crimes the police could not place in a buurt count for the gemeente only


def _year_factor(code: str, year: int) -> float:
    base, trend = RATES[code]
    factor = base * trend ** (year - 2012)
    if code == "2.1.1" and year > 2019:
        factor = base * trend ** (2019 - 2012) * 1.16 ** (year - 2019)
    factor *= CORONA.get(year, {}).get(code, 1.0)
    return factor


def _cell_rng(*key) -> random.Random:
    """A generator of its own per cell: changing one rate leaves every other cell's draw unchanged.

    String seeds are hashed with SHA-512 by ``random.seed`` (version 2), stable across versions.
    """
    return random.Random("-".join(map(str, (DEMO_SEED, *key))))


def _poisson(rng: random.Random, lam: float) -> int:
    """Deterministic Poisson draw from the stdlib generator (stable across Python versions)."""
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    z = NormalDist().inv_cdf(min(max(rng.random(), 1e-12), 1 - 1e-12))
    return max(0, round(lam + math.sqrt(lam) * z))


def _pad(code: str, width: int) -> str:
    return code.ljust(width)


def generate_rows() -> tuple[list[dict], list[dict]]:
    """Return (TypedDataSet rows, WijkenEnBuurten dimension rows)."""
    rng = random.Random(DEMO_SEED * 1000 + 18)
    codes = [c for c in soortmisdrijf()["crime_code"] if c != "0.0.0"]
    buurten = hengelo_buurten()
    hengelo = next(g for g in GEMEENTEN if g.code == "GM0164")
    activity_total = sum(b.activity for b in buurten)

    # counts[(area_code, code, year)] = int or None
    counts: dict[tuple[str, str, int], int | None] = {}
    for year in YEARS:
        g = growth_factor(year)
        for code in codes:
            if code == "3.9.1" and year < HORIZONTAL_FRAUD_FIRST_YEAR:
                for b in buurten:
                    counts[(b.code, code, year)] = None
                continue
            per_1000 = _year_factor(code, year) * HENGELO_FACTORS.get(code, 1.0)
            per_1000 *= HENGELO_EXTRA.get((code, year), 1.0)
            expected_total = per_1000 * hengelo.inhabitants_2024 * g / 1000
            for b in buurten:
                if code in ACTIVITY_CODES:
                    share = 0.5 * b.inhabitants_2024 / hengelo.inhabitants_2024
                    share += 0.5 * b.activity / activity_total
                else:
                    share = b.inhabitants_2024 / hengelo.inhabitants_2024
                lam = expected_total * (1 - UNLOCATED_SHARE) * share
                counts[(b.code, code, year)] = _poisson(_cell_rng(b.code, code, year), lam)
            counts[("GM0164", code, year, "unlocated")] = _poisson(  # type: ignore[index]
                _cell_rng("GM0164-unlocated", code, year), expected_total * UNLOCATED_SHARE
            )

    rows_by_area: dict[str, dict[tuple[str, int], int | None]] = {}
    wijken = sorted({(b.wijk_code, b.wijk_name) for b in buurten})
    for year in YEARS:
        for code in codes:
            wijk_sum = {w: 0 for w, _ in wijken}
            any_value = False
            for b in buurten:
                v = counts[(b.code, code, year)]
                if v is not None:
                    wijk_sum[b.wijk_code] += v
                    any_value = True
                rows_by_area.setdefault(b.code, {})[(code, year)] = v
            for w, _ in wijken:
                rows_by_area.setdefault(w, {})[(code, year)] = wijk_sum[w] if any_value else None
            gm = counts[("GM0164", code, year, "unlocated")] if any_value else None  # type: ignore[index]
            rows_by_area.setdefault("GM0164", {})[(code, year)] = (
                None if gm is None else gm + sum(wijk_sum.values())
            )

    # Other gemeenten and NL: gemeente-level figures only.
    for gem in GEMEENTEN:
        if gem.code == "GM0164":
            continue
        level = math.exp(rng.gauss(0, 0.15)) * (1 + 0.15 * (3 - gem.stedelijkheid))
        shop = 1.0 + 0.35 * rng.random()  # peers shoplift more than demo Hengelo (0.78)
        for year in YEARS:
            for code in codes:
                if code == "3.9.1" and year < HORIZONTAL_FRAUD_FIRST_YEAR:
                    rows_by_area.setdefault(gem.code, {})[(code, year)] = None
                    continue
                lam = _year_factor(code, year) * level * gem.inhabitants_2024 / 1000
                lam *= growth_factor(year) * (shop if code == "2.5.2" else 1.0)
                rows_by_area.setdefault(gem.code, {})[(code, year)] = _poisson(
                    _cell_rng(gem.code, code, year), lam
                )
    for year in YEARS:
        nl = NL_INHABITANTS_2012 + (NL_INHABITANTS_2024 - NL_INHABITANTS_2012) * (year - 2012) / 12
        for code in codes:
            if code == "3.9.1" and year < HORIZONTAL_FRAUD_FIRST_YEAR:
                rows_by_area.setdefault("NL00", {})[(code, year)] = None
                continue
            lam = _year_factor(code, year) * 1.1 * nl / 1000
            rows_by_area.setdefault("NL00", {})[(code, year)] = _poisson(
                _cell_rng("NL00", code, year), lam
            )

    # Not published below gemeente level, and a few random cells not published.
    for area, cells in rows_by_area.items():
        if area.startswith(("BU", "WK")):
            for code, year in cells:
                if code in NULL_CODES_BELOW_GEMEENTE:
                    cells[(code, year)] = None
                elif area.startswith("BU") and rng.random() < RANDOM_NULL_SHARE:
                    cells[(code, year)] = None

    # Total 0.0.0 = every registered crime, published even where parts are not.
    wijk_of = {b.code: b.wijk_code for b in buurten}
    totals: dict[tuple[str, int], int] = {}
    for b in buurten:
        for year in YEARS:
            t = sum(counts[(b.code, c, year)] or 0 for c in codes)
            totals[(b.code, year)] = t
            totals[(wijk_of[b.code], year)] = totals.get((wijk_of[b.code], year), 0) + t
            totals[("GM0164", year)] = totals.get(("GM0164", year), 0) + t
    for year in YEARS:
        totals[("GM0164", year)] += sum(
            counts.get(("GM0164", c, year, "unlocated"), 0)
            for c in codes  # type: ignore[call-overload]
        )
    for area, cells in rows_by_area.items():
        for year in YEARS:
            if (area, year) not in totals:
                totals[(area, year)] = sum(v or 0 for (_, y), v in cells.items() if y == year)
        for year in YEARS:
            cells[("0.0.0", year)] = totals[(area, year)]

    names = {g.code: g.name for g in GEMEENTEN}
    region_rows = [{"Key": _pad("NL00", 10), "Title": "Nederland", "Description": None}]
    soort = {"NL00": ""}
    for gem in sorted(GEMEENTEN, key=lambda g: g.code):
        region_rows.append({"Key": _pad(gem.code, 10), "Title": gem.name, "Description": None})
        soort[gem.code] = "Gemeente"
        if gem.code == "GM0164":
            for w, wname in wijken:
                region_rows.append({"Key": _pad(w, 10), "Title": wname, "Description": None})
                soort[w] = "Wijk"
                for b in buurten:
                    if b.wijk_code == w:
                        region_rows.append({"Key": b.code, "Title": b.name, "Description": None})
                        soort[b.code] = "Buurt"

    data_rows: list[dict] = []
    all_codes = ["0.0.0", *codes]
    region_order = [r["Key"].strip() for r in region_rows]
    for code in all_codes:
        for area in region_order:
            gem_name = (
                "" if area == "NL00" else names["GM0164" if area[:2] in ("WK", "BU") else area]
            )
            for year in YEARS:
                data_rows.append(
                    {
                        "ID": len(data_rows),
                        "SoortMisdrijf": _pad(code, 6),
                        "WijkenEnBuurten": _pad(area, 10),
                        "Perioden": f"{year}JJ00",
                        "GeregistreerdeMisdrijven_1": rows_by_area[area][(code, year)],
                        "Gemeentenaam_2": gem_name,
                        "SoortRegio_3": soort[area].ljust(10) if soort[area] else "",
                    }
                )
    return data_rows, region_rows


def entity_sets() -> dict[str, list[dict]]:
    """Every entity set of the demo 47018NED, as the ODataFeed endpoint would return it."""
    data_rows, region_rows = generate_rows()
    ref = soortmisdrijf()
    soort_rows = [
        {
            "Key": row.key,
            "Title": row.title if row.crime_code == "0.0.0" else f"{row.crime_code} {row.title}",
            "Description": None,
            "CategoryGroupID": None,
        }
        for row in ref.itertuples(index=False)
    ]
    latest = max(YEARS)
    perioden = [
        {
            "Key": f"{y}JJ00",
            "Title": str(y),
            "Description": None,
            "Status": "Voorlopig" if y == latest else "Definitief",
        }
        for y in YEARS
    ]
    properties = [
        {
            "odata.type": "Cbs.OData.Dimension",
            "ID": 0,
            "Position": 0,
            "ParentID": None,
            "Type": "Dimension",
            "Key": "SoortMisdrijf",
            "Title": "Soort misdrijf",
            "Description": None,
            "ReleasePolicy": False,
        },
        {
            "odata.type": "Cbs.OData.GeoDetail",
            "ID": 1,
            "Position": 1,
            "ParentID": None,
            "Type": "GeoDetail",
            "Key": "WijkenEnBuurten",
            "Title": "Wijken en buurten",
            "Description": None,
            "MapYear": "2025",
            "ReleasePolicy": False,
        },
        {
            "odata.type": "Cbs.OData.TimeDimension",
            "ID": 2,
            "Position": 2,
            "ParentID": None,
            "Type": "TimeDimension",
            "Key": "Perioden",
            "Title": "Perioden",
            "Description": None,
            "ReleasePolicy": True,
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 3,
            "Position": 3,
            "ParentID": None,
            "Type": "Topic",
            "Key": "GeregistreerdeMisdrijven_1",
            "Title": "Geregistreerde misdrijven",
            "Description": None,
            "Datatype": "Long",
            "Unit": "aantal",
            "Decimals": 0,
            "Default": "Impossible",
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 4,
            "Position": 4,
            "ParentID": None,
            "Type": "Topic",
            "Key": "Gemeentenaam_2",
            "Title": "Gemeentenaam",
            "Description": None,
            "Datatype": "String",
            "Unit": "",
            "Decimals": 0,
            "Default": "Impossible",
        },
        {
            "odata.type": "Cbs.OData.Topic",
            "ID": 5,
            "Position": 5,
            "ParentID": None,
            "Type": "Topic",
            "Key": "SoortRegio_3",
            "Title": "Soort regio",
            "Description": None,
            "Datatype": "String",
            "Unit": "",
            "Decimals": 0,
            "Default": "Impossible",
        },
    ]
    infos = [
        {
            "ID": 0,
            "Title": "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers",
            "ShortTitle": "Misdrijven; soort, wijk, buurt, jaar",
            "Identifier": TABLE_ID,
            "Summary": "SYNTHETISCHE DEMODATA in het formaat van de politietabel 47018NED.",
            "Modified": MODIFIED,
            "MetaDataModified": MODIFIED,
            "ReasonDelivery": "Actualisering",
            "Frequency": "Perjaar",
            "Period": f"{min(YEARS)}-{latest}",
            "Status": "Regulier",
            "Catalog": "Politie",
            "Language": "nl",
        }
    ]
    return {
        "TableInfos": infos,
        "DataProperties": properties,
        "SoortMisdrijf": soort_rows,
        "WijkenEnBuurten": region_rows,
        "Perioden": perioden,
        "TypedDataSet": data_rows,
    }
