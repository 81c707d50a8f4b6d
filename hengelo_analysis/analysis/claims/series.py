"""Series the evaluators (and the chapter pages) read: crime and inhabitants per year, trends.

The Dutch trend clause says "stijgt" or "daalt" only when the trend is significant. Evaluators
build their sentence with :class:`Detail`, which records the tested direction of every clause it
words (``evidence["richtingen"]``), so a test can check each direction word against its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Context,
    rounded,
)
from hengelo_analysis.analysis.running_year import calendar_years
from hengelo_analysis.analysis.stats import InsufficientData, Trend
from hengelo_analysis.analysis.table_index import (
    AreaLookup,
    area_rows,
    cell_rows,
    indexed,
    remembered,
)
from hengelo_analysis.domain import REGISTRATION_BREAKS
from hengelo_analysis.formatting import format_percentage


def crime_series(ctx: Context, areas: list[str], codes: list[str]) -> pd.Series:
    """Registered crimes per year (≤ peiljaar), summed over ``areas`` and ``codes``.

    A year is kept only when every area/code cell is published: a sum over a missing cell would
    read "not published" as 0.
    """
    complete, sums = yearly_totals(ctx, "crime", "crime_code", "registered", areas, codes)
    shown = complete.index <= ctx.peiljaar
    if not shown.any():
        raise InsufficientData(f"geen misdrijfcijfers voor {', '.join(codes)} in {areas[0]}")
    return sums[complete & shown].astype(float).sort_index()


def yearly_totals(
    ctx: Context, table: str, code_col: str, value_col: str, areas: list[str], codes: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Per year with rows of ``areas`` and ``codes``: every cell published?, and the sum.

    All years, not only those up to the peiljaar: every year stands on its own rows, so the
    totals serve every peiljaar (the profile asks for the same series at the peiljaar and the year
    before; remembered per :class:`~hengelo_analysis.analysis.table_index.IndexedTables`). A
    table with months (the nuisance table) counts its year row, else 12 complete months
    (:func:`calendar_rows`, as in C1).
    """
    months = "month" in ctx.table(table).columns  # a missing table: InsufficientData, raised

    def compute() -> tuple[pd.Series, pd.Series]:
        if months:
            rows = calendar_rows(ctx, table, code_col, codes, areas)
        else:
            rows = cell_rows(ctx.tables, table, code_col, areas, codes, ["year", value_col])
        expected = len(set(areas)) * len(set(codes))
        grouped = rows.groupby("year")[value_col]
        complete = (grouped.count() == expected) & (grouped.size() == expected)
        return complete, grouped.sum(min_count=1)

    key = ("yearly_totals", table, code_col, value_col, tuple(areas), tuple(codes))
    return remembered(ctx.tables, key, compute)


def calendar_rows(
    ctx: Context, table: str, code_col: str, codes: list[str], areas: list[str] | None = None
) -> pd.DataFrame:
    """:func:`~hengelo_analysis.analysis.running_year.calendar_years` of the rows of ``codes``
    (and ``areas``; default all) of a police table with months.

    With :class:`~hengelo_analysis.analysis.table_index.IndexedTables` the year figures of the
    whole table are computed once (C1, C6 and the profile's overlast rows all ask) and looked up:
    every (area, code, year) stands on its own rows, so these are the rows ``calendar_years``
    gives for the subset (sorted the same way, numbered from 0 again).
    """
    df = ctx.table(table)
    # only the columns calendar_years reads: copying the text columns cost more than the figures
    columns = ["area_code", code_col, "year", "month", "registered", "provisional"]
    if not indexed(ctx.tables):
        if areas is None:
            return calendar_years(df.loc[df[code_col].isin(codes), columns], code_col)
        rows = cell_rows(ctx.tables, table, code_col, areas, codes, columns)
        return calendar_years(rows, code_col)
    whole = remembered(
        ctx.tables,
        ("calendar_years", table, code_col),
        lambda: AreaLookup(calendar_years(df[columns], code_col), code_col),
    )
    if areas is not None:
        return whole.rows(areas, codes).reset_index(drop=True)
    return whole.frame[whole.frame[code_col].isin(codes)].reset_index(drop=True)


