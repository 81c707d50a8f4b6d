"""The findings stage: every claim judged once per edition, current or run, read by pages and publish."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from hengelo_analysis.analysis.claims.files import load_claim_file
from hengelo_analysis.gemeente_config import config_for
from hengelo_analysis.pages import common
from hengelo_analysis.paths import CLAIM_FILES_DIR, PROJECT_ROOT, Layout, findings_file
from hengelo_analysis.pipeline import stamps
from hengelo_analysis.pipeline.stages import findings_stage
from tests.conftest import DEMO_RAW, counting_evaluators

G = "GM0164"


def claim_ids() -> list[str]:
    return [c.id for c in load_claim_file(config_for(G).claims_file).claims]


@pytest.fixture(scope="module")
def cleaned(demo_cleaned) -> Layout:
    """The demo cleaned once (the stage reads processed tables only; ``layout`` copies it)."""
    return demo_cleaned[0]


@pytest.fixture
def layout(cleaned, tmp_path) -> Layout:
    """A copy of the cleaned tree, so a test's findings files never meet another test's."""
    shutil.copytree(cleaned.data_dir, tmp_path / "data")
    return Layout(tmp_path / "data", tmp_path / "reports", "demo")


@pytest.fixture
def judged(demo_judged, tmp_path) -> Layout:
    """A private copy of the session's tree with the stage's findings of GM0164 2024 per 1000."""
    shutil.copytree(demo_judged[0].data_dir, tmp_path / "data")
    return Layout(tmp_path / "data", tmp_path / "reports", "demo")


@pytest.fixture
def evaluations(monkeypatch) -> Counter:
    """Counts calls per claim id through every registered evaluator (the one way to judge)."""
    return counting_evaluators(monkeypatch)


def test_each_claim_is_judged_once_and_a_current_edition_not_again(
    demo_judged, judged, evaluations
):
    # The session's one judging of the edition (tests/conftest.py: demo_judged), counted there.
    config = config_for(G)
    assert demo_judged[1] == Counter(dict.fromkeys(claim_ids(), 1))
    assert findings_stage(judged, G, 2024, 1000, config) is True  # current: nothing judged
    assert not evaluations
    path = findings_file(judged.processed_dir, G, 2024, 1000)
    doc = json.loads(path.read_text())
    assert (doc["gemeente"], doc["peiljaar"], doc["rate_unit"]) == (G, 2024, 1000)
    assert doc["claim_file"]["name"] == "GM0164.toml"
    assert doc["claim_file"]["sha256"] == stamps.sha256_file(config.claims_file)
    assert doc["config"]["colofon"]["organisation"] == "Gemeente Hengelo"
    c9 = doc["claims"]["C9"]
    for key in ("statement", "section", "verdict", "sentence", "test", "evidence", "area"):
        assert key in c9, key
    assert c9["area"] == G and c9["params"]["band"] == 0.35


@pytest.fixture
def judgements(monkeypatch) -> list[tuple]:
    """``(gemeente, peiljaar, rate unit, config)`` of every edition the stage judges.

    Stands in for the judging, which the test above counts for real: a test of the stage's
    decision (judge again, or current) needs the decision only, and each judging costs a second.
    """
    from hengelo_analysis.pipeline import findings

    calls: list[tuple] = []

    def judge(layout, gemeente, peiljaar, rate_unit, config):
        calls.append((gemeente, peiljaar, rate_unit, config))
        return {"claims": {}, "rate_unit": rate_unit}

    monkeypatch.setattr(findings, "judge_edition", judge)
    return calls


def test_a_changed_rate_unit_claim_file_or_configuration_judges_again(layout, judgements, tmp_path):
    config = config_for(G)
    assert findings_stage(layout, G, 2024, 10_000, config) is False
    assert findings_stage(layout, G, 2024, 10_000, config) is True
    assert findings_stage(layout, G, 2024, 1000, config) is False  # another edition, own file
    assert findings_file(layout.processed_dir, G, 2024, 1000).is_file()
    assert findings_file(layout.processed_dir, G, 2024, 10_000).is_file()
    own = tmp_path / "claims.toml"
    shutil.copy(config.claims_file, own)
    with_own = dataclasses.replace(config, claims_file=own)
    assert findings_stage(layout, G, 2024, 10_000, with_own) is True  # same bytes: same key
    own.write_text(own.read_text() + "\n# a reviewer's note\n")
    assert findings_stage(layout, G, 2024, 10_000, with_own) is False
    other_colofon = dataclasses.replace(with_own, colofon={"organisation": "Gemeente X"})
    assert findings_stage(layout, G, 2024, 10_000, other_colofon) is False
    assert judgements == [
        (G, 2024, 10_000, config),
        (G, 2024, 1000, config),
        (G, 2024, 10_000, with_own),
        (G, 2024, 10_000, other_colofon),
    ]


def test_a_threshold_changed_in_the_claim_file_alone_changes_the_verdict(judged, tmp_path):
    config = config_for(G)
    path = findings_file(judged.processed_dir, G, 2024, 1000)  # judged with the shipped file
    before = json.loads(path.read_text())["claims"]["C9"]
    assert before["verdict"] == "supported"
    own = tmp_path / "claims.toml"
    text = (CLAIM_FILES_DIR / "GM0164.toml").read_text()
    # C9's "at least three peers" raised beyond the peer group: the comparison cannot be made.
    own.write_text(re.sub(r"(\[claims\.thresholds\.min_peers\]\nvalue = )3", r"\g<1>99", text))
    assert (
        findings_stage(judged, G, 2024, 1000, dataclasses.replace(config, claims_file=own)) is False
    )
    after = json.loads(path.read_text())["claims"]["C9"]
    assert after["verdict"] == "insufficient_data" and after["params"]["min_peers"] == 99


def test_the_peer_band_of_the_configuration_is_the_one_judged(layout):
    config = dataclasses.replace(config_for(G), peers={"band": 0.1})
    findings_stage(layout, G, 2024, 1000, config)
    doc = json.loads(findings_file(layout.processed_dir, G, 2024, 1000).read_text())
    assert doc["claims"]["C9"]["params"]["band"] == 0.1


@pytest.fixture(scope="module")
def two_editions(cleaned, tmp_path_factory) -> tuple[Layout, Counter]:
    """A copy of the cleaned tree with GM0153 (the generic claim file) and then GM0164 judged in
    one run from tables kept in memory, and the processed files that run read (name → times)."""
    from hengelo_analysis.processed import reader

    root = tmp_path_factory.mktemp("two-editions")
    shutil.copytree(cleaned.data_dir, root / "data")
    layout = Layout(root / "data", root / "reports", "demo")
    reads = Counter()
    real = reader._read_file
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_memory", None)  # (restored after the run)
        patch.setattr(
            reader, "_read_file", lambda path, name: reads.update([name]) or real(path, name)
        )
        # Two editions are enough to show the second reads nothing (each judging costs a second).
        for gemeente in ("GM0153", G):
            findings_stage(layout, gemeente, 2024, 1000, config_for(gemeente))
    return layout, reads


def test_a_run_of_several_editions_reads_each_processed_table_once(two_editions, demo_judged):
    layout, reads = two_editions
    assert reads and set(reads.values()) == {1}, reads
    # The edition judged from kept tables is the one the session's stage judged from the files
    # of its own copy of the same cleaned tree.
    from_memory = json.loads(findings_file(layout.processed_dir, G, 2024, 1000).read_text())
    from_files = findings_file(demo_judged[0].processed_dir, G, 2024, 1000)
    assert from_memory == json.loads(from_files.read_text())


def test_another_gemeente_gets_the_generic_claims_without_hengelo_wording(two_editions):
    layout, _ = two_editions
    doc = json.loads(findings_file(layout.processed_dir, "GM0153", 2024, 1000).read_text())
    assert doc["claim_file"] == {**doc["claim_file"], "name": "generic.toml", "generic": True}
    assert doc["claims"], "the generic file has claims"
    for claim_id, claim in doc["claims"].items():
        assert "Hengelo" not in claim["statement"], claim_id
        assert "Hengelo" not in claim["sentence"], claim_id


def test_pages_read_the_document_the_stage_wrote(judged, evaluations):
    doc = common.load_findings(judged.data_dir, "demo", G, 2024, 1000)
    assert doc == json.loads(findings_file(judged.processed_dir, G, 2024, 1000).read_text())
    found = common.findings_by_id(doc, ("C3", "C9"))
    assert found["C9"].verdict == doc["claims"]["C9"]["verdict"]
    assert found["C3"].sentence == doc["claims"]["C3"]["sentence"]
    assert common.claim_params(doc, "C3")["years"] == [2021, 2022]
    assert not evaluations  # reading judged nothing
    with pytest.raises(Exception, match=r"GM0164_2024_10000\.json: no readable findings"):
        common.load_findings(judged.data_dir, "demo", G, 2024, 10_000)


def _notebook(path: Path, inputs: list[str], claims=None) -> Path:
    meta = {"inputs": inputs, **({"claims": claims} if claims is not None else {})}
    path.write_text(json.dumps({"cells": [], "metadata": {"hengelo": meta}}))
    return path


def test_a_notebook_showing_claims_is_stale_when_the_findings_change(layout, demo_judged, tmp_path):
    params = {"gemeente": G, "peiljaar": 2024, "rate_unit": 1000, "source": "demo"}
    reads = _notebook(tmp_path / "a.ipynb", ["crime"], ["C3"])
    ignores = _notebook(tmp_path / "b.ipynb", ["crime"])

    def keys():
        return [stamps.cache_key(nb, params, layout.processed_dir, "c") for nb in (reads, ignores)]

    before = keys()
    # The findings the stage judged from these very tables (in a copy of the tree) arrive.
    target = findings_file(layout.processed_dir, G, 2024, 1000)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(findings_file(demo_judged[0].processed_dir, G, 2024, 1000), target)
    after = keys()
    assert after[0] != before[0] and after[1] == before[1]
    doc = json.loads(target.read_text())
    doc["claims"]["C3"]["verdict"] = (
        "supported" if doc["claims"]["C3"]["verdict"] != "supported" else "contradicted"
    )
    target.write_text(json.dumps(doc))
    changed = keys()
    assert changed[0] != after[0] and changed[1] == after[1]


# A sitecustomize on PYTHONPATH runs in every Python process of the build (the CLI and each
# notebook kernel) and logs each evaluator call: the count covers what the pages might judge too.
COUNTER = textwrap.dedent(
    """
    import os
    if os.environ.get("HENGELO_TEST_EVALUATION_LOG"):
        from hengelo_analysis.analysis.claims import registry as _registry

        def _wrap(evaluator):
            def counted(claim, ctx):
                with open(os.environ["HENGELO_TEST_EVALUATION_LOG"], "a") as fh:
                    fh.write(f"{ctx.gemeente} {ctx.peiljaar} {claim.id}\\n")
                return evaluator(claim, ctx)
            return counted

        for _kind, _evaluator in list(_registry.EVALUATORS.items()):
            _registry.EVALUATORS[_kind] = _wrap(_evaluator)
    """
)


@pytest.mark.slow
def test_a_report_judges_every_claim_once_per_edition(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(COUNTER)
    shutil.copytree(DEMO_RAW, tmp_path / "data" / "raw" / "demo")
    log = tmp_path / "evaluations.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hook), str(PROJECT_ROOT)]),
        "HENGELO_TEST_EVALUATION_LOG": str(log),
    }
    command = [sys.executable, "-m", "hengelo_analysis", "report", "--data-dir"]
    command += [str(tmp_path / "data"), "--reports-dir", str(tmp_path / "reports")]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    calls = Counter(log.read_text().splitlines())
    assert calls == Counter({f"{G} 2024 {i}": 1 for i in claim_ids()})
    edition = tmp_path / "reports" / "demo" / G / "2024"
    stage_file = findings_file(tmp_path / "data" / "processed" / "demo", G, 2024, 10_000)
    assert (edition / "findings.json").read_bytes() == stage_file.read_bytes()
