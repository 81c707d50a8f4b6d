"""Quasi-Poisson trends with t-based inference (:mod:`hengelo_analysis.analysis.glm`) for the claims.

The evaluators of C7, C11, C14 and C15 read their trends through here: the fit of a yearly series, its
evidence for findings.json (with the residual df and the dispersion), and the Dutch clause that
says "stijgt"/"daalt" only when the fit's own t test shows that direction.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims.model import ALPHA, rounded
from hengelo_analysis.analysis.glm import TrendFit, quasi_poisson_trend
from hengelo_analysis.formatting import format_percentage

RISES, FALLS, FLAT = "stijgend", "dalend", "geen"


def direction(fit: TrendFit, alpha: float = ALPHA) -> str:
    """``"stijgend"``, ``"dalend"`` or ``"geen"`` (not significant at ``alpha``)."""
    if fit.p_value < alpha:
        return RISES if fit.slope > 0 else FALLS
    return FLAT


def fit_series(
    counts: pd.Series,
    inhabitants: pd.Series | None = None,
    *,
    break_year: int | None = None,
) -> TrendFit:
    """The quasi-Poisson trend of yearly ``counts`` (index = year), per inhabitant when given.

    Only years with both a count and inhabitants are used when ``inhabitants`` is given.
    """
    counts = counts.dropna().astype(float).sort_index()
    if inhabitants is not None:
        joined = pd.concat(
            [counts.rename("c"), inhabitants.astype(float).rename("e")], axis=1, join="inner"
        ).dropna()
        return quasi_poisson_trend(
            joined.index.astype(int), joined["c"], joined["e"], break_year=break_year
        )
    return quasi_poisson_trend(counts.index.astype(int), counts.values, break_year=break_year)


def fit_evidence(fit: TrendFit) -> dict:
    """The trend for findings.json: slope and 95% interval (% per year), p, df, dispersion."""
    return {
        "pct_per_jaar": rounded(fit.pct_per_year),
        "ci_laag": rounded(fit.lower),
        "ci_hoog": rounded(fit.upper),
        "p": rounded(fit.p_value, 6),
        "df": fit.df_resid,
        "dispersie": rounded(fit.dispersion),
        "schaal": rounded(fit.scale),
        "jaren": f"{fit.first_year}-{fit.last_year}",
        "punten": fit.n_points,
        "corona": fit.corona,
        "blootstelling": fit.exposure,
        "richting": direction(fit),
        "methode": fit.method,
    }


def fit_figures(fit: TrendFit) -> str:
    return (
        f"{format_percentage(fit.pct_per_year, signed=True)} per jaar, 95%-BI "
        f"{format_percentage(fit.lower, signed=True)} tot "
        f"{format_percentage(fit.upper, signed=True)}, {fit.first_year}-{fit.last_year}, "
        f"{stats.p_text(fit.p_value)}"
    )


def fit_phrase(subject: str, fit: TrendFit) -> str:
    """Dutch clause; "stijgt"/"daalt" only when the t test shows that direction."""
    d = direction(fit)
    verb = {RISES: "stijgt", FALLS: "daalt"}.get(d, "verandert niet aantoonbaar")
    return f"{subject} {verb} ({fit_figures(fit)})"


def labels_text(items: Sequence[str]) -> str:
    """ "a", "a en b", "a, b en c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
