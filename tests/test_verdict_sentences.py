"""Every generated sentence of C1-C6, C8 and C17-C19: a direction word only where its test
showed it.

The evaluators record the tested direction of every clause they word (``evidence["richtingen"]``);
this test counts the direction words in each sentence against those records, over all the known-
answer cases of tests/claims_cases.py and tests/claims_cases_c17_c19.py.
"""

from __future__ import annotations

import re

import pytest

from tests.claims_cases import CASES as CASES_C1_C8
from tests.claims_cases_c17_c19 import CASES as CASES_C17_C19
from tests.claims_tables import case_verdict

CASES = {**CASES_C1_C8, **CASES_C17_C19}

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)

RISE = re.compile(
    r"\b(stijg\w*|gesteg\w*|neemt toe|nemen toe|toegenomen|toename|toenemen\w*|stijging)\b", re.I
)
FALL = re.compile(
    r"\b(daal\w*|dalen\w*|gedaald|daling|neemt af|nemen af|afgenomen|afname|afnemen\w*)\b", re.I
)


def _findings():
    return {name: case_verdict(cid, tables) for name, (cid, tables, _) in CASES.items()}


@pytest.fixture(scope="module")
def findings():
    return _findings()


def test_the_cases_cover_every_claim_with_a_supported_and_three_other_cases():
    for claim_id in ("C1", "C2", "C3", "C5", "C6", "C8", "C17", "C18", "C19"):
        expected = [e for cid, _, e in CASES.values() if cid == claim_id]
        assert "supported" in expected and sum(e != "supported" for e in expected) >= 3
    # C4 cannot be supported (3.5.2 counts alcohol and drugs): at least three other cases
    assert sum(cid == "C4" for cid, _, _ in CASES.values()) >= 3


def test_direction_words_appear_only_where_the_test_showed_that_direction(findings):
    for name, finding in findings.items():
        directions = list(finding.evidence.get("richtingen", {}).values())
        rises, falls = RISE.findall(finding.sentence), FALL.findall(finding.sentence)
        assert len(rises) <= directions.count("stijgend"), (name, finding.sentence)
        assert len(falls) <= directions.count("dalend"), (name, finding.sentence)


def test_each_recorded_direction_is_worded_with_its_own_verb(findings):
    verbs = {"stijgend": " stijgt", "dalend": " daalt", "geen": " verandert niet aantoonbaar"}
    for name, finding in findings.items():
        for subject, direction in finding.evidence.get("richtingen", {}).items():
            assert subject + verbs[direction] in finding.sentence, (name, subject)


def test_a_not_shown_trend_is_never_worded_as_a_direction(findings):
    flat = findings["c8_six_points_t_not_z"]
    assert not RISE.search(flat.sentence) and not FALL.search(flat.sentence)
    assert "verandert niet aantoonbaar" in flat.sentence
