"""The CLI contract: parameters validated before anything runs, one clear line on failure."""

import subprocess
import sys

import pytest

from hengelo_analysis import cli
from hengelo_analysis.paths import PROJECT_ROOT


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
    result = run_cli("clean", "--gemeente", code, "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "GM followed by 4 digits" in result.stderr
    assert not (tmp_path / "d").exists()


def test_gemeente_code_is_normalised():
    assert cli.gemeente_code(" gm0164 ") == "GM0164"


def test_peiljaar_outside_data_gives_available_range(data_dir, tmp_path):
    assert run_cli("clean", "--data-dir", str(data_dir)).returncode == 0
    result = run_cli(
        "run",
        "--data-dir",
        str(data_dir),
        "--reports-dir",
        str(tmp_path / "r"),
        "--peiljaar",
        "2031",
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        "hengelo-analysis run: error: peiljaar 2031 is outside the data for GM0164: "
        "available 2012-2024"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_bad_input_gives_one_line_and_keeps_processed_data(data_dir):
    assert run_cli("clean", "--data-dir", str(data_dir)).returncode == 0
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
    page = data_dir / "raw" / "demo" / "47018NED" / "TypedDataSet-0001.json"
    page.write_text("{")
    result = run_cli("clean", "--data-dir", str(data_dir), "--debug")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_missing_table_is_a_warning_not_a_crash(tmp_path):
    (tmp_path / "d" / "raw" / "demo").mkdir(parents=True)
    result = run_cli("clean", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0
    assert "table 47018NED not found" in result.stderr


def test_console_script_and_module_agree():
    script = PROJECT_ROOT / ".venv" / "bin" / "hengelo-analysis"
    exe = str(script) if script.exists() else "hengelo-analysis"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for sub in ("fetch", "clean", "run", "publish", "report"):
        assert sub in out.stdout
