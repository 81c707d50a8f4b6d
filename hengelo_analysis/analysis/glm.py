"""Quasi-Poisson trends of yearly counts with t-based inference, as R's ``quasipoisson``.

``log E[count_t] = b0 + b1 (year_t - first) + log(inhabitants_t) [+ b2 corona_t]``; the slope is
reported as ``100 (exp(b1) - 1)`` % per year. The dispersion is estimated as Pearson chi2 /
residual df (McCullagh & Nelder 1989, §4.5.2) and the standard errors are scaled by its root.
An *estimated* scale makes the Wald statistic t-distributed on the residual degrees of freedom,
not normal: R's ``summary.glm`` for ``quasipoisson`` and statsmodels ``GLM.fit(scale="X2",
use_t=True)`` both use the t distribution. With 6 yearly points (4 residual df) the normal
distribution would overstate the evidence several-fold (see tests/test_glm.py).

**Dispersion below 1.** By default the scale is floored at 1 (``max(1, X2/df)``), with the t
distribution kept. Annual police counts are not plausibly *under*-dispersed; an estimate below 1
from a handful of points is noise, and using it would make the interval narrower than the Poisson
one. The floor makes the interval at least as wide as both the Poisson (z) and the quasi-Poisson
(t) intervals. ``floor_dispersion=False`` gives R's and statsmodels' unfloored result.

Missing counts (not published) are dropped, never read as 0. A registration break cuts the series:
only the years from ``break_year`` on carry the trend (domain ``REGISTRATION_BREAKS``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import CORONA_YEARS

MIN_TREND_POINTS = 5  # Fingertips trend markers: at least 5 annual points
MIN_NON_CORONA_POINTS = 3  # a corona term needs at least this many other years beside it
CORONA_MODES = ("indicator", "exclude", "ignore")


@dataclass(frozen=True)
class CountSeries:
    """Yearly counts of one area, with its inhabitants (``None``: model the counts as such)."""

    years: Sequence[int]
    counts: Sequence[float | None]
    inhabitants: Sequence[float | None] | None = None


@dataclass(frozen=True)
class CleanSeries:
    """The usable years of a series: published count, positive exposure, from the break on."""

    years: np.ndarray
    counts: np.ndarray
    exposure: np.ndarray
    corona: np.ndarray  # bool: the year is a corona year
    has_inhabitants: bool


def _floats(values) -> np.ndarray:
    return np.array([np.nan if pd.isna(v) else float(v) for v in values], float)


def clean_series(
    series: CountSeries, *, corona: str = "indicator", break_year: int | None = None
) -> CleanSeries:
    """Drop unpublished counts, years without inhabitants, years before ``break_year`` and, with
    ``corona="exclude"``, the corona years."""
    if corona not in CORONA_MODES:
        raise ValueError(f"corona must be one of {CORONA_MODES}, got {corona!r}")
    years = np.asarray(series.years, dtype=int)
    counts = _floats(series.counts)
    if len(counts) != len(years):
        raise ValueError("years and counts differ in length")
    exposure = np.ones(len(years)) if series.inhabitants is None else _floats(series.inhabitants)
    if len(exposure) != len(years):
        raise ValueError("years and inhabitants differ in length")
    keep = np.isfinite(counts) & np.isfinite(exposure) & (exposure > 0)
    if break_year is not None:
        keep &= years >= int(break_year)
    is_corona = np.isin(years, CORONA_YEARS)
    if corona == "exclude":
        keep &= ~is_corona
    if (counts[keep] < 0).any():
        raise ValueError("a count cannot be negative")
    return CleanSeries(
        years[keep], counts[keep], exposure[keep], is_corona[keep], series.inhabitants is not None
    )


def corona_mode(is_corona: np.ndarray, corona: str) -> str:
    """The corona handling a series allows: a term only with enough other years beside it."""
    if not is_corona.any():
        return "absent"
    if corona == "indicator" and (~is_corona).sum() < MIN_NON_CORONA_POINTS:
        return "ignore"
    return corona


@dataclass(frozen=True)
class PoissonFit:
    """A Poisson GLM fit: coefficients, their Poisson (scale 1) covariance, Pearson chi2."""

    params: np.ndarray
    cov: np.ndarray  # unscaled: multiply by the dispersion for quasi-Poisson
    fitted: np.ndarray
    pearson_chi2: float
    df_resid: int


def fit_poisson(counts: np.ndarray, design: np.ndarray, exposure: np.ndarray) -> PoissonFit:
    """Fit ``log E[y] = X b + log(exposure)`` by IRLS (statsmodels GLM, Poisson family)."""
    # The GLM alone, not statsmodels.api: that also imports the time-series and plotting modules
    # (scipy.signal, asyncio, ...), a fifth of a second per process for nothing used here.
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    if counts.sum() == 0:
        raise InsufficientData("alle aantallen zijn 0")
    result = GLM(counts, design, family=Poisson(), offset=np.log(exposure)).fit(scale=1.0)
    return PoissonFit(
        np.asarray(result.params),
        np.asarray(result.cov_params()),
        np.asarray(result.fittedvalues),
        float(result.pearson_chi2),
        int(round(result.df_resid)),
    )


def scale_from(pearson_chi2: float, df_resid: float, floor: bool) -> tuple[float, float]:
    """``(dispersion, scale)``: Pearson chi2 / df, and the scale used (floored at 1 if asked)."""
    dispersion = pearson_chi2 / df_resid
    return dispersion, max(1.0, dispersion) if floor else dispersion


def t_inference(b: float, se: float, df: float, confidence: float) -> tuple[float, float, float]:
    """``(p, lower, upper)`` for a log-slope: two-sided t test and its interval on ``df``."""
    if se == 0:
        return (0.0 if b != 0 else 1.0), b, b
    p = float(2 * sps.t.sf(abs(b / se), df))
    q = float(sps.t.ppf(0.5 + confidence / 2, df))
    return p, b - q * se, b + q * se


def pct(log_slope: float) -> float:
    """A log-slope as % change per year: ``100 (exp(b) - 1)``."""
    return 100 * math.expm1(log_slope)


@dataclass(frozen=True)
class TrendFit:
    """A quasi-Poisson trend: slope as % per year with its t-based interval and p-value."""

    pct_per_year: float
    lower: float  # interval at ``confidence``, % per year
    upper: float
    p_value: float  # two-sided t test of no trend
    slope: float  # log scale
    se: float  # log scale, scaled by sqrt(scale)
    df_resid: int
    dispersion: float  # Pearson chi2 / df_resid
    scale: float  # the dispersion used: floored at 1 unless floor_dispersion=False
    n_points: int
    first_year: int
    last_year: int
    corona: str  # indicator / exclude / ignore / absent
    exposure: str  # "inwoners" or "geen"
    confidence: float
    method: str = "quasi-Poisson-regressie, t-verdeling op de residuele vrijheidsgraden"

    def direction(self, alpha: float = 0.05) -> str:
        """``"rises"``/``"falls"`` when significant at ``alpha``, else ``"no significant trend"``."""
        if self.p_value < alpha:
            return "rises" if self.slope > 0 else "falls"
        return "no significant trend"

    def as_dict(self) -> dict:
        return asdict(self)


def quasi_poisson_trend(
    years: Sequence[int],
    counts: Sequence[float | None],
    inhabitants: Sequence[float | None] | None = None,
    *,
    corona: str = "indicator",
    break_year: int | None = None,
    floor_dispersion: bool = True,
    confidence: float = 0.95,
    min_points: int = MIN_TREND_POINTS,
) -> TrendFit:
    """Trend of yearly counts by quasi-Poisson regression with ``log(inhabitants)`` offset.

    Parameters
    ----------
    years, counts : the series; missing counts are dropped
    inhabitants : per year; ``None`` models the counts themselves (no offset)
    corona : ``"indicator"`` (a 0/1 term for ``CORONA_YEARS``, so 2020-2021 neither drive nor
        hide the trend; dropped with fewer than 3 other years), ``"exclude"`` or ``"ignore"``
    break_year : registration break; only years from it on are used
    floor_dispersion : floor the scale at 1 (see the module docstring)
    min_points : fewer usable years raise :class:`InsufficientData`

    Inference: ``se = sqrt(scale * [I^-1]_11)``, ``t = b / se`` on ``n - p`` df, p-value and
    interval from Student's t (R ``quasipoisson``; statsmodels ``scale="X2", use_t=True``).
    """
    s = clean_series(CountSeries(years, counts, inhabitants), corona=corona, break_year=break_year)
    n = len(s.years)
    if n < min_points:
        raise InsufficientData(f"te weinig jaren voor een trend ({n} < {min_points})")
    mode = corona_mode(s.corona, corona)
    columns = [np.ones(n), (s.years - s.years.min()).astype(float)]
    if mode == "indicator":
        columns.append(s.corona.astype(float))
    design = np.column_stack(columns)
    if n - design.shape[1] < 2:
        raise InsufficientData(f"te weinig jaren voor een trend ({n} punten)")
    fit = fit_poisson(s.counts, design, s.exposure)
    dispersion, scale = scale_from(fit.pearson_chi2, fit.df_resid, floor_dispersion)
    b, se = float(fit.params[1]), math.sqrt(fit.cov[1, 1] * scale)
    p, lo, hi = t_inference(b, se, fit.df_resid, confidence)
    return TrendFit(
        pct(b),
        pct(lo),
        pct(hi),
        p,
        b,
        se,
        fit.df_resid,
        dispersion,
        scale,
        n,
        int(s.years.min()),
        int(s.years.max()),
        mode,
        "inwoners" if s.has_inhabitants else "geen",
        confidence,
    )
