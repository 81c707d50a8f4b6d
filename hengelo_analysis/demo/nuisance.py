"""Synthetic police overlast tables 47021NED (per gemeente) and 47024NED (per wijk/buurt), real shape.

Shapes follow the real samples (tests/fixtures/real): the real ``Overlast`` keys padded to 6
(``"E33   "``); ``RegioS`` keys of width 6 with ``NL01``, landsdeel/provincie/politie-eenheid and
"niet in te delen" rows and ``GM0164`` titled "Hengelo (O.)"; ``WijkenEnBuurten`` keys of width 10
with ``BU00000000`` "Buurt onbekend"; name columns padded to 30/8 and all blanks where the count
is 0; provisional ("Voorlopig") recent months; the GeoDetail ``MapYear`` trap (see police_shape).

What a fetch would save, so what is here: 47021NED year figures 2012-2024 for every demo gemeente,
the groupings and NL, and months from 2019 for Hengelo and NL; 47024NED months from 2019 for
Hengelo, its wijken and NL, its buurten from 2023, and "Buurt onbekend" rows. Every number is
invented. E33 (verward persoon) rises until 2021 and then stays about level in Hengelo (NL keeps
rising), so "keeps rising" is a question the data must answer, not a given.
"""

from __future__ import annotations

from hengelo_analysis.demo import draws
from hengelo_analysis.demo import police_shape as shape
from hengelo_analysis.demo.geography import (
    GEMEENTEN,
    NL_INHABITANTS_2012,
    NL_INHABITANTS_2024,
    YEARS,
    growth_factor,
    hengelo_buurten,
)
from hengelo_analysis.domain import (
    NL_CODE,
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
    TOTAL_NUISANCE,
)

HENGELO = "GM0164"
PAGE_SIZE = shape.PAGE_SIZE
MONTHS_FROM = 2019  # gemeente, wijk and NL months
BUURT_MONTHS_FROM = 2023
MEASURE = ("GeregistreerdeOverlast_1", "Geregistreerde overlast")
# The real Overlast dimension (47021NED, January 2024): key as served, title.
OVERLAST = (
    ("0.0.0 ", "Totaal registraties overlast"),
    ("E33   ", "Overlast door verward persoon"),
    ("E35   ", "Melding overlast jeugd"),
    ("E38   ", "Overlast ivm alcohol/ drugs"),
    ("E41   ", "Overlast zwervers"),
    ("F010  ", "Openbare dronkenschap"),
    ("M061  ", "Geluidshinder horeca"),
    ("M062  ", "Geluidshinder evenement"),
    ("M22   ", "Geluidshinder overig"),
)
CODES = [k.strip() for k, _ in OVERLAST]
# Registrations per 1,000 inhabitants in 2012 and a yearly trend (invented; the order of the real
# national figures: 2012 E33 2.7, E35 5.4, M22 5.9 per 1,000).
RATES = {
    "E33": (2.9, 1.09),
    "E35": (5.6, 0.985),
    "E38": (1.3, 1.07),
    "E41": (0.8, 1.08),
    "F010": (0.3, 0.98),
    "M061": (0.5, 0.95),
    "M062": (0.12, 0.97),
    "M22": (6.0, 1.01),
}
E33_LEVEL_FROM = 2021  # Hengelo's E33 stops rising here
CORONA = {
    2020: {"E35": 1.6, "M22": 1.5, "M061": 0.6, "M062": 0.4, "E33": 1.08},
    2021: {"E35": 1.45, "M22": 1.7, "M061": 0.5, "M062": 0.6},
}
SUMMER_CODES = {"E35", "M22", "M061", "M062"}
UNLOCATED_SHARE = 0.02  # Hengelo registrations the police could not place in a wijk
NATIONAL_UNPLACED_SHARE = 0.015  # of NL: the "Buurt onbekend" row
RANDOM_NULL_SHARE = 0.004  # buurt cells not published
# RegioS rows that are no area of the tool (left out by the cleaner), with a size for their counts
# as a share of NL.
REGIOS_GROUPS = (
    ("LD02", "Oost-Nederland (LD)", 0.21),
    ("LD99", "Niet in te delen (LD)", 0.001),
    ("PV23", "Overijssel (PV)", 0.067),
    ("PV99", "Niet in te delen (PV)", 0.001),
    ("RE02", "Oost-Nederland", 0.19),
    ("RE99", "Niet in te delen", 0.001),
    ("GM0998", "Buitenland", 0.0005),
    ("GM0999", "Gemeenten; niet in te delen", 0.002),
)


def _rate(code: str, year: int, *, hengelo: bool) -> float:
    base, trend = RATES[code]
    years = min(year, E33_LEVEL_FROM) - 2012 if hengelo and code == "E33" else year - 2012
    return base * trend**years * CORONA.get(year, {}).get(code, 1.0)


def _season(code: str, month: int) -> float:
    if code in SUMMER_CODES:
        return 1.25 if month in (6, 7, 8) else (0.85 if month in (12, 1, 2) else 1.0)
    return 1.0


