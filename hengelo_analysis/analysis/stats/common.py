"""What every statistic checks first: missing is not 0, counts are not negative, and a reason.

:class:`InsufficientData` says *why* a statistic cannot be computed, so a finding can report
``insufficient_data`` with its reason instead of a number.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.errors import AnalysisError


class InsufficientData(AnalysisError):
    """A statistic cannot be computed from the data at hand; the message is the reason (Dutch)."""


def alpha_of(confidence: float) -> float:
    """The two-sided error level of a confidence level (0.95 → 0.05); nonsense levels raise."""
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be between 0.5 and 1, got {confidence}")
    return 1.0 - confidence


def is_missing(value) -> bool:
    """True for None, NaN and pandas.NA (not published), never for 0."""
    return value is None or bool(pd.isna(value))


def check_count(count) -> float:
    """The count as a float; not published raises :class:`InsufficientData`, negative is a bug."""
    if is_missing(count):
        raise InsufficientData("aantal niet gepubliceerd")
    count = float(count)
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    return count


def p_text(p: float) -> str:
    """``p < 0,001`` or ``p = 0,03`` (Dutch decimal comma)."""
    if p < 0.001:
        return "p < 0,001"
    return "p = " + f"{p:.3f}".replace(".", ",")