def population_series(ctx: Context, areas: list[str]) -> pd.Series | None:
    """Inhabitants per year summed over ``areas`` (years with a missing area dropped), or None."""
    population = ctx.tables.get("population")
    if population is None:
        return None

    def compute() -> pd.Series | None:
        rows = area_rows(ctx.tables, "population", areas, ["year", "inhabitants"])
        if rows.empty:
            return None
        grouped = rows.groupby("year")["inhabitants"]
        complete = grouped.count() == len(set(areas))
        series = grouped.sum(min_count=1)[complete].astype(float)
        return series if not series.empty else None

    series = remembered(ctx.tables, ("population_series", tuple(areas)), compute)
    # a copy: the remembered series is shared by every later caller
    return None if series is None else series.copy()


def series_break(codes: list[str]) -> int | None:
    years = [REGISTRATION_BREAKS[c] for c in codes if c in REGISTRATION_BREAKS]
    return max(years) if years else None


def crime_trend(
    ctx: Context, areas: list[str], codes: list[str], since: int | None = None
) -> Trend:
    """Trend of registered crime (rate when inhabitants are known, else counts)."""
    counts = crime_series(ctx, areas, codes)
    if since is not None:
        counts = counts[counts.index >= since]
    exposure = population_series(ctx, areas)
    if exposure is not None:
        joined = pd.concat([counts.rename("c"), exposure.rename("e")], axis=1, join="inner")
        if len(joined) >= stats.MIN_TREND_POINTS:
            return stats.poisson_trend(
                joined.index, joined["c"], joined["e"], break_year=series_break(codes)
            )
    return stats.poisson_trend(counts.index, counts.values, None, break_year=series_break(codes))


def trend_evidence(trend: Trend) -> dict:
    return {
        "pct_per_jaar": rounded(trend.pct_per_year),
        "ci_laag": rounded(trend.lower),
        "ci_hoog": rounded(trend.upper),
        "p": rounded(trend.p_value, 6),
        "jaren": f"{trend.first_year}-{trend.last_year}",
        "punten": trend.n_points,
        "vrijheidsgraden": trend.df_resid,  # of the t distribution behind p and the interval
        "dispersie": rounded(trend.dispersion),
        "schaal": rounded(trend.scale),  # the dispersion used: max(1, dispersie)
        "quasi_poisson": trend.quasi,
        "corona": trend.corona,
        "blootstelling": trend.exposure,
        "richting": trend.direction(ALPHA),
    }


# The only words a sentence uses for a tested direction (singular subject).
VERBS = {"stijgend": "stijgt", "dalend": "daalt", "geen": "verandert niet aantoonbaar"}


def direction_verb(direction: str) -> str:
    """``"stijgt"``/``"daalt"`` for a significant direction, else "verandert niet aantoonbaar"."""
    return VERBS[direction]


def significant_direction(difference: float, p_value: float, alpha: float = ALPHA) -> str:
    """``"stijgend"``/``"dalend"`` when ``p_value < alpha``, else ``"geen"``."""
    if p_value < alpha and difference != 0:
        return "stijgend" if difference > 0 else "dalend"
    return "geen"


@dataclass
class Detail:
    """A finding's detail sentence, clause by clause, with the tested direction of each clause."""

    parts: list[str] = field(default_factory=list)
    directions: dict[str, str] = field(default_factory=dict)

    def add(self, text: str) -> None:
        """A clause without a direction word (figures, notes, reasons)."""
        self.parts.append(text)

    def directed(self, subject: str, direction: str, rest: str = "") -> None:
        """``subject`` + the verb of the tested ``direction`` (+ ``rest``), recorded."""
        self.directions[subject] = direction
        self.parts.append(f"{subject} {direction_verb(direction)}{rest}")

    def trend(self, subject: str, trend: Trend) -> None:
        self.directions[subject] = trend.direction(ALPHA)
        self.parts.append(trend_phrase(subject, trend))

    def text(self) -> str:
        return "; ".join(p for p in self.parts if p)


def trend_phrase(subject: str, trend: Trend) -> str:
    """Dutch clause; "stijgt"/"daalt" only when the trend is significant."""
    figures = (
        f"{format_percentage(trend.pct_per_year, signed=True)} per jaar, 95%-BI "
        f"{format_percentage(trend.lower, signed=True)} tot "
        f"{format_percentage(trend.upper, signed=True)}, {trend.first_year}-{trend.last_year}, "
        f"{stats.p_text(trend.p_value)}, t-toets met {trend.df_resid} vrijheidsgraden"
    )
    return f"{subject} {direction_verb(trend.direction(ALPHA))} ({figures})"


def direction_verdict(direction: str, expected: str) -> str:
    if direction == expected:
        return SUPPORTED
    if direction == "geen":
        return NOT_SUPPORTED
    return CONTRADICTED
