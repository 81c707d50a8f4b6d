"""Statistics for counts, rates, trends and survey estimates, following official practice.

- :mod:`.counts`: Poisson intervals for counts and rates (exact below 10, Byar's from 10), the
  exact conditional test for two counts (funnel limits: :mod:`hengelo_analysis.analysis.funnel`).
- :mod:`.trends`: multi-year Poisson/quasi-Poisson trends with inhabitants as exposure.
- :mod:`.survey`: the change between two survey waves from their published 95% margins.
- :mod:`.common`: the checks they share and :class:`InsufficientData`, the reason a statistic
  cannot be computed.

Every function is pure. Callers write ``from hengelo_analysis.analysis import stats`` and
``stats.<name>``; this is the package's public face.
"""

from hengelo_analysis.analysis.stats.common import InsufficientData, p_text
from hengelo_analysis.analysis.stats.counts import (
    BYAR_MIN_COUNT,
    CountComparison,
    Rate,
    compare_counts,
    compare_counts_p,
    poisson_ci,
    poisson_ci_byar,
    poisson_ci_exact,
    rate_ci,
)
from hengelo_analysis.analysis.stats.survey import VM_MODE_BREAK_YEAR, SurveyChange, survey_change
from hengelo_analysis.analysis.stats.trends import (
    CORONA_MODES,
    MIN_TREND_POINTS,
    Trend,
    compare_trends,
    cut_at_break,
    poisson_trend,
)

__all__ = [
    "BYAR_MIN_COUNT",
    "CORONA_MODES",
    "MIN_TREND_POINTS",
    "VM_MODE_BREAK_YEAR",
    "CountComparison",
    "InsufficientData",
    "Rate",
    "SurveyChange",
    "Trend",
    "compare_counts",
    "compare_counts_p",
    "compare_trends",
    "cut_at_break",
    "p_text",
    "poisson_ci",
    "poisson_ci_byar",
    "poisson_ci_exact",
    "poisson_trend",
    "rate_ci",
    "survey_change",
]
