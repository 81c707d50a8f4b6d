"""C1 "blijft toenemen": E33 from the supplied file or the open police table, recent years too."""

from __future__ import annotations

import pytest

from hengelo_analysis.analysis.claims.nuisance import OPEN, SUPPLIED
from tests.claims_cases import C1_YEARS, CASES, WIJK, c1_open, rising_then
from tests.claims_tables import case_verdict, incidents, series, verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)
C1_CASES = {k: v for k, v in CASES.items() if v[0] == "C1"}


@pytest.mark.parametrize("name", sorted(C1_CASES))
def test_c1_cases_have_their_known_verdict(name):
    claim_id, tables, expected = C1_CASES[name]
    assert case_verdict(claim_id, tables).verdict == expected


def test_the_supplied_file_wins_and_the_verdict_names_its_source():
    rising = series(400, 1.12, C1_YEARS)
    both = {**c1_open(dict.fromkeys(C1_YEARS, 500)), "incidents": incidents(rising)}
    result = verdict("C1", both)
    assert result.verdict == "supported" and result.evidence["bron"] == SUPPLIED
    assert "aangeleverd" in result.sentence
    open_only = verdict("C1", c1_open(rising))
    assert open_only.evidence["bron"] == OPEN and "47021NED" in open_only.sentence
    # the wijk is evidence only, from its 12 months summed
    assert open_only.evidence["per_wijk"][WIJK]["per_jaar"]["2015"] == 200


def test_whole_window_rise_with_two_falling_years_is_not_a_continuing_rise():
    result = verdict("C1", {"incidents": incidents(rising_then((0.9, 0.8)))})
    assert result.evidence["trend"]["richting"] == "stijgend"  # one slope alone would say so
    assert result.verdict == "contradicted"
    assert result.evidence["recent"]["significante_daling_in"] == [2023, 2024]


def test_a_year_with_a_missing_month_gives_no_year_figure_and_no_verdict():
    tables = c1_open(series(400, 1.12, C1_YEARS))
    df = tables["nuisance"]
    tables["nuisance"] = df.drop(
        df[(df["area_code"] == "GM0164") & (df["year"] == 2024) & (df["month"] == 5)].index
    )
    result = verdict("C1", tables)
    # an unpublished peiljaar must not silently move "the last 2 years" to 2021-2023
    assert result.verdict == "insufficient_data"
    assert "loopt tot 2023" in result.sentence
