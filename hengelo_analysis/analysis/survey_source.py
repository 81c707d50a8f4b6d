"""Which survey speaks for an area: the gemeente's own survey or the Veiligheidsmonitor.

Both answer the same questions in different ways, so waves of the two are never mixed in one
series. The claims and the veiligheidsbeleving page must pick the same one, or the page would
show a change that the verdict did not judge. The rule, in order:

1. only published waves count: a wave whose value is suppressed (too few respondents) cannot be
   compared with anything;
2. only waves up to the peiljaar count (when given): a later wave is not part of this edition;
3. the source with the most such waves (years) for the area and indicators wins;
4. on a tie the own survey wins (it also has wijk figures), then alphabetical, so the choice
   never depends on row order.
"""

from __future__ import annotations

import pandas as pd

OWN_SURVEY = "eigen_enquete"


def main_survey_source(
    survey: pd.DataFrame | None,
    area_code: str,
    indicators: list[str],
    peiljaar: int | None = None,
) -> str | None:
    """The source (``eigen_enquete`` or ``veiligheidsmonitor``) with the most published waves.

    Parameters
    ----------
    survey : the processed survey table (None or empty: no source)
    area_code : the area whose waves are counted (the gemeente)
    indicators : the indicators whose waves are counted
    peiljaar : count only waves up to this year; None counts every wave

    Returns None when no wave of the indicators is published for the area.
    """
    if survey is None or survey.empty:
        return None
    rows = survey[(survey["area_code"] == area_code) & survey["indicator"].isin(indicators)]
    if peiljaar is not None:
        rows = rows[rows["year"] <= peiljaar]
    rows = rows.dropna(subset=["value", "source"])
    if rows.empty:
        return None
    waves = rows.groupby("source")["year"].nunique()
    order = sorted(waves.index, key=lambda s: (-waves[s], s != OWN_SURVEY, s))
    return str(order[0])
