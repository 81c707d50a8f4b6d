"""Funnel-plot control limits as PHE computes them, with overdispersion-adjusted limits.

**Limits.** A funnel limit answers "how far from the expected count ``E`` may an area's count lie
before it differs significantly?". PHE (Fingertips technical guidance; ``poisson_funnel`` in
PHEindicatormethods ``phe_funnels`` and in its Python port PHStatsMethods
``calculate_funnel_limits``) finds it by *inverting* the exact Poisson interval: the lower 95%
limit is the count ``L`` whose exact upper 97.5% confidence limit equals ``E``, the upper limit the
count ``U`` whose exact lower 2.5% limit equals ``E``. For a count ``x``:
``x < L(E)  <=>  P(X <= x | E) < 0.025`` and ``x > U(E)  <=>  P(X >= x | E) < 0.025``, the exact
one-sided tests. For ``E = 100`` this gives 80.39-120.56. The interval *of an observation equal to*
``E`` (81.36-121.63, what ``stats.funnel_limits`` computed) sits about one event too high at both
ends, so it calls counts of 81 "below" that PHE does not.

Between integers the limits are continued with the regularised incomplete gamma function
(``P(X <= x | E) = Q(x + 1, E)``, ``P(X >= x | E) = P(x, E)``), which equals PHE's integer
``poisson_funnel`` exactly at integer counts.

**Overdispersion.** Areas differ by more than Poisson noise (Spiegelhalter 2005, "Handling
over-dispersion of performance indicators", Qual Saf Health Care 14:347-351; "Funnel plots for
comparing institutional performance", Stat Med 24:1185-1202). :func:`peer_dispersion` estimates it
from the peer group on the square-root scale ``y = sqrt(O/E)`` (target 1, ``s = 1/(2 sqrt E)``,
so ``z = 2 (sqrt O - sqrt E)``), with the z-scores winsorised at 10% each end:

- multiplicative: ``phi = mean(z^2)``; limits widened by ``sqrt(phi)`` (never narrowed);
- additive random effects (DerSimonian-Laird, the method Spiegelhalter 2005 recommends and NHS
  SHMI/CQC use): ``tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w)``, ``w = 1/s^2 = 4E``,
  0 when ``I phi <= I - 1``; limits widened by ``sqrt(1 + 4 E tau^2)``, more for large areas.

The widening factor is applied to the exact limits' distance from ``E`` on the square-root scale,
so that without overdispersion the adjusted limits are exactly PHE's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as sps

from hengelo_analysis.analysis.stats import InsufficientData

LEVELS = (0.95, 0.998)  # PHE: 2 sigma (p = 0.025 each side) and 3 sigma (p = 0.001 each side)
ADJUSTMENTS = ("none", "multiplicative", "additive")
WINSOR = 0.1  # Spiegelhalter 2005: winsorise 10% at each end before estimating phi
MIN_DISPERSION_AREAS = 10  # fewer z-scores give a phi that is mostly noise
VERDICTS = ("below", "within", "above")
METHOD = "exacte Poisson-funnelgrenzen (PHE poisson_funnel)"


def _tail(confidence: float) -> float:
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be between 0.5 and 1, got {confidence}")
    return (1.0 - confidence) / 2


def _expected(expected) -> float:
    if pd.isna(expected) or not math.isfinite(float(expected)):
        raise InsufficientData("verwacht aantal ontbreekt")
    e = float(expected)
    if e <= 0:
        raise InsufficientData("verwacht aantal is 0 (referentiecijfer of inwonertal 0)")
    return e


def exact_lower_limit(expected: float, confidence: float = 0.95) -> float:
    """PHE's lower funnel limit for an expected count: ``L`` with ``Q(L + 1, E) = (1 - conf)/2``.

    ``Q`` is the regularised upper incomplete gamma function, so at integer ``L`` this is the
    count whose exact upper confidence limit is ``E`` (``poisson_funnel(L, p, "high") == E``).
    When even a count of 0 is not significantly low (``exp(-E) >= p``) the limit is 0.
    """
    e, p = _expected(expected), _tail(confidence)
    if math.exp(-e) >= p:
        return 0.0
    return float(optimize.brentq(lambda x: special.gammaincc(x + 1, e) - p, 0.0, e, xtol=1e-12))


def exact_upper_limit(expected: float, confidence: float = 0.95) -> float:
    """PHE's upper funnel limit for an expected count: ``U`` with ``P(U, E) = (1 - conf)/2``.

    ``P`` is the regularised lower incomplete gamma function, so at integer ``U`` this is the
    count whose exact lower confidence limit is ``E`` (``poisson_funnel(U, p, "low") == E``).
    """
    e, p = _expected(expected), _tail(confidence)
    hi = e + 10 * math.sqrt(e) + 20
    while special.gammainc(hi, e) > p:  # a bracket that holds for any confidence below 1
        hi *= 2
    return float(optimize.brentq(lambda x: special.gammainc(x, e) - p, e, hi, xtol=1e-12))


@dataclass(frozen=True)
class PeerDispersion:
    """Overdispersion of a peer group around its reference rate (Spiegelhalter 2005).

    ``phi`` is the mean squared winsorised z-score (1 under pure Poisson noise); ``tau2`` the
    between-area variance on the ``sqrt(O/E)`` scale; ``p_value`` tests ``I phi`` against
    chi-square with ``I - 1`` degrees of freedom (no overdispersion).
    """

    n_areas: int
    reference_rate: float  # per ``unit`` inhabitants
    unit: int
    phi: float
    tau2: float
    p_value: float
    winsor: float
    method: str = "Spiegelhalter (2005): z = 2(sqrt O - sqrt E), 10% gewinsoriseerd"

    @property
    def overdispersed(self) -> bool:
        """True when the chi-square test on ``I phi`` rejects Poisson noise at 5%."""
        return self.p_value < 0.05

    def inflation(self, expected: float, adjustment: str) -> float:
        """Factor on the square-root-scale half-width of the limits at ``expected`` (>= 1)."""
        if adjustment == "multiplicative":
            return math.sqrt(max(self.phi, 1.0))
        if adjustment == "additive":
            return math.sqrt(1.0 + 4.0 * float(expected) * self.tau2)
        if adjustment == "none":
            return 1.0
        raise ValueError(f"adjustment must be one of {ADJUSTMENTS}, got {adjustment!r}")

    def as_dict(self) -> dict:
        return asdict(self) | {"overdispersed": self.overdispersed}


def peer_dispersion(
    counts: Sequence[float],
    inhabitants: Sequence[float],
    reference_rate: float | None = None,
    *,
    unit: int = 1000,
    winsor: float = WINSOR,
    min_areas: int = MIN_DISPERSION_AREAS,
) -> PeerDispersion:
    """Dispersion ``phi`` and between-area variance ``tau2`` of a peer group's counts.

    Parameters
    ----------
    counts, inhabitants : per area of the peer group (areas with a missing value are dropped)
    reference_rate : rate per ``unit`` that gives each area's expected count; ``None`` uses the
        pooled rate ``sum(counts) / sum(inhabitants)``, PHE's funnel centre
    winsor : fraction winsorised at each end of the z-scores (Spiegelhalter 2005: 10%)
    min_areas : fewer usable areas raise :class:`InsufficientData`

    Method: ``E_i = rate * n_i / unit``; ``z_i = 2 (sqrt O_i - sqrt E_i)``; winsorised ``z``;
    ``phi = mean(z^2)``; ``tau2`` by DerSimonian-Laird with weights ``w_i = 4 E_i``.
    """
    obs = np.array([np.nan if pd.isna(v) else float(v) for v in counts])
    pop = np.array([np.nan if pd.isna(v) else float(v) for v in inhabitants])
    if obs.shape != pop.shape:
        raise ValueError("counts and inhabitants differ in length")
    keep = np.isfinite(obs) & np.isfinite(pop) & (pop > 0)
    obs, pop = obs[keep], pop[keep]
    if len(obs) < min_areas:
        raise InsufficientData(f"te weinig gemeenten voor de spreiding ({len(obs)} < {min_areas})")
    if not 0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor}")
    rate = obs.sum() / pop.sum() * unit if reference_rate is None else float(reference_rate)
    expected = rate * pop / unit
    if (expected <= 0).any():
        raise InsufficientData("referentiecijfer is 0")
    z = 2 * (np.sqrt(obs) - np.sqrt(expected))
    z = np.clip(z, np.quantile(z, winsor), np.quantile(z, 1 - winsor))
    n = len(z)
    phi = float(np.mean(z**2))
    w = 4 * expected
    denominator = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (n * phi - (n - 1)) / denominator) if denominator > 0 else 0.0
    p_value = float(sps.chi2.sf(n * phi, n - 1))
    return PeerDispersion(n, float(rate), unit, phi, float(tau2), p_value, winsor)


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits (counts) around an expected count at one confidence level."""

    expected: float
    confidence: float
    lower: float
    upper: float
    adjustment: str  # none / multiplicative / additive
    inflation: float  # widening on the square-root scale, 1 without adjustment
    method: str = METHOD

    def classify(self, count: float) -> str:
        """``"below"`` when ``count < lower``, ``"above"`` when ``count > upper``, else within.

        Strict, as PHE's ``assign_funnel_significance``: a count on the limit is not significant.
        """
        x = float(count)
        if x < self.lower:
            return "below"
        if x > self.upper:
            return "above"
        return "within"

    def as_rates(self, inhabitants: float, unit: int = 1000) -> tuple[float, float]:
        """The limits as rates per ``unit`` inhabitants."""
        scale = unit / float(inhabitants)
        return self.lower * scale, self.upper * scale

    def as_dict(self) -> dict:
        return asdict(self)


