"""Jeugd: Halt referrals and jeugdreclassering per year, with a trend only when the data allow one.

Both are counts the gemeente supplies (no open table exists). A missing year means not supplied,
never 0, and is shown as "n.b."; the trend test drops such years instead of reading them as 0.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis import stats
from hengelo_analysis.stats import InsufficientData

MEASURES = {
    "halt_verwijzingen": "Halt-verwijzingen",
    "jeugdreclassering": "jeugdreclassering",
}


def per_year(youth: pd.DataFrame | None, area_code: str, peiljaar: int) -> pd.DataFrame:
    """Year × measure counts (Int64) from the first to the last year, missing where not supplied."""
    columns = ["year", *MEASURES]
    if youth is None or youth.empty:
        return pd.DataFrame(columns=columns)
    rows = youth[
        (youth["area_code"] == area_code)
        & (youth["year"] <= peiljaar)
        & youth["measure"].isin(list(MEASURES))
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # sum with min_count: a year not supplied stays missing (pivot_table's sum would make it 0)
    wide = rows.groupby(["year", "measure"])["count"].sum(min_count=1).unstack("measure")
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    wide = wide.reindex(index=list(years), columns=list(MEASURES)).astype("Int64")
    return wide.reset_index().rename_axis(columns=None)


def long_with_ci(wide: pd.DataFrame) -> pd.DataFrame:
    """Long rows (year, maatregel, count, lower, upper) with exact/Byar 95% intervals."""
    long = wide.melt(id_vars="year", value_vars=list(MEASURES), var_name="measure")
    long["maatregel"] = long["measure"].map(MEASURES)
    bounds = []
    for value in long["value"]:
        try:
            lower, upper, _ = stats.poisson_ci(value)
        except InsufficientData:
            lower = upper = None
        bounds.append((lower, upper))
    long["count"] = long["value"].astype("Int64")
    long["lower"] = pd.array([b[0] for b in bounds], dtype="Float64")
    long["upper"] = pd.array([b[1] for b in bounds], dtype="Float64")
    return long[["year", "maatregel", "count", "lower", "upper"]]


def trends(wide: pd.DataFrame) -> pd.DataFrame:
    """Per measure the Poisson trend (counts, corona years as indicator) or the reason there is none.

    Columns: maatregel, pct_per_year, lower, upper, p_value, years, points, direction, reason.
    """
    records = []
    for measure, label in MEASURES.items():
        series = wide[["year", measure]].dropna() if measure in wide else wide.iloc[0:0]
        try:
            t = stats.poisson_trend(series["year"], series[measure].astype(float))
            records.append(
                {
                    "maatregel": label,
                    "pct_per_year": t.pct_per_year,
                    "lower": t.lower,
                    "upper": t.upper,
                    "p_value": t.p_value,
                    "years": f"{t.first_year}-{t.last_year}",
                    "points": t.n_points,
                    "direction": t.direction(),
                    "reason": "",
                }
            )
        except InsufficientData as exc:
            records.append({"maatregel": label, "reason": str(exc)})
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "maatregel",
            "pct_per_year",
            "lower",
            "upper",
            "p_value",
            "years",
            "points",
            "direction",
            "reason",
        ],
    )
    for column in ("pct_per_year", "lower", "upper", "p_value"):
        out[column] = out[column].astype("Float64")
    out["points"] = out["points"].astype("Int64")
    return out


def missing_years(wide: pd.DataFrame) -> dict[str, list[int]]:
    """Per measure label the years without a figure (shown as n.b. in the report)."""
    return {
        label: [int(y) for y in wide.loc[wide[m].isna(), "year"]]
        for m, label in MEASURES.items()
        if m in wide
    }


DIRECTION_WORDS = {"stijgend": "stijgt", "dalend": "daalt", "geen": "geen significante verandering"}


def trends_table(trend_rows: pd.DataFrame) -> pd.DataFrame:
    """The :func:`trends` result as the report shows it: Dutch column names, words, p as text."""
    out = pd.DataFrame(
        {
            "Reeks": trend_rows["maatregel"],
            "Verandering per jaar (%)": trend_rows["pct_per_year"],
            "95%-BI ondergrens": trend_rows["lower"],
            "95%-BI bovengrens": trend_rows["upper"],
            "Jaren": trend_rows["years"].fillna("n.b."),
            "Punten": trend_rows["points"],
            "Toets": ["" if pd.isna(p) else stats.p_text(float(p)) for p in trend_rows["p_value"]],
            "Richting": trend_rows["direction"].map(DIRECTION_WORDS).fillna("geen trend"),
            "Reden geen trend": trend_rows["reason"].fillna(""),
        }
    )
    return out


def missing_sentence(wide: pd.DataFrame) -> str:
    """ "Niet aangeleverd (n.b.): jeugdreclassering 2015." or "" when every year is there."""
    parts = [
        f"{label} {', '.join(str(y) for y in years)}"
        for label, years in missing_years(wide).items()
        if years
    ]
    return f"Niet aangeleverd (n.b.): {'; '.join(parts)}." if parts else ""
