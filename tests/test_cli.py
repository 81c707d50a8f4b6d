"""The CLI contract: parameters validated before anything runs, one clear line on failure.

Most cases call ``cli.main`` in this process (``cli_in_process``: the same exit code and stderr
lines, without a second of imports per case); the console script, the one-line error and the
traceback of ``--debug`` are shown through a real process.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hengelo_analysis import options
from hengelo_analysis.paths import PROJECT_ROOT
from tests.conftest import DEMO_RAW
from tests.fault_tools import cli_in_process, one_error


def run_cli(*args, cwd=PROJECT_ROOT):
    return subprocess.run(
        [sys.executable, "-m", "hengelo_analysis", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize("code", ["0164", "GM164", "GM01645", "Hengelo"])
def test_bad_gemeente_code_is_refused_before_anything_runs(code, tmp_path):
    result = cli_in_process("clean", "--gemeente", code, "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "GM followed by 4 digits" in result.stderr
    assert not (tmp_path / "d").exists()


def test_gemeente_code_is_normalised():
    assert options.gemeente_code(" gm0164 ") == "GM0164"


def test_peiljaar_outside_data_gives_available_range(work, tmp_path):
    data_dir = work / "data"  # the demo cleaned by the CLI (the fault tests' shared tree)
    result = cli_in_process(
        "run",
        "--data-dir",
        str(data_dir),
        "--reports-dir",
        str(tmp_path / "r"),
        "--peiljaar",
        "2031",
    )
    error = one_error(result)  # exit 1, one error line, no traceback
    assert error == (
        "hengelo-analysis run: error: peiljaar 2031 is outside the data for GM0164: "
        "available 2012-2024"
    )
    assert result.stderr.strip().splitlines()[-1] == error
    assert not (tmp_path / "r").exists()


def test_bad_input_gives_one_line_and_keeps_processed_data(work):
    # Through a real process: the one-line error (and no traceback) end to end.
    data_dir = work / "data"  # the demo cleaned by the CLI (the fault tests' shared tree)
    processed = data_dir / "processed" / "demo" / "crime.parquet"
    before = processed.read_bytes()
    page = data_dir / "raw" / "demo" / "47018NED" / "TypedDataSet-0003.json"
    page.write_bytes(page.read_bytes()[:1000])
    result = run_cli("clean", "--data-dir", str(data_dir))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("hengelo-analysis clean: error: ")
    assert "TypedDataSet-0003.json: not valid JSON" in last
    assert "Traceback" not in result.stderr
    assert processed.read_bytes() == before


def test_debug_shows_the_traceback(data_dir):
    # Through a real process: --debug lets the exception reach the interpreter's traceback.
    page = data_dir / "raw" / "demo" / "47018NED" / "TypedDataSet-0001.json"
    page.write_text("{")
    result = run_cli("clean", "--data-dir", str(data_dir), "--debug")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_missing_table_is_a_warning_not_a_crash(tmp_path):
    # One table only (an empty raw tree is refused: it would wipe the processed set).
    raw = tmp_path / "d" / "raw" / "demo"
    shutil.copytree(DEMO_RAW / "85146NED", raw / "85146NED")
    result = cli_in_process("clean", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert "table 47018NED not found" in result.stderr


def test_console_script_and_module_agree():
    # The script beside the interpreter running the tests: .venv's, or .venv-lowest's in test-lowest.
    script = Path(sys.executable).parent / "hengelo-analysis"
    exe = str(script) if script.exists() else "hengelo-analysis"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for sub in ("fetch", "clean", "run", "publish", "report"):
        assert sub in out.stdout
