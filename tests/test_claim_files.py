"""Claim files: checked against the schema at start, and the thresholds in the file decide."""

from __future__ import annotations

import re
import tomllib

import pytest

from hengelo_analysis.analysis.claims import evaluate_tables
from hengelo_analysis.analysis.claims.catalogue import claims_for
from hengelo_analysis.analysis.claims.files import (
    FILES_DIR,
    GENERIC_FILE,
    claim_file_path,
    load_claim_file,
)
from hengelo_analysis.errors import DataError
from tests.claims_tables import C5_SMALL_SIGNIFICANT, G

HENGELO_FILE = FILES_DIR / "GM0164.toml"


def test_every_shipped_claim_file_passes_the_schema_and_the_code_checks():
    files = sorted(FILES_DIR.glob("*.toml"))
    assert {f.name for f in files} >= {"GM0164.toml", "generic.toml"}
    for path in files:
        loaded = load_claim_file(path)
        assert loaded.claims and len(loaded.sha256) == 64
        for claim in loaded.claims:
            assert set(claim.reasons) <= set(claim.params)  # every threshold's value is a param


def test_a_gemeente_without_its_own_file_gets_the_generic_one_which_names_no_gemeente():
    assert claim_file_path("GM0164") == HENGELO_FILE
    assert claim_file_path("GM0153") == GENERIC_FILE
    generic = load_claim_file(GENERIC_FILE)
    assert generic.document["generic"] is True
    text = GENERIC_FILE.read_text(encoding="utf-8")
    assert "Hengelo" not in text and not re.search(r"GM\d{4}", text)
    assert [c.id for c in claims_for("GM0153")] == [c.id for c in generic.claims]


def test_changing_a_threshold_in_the_file_alone_changes_the_verdict(tmp_path):
    """C5's margin: shifts of +3 and -2.5 points (90% intervals within ±4) pass 5, not 3 points."""
    tables = {"survey": C5_SMALL_SIGNIFICANT}
    shipped = load_claim_file(HENGELO_FILE).claim("C5")
    assert evaluate_tables(tables, G, 2024, claims=(shipped,))[0].verdict == "supported"
    text = HENGELO_FILE.read_text(encoding="utf-8")
    stricter = re.sub(
        r"(\[claims\.thresholds\.margin_pp\]\nvalue = )5\.0", r"\g<1>3.0", text, count=1
    )
    assert stricter != text
    (tmp_path / "GM0164.toml").write_text(stricter, encoding="utf-8")
    changed = load_claim_file(tmp_path / "GM0164.toml").claim("C5")
    assert changed.params["margin_pp"] == 3.0 and "procentpunt" in changed.reasons["margin_pp"]
    assert evaluate_tables(tables, G, 2024, claims=(changed,))[0].verdict != "supported"


def _broken(tmp_path, edit) -> str:
    doc = HENGELO_FILE.read_text(encoding="utf-8")
    path = tmp_path / "broken.toml"
    path.write_text(edit(doc), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_claim_file(path)
    message = str(info.value)
    assert "broken.toml" in message and "\n" not in message
    return message


def test_faults_in_a_claim_file_are_one_line_naming_file_and_place(tmp_path):
    assert "unknown kind 'no_such_test'" in _broken(
        tmp_path, lambda t: t.replace('kind = "confused_behaviour"', 'kind = "no_such_test"', 1)
    )
    assert "claims/0" in _broken(tmp_path, lambda t: t.replace('id = "C1"', 'id = "X1"', 1))
    assert "reason" in _broken(
        tmp_path,
        lambda t: re.sub(r'reason = "Een .waarschijnlijke[^"]*"', 'reason = "kort"', t, count=1),
    )
    assert "used twice: C2" in _broken(tmp_path, lambda t: t.replace('id = "C3"', 'id = "C2"', 1))
    assert "not a readable claim file" in _broken(tmp_path, lambda t: t + "\n[[claims]\n")


def test_the_file_is_plain_toml_a_reviewer_can_read():
    doc = tomllib.loads(HENGELO_FILE.read_text(encoding="utf-8"))
    assert doc["document"]["gemeente"] == "GM0164"
    assert [c["id"] for c in doc["claims"]][:3] == ["C1", "C2", "C3"]


def _bad_value_cases():
    from tests import claims_cases as cc

    return [
        ("C3", lambda p: p.update(min_share="half"), cc.c3((342, 516), [(3000, 3016)])),
        ("C5", lambda p: p.update(margin_pp="5"), {"survey": C5_SMALL_SIGNIFICANT}),
        ("C1", lambda p: p.pop("incident_code"), cc.c1_open(cc.rising_then((1.1, 1.1)))),
    ]


@pytest.mark.parametrize("case", range(3), ids=["text-for-number", "text-margin", "missing-param"])
def test_a_value_the_test_cannot_use_is_one_line_naming_the_claim(case):
    """The schema checks the file's shape; a value the evaluator cannot use must not traceback."""
    from dataclasses import replace

    from hengelo_analysis.errors import ParameterError

    claim_id, edit, tables = _bad_value_cases()[case]
    shipped = load_claim_file(HENGELO_FILE).claim(claim_id)
    params = dict(shipped.params)
    edit(params)
    with pytest.raises(ParameterError) as info:
        evaluate_tables(tables, G, 2024, claims=(replace(shipped, params=params),))
    message = str(info.value)
    assert message.startswith(f"claim {claim_id} (") and "\n" not in message
