"""Multi-year trends: quasi-Poisson regression on counts with inhabitants as exposure.

The fit is :func:`hengelo_analysis.analysis.glm.quasi_poisson_trend` (one implementation for the
pages and the claims): a Poisson GLM with ``log(inhabitants)`` as offset, the dispersion Pearson
chi2 / residual df floored at 1, and inference by Student's t on the residual degrees of freedom,
as R's ``quasipoisson``. With 6 yearly points (4 df) the normal distribution would overstate the
evidence several-fold, so a trend judged here may be "not shown" where a z test called it
significant. :class:`Trend` keeps the fields the pages read and adds ``df_resid``, ``scale``,
``slope`` and ``se`` for the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats as sps

# glm imports this package (InsufficientData): it is used at call time only, never at import time
from hengelo_analysis.analysis import glm

MIN_TREND_POINTS = 5  # Fingertips trend markers: at least 5 annual points (glm uses the same)
CORONA_MODES = ("indicator", "exclude", "ignore")


def cut_at_break(years: Sequence[int], break_year: int | None) -> np.ndarray:
    """Boolean mask keeping the years from a registration break onwards (all years if no break).

    A series whose definition or registration changed (e.g. 3.9.1 horizontal fraud, registered
    only from 2016) cannot carry a trend across the break; only the part after it is used.
    """
    years = np.asarray(years, dtype=int)
    if break_year is None:
        return np.ones(len(years), dtype=bool)
    return years >= int(break_year)


@dataclass(frozen=True)
class Trend:
    """A log-linear trend in counts (per exposure): slope as % change per year."""

    pct_per_year: float
    lower: float
    upper: float
    p_value: float  # two-sided t test on df_resid degrees of freedom
    n_points: int
    first_year: int
    last_year: int
    dispersion: float  # Pearson chi2 / df of the Poisson fit
    quasi: bool  # True when the scale used exceeds 1 (overdispersion)
    corona: str  # how 2020-2021 were handled: indicator / exclude / ignore / absent
    exposure: str  # "inwoners" or "geen" (trend in counts)
    test: str = "quasi-Poisson-regressie (t-verdeling)"
    df_resid: int = 0  # residual degrees of freedom of the t distribution
    scale: float = 1.0  # the dispersion used: max(1, dispersion)
    slope: float = 0.0  # log scale
    se: float = 0.0  # log scale, scaled by sqrt(scale)

    def direction(self, alpha: float = 0.05) -> str:
        """``"stijgend"``/``"dalend"`` only when significant at ``alpha``, else ``"geen"``."""
        if self.p_value < alpha:
            return "stijgend" if self.pct_per_year > 0 else "dalend"
        return "geen"

    def as_dict(self) -> dict:
        return asdict(self)


def poisson_trend(
    years: Sequence[int],
    counts: Sequence[float],
    exposure: Sequence[float] | None = None,
    *,
    corona: str = "indicator",
    break_year: int | None = None,
    min_points: int = MIN_TREND_POINTS,
    confidence: float = 0.95,
) -> Trend:
    """Multi-year trend of counts by quasi-Poisson regression with ``log(exposure)`` as offset.

    ``log E[count] = b0 + b1 (year - first) + log(exposure) [+ b2 corona]``; the slope is
    reported as ``100 (exp(b1) - 1)`` % per year, its interval and p-value from Student's t on the
    residual degrees of freedom with the standard errors scaled by ``max(1, Pearson chi2 / df)``
    (see :mod:`hengelo_analysis.analysis.glm`).

    Parameters
    ----------
    years, counts : the series; missing counts (not published) are dropped, never read as 0
    exposure : inhabitants per year; ``None`` models counts (e.g. E33 incidents)
    corona : ``"indicator"`` (default: a 0/1 term for 2020-2021, so the lockdown years neither
        drive nor hide the trend), ``"exclude"`` (drop them) or ``"ignore"``
    break_year : registration break; only years from it on are used
    min_points : fewer usable points raise :class:`InsufficientData`

    Raises
    ------
    InsufficientData
        fewer than ``min_points`` usable points, or too few for the corona term.
    """
    fit = glm.quasi_poisson_trend(
        years,
        counts,
        exposure,
        corona=corona,
        break_year=break_year,
        confidence=confidence,
        min_points=min_points,
    )
    quasi = fit.scale > 1.0
    test = "quasi-Poisson-regressie" if quasi else "Poisson-regressie"
    test += f" (t-verdeling, {fit.df_resid} vrijheidsgraden"
    test += ", inwoners als blootstelling)" if exposure is not None else ", aantallen)"
    return Trend(
        pct_per_year=fit.pct_per_year,
        lower=fit.lower,
        upper=fit.upper,
        p_value=fit.p_value,
        n_points=fit.n_points,
        first_year=fit.first_year,
        last_year=fit.last_year,
        dispersion=fit.dispersion,
        quasi=quasi,
        corona=fit.corona,
        exposure=fit.exposure,
        test=test,
        df_resid=fit.df_resid,
        scale=fit.scale,
        slope=fit.slope,
        se=fit.se,
    )


def compare_trends(a: Trend, b: Trend) -> float:
    """Two-sided p-value for equal log-slopes of two independent trends.

    ``t = (b_a - b_b) / sqrt(se_a^2 + se_b^2)`` on Welch-Satterthwaite degrees of freedom: both
    standard errors carry an estimated scale. A small p-value shows a difference; a large one is
    no evidence of equal trends (that needs an equivalence test: :mod:`..joint_trend`).
    """
    va, vb = a.se**2, b.se**2
    denom = math.sqrt(va + vb)
    if denom == 0:
        return 1.0
    df_a, df_b = max(a.df_resid, 1), max(b.df_resid, 1)
    df = (va + vb) ** 2 / (va**2 / df_a + vb**2 / df_b) if va + vb > 0 else df_a + df_b
    return float(2 * sps.t.sf(abs(a.slope - b.slope) / denom, df))
