"""Zorg en overlast: E33 incidents, police drugs/drankoverlast (2.1.1), survey nuisance items.

E33 counts *incidents* (police registrations of nuisance by a person with confused behaviour), not
persons: one person can account for many registrations, and confused behaviour combined with a
crime is registered under the crime, so E33 undercounts the problem.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis import disclosure, stats
from hengelo_analysis.stats import InsufficientData

E33 = "E33"
NUISANCE = [
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
    "overlast_verwarde_personen",
]


def incidents_per_year(
    incidents: pd.DataFrame | None,
    area_code: str,
    peiljaar: int,
    incident_code: str = E33,
) -> pd.DataFrame:
    """Incidents per year (≤ peiljaar) with an exact/Byar 95% interval, gaps kept as missing.

    A yearly row (``month`` missing) is taken as supplied; otherwise a year counts only when all
    12 months are present (a partial year is not a year's figure). Years between the first and
    the last one without a figure appear with missing values, so a chart shows a gap, not 0.

    Returns
    -------
    DataFrame with year, incidents (Int64), lower, upper (Float64).
    """
    columns = ["year", "incidents", "lower", "upper"]
    if incidents is None or incidents.empty:
        return pd.DataFrame(columns=columns)
    rows = incidents[
        (incidents["area_code"] == area_code)
        & (incidents["incident_code"] == incident_code)
        & (incidents["year"] <= peiljaar)
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    yearly = rows[rows["month"].isna()].groupby("year")["incidents"].sum(min_count=1)
    monthly = rows[rows["month"].notna()].groupby("year")
    complete = monthly["month"].nunique() == 12
    from_months = monthly["incidents"].sum(min_count=1)[complete]
    per_year = yearly.combine_first(from_months)
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    out = pd.DataFrame({"year": list(years)})
    out["incidents"] = out["year"].map(per_year).astype("Int64")
    bounds = [_ci(v) for v in out["incidents"]]
    out["lower"] = pd.array([b[0] for b in bounds], dtype="Float64")
    out["upper"] = pd.array([b[1] for b in bounds], dtype="Float64")
    return out


def _ci(count) -> tuple[float | None, float | None]:
    try:
        lower, upper, _ = stats.poisson_ci(count)
    except InsufficientData:
        return None, None
    return lower, upper


def incidents_per_wijk(
    incidents: pd.DataFrame | None,
    gemeente: str,
    year: int,
    names: dict[str, str] | None = None,
    incident_code: str = E33,
    threshold: int = disclosure.DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Incidents per wijk of the gemeente in one year, small counts suppressed before showing.

    The wijken form one additive group (secondary suppression), so a total cannot give a hidden
    wijk back. Columns: area_code, area_name, incidents (missing when hidden), status, shown.
    """
    columns = ["area_code", "area_name", "incidents", "status", "shown"]
    if incidents is None or incidents.empty:
        return pd.DataFrame(columns=columns)
    prefix = "WK" + gemeente[2:]
    rows = incidents[
        incidents["area_code"].str.startswith(prefix)
        & (incidents["incident_code"] == incident_code)
        & (incidents["year"] == year)
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # a wijk figure is a year total or the sum of 12 months; anything partial is not published
    per_wijk = (
        rows.groupby("area_code")
        .apply(_year_total, include_groups=False)
        .rename("incidents")
        .reset_index()
    )
    per_wijk["incidents"] = per_wijk["incidents"].astype("Int64")
    per_wijk["group"] = year
    table = disclosure.suppress(per_wijk, "incidents", groups=[("group",)], threshold=threshold)
    names = names or {}
    table["area_name"] = [names.get(c, c) for c in table["area_code"]]
    return table[columns].sort_values("area_code", ignore_index=True)


def _year_total(rows: pd.DataFrame):
    yearly = rows.loc[rows["month"].isna(), "incidents"]
    if yearly.notna().any():
        return yearly.sum(min_count=1)
    months = rows.dropna(subset=["month"])
    if months["month"].nunique() == 12:
        return months["incidents"].sum(min_count=1)
    return pd.NA


def ranking(wave_rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Nuisance items of one wave from most to least named, with rank and 95% bounds.

    Items whose value is suppressed or missing are left out (they cannot be ranked). ``tied``
    says whether the item's interval overlaps the next one's: then the order of the two is not
    certain.
    """
    rows = wave_rows[(wave_rows["year"] == year)].dropna(subset=["value"])
    rows = rows.sort_values("value", ascending=False, ignore_index=True)
    out = rows[["indicator", "value", "lower", "upper"]].copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    nxt_upper = out["upper"].shift(-1)
    out["overlaps_next"] = (out["lower"] <= nxt_upper).fillna(False).astype(bool)
    return out
