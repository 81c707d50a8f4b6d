"""C5 and C6 on the survey: direction, TOST, every item, method break, proxy areas (issue 12)."""

from __future__ import annotations

import pytest

from tests.claims_cases import CASES, PROXY_NOTE, c5, c6
from tests.claims_tables import verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)
SURVEY_CASES = {k: v for k, v in CASES.items() if v[0] in ("C5", "C6")}


@pytest.mark.parametrize("name", sorted(SURVEY_CASES))
def test_survey_cases_have_their_known_verdict(name):
    claim_id, tables, expected = SURVEY_CASES[name]
    assert verdict(claim_id, tables).verdict == expected


def test_c5_issue_case_4_4_points_interval_minus_9_to_18_does_not_pass():
    result = verdict("C5", c5((20.0, 24.4, 9.6), (30.0, 27.5, 0.8)))
    change = result.evidence["onveilig_buurt"]
    assert change["change"] == pytest.approx(4.4)
    assert change["lower95"] == pytest.approx(-9, abs=0.2) and change["upper95"] == pytest.approx(
        18, abs=0.2
    )
    assert change["binnen_marge"] is False and result.verdict == "not_supported"
    # the sentence prints the 90% interval and the margin
    assert "90%-interval -7,0 tot +15,8" in result.sentence and "marge ±5,0" in result.sentence


def test_c5_says_which_indicator_is_measured():
    result = verdict("C5", CASES["c5_small_significant"][1])
    assert (
        "wel eens onveilig" in result.sentence
        and "niet het aandeel dat zich vaak veilig" in result.sentence
    )


def test_c5_proxy_area_is_named_and_cannot_support():
    result = verdict("C5", c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8), method_note=PROXY_NOTE))
    assert result.evidence["gebied"] == "VR05" and result.evidence["proxy"] is True
    assert result.evidence["oordeel_voor_gebied"] == "supported"
    assert result.verdict == "not_supported" and "regio Twente (VR05)" in result.sentence


def test_c5_across_the_method_break_is_no_comparison():
    result = verdict("C5", c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8), years=(2019, 2021)))
    assert result.verdict == "insufficient_data" and "methodebreuk" in result.evidence["reden"]


def test_c5_suppressed_wave_is_insufficient():
    tables = c5((24.0, 27.0, 0.8), (30.0, 27.5, 0.8))
    tables["survey"].loc[3, ["value", "lower", "upper"]] = None
    assert verdict("C5", tables).verdict == "insufficient_data"


def test_c6_missing_item_is_insufficient_never_a_smaller_denominator():
    result = verdict("C6", c6(6.0, 1.15, drop_base_item="overlast_drugshandel"))
    assert result.verdict == "insufficient_data"
    assert result.evidence["ontbreekt"] == ["overlast_drugshandel 2019"]


def test_c6_suppressed_item_is_insufficient():
    tables = c6(6.0, 1.15)
    df = tables["survey"]
    df.loc[
        (df["indicator"] == "overlast_dronken_mensen") & (df["year"] == 2023),
        ["value", "lower", "upper"],
    ] = None
    assert verdict("C6", tables).verdict == "insufficient_data"


def test_c6_most_named_needs_every_named_item_above_the_others():
    held = verdict("C6", c6(6.0, 1.15))
    assert held.evidence["meest_genoemd"] is True
    assert held.evidence["rangorde"][-1] == "overlast_verwarde_personen"
    failed = verdict("C6", c6(6.0, 1.15, other_item=25.0))
    assert failed.evidence["meest_genoemd"] is False and failed.verdict == "not_supported"


def test_c6_police_part_has_e38_from_the_nuisance_table_and_holm():
    result = verdict("C6", c6(6.0, 1.15))
    assert result.evidence["E38"]["richting"] == "stijgend"
    assert result.evidence["2.1.1"]["richting"] == "stijgend"
    assert result.evidence["holm_lager"]["family_size"] == 4
    without = c6(6.0, 1.15)
    del without["nuisance"]
    assert verdict("C6", without).evidence["E38"]["reden"].startswith("tabel")


def test_c6_veiligheidsmonitor_2019_against_2023_is_no_comparison():
    result = verdict("C6", c6(6.0, 1.15, source="veiligheidsmonitor"))
    assert result.verdict == "insufficient_data" and "methodebreuk" in result.sentence
    assert result.evidence["E38"]["richting"] == "stijgend"  # the police part is still shown
