"""Views of monthly police figures: the "lopend jaar" and whole calendar years.

The "lopend jaar" compares the months so far of the latest year with the same months a year
earlier; :func:`calendar_years` gives year figures for tables that publish months only.

Monthly police figures (47022NED crime, 47021NED/47024NED overlast) run ahead of the yearly tables,
so the newest picture is e.g. "januari t/m mei 2025 vs januari t/m mei 2024". Those months are
mostly provisional ("voorlopig": the police still add registrations), which the result carries so a
page can say so. A window with a month not published (null) or absent has no total: a sum over
fewer months would look like a fall.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hengelo_analysis.domain import MONTHS_NL

RESULT_COLUMNS = [
    "year",
    "through_month",
    "registered",
    "registered_previous",
    "change",
    "change_pct",
    "provisional",
]


def window_label(through_month: int) -> str:
    """``5`` → ``"januari t/m mei"``; ``1`` → ``"januari"``."""
    if through_month == 1:
        return MONTHS_NL[0]
    return f"{MONTHS_NL[0]} t/m {MONTHS_NL[through_month - 1]}"


def running_year(
    monthly: pd.DataFrame, code_column: str, *, year: int | None = None
) -> pd.DataFrame:
    """Per area and code: registrations in January..latest month of ``year`` and of ``year - 1``.

    Parameters
    ----------
    monthly : rows with ``area_code``, ``year``, ``month``, ``code_column``, ``registered``
        (nullable: null = not published) and ``provisional``; year rows (``month`` null) are ignored.
    code_column : ``"crime_code"`` or ``"nuisance_code"``.
    year : the running year; default the latest year with month rows. Its latest month (over the
        whole frame: the police publish all areas at once) closes the window.

    Returns one row per (area_code, code) with the columns of :data:`RESULT_COLUMNS`: ``registered``
    and ``registered_previous`` (Int64, <NA> when a month of the window is missing or not
    published), ``change`` (Int64), ``change_pct`` (float, NaN when the earlier total is 0 or
    missing) and ``provisional`` (any month of either window provisional).
    """
    keys = ["area_code", code_column]
    months = monthly[monthly["month"].notna()]
    if months.empty:
        return pd.DataFrame(columns=[*keys, *RESULT_COLUMNS])
    if year is None:
        year = int(months["year"].max())
    through = months.loc[months["year"] == year, "month"]
    if through.empty:
        raise ValueError(f"no month rows for {year}")
    through_month = int(through.max())
    window = months[
        months["year"].isin([year, year - 1]) & months["month"].between(1, through_month)
    ]
    totals = {}
    for y, name in ((year, "registered"), (year - 1, "registered_previous")):
        part = window[window["year"] == y]
        grouped = part.groupby(keys, observed=True)["registered"]
        complete = grouped.count() == through_month  # count() skips nulls: all months published
        totals[name] = grouped.sum().astype("Int64").where(complete).rename(name)
    flags = window.groupby(keys, observed=True)["provisional"].any()
    result = pd.concat([totals["registered"], totals["registered_previous"], flags], axis=1)
    result["registered"] = result["registered"].astype("Int64")
    result["registered_previous"] = result["registered_previous"].astype("Int64")
    result["provisional"] = result["provisional"].fillna(False).astype(bool)
    result["change"] = result["registered"] - result["registered_previous"]
    previous = result["registered_previous"].astype("Float64")
    pct = result["change"].astype("Float64") / previous.where(previous > 0) * 100
    result["change_pct"] = pct.to_numpy(dtype="float64", na_value=np.nan)
    result["year"] = year
    result["through_month"] = through_month
    return result.reset_index()[[*keys, *RESULT_COLUMNS]]


def calendar_years(frame: pd.DataFrame, code_column: str) -> pd.DataFrame:
    """Year figures per area and code: the published year row, else the sum of its 12 months.

    47024NED publishes wijken and buurten by month only, so a per-wijk trend (claim C1) needs year
    totals. A year with a month missing or not published gets no total (<NA>), never a partial sum;
    a year row (``month`` null) wins over the months, which may have been revised less recently.
    Returns ``area_code``, ``code_column``, ``year``, ``registered`` (Int64), ``provisional``,
    ``from_months`` (True where summed here).
    """
    keys = ["area_code", code_column, "year"]
    year_rows = frame[frame["month"].isna()]
    months = frame[frame["month"].notna()]
    grouped = months.groupby(keys, observed=True)
    summed = pd.DataFrame(
        {
            "registered": grouped["registered"].sum().astype("Int64"),
            "complete": grouped["registered"].count() == 12,
            "provisional": grouped["provisional"].any(),
        }
    )
    summed["registered"] = summed["registered"].where(summed.pop("complete"))
    summed["from_months"] = True
    published = year_rows.set_index(keys)[["registered", "provisional"]].assign(from_months=False)
    summed = summed[~summed.index.isin(published.index)]
    result = pd.concat([published, summed]).reset_index()
    result["registered"] = result["registered"].astype("Int64")
    result["provisional"] = result["provisional"].astype(bool)
    result["from_months"] = result["from_months"].astype(bool)
    return result.sort_values(keys, ignore_index=True)