def _inhabitants(area: str, year: int) -> float:
    year = min(year, max(YEARS))
    if area == "NL01":
        return (
            NL_INHABITANTS_2012 + (NL_INHABITANTS_2024 - NL_INHABITANTS_2012) * (year - 2012) / 12
        )
    gem = next(g for g in GEMEENTEN if g.code == area)
    return gem.inhabitants_2024 * growth_factor(year)


def monthly_counts(area: str) -> dict[tuple[str, int, int], int]:
    """(code, year, month) → registrations of Hengelo or NL01 for every month since 2012."""
    level = 1.0 if area == "NL01" else 1.05
    out = {}
    for year, month in shape.months(min(YEARS)):
        people = _inhabitants(area, year)
        for code in RATES:
            lam = _rate(code, year, hengelo=area == HENGELO) * level * people / 12_000
            rng = shape.cell_rng("overlast", area, code, year, month)
            out[(code, year, month)] = draws.poisson(rng, lam * _season(code, month))
    return out


def with_totals(cells: dict[tuple, int | None]) -> dict[tuple, int | None]:
    """Add ``0.0.0`` per (area, period): the sum of the categories, as in the real NL series."""
    totals: dict[tuple, int] = {}
    for (area, code, period), v in cells.items():
        if code != TOTAL_NUISANCE:
            totals[(area, period)] = totals.get((area, period), 0) + (v or 0)
    return {**cells, **{(a, TOTAL_NUISANCE, p): v for (a, p), v in totals.items()}}


def gemeente_cells() -> dict[tuple[str, str, str], int | None]:
    """47021NED: (area, code, period key) → count (``NL01``, gemeenten, groupings)."""
    cells: dict[tuple[str, str, str], int | None] = {}
    for area in (HENGELO, "NL01"):
        for (code, year, month), v in monthly_counts(area).items():
            if year >= MONTHS_FROM:
                cells[(area, code, shape.month_key(year, month))] = v
            if year <= max(YEARS):
                key = (area, code, f"{year}JJ00")
                cells[key] = (cells.get(key) or 0) + v
    for gem in GEMEENTEN:
        if gem.code == HENGELO:
            continue
        level = 0.8 + 0.1 * (5 - gem.stedelijkheid)
        for year in YEARS:
            for code in RATES:
                lam = _rate(code, year, hengelo=False) * level * _inhabitants(gem.code, year) / 1000
                rng = shape.cell_rng("overlast", gem.code, code, year)
                cells[(gem.code, code, f"{year}JJ00")] = draws.poisson(rng, lam)
    for code_, _, share in REGIOS_GROUPS:
        for year in YEARS:
            for code in RATES:
                lam = _rate(code, year, hengelo=False) * share * _inhabitants("NL01", year) / 1000
                rng = shape.cell_rng("overlast", code_, code, year)
                cells[(code_, code, f"{year}JJ00")] = draws.poisson(rng, lam)
    return with_totals(cells)


def _weights() -> tuple[list[str], dict[str, float], dict[str, list[tuple[str, float]]]]:
    """Wijken, their weights (inhabitants, the binnenstad drawing visitors) and buurt weights."""
    buurten = hengelo_buurten()
    wijken = sorted({b.wijk_code for b in buurten})
    per_buurt = {b.code: b.inhabitants_2024 + 0.5 * b.activity for b in buurten}
    by_wijk = {
        w: [(b.code, per_buurt[b.code]) for b in buurten if b.wijk_code == w] for w in wijken
    }
    wijk_weight = {w: sum(v for _, v in by_wijk[w]) for w in wijken}
    return wijken, wijk_weight, by_wijk


def wijk_cells() -> dict[tuple[str, str, str], int | None]:
    """47024NED: (area, code, month key) → count for NL00, Hengelo, its wijken and buurten."""
    wijken, wijk_weight, by_wijk = _weights()
    hengelo, nl = monthly_counts(HENGELO), monthly_counts("NL01")
    cells: dict[tuple[str, str, str], int | None] = {}
    for (code, year, month), n in hengelo.items():
        if year < MONTHS_FROM:
            continue
        period = shape.month_key(year, month)
        cells[(HENGELO, code, period)] = n
        cells[(NL_CODE, code, period)] = nl[(code, year, month)]
        rng = shape.cell_rng("overlast-wijk", code, period)
        weights = [wijk_weight[w] for w in wijken]
        parts = shape.split(n, [*weights, sum(weights) * UNLOCATED_SHARE], rng)
        for w, part in zip(wijken, parts, strict=False):
            cells[(w, code, period)] = part
            if year < BUURT_MONTHS_FROM:
                continue
            codes = [b for b, _ in by_wijk[w]]
            for b, v in zip(codes, shape.split(part, [x for _, x in by_wijk[w]], rng), strict=True):
                null = shape.cell_rng("overlast-null", b, code, period).random() < RANDOM_NULL_SHARE
                cells[(b, code, period)] = None if null else v
        if year >= BUURT_MONTHS_FROM:
            lam = nl[(code, year, month)] * NATIONAL_UNPLACED_SHARE
            cells[("BU00000000", code, period)] = draws.poisson(rng, lam)
    return with_totals(cells)


