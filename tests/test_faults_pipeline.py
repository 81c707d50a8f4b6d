"""Faults in the pipeline's data side (issue 14): nothing lost when a clean fails, is killed or races.

Every case runs the real CLI in a subprocess and asserts the exit code, exactly one error line (no
traceback) and, where that is the promise, byte-for-byte unchanged processed data:

- the processed set is swapped in whole (full disk, read-only, kill -9) and is the exact image of
  the raw tree: a table whose source disappeared is gone; hidden files are neither read nor hashed;
- the raw manifest is checked (a listed page missing or changed, a corrupt manifest);
- one build per folder: a second process fails at once naming the first; a killed holder's lock
  is taken over with a warning and its leftovers are cleaned;
- ``--data-dir``/``--reports-dir`` that is a file.

The edition side (publish, pages, figures) is in ``test_faults_edition.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hengelo_analysis.pipeline import lock, stamps
from tests.conftest import DEMO_RAW
from tests.fault_tools import (
    CRIME,
    PROCESSED,
    RAW,
    TIMEOUT,
    cli,
    fill,
    hashes,
    leftovers,
    one_error,
    popen,
    read_only,
    small_tmpfs,
    wait_for,
)

# --- clean: the processed set ----------------------------------------------------------------


@pytest.mark.slow
def test_a_full_disk_mid_clean_leaves_the_last_set_whole(work):
    processed = work / PROCESSED
    (processed / stamps.CLEAN_STAMP).unlink()  # force a clean of the same raw tree
    size = sum(p.stat().st_size for p in processed.iterdir())
    with small_tmpfs(work / "data" / "processed", 4 * size):
        fill(work / "data" / "processed", size // 3)  # room for a third of the new set
        before = hashes(processed)
        error = one_error(cli("clean", root=work))
        assert "No space left on device" in error and "the last good output was kept" in error
        assert hashes(processed) == before
        assert not leftovers(work / "data" / "processed")


@pytest.mark.slow
def test_a_read_only_processed_folder_is_one_line(work):
    (work / PROCESSED / stamps.CLEAN_STAMP).unlink()
    before = hashes(work / PROCESSED)
    with read_only(work / "data" / "processed"):
        error = one_error(cli("clean", root=work))
    assert "Read-only file system" in error
    assert hashes(work / PROCESSED) == before


@pytest.mark.slow
def test_a_table_without_a_source_is_removed_from_the_set(work):
    (work / RAW / "supplied" / "jeugd.csv").unlink()
    result = cli("clean", root=work)
    assert result.returncode == 0, result.stderr
    assert "no supplied files for youth" in result.stderr  # the missing source is named
    assert not (work / PROCESSED / "youth.parquet").exists()
    assert (work / PROCESSED / "crime.parquet").exists()
    again = cli("clean", root=work)  # the stamp belongs to the new set: current
    assert "nothing to clean" in again.stderr


@pytest.mark.slow
def test_hidden_files_are_neither_read_nor_hashed(work):
    processed_before = hashes(work / PROCESSED)
    hidden = work / RAW / "supplied" / ".oud" / "jeugd.csv"
    hidden.parent.mkdir()
    hidden.write_text("not a youth file\n")  # read, it would fail the clean
    (work / CRIME / ".DS_Store").write_text("x")
    result = cli("clean", root=work)
    assert result.returncode == 0, result.stderr
    assert "nothing to clean" in result.stderr  # not hashed: the cache is still current
    (work / PROCESSED / stamps.CLEAN_STAMP).unlink()
    assert cli("clean", root=work).returncode == 0  # not read: a real clean succeeds too
    # the same tables (provenance.json and the stamp name this copy's own folders)
    after = hashes(work / PROCESSED)
    tables = [n for n in processed_before if n.endswith((".parquet", ".gpkg"))]
    assert tables and {n: after.get(n) for n in tables} == {n: processed_before[n] for n in tables}
    provenance = (work / PROCESSED / "provenance.json").read_text(encoding="utf-8")
    assert ".oud" not in provenance and ".DS_Store" not in provenance


def test_clean_reads_only_what_the_cache_hashes(tmp_path):
    """One rule: every raw input of clean is hashed by the cache; hidden ones by neither."""
    from hengelo_analysis.sources.clean import raw_inputs

    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw)
    for hidden in (raw / "supplied" / ".oud" / "jeugd.csv", raw / "supplied" / "bron" / ".x" / "a"):
        hidden.parent.mkdir(parents=True)
        hidden.write_text("x")
    inputs = {p.relative_to(raw).as_posix() for p in raw_inputs(raw)}
    hashed = set(stamps.tree_hashes(raw))
    assert inputs and inputs <= hashed
    assert not {i for i in inputs | hashed if "/." in f"/{i}"}


def manifest_page_missing(root):
    (root / CRIME / "TypedDataSet-0008.json").unlink()
    return ["TypedDataSet-0008.json", "listed in manifest.json but missing"]


def manifest_page_changed(root):
    page = root / CRIME / "TypedDataSet-0002.json"
    doc = json.loads(page.read_text())
    doc["value"][0]["GeregistreerdeMisdrijven_1"] += 1  # still a valid page: only the hash tells
    page.write_text(json.dumps(doc, separators=(",", ":")))
    return ["TypedDataSet-0002.json", "differs from", "manifest.json"]


def manifest_corrupt(root):
    (root / RAW / "85984NED" / "manifest.json").write_text('{"files": [')
    return ["85984NED/manifest.json", "not a valid manifest"]


def manifest_not_a_list(root):
    (root / RAW / "pdok" / "2025" / "manifest.json").write_text('{"files": {"a": 1}}')
    return ["pdok/2025/manifest.json", "'files' list"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "breakage",
    [manifest_page_missing, manifest_page_changed, manifest_corrupt, manifest_not_a_list],
    ids=lambda c: c.__name__,
)
def test_the_raw_manifest_is_checked_in_one_line(work, breakage):
    before = hashes(work / PROCESSED)
    expected = breakage(work)
    error = one_error(cli("clean", root=work))
    for part in expected:
        assert part in error, error
    assert hashes(work / PROCESSED) == before


@pytest.mark.slow
def test_a_table_saved_by_hand_needs_no_manifest(work):
    (work / CRIME / "manifest.json").unlink()
    result = cli("clean", root=work)
    assert result.returncode == 0, result.stderr
    assert "no manifest.json" in result.stderr


# --- one build per folder --------------------------------------------------------------------


def lock_record(folder: Path) -> dict | None:
    try:
        text = (folder / lock.LOCK_FILE).read_text()
    except OSError:
        return None
    return json.loads(text) if text.strip() else None


@pytest.mark.slow
def test_a_second_process_fails_at_once_naming_the_first(work):
    (work / PROCESSED / stamps.CLEAN_STAMP).unlink()  # the first really cleans: seconds
    first = popen("clean", root=work)
    try:
        wait_for(lambda: lock_record(work / "data"), what="the first process's lock")
        second = cli("report", root=work)
        assert first.poll() is None, "the first process ended before the second tried"
        error = one_error(second)
        assert f"pid {first.pid}" in error and "in use by another" in error
        assert "(clean)" in error
    finally:
        _, stderr = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, stderr
    assert not (work / "data" / lock.LOCK_FILE).exists()  # released and removed


@pytest.mark.slow
def test_a_killed_holder_is_taken_over_and_its_leftovers_cleaned(cleaned, work):
    (work / PROCESSED / stamps.CLEAN_STAMP).unlink()
    before = hashes(work / PROCESSED)
    first = popen("clean", root=work)
    processed = work / "data" / "processed"
    wait_for(lambda: list(processed.glob(".demo.staging-*")), what="the staged set")
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate(timeout=TIMEOUT)
    # Killed mid-write: the old set is whole (or, killed between the two renames, kept aside).
    assert hashes(work / PROCESSED) == before or list(processed.glob(".demo.old-*"))
    assert lock_record(work / "data")["pid"] == first.pid
    result = cli("clean", root=work)
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "taking over the lock" in line]
    assert warning and f"pid {first.pid}" in warning[0], result.stderr
    assert not leftovers(work / "data")
    # a fresh clean's tables (provenance.json and the stamp name this copy's own folders)
    now, fresh = hashes(work / PROCESSED), hashes(cleaned / PROCESSED)
    tables = [n for n in fresh if n.endswith((".parquet", ".gpkg"))]
    assert tables and {n: now.get(n) for n in tables} == {n: fresh[n] for n in tables}


def test_the_lock_names_its_holder_and_is_released_after_a_failure(tmp_path):
    with lock.hold(tmp_path, "report"):
        record = lock_record(tmp_path)
        assert record["pid"] == os.getpid() and record["command"] == "report"
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from hengelo_analysis.pipeline import lock\n"
                "with lock.hold(sys.argv[1], 'clean'): pass",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode != 0 and f"pid {os.getpid()}" in other.stderr
    assert not (tmp_path / lock.LOCK_FILE).exists()
    with pytest.raises(ValueError), lock.hold(tmp_path, "clean"):
        raise ValueError("a failing command")
    assert not (tmp_path / lock.LOCK_FILE).exists()  # released: the next run sees no dead holder


def test_a_folder_made_only_for_the_lock_is_removed_again(tmp_path):
    with lock.hold(tmp_path / "new", "run"):
        assert (tmp_path / "new").is_dir()
    assert not (tmp_path / "new").exists()


# --- paths that are not folders ----------------------------------------------------------------


@pytest.mark.parametrize("option", ["--data-dir", "--reports-dir"])
def test_a_folder_option_naming_a_file_is_one_line(tmp_path, option):
    (tmp_path / "file").write_text("x")
    result = cli("clean", option, str(tmp_path / "file"))
    assert f"{option} {tmp_path / 'file'}: is a file, not a folder" in one_error(result)


def test_a_folder_below_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    error = one_error(cli("clean", "--data-dir", str(tmp_path / "file" / "data")))
    assert str(tmp_path / "file") in error and "Not a directory" in error
