"""Indicators: small, pure functions from processed tables to the figures the report shows."""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.domain import TOTAL_CRIME

TOTAL_CODE = TOTAL_CRIME


def yearly_counts(
    crime: pd.DataFrame, area_code: str, crime_code: str = TOTAL_CODE
) -> pd.DataFrame:
    """Registered crimes per year for one area and crime code (``registered`` may be missing).

    The ``0.0.0`` total is read as published, never recomputed from its parts: parts can be
    unpublished while the total is.
    """
    rows = crime[(crime["area_code"] == area_code) & (crime["crime_code"] == crime_code)]
    return rows[["year", "registered"]].sort_values("year", ignore_index=True)


def change(previous, current) -> tuple[float | None, float | None]:
    """Absolute and percentage change; ``None`` when either value is missing or the base is 0."""
    if pd.isna(previous) or pd.isna(current):
        return None, None
    diff = float(current) - float(previous)
    pct = None if float(previous) == 0 else 100.0 * diff / float(previous)
    return diff, pct


def wijk_of_buurt(buurt_code: str) -> str:
    """``BU01640000`` → ``WK016400`` (CBS codes: the wijk code is the buurt code's first 6 digits)."""
    return "WK" + str(buurt_code)[2:8]


def rates(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    unit: int = 1000,
    confidence: float = 0.95,
    count: str = "registered",
) -> pd.DataFrame:
    """Add ``inhabitants``, ``rate``, ``lower``, ``upper`` and ``ci_method`` to a counts table.

    Joined on ``area_code`` and ``year``. The interval is exact Poisson below 10 events and
    Byar's from 10 (:func:`hengelo_analysis.analysis.stats.rate_ci`). A missing count or missing
    inhabitants give a missing rate, never 0.
    """
    from hengelo_analysis.analysis import stats

    pop = population[["area_code", "year", "inhabitants"]].drop_duplicates(["area_code", "year"])
    out = counts.merge(pop, on=["area_code", "year"], how="left")
    values = []
    for c, n in zip(out[count], out["inhabitants"], strict=True):
        try:
            r = stats.rate_ci(c, n, unit, confidence)
            values.append((r.rate, r.lower, r.upper, r.method))
        except stats.InsufficientData:
            values.append((None, None, None, None))
    columns = ["rate", "lower", "upper", "ci_method"]
    out[columns] = pd.DataFrame(values, index=out.index, columns=columns)  # also when empty
    for column in ("rate", "lower", "upper"):
        out[column] = out[column].astype("Float64")
    return out


def buurt_table(
    crime: pd.DataFrame,
    gemeente: str,
    year: int,
    crime_code: str = TOTAL_CODE,
    population: pd.DataFrame | None = None,
    unit: int = 1000,
    threshold: int = 5,
    min_population: int = 100,
) -> pd.DataFrame:
    """The buurten of a gemeente for one crime code and year, safe to show.

    Small counts are suppressed (``<5``) with secondary suppression within each wijk, so the
    published wijk total cannot give a hidden buurt back; rates are hidden for small areas and
    hidden counts (:mod:`hengelo_analysis.analysis.disclosure`). Columns: area_code, area_name, wijk_code,
    registered (missing when hidden or not published), status, shown, and with ``population``
    also inhabitants, rate, lower, upper, rate_status.
    """
    from hengelo_analysis.analysis import disclosure

    rows = crime[
        (crime["gemeente_code"] == gemeente)
        & (crime["area_level"] == "buurt")
        & (crime["year"] == year)
        & (crime["crime_code"] == crime_code)
    ].copy()
    rows["wijk_code"] = rows["area_code"].map(wijk_of_buurt)
    table = disclosure.suppress(rows, "registered", groups=[("wijk_code",)], threshold=threshold)
    columns = ["area_code", "area_name", "wijk_code", "year", "registered", "status", "shown"]
    table = table[columns].sort_values("area_code", ignore_index=True)
    if population is None:
        return table
    with_rates = rates(table, population, unit)
    return disclosure.suppress_rates(with_rates, min_population=min_population)