def funnel_limits(
    expected: float,
    confidence: float = 0.95,
    *,
    dispersion: PeerDispersion | None = None,
    adjustment: str = "none",
) -> FunnelLimits:
    """Funnel limits for a count with expected value ``expected`` (PHE's exact method).

    With ``adjustment="multiplicative"`` or ``"additive"`` (and the peer group's
    :class:`PeerDispersion`), each limit's distance from ``E`` on the square-root scale is
    multiplied by :meth:`PeerDispersion.inflation`: ``sqrt(L') = sqrt(E) - k (sqrt(E) - sqrt(L))``,
    ``sqrt(U') = sqrt(E) + k (sqrt(U) - sqrt(E))``; a negative lower root gives 0.
    """
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {ADJUSTMENTS}, got {adjustment!r}")
    if adjustment != "none" and dispersion is None:
        raise ValueError(f"adjustment {adjustment!r} needs the peer group's dispersion")
    e = _expected(expected)
    lower, upper = exact_lower_limit(e, confidence), exact_upper_limit(e, confidence)
    k = 1.0 if dispersion is None else dispersion.inflation(e, adjustment)
    if k != 1.0:
        root = math.sqrt(e)
        lower = max(0.0, root - k * (root - math.sqrt(lower))) ** 2
        upper = (root + k * (math.sqrt(upper) - root)) ** 2
    return FunnelLimits(e, confidence, float(lower), float(upper), adjustment, float(k))


