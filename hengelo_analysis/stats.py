"""Statistics for counts, rates, trends and survey estimates, following official practice.

- Confidence intervals for counts: exact Poisson (chi-square) below 10, Byar's approximation from
  10 up, as PHE Fingertips / ``PHEindicatormethods`` do.
- Change between two counts: the exact conditional test (binomial on ``c2`` given ``c1 + c2``).
- Multi-year trends: Poisson GLM on counts with ``log(inhabitants)`` as offset, quasi-Poisson
  (scale = Pearson chi2 / df) when the counts are overdispersed, only with at least 5 points.
- Survey change between two waves from the published 95% margins (the Veiligheidsmonitor way).
- Funnel-plot limits (95% and 99.8%) around a reference rate.

Every function is pure. :class:`InsufficientData` says *why* a statistic cannot be computed, so a
finding can report ``insufficient_data`` with its reason instead of a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from hengelo_analysis.errors import AnalysisError

BYAR_MIN_COUNT = 10  # Fingertips: exact Poisson below 10 events, Byar's from 10
MIN_TREND_POINTS = 5  # Fingertips trend markers: at least 5 annual points
CORONA_YEARS = (2020, 2021)
VM_MODE_BREAK_YEAR = 2021  # Veiligheidsmonitor 2021: online-only, not comparable with earlier waves
CORONA_MODES = ("indicator", "exclude", "ignore")


class InsufficientData(AnalysisError):
    """A statistic cannot be computed from the data at hand; the message is the reason (Dutch)."""


def _alpha(confidence: float) -> float:
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be between 0.5 and 1, got {confidence}")
    return 1.0 - confidence


def _missing(value) -> bool:
    """True for None, NaN and pandas.NA (not published), never for 0."""
    return value is None or bool(pd.isna(value))


def _check_count(count) -> float:
    if _missing(count):
        raise InsufficientData("aantal niet gepubliceerd")
    count = float(count)
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    return count


def poisson_ci_exact(count, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) Poisson interval for an observed count, via the chi-square distribution.

    Parameters
    ----------
    count : observed number of events (>= 0)
    confidence : two-sided confidence level, e.g. 0.95 or 0.998

    Returns
    -------
    (lower, upper) limits for the expected count. The lower limit of 0 is 0.

    Examples
    --------
    >>> [round(v, 3) for v in poisson_ci_exact(0)]
    [0.0, 3.689]
    """
    x = _check_count(count)
    a = _alpha(confidence)
    lower = 0.0 if x == 0 else sps.chi2.ppf(a / 2, 2 * x) / 2
    upper = sps.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    return float(lower), float(upper)


