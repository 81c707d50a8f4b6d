"""Counts and rates: Poisson intervals and the change between two counts.

- Confidence intervals for counts: exact Poisson (chi-square) below 10, Byar's approximation from
  10 up, as PHE Fingertips / ``PHEindicatormethods`` do.
- Change between two counts: the exact conditional test (binomial on ``c2`` given ``c1 + c2``).
- Funnel-plot limits live in :mod:`hengelo_analysis.analysis.funnel` (PHE's method).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats as sps

from hengelo_analysis.analysis.stats.common import (
    InsufficientData,
    alpha_of,
    check_count,
    is_missing,
)

BYAR_MIN_COUNT = 10  # Fingertips: exact Poisson below 10 events, Byar's from 10


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
    x = check_count(count)
    a = alpha_of(confidence)
    lower = 0.0 if x == 0 else sps.chi2.ppf(a / 2, 2 * x) / 2
    upper = sps.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    return float(lower), float(upper)


def poisson_ci_byar(count, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval (good from about 10 events).

    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3``,
    ``upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3`` (Breslow & Day 1987; PHEindicatormethods
    ``byars_lower``/``byars_upper``).
    """
    x = check_count(count)
    if x == 0:
        raise ValueError("Byar's method is undefined for a count of 0; use the exact interval")
    z = sps.norm.ppf(1 - alpha_of(confidence) / 2)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return float(max(lower, 0.0)), float(upper)


def poisson_ci(count, confidence: float = 0.95) -> tuple[float, float, str]:
    """Interval for a count the Fingertips way: exact below 10 events, Byar's from 10.

    Returns ``(lower, upper, method)`` with method ``"exact"`` or ``"byar"``.
    """
    x = check_count(count)
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
    x = check_count(count)
    if is_missing(inhabitants):
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
    c1, c2, result = _conditional_test(count1, count2, exposure1, exposure2)
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


def compare_counts_p(count1, count2, exposure1: float = 1.0, exposure2: float = 1.0) -> float:
    """The p-value of :func:`compare_counts` alone (the same test, without the ratio interval).

    The interval's root finding costs more than the test; the at-a-glance profile and its
    changes compare some hundred pairs per edition and show only the p-value.
    """
    return float(_conditional_test(count1, count2, exposure1, exposure2)[2].pvalue)


def _conditional_test(count1, count2, exposure1: float, exposure2: float):
    """``(c1, c2, binomtest result)``: ``c2`` given ``c1 + c2`` under equal rates."""
    c1, c2 = check_count(count1), check_count(count2)
    if exposure1 <= 0 or exposure2 <= 0:
        raise InsufficientData("blootstelling (inwonertal) is 0")
    n = c1 + c2
    if n == 0:
        raise InsufficientData("beide aantallen zijn 0")
    p0 = exposure2 / (exposure1 + exposure2)
    return c1, c2, sps.binomtest(int(round(c2)), int(round(n)), p0, alternative="two-sided")
