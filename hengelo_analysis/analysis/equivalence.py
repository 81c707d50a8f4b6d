"""Equivalence tests (TOST): evidence that a change is *small*, not merely not significant.

"Geen grote verschuivingen" claims that a change lies within a margin. A non-significant change is
no evidence of that: a wide interval is not significant either. The two one-sided tests (TOST;
Schuirmann 1987, J Pharmacokinet Biopharm 15:657-680) test ``change <= -margin`` and
``change >= +margin``; both are rejected at ``alpha`` exactly when the ``1 - 2 alpha`` (90%)
interval of the change lies inside ``(-margin, +margin)``. The same change is also tested for a
direction at 95% (two-sided), so one object says both "is it small?" and "did it move?".

Survey estimates come from their published 95% intervals (Veiligheidsmonitor: SE = half width /
1.96) or from a percentage, its number of respondents and the effective number after weighting
(SE = sqrt(p (1 - p) / n_eff)). Two waves are independent samples, so the SE of the change is
``sqrt(se1^2 + se2^2)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats as sps

from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number

DIRECTIONS = ("rises", "falls", "no significant change")


def _finite(*values) -> None:
    for v in values:
        if v is None or not math.isfinite(float(v)):
            raise InsufficientData("enquêtecijfer of marge niet gepubliceerd (onderdrukt?)")


def _quantile(p: float, df: float | None) -> float:
    return float(sps.norm.ppf(p) if df is None else sps.t.ppf(p, df))


def _sf(x: float, df: float | None) -> float:
    return float(sps.norm.sf(x) if df is None else sps.t.sf(x, df))


@dataclass(frozen=True)
class SurveyEstimate:
    """A survey estimate (percentage or score) with its standard error."""

    value: float
    se: float

    @classmethod
    def from_interval(
        cls, value: float, lower: float, upper: float, confidence: float = 0.95
    ) -> SurveyEstimate:
        """From a published interval: ``SE = (upper - lower) / 2 / z``."""
        _finite(value, lower, upper)
        z = sps.norm.ppf(0.5 + confidence / 2)
        return cls(float(value), (float(upper) - float(lower)) / 2 / z)

    @classmethod
    def from_margin(cls, value: float, margin: float, confidence: float = 0.95) -> SurveyEstimate:
        """From a published margin (half the interval width, e.g. ``12,3 ± 1,8``)."""
        _finite(value, margin)
        return cls(float(value), float(margin) / sps.norm.ppf(0.5 + confidence / 2))

    @classmethod
    def from_sample(
        cls, percentage: float, n: float, effective_n: float | None = None
    ) -> SurveyEstimate:
        """From a percentage (0-100) and its respondents; ``effective_n`` = n / design effect.

        Only for percentages: ``SE = 100 sqrt(q (1 - q) / n_eff)`` with ``q = percentage / 100``.
        """
        _finite(percentage, n)
        n_eff = float(n if effective_n is None else effective_n)
        if n_eff <= 0:
            raise InsufficientData("geen respondenten")
        q = float(percentage) / 100
        if not 0 <= q <= 1:
            raise ValueError(f"a percentage lies in [0, 100], got {percentage}")
        return cls(float(percentage), 100 * math.sqrt(q * (1 - q) / n_eff))


@dataclass(frozen=True)
class Equivalence:
    """TOST of an estimate against the equivalence bounds ``(low, high)``."""

    estimate: float
    se: float
    low: float
    high: float
    ci_lower: float  # the (1 - 2 alpha) interval, 90% at alpha 0.05, that must lie inside
    ci_upper: float
    p_tost: float  # the larger of the two one-sided p-values
    alpha: float
    df: float | None  # None: normal distribution
    equivalent: bool

    def as_dict(self) -> dict:
        return asdict(self)


def tost(
    estimate: float,
    se: float,
    low: float,
    high: float,
    *,
    alpha: float = 0.05,
    df: float | None = None,
) -> Equivalence:
    """Two one-sided tests of ``low < true value < high`` (Schuirmann 1987).

    ``p_low = P(T > (estimate - low) / se)``, ``p_high = P(T > (high - estimate) / se)`` with
    ``T`` normal (``df=None``) or Student's t on ``df`` degrees of freedom; equivalent when both
    are below ``alpha``, i.e. the ``1 - 2 alpha`` interval lies strictly inside the bounds.
    """
    if not low < high:
        raise ValueError(f"bounds must satisfy low < high, got ({low}, {high})")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be between 0 and 0.5, got {alpha}")
    est, s = float(estimate), float(se)
    if not s > 0:
        raise InsufficientData("standaardfout ontbreekt of is 0")
    p_tost = max(_sf((est - low) / s, df), _sf((high - est) / s, df))
    q = _quantile(1 - alpha, df)
    equivalent = p_tost < alpha
    return Equivalence(est, s, low, high, est - q * s, est + q * s, p_tost, alpha, df, equivalent)


@dataclass(frozen=True)
class SurveyChangeTest:
    """Change between two survey waves: its intervals, TOST for ``±margin`` and a direction."""

    value1: float
    value2: float
    change: float
    se: float
    lower90: float
    upper90: float
    lower95: float
    upper95: float
    margin: float
    p_value: float  # two-sided, no change
    p_tost: float
    equivalent: bool  # the 90% interval lies inside ±margin
    direction: str  # rises / falls / no significant change (at 95%)
    method: str = "TOST (90%-interval binnen ±marge) en z-toets op het verschil (95%)"

    def summary_nl(self, unit: str = "procentpunt") -> str:
        """One plain Dutch sentence with the change, its 90% interval and the margin."""

        def signed(v: float) -> str:
            text = format_number(v, 1)
            return text if text.startswith("-") or text == "0,0" else "+" + text

        verdict = (
            "gelijk gebleven binnen de marge"
            if self.equivalent
            else "niet aangetoond dat het gelijk bleef"
        )
        return (
            f"Verschil {signed(self.change)} {unit} (90%-interval {signed(self.lower90)} tot "
            f"{signed(self.upper90)}; marge ±{format_number(self.margin, 1)} {unit}): {verdict}."
        )

    def as_dict(self) -> dict:
        return asdict(self)


def survey_change_test(
    first: SurveyEstimate, second: SurveyEstimate, margin: float
) -> SurveyChangeTest:
    """Test the change ``second - first`` for equivalence within ``±margin`` and for direction.

    Parameters
    ----------
    first, second : the earlier and the later wave (independent samples)
    margin : the largest change still called "no large shift", in the estimates' unit
        (percentage points for a percentage)

    Both tests are at 5%: TOST with the 90% interval, the direction two-sided with the 95% one.
    The change is equivalent to none only when its 90% interval lies inside ``±margin``; it
    rises (falls) when its 95% interval lies above (below) 0. A change can be neither, e.g.
    4.4 points with a 95% interval from -9 to +18: not shown to be small, not shown to move.
    """
    _finite(first.value, first.se, second.value, second.se, margin)
    if not margin > 0:
        raise ValueError(f"margin must be positive, got {margin}")
    change = second.value - first.value
    se = math.hypot(first.se, second.se)
    if not se > 0:
        raise InsufficientData("marges van beide metingen zijn 0")
    eq = tost(change, se, -margin, margin, alpha=0.05)
    z = sps.norm.ppf(0.975)
    p_value = float(2 * sps.norm.sf(abs(change) / se))
    if p_value < 0.05:
        direction = "rises" if change > 0 else "falls"
    else:
        direction = "no significant change"
    return SurveyChangeTest(
        first.value,
        second.value,
        change,
        se,
        eq.ci_lower,
        eq.ci_upper,
        change - z * se,
        change + z * se,
        float(margin),
        p_value,
        eq.p_tost,
        eq.equivalent,
        direction,
    )
