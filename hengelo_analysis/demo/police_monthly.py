"""Synthetic police table 47022NED (registered crime per wijk/buurt, per month) in its real shape.

The recorded Atom page shows the row shape: ``ID``, ``SoortMisdrijf`` padded to 6, ``WijkenEnBuurten``
padded to 10, ``Perioden`` ``2012MM01``, ``GeregistreerdeMisdrijven_1`` — no name columns. What a
fetch would save: months from 2023 for Hengelo, its wijken and NL. The 2023 and 2024 months split
the demo 47018NED year figures, so months and years agree; January and February 2025 are new
(provisional) draws around the 2024 monthly level. A year figure not published leaves its months
not published.
"""

from __future__ import annotations

from hengelo_analysis.demo import crime, draws
from hengelo_analysis.demo import police_shape as shape
from hengelo_analysis.domain import NL_CODE, POLICE_MONTHLY_TABLE

TABLE_ID = POLICE_MONTHLY_TABLE
MONTHS_FROM = 2023
MEASURE = ("GeregistreerdeMisdrijven_1", "Geregistreerde misdrijven")
# Months weigh a little differently (fewer days in February, more street crime in summer).
MONTH_WEIGHTS = (1.0, 0.9, 1.0, 0.98, 1.02, 1.03, 1.05, 1.04, 1.0, 1.02, 0.98, 0.98)
NEXT_YEAR_TREND = 0.98


def _wanted(area: str) -> bool:
    return area in (NL_CODE, "GM0164") or area.startswith("WK0164")


def cells(yearly: list[dict]) -> dict[tuple[str, str, str], int | None]:
    """(area, crime code, month key) → count, from the demo 47018NED TypedDataSet rows."""
    last_year, last_month = shape.LAST_MONTH
    out: dict[tuple[str, str, str], int | None] = {}
    for row in yearly:
        area, code = row["WijkenEnBuurten"].strip(), row["SoortMisdrijf"].strip()
        year = int(row["Perioden"][:4])
        if not _wanted(area) or year < MONTHS_FROM:
            continue
        value = row["GeregistreerdeMisdrijven_1"]
        rng = shape.cell_rng("misdrijven", area, code, year)
        parts = [None] * 12 if value is None else shape.split(value, list(MONTH_WEIGHTS), rng)
        for month, part in enumerate(parts, start=1):
            out[(area, code, shape.month_key(year, month))] = part
        if year == last_year - 1:
            for month in range(1, last_month + 1):
                lam = None if value is None else value / 12 * MONTH_WEIGHTS[month - 1]
                draw = None if lam is None else draws.poisson(rng, lam * NEXT_YEAR_TREND)
                out[(area, code, shape.month_key(last_year, month))] = draw
    return out


def entity_sets(yearly: dict[str, list[dict]] | None = None) -> dict[str, list[dict]]:
    """Every entity set of the demo 47022NED, with the dimensions of the demo 47018NED.

    ``yearly``: the demo 47018NED's entity sets (``crime.entity_sets()``, read only), when the
    caller has them already: generating them costs a third of the whole demo.
    """
    yearly = crime.entity_sets() if yearly is None else yearly
    data = cells(yearly["TypedDataSet"])
    codes = [r["Key"].strip() for r in yearly["SoortMisdrijf"]]
    regions = [r["Key"].strip() for r in yearly["WijkenEnBuurten"]]
    keys = sorted(data, key=lambda k: (codes.index(k[1]), regions.index(k[0]), k[2]))
    rows = [
        {
            "ID": i,
            "SoortMisdrijf": code.ljust(6),
            "WijkenEnBuurten": area.ljust(10),
            "Perioden": period,
            MEASURE[0]: data[(area, code, period)],
        }
        for i, (area, code, period) in enumerate(keys)
    ]
    return {
        "TableInfos": shape.table_infos(
            TABLE_ID,
            "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, maandcijfers",
            f"{MONTHS_FROM}-{shape.LAST_MONTH[0]}",
        ),
        "DataProperties": shape.data_properties(
            ("SoortMisdrijf", "Soort misdrijf"), "WijkenEnBuurten", MEASURE, name_columns=False
        ),
        "SoortMisdrijf": yearly["SoortMisdrijf"],
        "WijkenEnBuurten": yearly["WijkenEnBuurten"],
        "Perioden": shape.perioden(sorted({p for _, _, p in data})),
        "TypedDataSet": rows,
    }