def rate_limits(
    reference_rate: float,
    inhabitants: float,
    unit: int = 1000,
    confidences: Sequence[float] = LEVELS,
    *,
    dispersion: PeerDispersion | None = None,
    adjustment: str = "none",
) -> dict[float, tuple[float, float]]:
    """Funnel limits as rates per ``unit`` for an area of ``inhabitants``: ``{conf: (lo, hi)}``.

    The expected count is ``reference_rate * inhabitants / unit``; what a funnel plot draws at
    that area size (the shape of the old ``stats.funnel_limits``, with PHE's values).
    """
    if pd.isna(inhabitants) or not float(inhabitants) > 0:
        raise InsufficientData("inwonertal ontbreekt of is 0")
    n = float(inhabitants)
    expected = float(reference_rate) * n / unit
    return {
        c: funnel_limits(expected, c, dispersion=dispersion, adjustment=adjustment).as_rates(
            n, unit
        )
        for c in confidences
    }


@dataclass(frozen=True)
class FunnelPosition:
    """Where one area's count lies against the funnel limits, for the evidence in findings.json."""

    count: float
    expected: float
    ratio: float  # observed / expected
    confidence: float
    lower: float
    upper: float
    verdict: str  # below / within / above
    adjustment: str
    inflation: float
    inhabitants: float | None = None
    unit: int | None = None
    rate: float | None = None
    reference_rate: float | None = None
    rate_lower: float | None = None
    rate_upper: float | None = None
    method: str = METHOD

    def as_dict(self) -> dict:
        return asdict(self)


def classify_count(
    count: float,
    expected: float,
    confidence: float = 0.95,
    *,
    dispersion: PeerDispersion | None = None,
    adjustment: str = "none",
) -> FunnelPosition:
    """Classify ``count`` as below / within / above the funnel limits around ``expected``."""
    if pd.isna(count) or float(count) < 0:
        raise InsufficientData("aantal niet gepubliceerd")
    limits = funnel_limits(expected, confidence, dispersion=dispersion, adjustment=adjustment)
    x = float(count)
    return FunnelPosition(
        x,
        limits.expected,
        x / limits.expected,
        confidence,
        limits.lower,
        limits.upper,
        limits.classify(x),
        adjustment,
        limits.inflation,
    )


def classify_rate(
    count: float,
    inhabitants: float,
    reference_rate: float,
    unit: int = 1000,
    confidence: float = 0.95,
    *,
    dispersion: PeerDispersion | None = None,
    adjustment: str = "none",
) -> FunnelPosition:
    """Classify an area's rate against a reference rate per ``unit`` (PHE crude-rate funnel).

    The expected count is ``reference_rate * inhabitants / unit``; the limits are those of
    :func:`classify_count`, also given as rates.
    """
    if pd.isna(inhabitants) or not float(inhabitants) > 0:
        raise InsufficientData("inwonertal ontbreekt of is 0")
    n = float(inhabitants)
    pos = classify_count(
        count,
        float(reference_rate) * n / unit,
        confidence,
        dispersion=dispersion,
        adjustment=adjustment,
    )
    scale = unit / n
    return replace(
        pos,
        inhabitants=n,
        unit=unit,
        rate=pos.count * scale,
        reference_rate=float(reference_rate),
        rate_lower=pos.lower * scale,
        rate_upper=pos.upper * scale,
    )


def phe_significance(count: float, expected: float) -> str:
    """PHE's label for a count against its expected value, at 99.8% before 95%.

    ``"High (0.001)"``, ``"High (0.025)"``, ``"Low (0.001)"``, ``"Low (0.025)"`` or
    ``"Not significant"``, the labels of PHStatsMethods ``assign_funnel_significance``.
    """
    for confidence, p in ((0.998, "0.001"), (0.95, "0.025")):
        verdict = funnel_limits(expected, confidence).classify(count)
        if verdict != "within":
            return f"{'High' if verdict == 'above' else 'Low'} ({p})"
    return "Not significant"
