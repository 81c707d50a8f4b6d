"""Family-wise error control for verdicts that several tests can make true.

A claim such as "one of the crime types rose" is true when *any one* of ``m`` tests is
significant. Testing each at 5% makes such a verdict far too easy (with 10 independent tests, 40% of
the time by chance). Holm's step-down method (Holm 1979, "A simple sequentially rejective multiple
test procedure", Scand J Stat 6:65-70) keeps the chance of any false rejection at ``alpha`` and is
uniformly more powerful than Bonferroni; it needs no assumption about how the tests depend on each
other, which matters here (crime types share their inhabitants and the same years).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

METHOD = "Holm (1979), stapsgewijze correctie voor meervoudig toetsen"


def holm(pvalues: Sequence[float]) -> tuple[float, ...]:
    """Holm-adjusted p-values, in the order given.

    Sorted ascending, the ``i``-th smallest (1-based) becomes ``(m - i + 1) p_(i)``, made
    non-decreasing by a running maximum and capped at 1 (as ``statsmodels`` ``multipletests``
    with ``method="holm"`` and R's ``p.adjust(method = "holm")``). A test is rejected at
    ``alpha`` exactly when its adjusted p-value is below ``alpha``.

    Raises
    ------
    ValueError
        for a p-value that is missing or outside [0, 1]: a test that could not be done must be
        left out of the family by the caller, not counted as 1 or 0 silently.
    """
    ps = [float(p) for p in pvalues]
    for p in ps:
        if math.isnan(p) or not 0 <= p <= 1:
            raise ValueError(f"p-values must lie in [0, 1], got {p}")
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        adjusted[i] = running
    return tuple(adjusted)


@dataclass(frozen=True)
class HolmDecision:
    """Holm's decisions for one family of tests, for the evidence in findings.json."""

    labels: tuple[str, ...]
    pvalues: tuple[float, ...]
    adjusted: tuple[float, ...]
    rejected: tuple[bool, ...]
    alpha: float
    method: str = METHOD

    @property
    def any_rejected(self) -> bool:
        """True when at least one test of the family is significant after correction."""
        return any(self.rejected)

    @property
    def significant_labels(self) -> tuple[str, ...]:
        return tuple(label for label, r in zip(self.labels, self.rejected, strict=True) if r)

    def as_dict(self) -> dict:
        return asdict(self) | {"any_rejected": self.any_rejected, "family_size": len(self.labels)}


def holm_decision(
    pvalues: Sequence[float], alpha: float = 0.05, labels: Sequence[str] | None = None
) -> HolmDecision:
    """Holm's step-down decisions for a family of tests at family-wise level ``alpha``.

    Parameters
    ----------
    pvalues : one two-sided p-value per test of the family
    alpha : family-wise error rate
    labels : names of the tests (e.g. crime codes), ``"1"``, ``"2"``, ... when not given
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    ps = tuple(float(p) for p in pvalues)
    names = tuple(str(i + 1) for i in range(len(ps))) if labels is None else tuple(labels)
    if len(names) != len(ps):
        raise ValueError("labels and pvalues differ in length")
    adjusted = holm(ps)
    return HolmDecision(names, ps, adjusted, tuple(a < alpha for a in adjusted), alpha)
