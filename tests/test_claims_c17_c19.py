"""C17 (opvallende toename E33), C18 (bewoners melden verward gedrag), C19 (drugshandel 3.1.1).

Known-answer cases from tests/claims_cases_c17_c19.py, plus what each verdict must say.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from hengelo_analysis.analysis.claims import claim_file_for, evaluate_tables
from hengelo_analysis.analysis.claims.files import GENERIC_FILE, load_claim_file
from hengelo_analysis.analysis.claims.notable_rise import c17_verdict
from hengelo_analysis.pages.summary import CLAIM_PAGES
from tests.claims_cases_c17_c19 import CASES, PROXY_NOTE, c17, c18, c19
from tests.claims_tables import G, case_verdict, verdict

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_known_answer_cases(name):
    claim_id, tables, expected = CASES[name]
    assert case_verdict(claim_id, tables).verdict == expected, name


def test_every_new_claim_has_a_supported_case_and_three_others():
    for claim_id in ("C17", "C18", "C19"):
        expected = [e for cid, _, e in CASES.values() if cid == claim_id]
        assert "supported" in expected and sum(e != "supported" for e in expected) >= 3


# --------------------------------------------------------------------------- C17


def test_c17_supported_names_both_references_and_their_difference_intervals():
    result = verdict("C17", c17(1.10))
    refs = result.evidence["referenties"]
    assert set(refs) == {"twente", "nederland"}
    assert all(r["sneller"] and r["verschil_ci95"][0] > 0 for r in refs.values())
    assert set(result.evidence["twente_gemeenten"]) == {"GM0141", "GM0153"}
    assert "tegen de rest van Twente" in result.sentence and "tegen Nederland" in result.sentence


def test_c17_significantly_slower_than_a_reference_is_worded_and_contradicted():
    result = verdict("C17", c17(1.03, 1.03, 1.09))
    assert result.verdict == "contradicted"
    assert list(result.evidence["holm_langzamer"]["rejected"]) == [False, True]
    assert "tegen Nederland (+9,0% per jaar): aantoonbaar langzamer" in result.sentence


def test_c17_rule_needs_every_condition():
    assert c17_verdict("stijgend", [True, True], [False, False]) == "supported"
    assert c17_verdict("stijgend", [True, False], [False, False]) == "not_supported"
    assert c17_verdict("geen", [True, True], [False, False]) == "not_supported"
    assert c17_verdict("dalend", [False, False], [False, False]) == "contradicted"
    assert c17_verdict("stijgend", [True, False], [False, True]) == "contradicted"


def test_c17_threshold_in_the_claim_file_alone_changes_the_verdict():
    tables = c17(1.10)  # difference about +7.8 %/yr, 95% lower limit about +7.0
    claim = claim_file_for(G).claim("C17")
    assert claim.params["min_difference_pct"] == 0.0
    stricter = replace(claim, params={**claim.params, "min_difference_pct": 8.0})
    [result] = evaluate_tables(tables, G, 2024, claims=(stricter,))
    assert result.verdict == "not_supported"


# --------------------------------------------------------------------------- C18


def test_c18_proxy_area_is_named_and_cannot_support():
    result = verdict("C18", c18((5.0, 8.0), method_note=PROXY_NOTE))
    assert result.verdict == "not_supported"
    assert result.evidence["oordeel_voor_gebied"] == "supported"
    assert result.evidence["gebied"] == "VR05" and result.evidence["proxy"] is True
    # by name, never the code: the test tables carry no name, so "de gemeente"
    assert (
        "de cijfers gelden voor regio Twente (VR05), niet voor de gemeente zelf" in result.sentence
    )
    assert "GM0164" not in result.sentence and "GM0164" not in result.summary


def test_c18_compares_the_last_two_waves_and_prints_the_interval():
    tables = c18((5.0, 8.0))
    older = tables["survey"].iloc[[0]].assign(year=2017, value=20.0, lower=19.0, upper=21.0)
    tables["survey"] = pd.concat([older, tables["survey"]], ignore_index=True)
    result = verdict("C18", tables)
    assert result.evidence["golven"] == [2021, 2023]
    assert result.verdict == "supported"
    assert "verschil +3,0 procentpunt, 95%-interval +1,6 tot +4,4" in result.sentence


def test_c18_one_wave_is_insufficient():
    tables = c18((5.0, 8.0))
    tables["survey"] = tables["survey"][tables["survey"]["year"] == 2023]
    result = verdict("C18", tables)
    assert result.verdict == "insufficient_data"
    assert "minder dan twee enquêtegolven" in result.evidence["reden"]


# --------------------------------------------------------------------------- C19


def test_c19_says_the_figure_follows_police_enforcement():
    for tables in (c19(1.08), c19(0.92)):
        result = verdict("C19", tables)
        assert "haalcriminaliteit" in result.sentence
        assert "inzet van politie" in result.evidence["let_op"]


def test_c19_window_is_the_claim_files_years_up_to_the_peiljaar():
    result = verdict("C19", c19(1.08))
    assert list(result.evidence["per_jaar"]) == [str(y) for y in range(2015, 2025)]
    claim = claim_file_for(G).claim("C19")
    five = replace(claim, params={**claim.params, "years": 5})
    [short] = evaluate_tables(c19(1.08), G, 2024, claims=(five,))
    assert list(short.evidence["per_jaar"]) == [str(y) for y in range(2020, 2025)]


def test_c19_expected_direction_comes_from_the_claim_file():
    claim = claim_file_for(G).claim("C19")
    falling = replace(claim, params={**claim.params, "expected": "dalend"})
    [result] = evaluate_tables(c19(0.92), G, 2024, claims=(falling,))
    assert result.verdict == "supported"


# --------------------------------------------------------------------------- files and pages


def test_new_claims_are_in_both_claim_files_and_on_a_page():
    generic = load_claim_file(GENERIC_FILE)
    hengelo = claim_file_for(G)
    for claim_id in ("C17", "C18", "C19"):
        assert generic.claim(claim_id).kind == hengelo.claim(claim_id).kind
        assert "Hengelo" not in generic.claim(claim_id).statement
        assert claim_id in CLAIM_PAGES
    checked = {s.claim for s in hengelo.sentences}
    assert {"C17", "C18", "C19"} <= checked
    not_checkable = [s.text for s in hengelo.sentences if s.not_checkable]
    assert not any("onbegrepen" in t for t in not_checkable)
