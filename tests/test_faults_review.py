"""Faults a hostile review found in the pipeline (issue 14, items 2a-4c), through the CLI.

Each case asserts the exit code, exactly one error line (no traceback) and, where that is the
promise, byte-for-byte unchanged processed data or edition. The clean and findings cases call
the CLI's main in this process (``cli_in_process``: the same exit code and stderr; an exception
main let through would fail the test as a traceback would); tests/test_cli.py shows the one line
through a real process. The publish cases (slow) run the real CLI.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from hengelo_analysis.analysis.claims.files import threshold_fault
from hengelo_analysis.paths import CLAIM_FILES_DIR, GEMEENTEN_DIR
from hengelo_analysis.pipeline import lock, stamps
from tests import chapter_report
from tests.fault_tools import (
    PROCESSED,
    RAW,
    cli,
    cli_in_process,
    fill,
    hashes,
    leftovers,
    one_error,
    small_tmpfs,
)

# --- 2a: clean without a raw tree keeps the last good set --------------------------------------


@pytest.mark.parametrize("fault", ["empty", "file"])
def test_clean_with_an_empty_or_file_raw_tree_keeps_the_processed_set(work, fault):
    shutil.rmtree(work / RAW)
    if fault == "empty":
        (work / RAW).mkdir()
    else:
        (work / RAW).write_text("not a folder\n")
    before = hashes(work / PROCESSED)
    error = one_error(cli_in_process("clean", root=work))
    assert str(work / RAW) in error
    assert ("empty" if fault == "empty" else "not a folder") in error
    assert hashes(work / PROCESSED) == before


def test_clean_with_a_missing_raw_tree_keeps_the_processed_set(work):
    # The real source has no shipped copy to fall back on: its raw tree moved away is a mistake.
    shutil.copytree(work / PROCESSED, work / "data/processed/real")
    before = hashes(work / "data/processed/real")
    error = one_error(cli_in_process("clean", "--source", "real", root=work))
    assert "raw tree missing" in error and "raw/real" in error
    assert hashes(work / "data/processed/real") == before


# --- 2b/2c: the lock --------------------------------------------------------------------------


def stale_lock(folder: Path) -> None:
    """The record a killed holder leaves behind (its flock died with it)."""
    record = {"pid": 999999, "host": "elsewhere", "started": "2026-12-01T00:00:00Z"}
    (folder / lock.LOCK_FILE).write_text(json.dumps(record) + "\n")


def test_taking_over_a_lock_never_touches_the_raw_tree(work):
    supplied = work / RAW / "supplied"
    (supplied / ".bron.old-2019").mkdir()
    (supplied / ".bron.old-2019" / "keep.csv").write_text("a\n1\n")
    (supplied / ".enquete.old-2015").mkdir()
    (supplied / ".enquete.old-2015" / "keep.csv").write_text("b\n2\n")
    (work / RAW / ".47018NED.staging-mine").mkdir()
    ours = work / "data/processed/.demo.staging-killed"  # a killed clean's staging folder
    ours.mkdir()
    raw_before = hashes(work / RAW)
    stale_lock(work / "data")
    result = cli_in_process("clean", root=work)
    assert result.returncode == 0, result.stderr
    assert "taking over the lock" in result.stderr
    assert hashes(work / RAW) == raw_before
    assert (work / RAW / ".47018NED.staging-mine").is_dir()
    assert not (supplied / "enquete").exists()  # the hidden folder was not made live input
    assert not ours.exists()


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_a_lock_path_that_is_no_regular_file_is_refused(work, tmp_path, kind):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = work / "data" / lock.LOCK_FILE
    if kind == "symlink":
        path.symlink_to(victim)
    else:
        path.mkdir()
    before = hashes(work / PROCESSED)
    error = one_error(cli_in_process("clean", root=work))
    assert lock.LOCK_FILE in error and "not a regular file" in error
    assert victim.read_text() == "precious\n"
    assert hashes(work / PROCESSED) == before
    assert os.path.islink(path) if kind == "symlink" else path.is_dir()


# --- 3d/1b: non-finite or negative numbers in a configuration or claim file ----------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_non_finite_number_in_a_configuration_is_one_line(work, tmp_path, value):
    shipped = GEMEENTEN_DIR / "GM0164.toml"
    config = tmp_path / "GM0164.toml"
    text = shipped.read_text(encoding="utf-8")
    assert "band = 0.35" in text
    config.write_text(text.replace("band = 0.35", f"band = {value}"), encoding="utf-8")
    before = hashes(work / "data")
    error = one_error(cli_in_process("findings", "--config", str(config), root=work))
    assert str(config) in error and "peers.band" in error and "not a finite number" in error
    assert hashes(work / "data") == before


@pytest.mark.parametrize(
    ("value", "problem"),
    [("nan", "not a finite number"), ("inf", "not a finite number"), ("-1", "must be 0 or more")],
)
def test_a_claim_threshold_that_is_no_usable_number_is_one_line(work, tmp_path, value, problem):
    text = (CLAIM_FILES_DIR / "GM0164.toml").read_text(encoding="utf-8")
    marker = "[claims.thresholds.recent_years]\nvalue = 2\n"
    assert marker in text
    claims = tmp_path / "claims.toml"
    claims.write_text(
        text.replace(marker, f"[claims.thresholds.recent_years]\nvalue = {value}\n", 1),
        encoding="utf-8",
    )
    before = hashes(work / PROCESSED)
    # (the findings command reads crime.parquet first, for the years: pandas, a second of a
    # subprocess's imports)
    error = one_error(cli_in_process("findings", "--claims", str(claims), root=work))
    assert str(claims) in error and "claim C1" in error and "threshold recent_years" in error
    assert problem in error
    after = hashes(work / PROCESSED)
    after.pop(".years.json", None)  # the years cache the findings stage reads first
    assert after == before  # above all, no findings document judged with it


def test_booleans_texts_and_zero_pass_the_threshold_check():
    assert threshold_fault(True) is None and threshold_fault("E33") is None
    assert threshold_fault(0) is None and threshold_fault(2.5) is None
    assert threshold_fault([1, float("nan")]) == "is nan: not a finite number"


# --- 4b: raw/demo as a broken or looping symlink ------------------------------------------------


@pytest.mark.parametrize("target", ["demo", "nowhere"], ids=["loop", "dangling"])
def test_a_raw_demo_symlink_that_leads_nowhere_is_one_line_and_copies_nothing(work, target):
    shutil.rmtree(work / RAW)
    (work / RAW).symlink_to(target)
    before = hashes(work / PROCESSED)
    error = one_error(cli_in_process("clean", root=work))
    assert str(work / RAW) in error and "symlink" in error
    assert (work / RAW).is_symlink()
    assert not leftovers(work / "data")  # no staging copy of the demo tree left behind
    assert hashes(work / PROCESSED) == before


# --- 2d/3f/4c: publish from a damaged run -------------------------------------------------------


@pytest.fixture
def edition_copy(tmp_path) -> tuple[Path, Path]:
    """A copy of the shared demo build; ``publish`` reuses its executed notebooks."""
    return chapter_report.copy_demo_edition(tmp_path / "e")


def damaged_run(edition: Path) -> Path:
    """The executed notebooks publish reads, after forcing a publish (the pages deleted)."""
    (edition / "index.html").unlink()
    return stamps.executed_dir(edition)


@pytest.mark.slow
def test_publish_refuses_a_suite_notebook_missing_from_the_run(edition_copy):
    root, edition = edition_copy
    executed = damaged_run(edition)
    (executed / "07_verkeer.ipynb").unlink()
    before = hashes(edition)
    error = one_error(cli("publish", root=root))
    assert str(executed) in error and "07_verkeer.ipynb" in error
    assert hashes(edition) == before
    assert not leftovers(root / "reports")


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["empty", "truncated", "not-a-notebook"])
def test_publish_names_an_unreadable_executed_notebook(edition_copy, damage):
    root, edition = edition_copy
    notebook = damaged_run(edition) / "02_criminaliteit.ipynb"
    text = notebook.read_bytes()
    notebook.write_bytes({"empty": b"", "truncated": text[:1000], "not-a-notebook": b"[]"}[damage])
    before = hashes(edition)
    error = one_error(cli("publish", root=root))
    assert str(notebook) in error
    assert hashes(edition) == before


@pytest.mark.slow
def test_a_full_disk_on_publish_names_the_path(edition_copy):
    root, edition = edition_copy
    (edition / "index.html").unlink()
    size = sum(p.stat().st_size for p in (root / "reports").rglob("*") if p.is_file())
    with small_tmpfs(root / "reports", size + (4 << 20)):
        fill(root / "reports", size // 4)
        (root / "reports" / "filler").rename(root / "reports" / ".filler")
        before = hashes(edition)
        error = one_error(cli("publish", root=root))
        assert "No space left on device" in error and "a file" not in error
        assert f"{root}/reports" in error and ".staging-" not in error
        assert hashes(edition) == before
