"""What ``fetch`` asks of the police overlast and monthly tables: ``$filter`` strings per table.

Each function takes the table's metadata entity sets (by name, as ``fetch_odata_table`` passes them
to a plan) and returns the filters; the caller wraps each in a ``Query``. Keys in ``eq`` filters
are taken from the dimension as served (padding included: ``'NL01  '``, ``'GM0164    '``), never
typed by hand (data-sources.md §0.3). The filters of one table never overlap, since the cleaners
refuse duplicate rows.
"""

from __future__ import annotations

import re

from hengelo_analysis.domain import MONTH_PERIOD_RE, REGION_TYPES, YEAR_PERIOD_RE

LOPEND_JAAR_YEARS = 2  # 47022NED: the months of the latest two years (the "lopend jaar" view)


def _region(meta: dict[str, list[dict]]) -> str:
    for prop in meta.get("DataProperties", []):
        if prop.get("Type") in REGION_TYPES:
            return prop["Key"]
    raise ValueError("no region dimension in DataProperties")


def _served_key(meta: dict[str, list[dict]], dimension: str, code: str) -> str | None:
    return next((r["Key"] for r in meta.get(dimension, []) if r["Key"].strip() == code), None)


def _eq_any(column: str, keys: list[str]) -> str:
    return "(" + " or ".join(f"{column} eq '{k}'" for k in keys) + ")"


def _periods(meta: dict[str, list[dict]], pattern: re.Pattern) -> list[str]:
    return [p["Key"] for p in meta.get("Perioden", []) if pattern.match(p["Key"].strip())]


def gemeente_nuisance_filters(meta: dict[str, list[dict]], gemeente: str) -> list[str]:
    """47021NED: every period of the gemeente and NL, and the year figures of every other region.

    About 2 x 9 x 170 rows for the first query and 375 x 9 per year for the others (peer groups and
    Twente are chosen later from the gemeente rows).
    """
    region = _region(meta)
    focus = [k for code in (gemeente, "NL01") if (k := _served_key(meta, region, code))]
    if not focus:
        raise ValueError(f"neither {gemeente} nor NL01 in {region}")
    others = " and ".join(f"{region} ne '{k}'" for k in focus)
    return [_eq_any(region, focus)] + [
        f"Perioden eq '{p}' and {others}" for p in _periods(meta, YEAR_PERIOD_RE)
    ]


def _gemeente_areas(meta: dict[str, list[dict]], region: str, gemeente: str) -> list[str]:
    n = gemeente[2:]
    filters = [f"startswith({region},'WK{n}')", f"startswith({region},'NL')"]
    served = _served_key(meta, region, gemeente)
    filters.append(f"{region} eq '{served}'" if served else f"startswith({region},'{gemeente}')")
    return filters


def wijk_nuisance_filters(meta: dict[str, list[dict]], gemeente: str) -> list[str]:
    """47024NED: the gemeente, its wijken and buurten and NL, every month."""
    region = _region(meta)
    return [*_gemeente_areas(meta, region, gemeente), f"startswith({region},'BU{gemeente[2:]}')"]


def monthly_crime_filters(meta: dict[str, list[dict]], gemeente: str) -> list[str]:
    """47022NED: the gemeente, its wijken and NL, the months of the latest two years.

    Months are enumerated (a range on ``Perioden`` would also catch the ``JJ00`` rows).
    """
    region = _region(meta)
    months = _periods(meta, MONTH_PERIOD_RE)
    if not months:
        raise ValueError("no month periods in Perioden")
    latest = max(int(k[:4]) for k in months)
    recent = [k for k in months if int(k[:4]) > latest - LOPEND_JAAR_YEARS]
    return [
        f"{area} and {_eq_any('Perioden', recent)}"
        for area in _gemeente_areas(meta, region, gemeente)
    ]