def poisson_ci_byar(count, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval (good from about 10 events).

    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3``,
    ``upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3`` (Breslow & Day 1987; PHEindicatormethods
    ``byars_lower``/``byars_upper``).
    """
    x = _check_count(count)
    if x == 0:
        raise ValueError("Byar's method is undefined for a count of 0; use the exact interval")
    z = sps.norm.ppf(1 - _alpha(confidence) / 2)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return float(max(lower, 0.0)), float(upper)


def poisson_ci(count, confidence: float = 0.95) -> tuple[float, float, str]:
    """Interval for a count the Fingertips way: exact below 10 events, Byar's from 10.

    Returns ``(lower, upper, method)`` with method ``"exact"`` or ``"byar"``.
    """
    x = _check_count(count)
    if x < BYAR_MIN_COUNT:
        return (*poisson_ci_exact(x, confidence), "exact")
    return (*poisson_ci_byar(x, confidence), "byar")


@dataclass(frozen=True)
class Rate:
    """A rate per ``unit`` inhabitants with its confidence interval."""

    count: float
    inhabitants: float
    unit: int
    rate: float
    lower: float
    upper: float
    method: str
    confidence: float

    def as_dict(self) -> dict:
        return asdict(self)


def rate_ci(count, inhabitants, unit: int = 1000, confidence: float = 0.95) -> Rate:
    """Rate of ``count`` per ``unit`` inhabitants with an exact/Byar Poisson interval.

    The interval is that of the count divided by the inhabitants (the denominator is treated as
    known, as Fingertips does for ``phe_rate``).

    Raises
    ------
    InsufficientData
        when the count or the inhabitants are missing, or the inhabitants are not positive.
    """
    x = _check_count(count)
    if _missing(inhabitants):
        raise InsufficientData("inwonertal ontbreekt")
    n = float(inhabitants)
    if n <= 0:
        raise InsufficientData("inwonertal is 0")
    lower, upper, method = poisson_ci(x, confidence)
    scale = unit / n
    return Rate(x, n, unit, x * scale, lower * scale, upper * scale, method, confidence)


@dataclass(frozen=True)
class CountComparison:
    """Exact conditional comparison of two Poisson counts (``c2`` in period 2 vs ``c1`` in 1)."""

    count1: float
    count2: float
    exposure1: float
    exposure2: float
    rate_ratio: float  # (c2/e2) / (c1/e1)
    ratio_lower: float
    ratio_upper: float
    p_value: float
    test: str = "exacte conditionele toets (binomiaal) voor twee Poisson-aantallen"

    def as_dict(self) -> dict:
        return asdict(self)


def compare_counts(
    count1, count2, exposure1: float = 1.0, exposure2: float = 1.0, confidence: float = 0.95
) -> CountComparison:
    """Exact conditional test of equal rates for two Poisson counts.

    Given ``n = c1 + c2``, ``c2`` is binomial with ``p = e2 / (e1 + e2)`` under equal rates
    (Przyborowski & Wilenski 1940). The two-sided p-value is scipy's ``binomtest``; the rate-ratio
    interval maps the Clopper-Pearson interval of ``p`` back to ``(p / (1 - p)) * (e1 / e2)``.

    Parameters
    ----------
    count1, count2 : counts of the first (earlier) and second period
    exposure1, exposure2 : person-time or inhabitants of the two periods (equal by default)
    """
    c1, c2 = _check_count(count1), _check_count(count2)
    if exposure1 <= 0 or exposure2 <= 0:
        raise InsufficientData("blootstelling (inwonertal) is 0")
    n = c1 + c2
    if n == 0:
        raise InsufficientData("beide aantallen zijn 0")
    p0 = exposure2 / (exposure1 + exposure2)
    result = sps.binomtest(int(round(c2)), int(round(n)), p0, alternative="two-sided")
    ci = result.proportion_ci(confidence_level=confidence, method="exact")

    def to_ratio(p: float) -> float:
        if p >= 1:
            return math.inf
        return (p / (1 - p)) * (exposure1 / exposure2)

    ratio = math.inf if c1 == 0 else (c2 / exposure2) / (c1 / exposure1)
    return CountComparison(
        c1,
        c2,
        float(exposure1),
        float(exposure2),
        ratio,
        to_ratio(ci.low),
        to_ratio(ci.high),
        float(result.pvalue),
    )


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
    p_value: float
    n_points: int
    first_year: int
    last_year: int
    dispersion: float  # Pearson chi2 / df of the Poisson fit
    quasi: bool  # True when the scale was estimated (overdispersion)
    corona: str  # how 2020-2021 were handled: indicator / exclude / ignore / absent
    exposure: str  # "inwoners" or "geen" (trend in counts)
    test: str = "Poisson-regressie (log-lineair, inwoners als blootstelling)"

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
    """Multi-year trend of counts by Poisson regression with ``log(exposure)`` as offset.

    ``log E[count] = b0 + b1 (year - first) + log(exposure) [+ b2 corona]``; the slope is
    reported as ``100 (exp(b1) - 1)`` % per year. When the Pearson chi2 / df exceeds 1 the
    standard errors are scaled by it (quasi-Poisson), so overdispersed series do not produce
    spurious significance.

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
    import statsmodels.api as sm

    if corona not in CORONA_MODES:
        raise ValueError(f"corona must be one of {CORONA_MODES}, got {corona!r}")
    y_arr = np.asarray(years, dtype=float)
    c_arr = np.array([np.nan if _missing(v) else float(v) for v in counts])
    e_arr = (
        np.ones(len(y_arr))
        if exposure is None
        else np.array([np.nan if _missing(v) else float(v) for v in exposure])
    )
    keep = ~np.isnan(c_arr) & ~np.isnan(e_arr) & (e_arr > 0) & cut_at_break(y_arr, break_year)
    is_corona = np.isin(y_arr, CORONA_YEARS)
    if corona == "exclude":
        keep &= ~is_corona
    y_arr, c_arr, e_arr, is_corona = y_arr[keep], c_arr[keep], e_arr[keep], is_corona[keep]
    n = len(y_arr)
    if n < min_points:
        raise InsufficientData(f"te weinig jaren voor een trend ({n} < {min_points})")
    x = y_arr - y_arr.min()
    columns = [np.ones(n), x]
    mode = corona
    if corona == "indicator":
        if is_corona.any() and (~is_corona).sum() >= 3:
            columns.append(is_corona.astype(float))
        else:
            mode = "absent" if not is_corona.any() else "ignore"
    elif not is_corona.any():
        mode = "absent"
    design = np.column_stack(columns)
    if n - design.shape[1] < 2:
        raise InsufficientData(f"te weinig jaren voor een trend ({n} punten)")
    if c_arr.sum() == 0:
        raise InsufficientData("alle aantallen zijn 0")
    model = sm.GLM(c_arr, design, family=sm.families.Poisson(), offset=np.log(e_arr))
    fit = model.fit()
    dispersion = float(fit.pearson_chi2 / fit.df_resid)
    quasi = dispersion > 1.0
    if quasi:
        fit = model.fit(scale="X2")
    b, se = float(fit.params[1]), float(fit.bse[1])
    z = sps.norm.ppf(1 - _alpha(confidence) / 2)
    p_value = float(2 * sps.norm.sf(abs(b / se))) if se > 0 else 0.0
    test = "quasi-Poisson-regressie" if quasi else "Poisson-regressie"
    test += " (log-lineair, inwoners als blootstelling)" if exposure is not None else " (aantallen)"
    return Trend(
        pct_per_year=100 * math.expm1(b),
        lower=100 * math.expm1(b - z * se),
        upper=100 * math.expm1(b + z * se),
        p_value=p_value,
        n_points=n,
        first_year=int(y_arr.min()),
        last_year=int(y_arr.max()),
        dispersion=dispersion,
        quasi=quasi,
        corona=mode,
        exposure="inwoners" if exposure is not None else "geen",
        test=test,
    )


def compare_trends(a: Trend, b: Trend) -> float:
    """Two-sided p-value for equal log-slopes of two independent trends (z on the difference)."""
    z95 = sps.norm.ppf(0.975)

    def log_slope_se(t: Trend) -> tuple[float, float]:
        b_ = math.log1p(t.pct_per_year / 100)
        se = (math.log1p(t.upper / 100) - math.log1p(t.lower / 100)) / (2 * z95)
        return b_, se

    ba, sa = log_slope_se(a)
    bb, sb = log_slope_se(b)
    denom = math.hypot(sa, sb)
    return float(2 * sps.norm.sf(abs(ba - bb) / denom)) if denom > 0 else 1.0


@dataclass(frozen=True)
class SurveyChange:
    """Change of a survey estimate between two waves, from their published 95% margins."""

    year1: int
    year2: int
    value1: float
    value2: float
    difference: float
    se: float
    z: float
    p_value: float
    method_break: bool  # the waves straddle the Veiligheidsmonitor 2021 mode change
    test: str = "z-toets op het verschil (SE = marge / 1,96)"

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha

    def as_dict(self) -> dict:
        return asdict(self)


def survey_change(
    year1: int,
    value1: float,
    lower1: float,
    upper1: float,
    year2: int,
    value2: float,
    lower2: float,
    upper2: float,
    *,
    source: str = "veiligheidsmonitor",
) -> SurveyChange:
    """Significance of a change between two independent survey waves.

    Each wave's standard error is its 95% margin (half the interval width) divided by 1.96; the
    difference is tested with ``z = (v2 - v1) / sqrt(se1^2 + se2^2)``. Waves of the
    Veiligheidsmonitor on either side of 2021 (online-only from 2021) are flagged as a method
    break: the change mixes a real change with a mode effect.
    """
    for v in (value1, lower1, upper1, value2, lower2, upper2):
        if _missing(v):
            raise InsufficientData("enquêtecijfer of marge niet gepubliceerd (onderdrukt?)")
    z95 = sps.norm.ppf(0.975)
    se1 = (float(upper1) - float(lower1)) / 2 / z95
    se2 = (float(upper2) - float(lower2)) / 2 / z95
    diff = float(value2) - float(value1)
    se = math.hypot(se1, se2)
    z = diff / se if se > 0 else math.copysign(math.inf, diff) if diff else 0.0
    p = float(2 * sps.norm.sf(abs(z)))
    lo, hi = sorted((int(year1), int(year2)))
    method_break = source == "veiligheidsmonitor" and lo < VM_MODE_BREAK_YEAR <= hi
    return SurveyChange(
        int(year1), int(year2), float(value1), float(value2), diff, se, z, p, method_break
    )


def funnel_limits(
    reference_rate: float, inhabitants, unit: int = 1000, confidences=(0.95, 0.998)
) -> dict[float, tuple[float, float]]:
    """Funnel-plot control limits (as rates per ``unit``) for an area of ``inhabitants``.

    The expected count is ``E = reference_rate * inhabitants / unit``; the limits are the exact
    Poisson interval around ``E`` (chi-square form with a non-integer ``E``, as in the PHE funnel
    plot methodology), divided back into rates. A rate outside the 95% limits differs from the
    reference at about the 5% level, outside 99.8% at about 3 standard deviations.
    """
    n = float(inhabitants)
    if n <= 0 or reference_rate < 0:
        raise InsufficientData("inwonertal of referentiecijfer ontbreekt")
    expected = reference_rate * n / unit
    out = {}
    for conf in confidences:
        a = _alpha(conf)
        lower = 0.0 if expected == 0 else sps.chi2.ppf(a / 2, 2 * expected) / 2
        upper = sps.chi2.ppf(1 - a / 2, 2 * expected + 2) / 2
        out[conf] = (float(lower * unit / n), float(upper * unit / n))
    return out


def p_text(p: float) -> str:
    """``p < 0,001`` or ``p = 0,03`` (Dutch decimal comma)."""
    if p < 0.001:
        return "p < 0,001"
    return "p = " + f"{p:.3f}".replace(".", ",")
