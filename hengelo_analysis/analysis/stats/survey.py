"""Survey estimates: the change between two waves from their published 95% margins.

This is the Veiligheidsmonitor's way; waves on either side of its 2021 mode change are flagged.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats as sps

from hengelo_analysis.analysis.stats.common import InsufficientData, is_missing
from hengelo_analysis.domain import VM_METHOD_BREAK_YEAR

VM_MODE_BREAK_YEAR = VM_METHOD_BREAK_YEAR


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
        if is_missing(v):
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
