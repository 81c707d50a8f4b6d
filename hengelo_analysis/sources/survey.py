"""The municipality's own survey (eigen enquête): respondent microdata → the ``survey`` table.

Three steps, one module each:

1. :mod:`~hengelo_analysis.sources.survey_template` reads and checks the template files
   ``raw/<source>/supplied/eigen_enquete*.csv`` (one row per respondent);
2. :mod:`~hengelo_analysis.sources.survey_weighting` weights each wave (supplied ``gewicht``, else
   raking to the CBS age and sex margins) and holds the weighted estimators;
3. this module estimates the indicators per wijk and gemeente per wave into the ``survey`` table
   (docs/data-contract.md) with ``source = "eigen_enquete"``: proportions in % and
   ``rapportcijfer_veiligheid`` as a mean, each with its 95% interval; ``n`` = unweighted
   respondents who answered the item; cells with ``n < min_n`` (default 50) are suppressed (value
   and bounds missing, ``n`` kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hengelo_analysis.sources.survey_template import MARK_ITEMS, PROPORTION_ITEMS, read_survey
from hengelo_analysis.sources.survey_weighting import (
    Estimate,
    assign_weights,
    weighted_mean,
    weighted_proportion,
)

SOURCE = "eigen_enquete"
MIN_N = 50

SURVEY_COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "indicator",
    "value",
    "lower",
    "upper",
    "n",
    "source",
    "method_note",
]

# item column → (indicator, is a 1-10 mark)
_ITEMS = [
    *((column, indicator, False) for column, (indicator, _) in PROPORTION_ITEMS.items()),
    *((column, indicator, True) for column, indicator in MARK_ITEMS.items()),
]


def _row(level: str, code: str, year: int, indicator: str, est: Estimate, note: str, min_n: int):
    """One ``survey`` row; below ``min_n`` respondents the value and bounds are suppressed."""
    suppressed = est.n < min_n
    if suppressed:
        note = f"onderdrukt: n < {min_n}; " + note
    return {
        "area_code": code,
        "area_level": level,
        "year": year,
        "indicator": indicator,
        "value": np.nan if suppressed else round(est.value, 4),
        "lower": np.nan if suppressed else round(est.lower, 4),
        "upper": np.nan if suppressed else round(est.upper, 4),
        "n": est.n,
        "source": SOURCE,
        "method_note": note,
    }


def _group_rows(level: str, code: str, year: int, group: pd.DataFrame, note: str, min_n: int):
    """Every indicator of one area in one wave (items nobody answered are left out)."""
    # As arrays once per group: the estimators take arrays, and indexing the frame per item was
    # most of the survey's clean (484 groups × 17 items in the demo).
    weight = group["weight"].to_numpy(float)
    for column, indicator, is_mark in _ITEMS:
        answers = group[column].to_numpy(float)
        valid = ~np.isnan(answers)
        if not valid.any():
            continue  # the item is not in this wave's file, or nobody answered it
        y, w = answers[valid], weight[valid]
        est = weighted_mean(y, w) if is_mark else weighted_proportion(y, w)
        yield _row(level, code, year, indicator, est, note, min_n)


def estimate(resp: pd.DataFrame, notes: Mapping[int, str], min_n: int = MIN_N) -> pd.DataFrame:
    """Weighted indicators per wijk and gemeente per wave, suppressed below ``min_n``."""
    rows = []
    resp = resp.assign(gemeente_code="GM" + resp["wijk_code"].str[2:6])
    for year, wave in resp.groupby("year"):
        note = notes.get(int(year), "")
        groups = [("wijk", code, g) for code, g in wave.groupby("wijk_code")]
        groups += [("gemeente", code, g) for code, g in wave.groupby("gemeente_code")]
        for level, code, group in groups:
            rows.extend(_group_rows(level, code, int(year), group, note, min_n))
    out = pd.DataFrame(rows, columns=SURVEY_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    for c in ("area_code", "area_level", "indicator", "source", "method_note"):
        out[c] = out[c].astype("string")
    return out.sort_values(["area_code", "indicator", "year"], ignore_index=True)


def clean_survey(
    paths: Iterable[str | Path],
    population_structure: pd.DataFrame | None = None,
    known_wijken: set[str] | None = None,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """Template files → ``survey`` rows (source ``eigen_enquete``) per wijk and gemeente per wave."""
    resp = read_survey(paths, known_wijken)
    if resp.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    resp, notes = assign_weights(resp, population_structure)
    return estimate(resp, notes, min_n)