def _names(area: str, value: int | None) -> dict[str, str]:
    """Name columns as served: padded to 30/8; all blanks where the count is 0 (and unplaced)."""
    if area.startswith("NL"):
        return {"Gemeentenaam_2": "", "SoortRegio_3": ""}
    if value == 0 or area == "BU00000000":
        return {"Gemeentenaam_2": " " * 30, "SoortRegio_3": " " * 8}
    kind = {"GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[area[:2]]
    return {"Gemeentenaam_2": "Hengelo".ljust(30), "SoortRegio_3": kind.ljust(8)}


def _data_rows(cells: dict, region: str, width: int, region_order: list[str]) -> list[dict]:
    order = {a: i for i, a in enumerate(region_order)}
    keys = sorted(cells, key=lambda k: (CODES.index(k[1]), order[k[0]], k[2]))
    rows = []
    for area, code, period in keys:
        value = cells[(area, code, period)]
        row = {
            "ID": len(rows),
            "Overlast": code.ljust(6),
            region: area.ljust(width),
            "Perioden": period,
            MEASURE[0]: value,
        }
        if region == "WijkenEnBuurten":
            row.update(_names(area, value))
        rows.append(row)
    return rows


def _overlast_dimension() -> list[dict]:
    return [
        {"Key": k, "Title": t, "Description": None, "CategoryGroupID": None} for k, t in OVERLAST
    ]


def gemeente_entity_sets() -> dict[str, list[dict]]:
    """Every entity set of the demo 47021NED."""
    regions = [("NL01", "Nederland")] + [(c, t) for c, t, _ in REGIOS_GROUPS[:6]]
    regions += [
        (g.code, "Hengelo (O.)" if g.code == HENGELO else g.name)
        for g in sorted(GEMEENTEN, key=lambda g: g.code)
    ]
    regions += [(c, t) for c, t, _ in REGIOS_GROUPS[6:]]
    cells = gemeente_cells()
    periods = sorted({p for _, _, p in cells}, key=lambda p: (p[:4], p[4:] != "JJ00", p))
    return {
        "TableInfos": shape.table_infos(
            NUISANCE_GEMEENTE_TABLE,
            "Geregistreerde overlast; soort overlast, gemeente",
            f"{min(YEARS)}-{shape.LAST_MONTH[0]}",
        ),
        "DataProperties": shape.data_properties(
            ("Overlast", "Overlast"), "RegioS", MEASURE, name_columns=False
        ),
        "Overlast": _overlast_dimension(),
        "RegioS": [
            {"Key": c.ljust(6), "Title": t, "Description": None, "CategoryGroupID": None}
            for c, t in regions
        ],
        "Perioden": shape.perioden(periods),
        "TypedDataSet": _data_rows(cells, "RegioS", 6, [c for c, _ in regions]),
    }


def wijk_entity_sets() -> dict[str, list[dict]]:
    """Every entity set of the demo 47024NED."""
    buurten = hengelo_buurten()
    regions = [(NL_CODE, "Nederland"), (HENGELO, "Hengelo")]
    for w in sorted({(b.wijk_code, b.wijk_name) for b in buurten}):
        regions.append(w)
        regions += [(b.code, b.name) for b in buurten if b.wijk_code == w[0]]
    regions += [
        ("GM0000", "Gemeente onbekend"),
        ("WK000000", "Wijk onbekend"),
        ("BU00000000", "Buurt onbekend"),
    ]
    cells = wijk_cells()
    return {
        "TableInfos": shape.table_infos(
            NUISANCE_WIJK_TABLE,
            "Geregistreerde overlast; soort overlast, wijk, buurt, maandcijfers",
            f"{MONTHS_FROM}-{shape.LAST_MONTH[0]}",
        ),
        "DataProperties": shape.data_properties(
            ("Overlast", "Overlast"), "WijkenEnBuurten", MEASURE, name_columns=True
        ),
        "Overlast": _overlast_dimension(),
        "WijkenEnBuurten": [
            {"Key": c.ljust(10), "Title": t, "Description": None} for c, t in regions
        ],
        "Perioden": shape.perioden(sorted({p for _, _, p in cells})),
        "TypedDataSet": _data_rows(cells, "WijkenEnBuurten", 10, [c for c, _ in regions]),
    }


def tables(
    crime_sets: dict[str, list[dict]] | None = None,
) -> dict[str, tuple[str, dict[str, list[dict]], str]]:
    """table id → (feed URL, entity sets, Modified) for 47021NED, 47024NED and 47022NED.

    ``crime_sets``: the demo 47018NED's entity sets, if the caller made them (see
    ``police_monthly.entity_sets``).
    """
    from hengelo_analysis.demo import police_monthly

    out = {
        NUISANCE_GEMEENTE_TABLE: gemeente_entity_sets(),
        NUISANCE_WIJK_TABLE: wijk_entity_sets(),
        police_monthly.TABLE_ID: police_monthly.entity_sets(crime_sets),
    }
    return {t: (shape.feed(t), sets, shape.MODIFIED) for t, sets in out.items()}
