"""Faults: bad input, interruption and failing notebooks are loud, bounded and harmless.

Every case runs the real CLI in a subprocess on a copy of the demo data that has already produced
processed tables and a published edition, breaks one thing, and asserts: a non-zero exit, exactly
one error line naming the file (and column/row where there is one), no traceback, and processed
data and published reports byte-for-byte unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hengelo_analysis.pipeline import stamps
from tests import chapter_report
from tests.fault_tools import popen

CRIME = Path("raw/demo/47018NED")


def cli(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "hengelo_analysis", *args],
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built():
    """A data dir and reports dir after one successful `report`: the session's shared demo build."""
    return chapter_report.demo_edition()[0]


@pytest.fixture
def work(built, tmp_path):
    root = tmp_path / "w"
    shutil.copytree(built, root)
    return root


def _page(root: Path, number: int = 2) -> Path:
    return root / "data" / CRIME / f"TypedDataSet-{number:04d}.json"


def _edit_row(root: Path, change):
    page = _page(root)
    doc = json.loads(page.read_text())
    change(doc["value"])
    page.write_text(json.dumps(doc))
    return page


def truncated_page(root):
    page = _page(root)
    page.write_bytes(page.read_bytes()[:5000])
    return "TypedDataSet-0002.json: not valid JSON"


def wrong_type(root):
    _edit_row(root, lambda rows: rows[6].update({"GeregistreerdeMisdrijven_1": "twaalf"}))
    return "TypedDataSet-0002.json, column 'GeregistreerdeMisdrijven_1', row 7: not a whole number"


def unknown_crime_code(root):
    _edit_row(root, lambda rows: rows[2].update({"SoortMisdrijf": "9.9.9 "}))
    return "column 'SoortMisdrijf', row 3: crime code '9.9.9' not in the SoortMisdrijf dimension"


def unknown_area_code(root):
    _edit_row(root, lambda rows: rows[0].update({"WijkenEnBuurten": "XY0164    "}))
    return "column 'WijkenEnBuurten', row 1: unknown area code 'XY0164'"


def duplicate_rows(root):
    _edit_row(root, lambda rows: rows.append(dict(rows[0])))
    return "duplicate row for"


def negative_count(root):
    _edit_row(root, lambda rows: rows[4].update({"GeregistreerdeMisdrijven_1": -1}))
    return "row 5: negative count -1"


def empty_file(root):
    _page(root).write_bytes(b"")
    return "TypedDataSet-0002.json: not valid JSON"


def missing_dimension(root):
    (root / "data" / CRIME / "SoortMisdrijf.json").unlink()
    return "SoortMisdrijf.json: entity set missing from the table folder"


def not_odata(root):
    _page(root).write_text(json.dumps({"error": {"message": "Service unavailable"}}))
    return 'not an OData v3 JSON document (no "value" list)'


SUPPLIED = Path("raw/demo/supplied")


def supplied_wrong_delimiter(root):
    path = root / "data" / SUPPLIED / "e33_incidenten.csv"
    path.write_text(path.read_text().replace(";", "\t"))
    return "e33_incidenten.csv, row 1: wrong separator: tab-separated"


def supplied_wrong_encoding(root):
    path = root / "data" / SUPPLIED / "jeugd.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    return "jeugd.csv: UTF-16 text"


def supplied_empty_file(root):
    (root / "data" / SUPPLIED / "e33_incidenten.csv").write_bytes(b"")
    return "e33_incidenten.csv: empty file"


def supplied_text_in_number_column(root):
    path = root / "data" / SUPPLIED / "jeugd.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(";", 1)[0] + ";veel"
    path.write_text("\n".join(lines) + "\n")
    return "jeugd.csv, column 'jeugdreclassering', row 4: not a whole number: 'veel'"


def supplied_duplicate_respondent(root):
    path = root / "data" / SUPPLIED / "eigen_enquete_2023.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    return (
        f"eigen_enquete_2023.csv, column 'respondent', row {len(lines) + 1}: duplicate respondent"
    )


CASES = [
    truncated_page,
    wrong_type,
    unknown_crime_code,
    unknown_area_code,
    duplicate_rows,
    negative_count,
    empty_file,
    missing_dimension,
    not_odata,
    supplied_wrong_delimiter,
    supplied_wrong_encoding,
    supplied_empty_file,
    supplied_text_in_number_column,
    supplied_duplicate_respondent,
]


@pytest.mark.slow
@pytest.mark.parametrize("breakage", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_refused_in_one_line_and_changes_nothing(work, breakage):
    before_processed = snapshot(work / "data" / "processed")
    before_reports = snapshot(work / "reports")
    expected = breakage(work)
    result = cli("report", "--data-dir", str(work / "data"), "--reports-dir", str(work / "reports"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert expected in errors[0]
    assert "Traceback" not in result.stderr
    assert snapshot(work / "data" / "processed") == before_processed
    assert snapshot(work / "reports") == before_reports


@pytest.mark.slow
def test_missing_table_is_a_warning_and_the_rest_still_runs(work):
    shutil.rmtree(work / "data" / CRIME)
    result = cli("clean", "--data-dir", str(work / "data"))
    assert result.returncode == 0
    assert "table 47018NED not found" in result.stderr


@pytest.mark.slow
def test_ctrl_c_during_run_leaves_no_partial_output(work):
    edition = work / "reports" / "demo" / "GM0164" / "2024"
    before = snapshot(edition)
    # Touch the code version so every notebook really executes.
    env = {**os.environ, "HENGELO_WORKERS": "1"}
    # popen: its own process group with Ctrl-C's default action, like a terminal's foreground job
    proc = popen("run", "--rate-unit", "10000", root=work, env=env)
    run_dir = stamps.run_notebooks_dir(edition).parent  # where run stages, beside the edition
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(run_dir.glob(".notebooks.staging-*")):
        time.sleep(0.05)
    assert list(run_dir.glob(".notebooks.staging-*")), "run never started"
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    assert not [p for p in edition.parent.rglob("*") if "staging" in p.name or p.suffix == ".tmp"]
    assert snapshot(edition) == before


def test_fetch_without_network_fails_in_bounded_time_and_leaves_no_files(tmp_path):
    """No CBS reachable: a few quick retries, one error line, nothing written, the cache intact."""
    data = tmp_path / "data"
    cached = data / "raw" / "real" / "47018NED"
    cached.mkdir(parents=True)
    (cached / "TableInfos.json").write_text('{"value": [{"Modified": "2025-03-14T02:00:00"}]}')
    before = snapshot(data)
    env = {
        **os.environ,
        "HENGELO_CBS_BASE_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "HENGELO_PDOK_BASE_URL": "http://127.0.0.1:9",
        "HENGELO_FETCH_BACKOFF": "0.01",
    }
    result = cli("fetch", "--source", "real", "--refresh", "--data-dir", str(data), env=env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "giving up after" in errors[0] and "connection refused" in errors[0]
    assert "Traceback" not in result.stderr
    assert snapshot(data) == before
    assert not [p for p in data.rglob("*") if "staging" in p.name or p.suffix == ".tmp"]
