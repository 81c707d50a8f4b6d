"""Incremental builds: what a rerun skips, what it redoes, and that a cached result equals a fresh one.

No test here times anything (benchmarks/run_benchmarks.py measures); they assert on what was
skipped or executed and on output bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hengelo_analysis import options
from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.pipeline import stamps
from tests.conftest import DEMO_RAW
from tests.fault_tools import cli_in_process


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "hengelo_analysis", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


def tiny_notebook(path: Path, inputs: list[str], table: str) -> Path:
    """A report notebook reading one processed table and printing a figure of it."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "hengelo-analysis",
        "display_name": "x",
        "language": "python",
    }
    nb.metadata["hengelo"] = {"inputs": inputs}
    params = nbformat.v4.new_code_cell(
        'gemeente = "GM0164"\npeiljaar = 2024\nsource = "demo"\ndata_dir = "."\nrate_unit = 1000'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {table}"),
        params,
        nbformat.v4.new_code_cell(
            "from hengelo_analysis.processed import reader\n"
            f"df = reader.load_table(data_dir, source, {table!r})\n"
            "print(len(df), df.select_dtypes('number').sum().sum())"
        ),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """Two tiny notebooks: one reads ``youth``, the other ``accidents``."""
    folder = tmp_path_factory.mktemp("suite")
    tiny_notebook(folder / "01_jeugd.ipynb", ["youth"], "youth")
    tiny_notebook(folder / "02_ongevallen.ipynb", ["accidents"], "accidents")
    return folder


@pytest.fixture
def tree(tmp_path, suite):
    data = tmp_path / "data"
    shutil.copytree(DEMO_RAW, data / "raw" / "demo")
    env = {"HENGELO_NOTEBOOK_DIR": str(suite)}

    def report(reports: str = "reports", *extra: str):
        result = run_cli(
            "report",
            "--data-dir",
            str(data),
            "--reports-dir",
            str(tmp_path / reports),
            *extra,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    return tmp_path, data, report


def edition_files(reports: Path) -> dict[str, bytes]:
    edition = reports / "demo" / "GM0164" / "2024"
    return {p.name: p.read_bytes() for p in sorted(edition.glob("*.html"))} | {
        "findings.json": (edition / "findings.json").read_bytes()
    }


def keys(reports: Path) -> dict[str, str | None]:
    folder = reports / "demo" / "GM0164" / "2024" / "notebooks"
    return {p.name: stamps.cached_key_of(p) for p in sorted(folder.glob("*.ipynb"))}


@pytest.mark.slow
def test_warm_rerun_skips_every_stage_and_equals_a_fresh_build(tree):
    root, data, report = tree
    report()
    first = edition_files(root / "reports")
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*") if p.is_file()}

    log = report()
    assert "nothing to clean" in log
    assert "nothing to execute" in log
    assert "report up to date" in log
    # Nothing was rewritten, so the warm edition is byte for byte the first one...
    assert {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*") if p.is_file()} == mtimes
    # ...and a fresh build (new reports dir: every notebook executed, every page exported) gives
    # the same pages and findings.
    report("fresh")
    assert edition_files(root / "fresh") == first
    fresh_kf = json.loads((root / "fresh/demo/GM0164/2024/key_figures.json").read_text())
    warm_kf = json.loads((root / "reports/demo/GM0164/2024/key_figures.json").read_text())
    assert {**fresh_kf, "built_at": None} == {**warm_kf, "built_at": None}


def processed_files(processed: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in processed.iterdir() if not p.name.startswith(".")}


def test_processed_tables_of_a_skipped_clean_equal_a_fresh_clean(demo_cleaned, tmp_path):
    # The first clean is the session's (the CLI's clean, in this process); a copy of it is as
    # current as the original (the stamp hashes bytes, not places). The fresh clean runs in a new
    # process: its own hash seed, so an order that depends on it would show as different bytes.
    cleaned = demo_cleaned[0]
    first = processed_files(cleaned.processed_dir)
    data = tmp_path / "data"
    shutil.copytree(cleaned.data_dir, data)
    assert "nothing to clean" in cli_in_process("clean", "--data-dir", str(data)).stderr
    # Clean again from scratch: the bytes (GeoPackage included) must be the same, which is what
    # lets the content-hash cache treat an unchanged table as unchanged.
    processed = data / "processed" / "demo"
    (processed / stamps.CLEAN_STAMP).unlink()
    result = run_cli("clean", "--data-dir", str(data), env={"PYTHONHASHSEED": "random"})
    assert result.returncode == 0, result.stderr
    assert "nothing to clean" not in result.stderr
    fresh = processed_files(processed)
    # provenance.json names the raw folder the clean read (in a warning): here the copy's
    here, there = (str(d / "raw" / "demo").encode() for d in (data, cleaned.data_dir))
    assert here in fresh["provenance.json"]
    fresh["provenance.json"] = fresh["provenance.json"].replace(here, there)
    assert fresh == first


@pytest.mark.slow
def test_a_changed_raw_table_reruns_clean_and_only_the_notebooks_reading_it(tree):
    root, data, report = tree
    report()
    before = keys(root / "reports")
    youth = data / "raw" / "demo" / "supplied" / "jeugd.csv"
    lines = youth.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[2] = str(int(fields[2]) + 7)  # one Halt count of the first year
    youth.write_text("\n".join([lines[0], ";".join(fields), *lines[2:]]) + "\n", encoding="utf-8")

    log = report()
    assert "nothing to clean" not in log
    after = keys(root / "reports")
    assert after["01_jeugd.ipynb"] != before["01_jeugd.ipynb"]
    assert after["02_ongevallen.ipynb"] == before["02_ongevallen.ipynb"]
    assert "executing 1 of 2 notebooks (1 reused)" in log
    assert "report up to date" not in log  # the edition shows the new figure


def test_a_tampered_processed_table_forces_a_clean(work):
    data = work / "data"  # cleaned once by the CLI (the fault tests' shared tree)
    crime = data / "processed" / "demo" / "crime.parquet"
    good = crime.read_bytes()
    crime.write_bytes(good[:-10])
    assert not stamps.clean_is_current(data / "raw" / "demo", data / "processed" / "demo")
    result = cli_in_process("clean", "--data-dir", str(data))
    assert result.returncode == 0 and "INFO crime: " in result.stderr, result.stderr
    assert "nothing to clean" not in result.stderr
    assert crime.read_bytes() == good


def test_clean_stage_writes_the_stamp_over_the_raw_bytes_it_cleaned(tmp_path, monkeypatch):
    """clean_stage stamps itself (sources may not import pipeline), hashing raw before cleaning,
    and the stamp goes into the staged set, so it becomes current together with the tables."""
    from types import SimpleNamespace

    from hengelo_analysis.paths import Layout
    from hengelo_analysis.pipeline import stages
    from hengelo_analysis.sources import clean

    layout = Layout(tmp_path / "data", tmp_path / "reports", "demo")
    layout.raw_dir.mkdir(parents=True)
    raw = layout.raw_dir / "table.csv"
    raw.write_text("a\n1\n")
    calls = []

    def fake_clean_source(layout):  # reads the raw tree; writes nothing
        return SimpleNamespace(warnings=[], tables={})

    def fake_write(layout, result, finish):  # builds the new set beside the old one
        staging = layout.processed_dir.parent / "staging"
        staging.mkdir(parents=True)
        (staging / "t.parquet").write_bytes(raw.read_bytes())
        if len(calls) == 1:
            raw.write_text("a\n3\n")  # edited while cleaning: the stamp must not vouch for it
        finish(staging)
        calls.append((staging / stamps.CLEAN_STAMP).exists())
        shutil.rmtree(layout.processed_dir, ignore_errors=True)
        staging.rename(layout.processed_dir)

    monkeypatch.setattr(clean, "clean_source", fake_clean_source)
    monkeypatch.setattr(clean, "write_processed", fake_write)
    assert stages.clean_stage(layout) is False
    assert stages.clean_stage(layout) is True  # stamped: same raw bytes, nothing to do
    raw.write_text("a\n2\n")
    assert stages.clean_stage(layout) is False
    assert calls == [True, True]  # the stamp was in the staged set before the swap
    assert stages.clean_stage(layout) is False  # raw changed during the last clean: clean again
    assert len(calls) == 3


@pytest.mark.slow
def test_warm_report_imports_no_heavy_library(tree, suite):
    root, data, report = tree
    report()
    code = (
        "import sys\n"
        "from hengelo_analysis import cli\n"
        f"rc = cli.main(['report', '--data-dir', {str(data)!r}, '--reports-dir', "
        f"{str(root / 'reports')!r}])\n"
        "heavy = sorted(m for m in ('pandas', 'papermill', 'nbconvert', 'nbformat', "
        "'statsmodels', 'matplotlib', 'geopandas') if m in sys.modules)\n"
        "print(rc, heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        env={**os.environ, "HENGELO_NOTEBOOK_DIR": str(suite)},
    )
    assert result.stdout.strip() == "0 []", result.stderr


# --- several gemeenten ---------------------------------------------------------------------------


def test_gemeente_option_takes_lists_repeats_and_the_twente_alias():
    parse = options.build_parser().parse_args
    args = parse(["run", "--gemeente", "gm0164, GM0153", "--gemeente", "GM0141"])
    assert [c for v in args.gemeenten for c in v] == ["GM0164", "GM0153", "GM0141"]
    twente = options.gemeente_codes("twente")
    assert len(twente) == 14 and "GM0164" in twente and "GM0153" in twente
    assert all(options.GEMEENTE_RE.match(c) for c in twente)


def test_a_bad_code_in_a_list_is_named(tmp_path):
    result = cli_in_process(
        "report", "--gemeente", "GM0164,GM153", "--data-dir", str(tmp_path / "d")
    )
    assert result.returncode == 2
    assert "'GM153' is not a CBS gemeente code" in result.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_several_gemeenten_clean_once_and_publish_each(tree, suite, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # both publishes stamp the same time
    monkeypatch.setenv("HENGELO_WORKERS", "2")  # two threads, on any machine
    root, data, report = tree
    log = report("reports", "--gemeente", "GM0164,GM0153", "--gemeente", "GM0164")
    assert log.count("INFO crime: ") == 1  # one clean for both gemeenten
    for gemeente in ("GM0164", "GM0153"):
        edition = root / "reports" / "demo" / gemeente / "2024"
        assert (edition / "index.html").exists()
        nb = nbformat.read(edition / "notebooks" / "01_jeugd.ipynb", as_version=4)
        assert nb.metadata["papermill"]["parameters"]["gemeente"] == gemeente
    assert "executing 4 of 4 notebooks (0 reused) for 2 gemeenten" in log
    assert run_cli("fetch", "--gemeente", "GM0164,GM0153", "--source", "real").returncode == 1
    # Published on two threads, then again one after another: the same bytes.
    editions = [root / "reports" / "demo" / g / "2024" for g in ("GM0164", "GM0153")]
    threaded = [_published_files(e) for e in editions]
    for edition in editions:
        for path in edition.iterdir():
            if path.name != ".run":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    publish = ["publish", "--gemeente", "GM0164,GM0153", "--data-dir", str(data)]
    publish += ["--reports-dir", str(root / "reports")]
    result = run_cli(*publish, env={"HENGELO_NOTEBOOK_DIR": str(suite), "HENGELO_WORKERS": "1"})
    assert result.returncode == 0, result.stderr
    again = [_published_files(e) for e in editions]
    for before, after in zip(threaded, again, strict=True):
        assert sorted(before) == sorted(after)
        assert [n for n in before if before[n] != after[n]] == []
    assert len(threaded[0]) > 5


def _published_files(edition: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(edition)): p.read_bytes()
        for p in sorted(edition.rglob("*"))
        if p.is_file() and ".run" not in p.parts and not p.name.startswith(".publish")
    }


# --- one kernel for several runs --------------------------------------------------------------

LEAKY = """\
import warnings
import matplotlib
import matplotlib.pyplot as plt
print("gemeente", gemeente)
print("leftover from an earlier run:", "leak" in dir(), "figures open:", len(plt.get_fignums()))
print("linewidth", matplotlib.rcParams["lines.linewidth"])
warnings.warn("shown on every run")
leak = 1
matplotlib.rcParams["lines.linewidth"] = 9
fig = plt.figure()  # left open on purpose
"""


def _outputs(path: Path) -> list:
    """Execution counts and outputs; the kernel's pid (in warning file names) differs per kernel."""
    nb = nbformat.read(path, as_version=4)
    cells = [
        (c.get("execution_count"), c.get("outputs")) for c in nb.cells if c.cell_type == "code"
    ]
    return json.loads(re.sub(r"ipykernel_\d+", "ipykernel_PID", json.dumps(cells)))


def _notebook(path: Path, code: str) -> Path:
    """A tiny notebook whose one code cell after the parameters is ``code``."""
    nb = nbformat.read(tiny_notebook(path, [], "youth"), as_version=4)
    nb.cells[2].source = code
    nbformat.write(nb, path)
    return path


def _leaky_notebook(path: Path) -> Path:
    return _notebook(path, LEAKY)


PARAMS = {
    g: {"gemeente": g, "peiljaar": 2024, "source": "demo", "data_dir": ".", "rate_unit": 1000}
    for g in ("GM0164", "GM0153")
}


@pytest.mark.slow
def test_a_reused_kernel_gives_the_notebook_a_fresh_kernel_gives(tmp_path):
    """The second gemeente run in a shared kernel sees no trace of the first."""
    from hengelo_analysis.pipeline.execute import Task, execute_chain, execute_notebook
    from hengelo_analysis.pipeline.kernels import ensure_kernel

    nb = _leaky_notebook(tmp_path / "01_x.ipynb")
    kernel = ensure_kernel()
    runs = [Task(nb, tmp_path / f"{g}.ipynb", p, f"key-{g}") for g, p in PARAMS.items()]
    assert execute_chain(runs, kernel) == []
    execute_notebook(nb, tmp_path / "fresh.ipynb", PARAMS["GM0153"], kernel, "key-GM0153")
    reused, fresh = _outputs(tmp_path / "GM0153.ipynb"), _outputs(tmp_path / "fresh.ipynb")
    assert reused == fresh
    text = json.dumps(reused)
    assert "gemeente GM0153" in text
    assert "leftover from an earlier run: False figures open: 0" in text
    assert "shown on every run" in text
    assert reused[0][0] == 1  # execution counts start again at 1


@pytest.mark.slow
def test_a_kernel_reused_for_another_notebook_leaves_no_trace(tmp_path):
    """A worker runs different notebooks in one kernel: the second sees none of the first."""
    from hengelo_analysis.pipeline.execute import Task, execute_chain, execute_notebook
    from hengelo_analysis.pipeline.kernels import ensure_kernel

    first, second = (
        _leaky_notebook(tmp_path / "01_a.ipynb"),
        _leaky_notebook(tmp_path / "02_b.ipynb"),
    )
    kernel = ensure_kernel()
    p = PARAMS["GM0164"]
    tasks = [Task(first, tmp_path / "a.ipynb", p, "a"), Task(second, tmp_path / "b.ipynb", p, "b")]
    assert execute_chain(iter(tasks), kernel) == []
    execute_notebook(second, tmp_path / "fresh.ipynb", p, kernel, "b")
    reused = _outputs(tmp_path / "b.ipynb")
    assert reused == _outputs(tmp_path / "fresh.ipynb")
    assert "leftover from an earlier run: False figures open: 0" in json.dumps(reused)
    assert nbformat.read(tmp_path / "b.ipynb", as_version=4).metadata.hengelo.cache_key == "b"


@pytest.mark.slow
def test_a_kernel_that_died_after_a_notebook_is_replaced_for_the_next(tmp_path):
    """Killed between two notebooks, the kernel is started anew for the second one, instead of
    the reset waiting out its minute and failing the second notebook (review of ea4786b)."""
    import signal
    import time

    from hengelo_analysis.pipeline.execute import Task, execute_chain
    from hengelo_analysis.pipeline.kernels import ensure_kernel

    pid_file = tmp_path / "pid"
    write_pid = f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"
    first = _notebook(tmp_path / "01_a.ipynb", write_pid)
    second = _notebook(tmp_path / "02_b.ipynb", "import os\nprint('pid', os.getpid())")
    p = PARAMS["GM0164"]

    def dead(pid: int) -> bool:  # gone, or a zombie its parent (this process) has not reaped
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    def tasks():
        yield Task(first, tmp_path / "a.ipynb", p, "a")
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGKILL)
        while not dead(pid):
            time.sleep(0.01)
        yield Task(second, tmp_path / "b.ipynb", p, "b")

    assert execute_chain(tasks(), ensure_kernel()) == []
    shown = json.dumps(_outputs(tmp_path / "b.ipynb"))
    assert "pid" in shown and pid_file.read_text() not in shown  # another kernel ran it


@pytest.mark.slow
def test_what_a_reset_prints_reaches_neither_the_terminal_nor_the_next_notebook(
    tmp_path, capfd, monkeypatch
):
    """The reset's collection runs finalisers of the last notebook's objects; their output
    belongs to no notebook and must not reach the CLI's stdout unredacted (review of ea4786b)."""
    from hengelo_analysis.pipeline.execute import Task, execute_chain
    from hengelo_analysis.pipeline.kernels import ensure_kernel

    monkeypatch.setenv("HENGELO_SECRET_API_TOKEN", "s3cr3t-value-123")
    loud = (
        "from hengelo_analysis import secrets\n"
        "class Loud:\n"
        "    def __del__(self):\n"
        "        print('finaliser of', secrets.get('api_token'))\n"
        "class Box: pass\n"
        "b = Box(); b.me = b; b.loud = Loud()"
    )
    first = _notebook(tmp_path / "01_a.ipynb", loud)
    second = _notebook(tmp_path / "02_b.ipynb", "print('second')")
    p = PARAMS["GM0164"]
    tasks = [Task(first, tmp_path / "a.ipynb", p, "a"), Task(second, tmp_path / "b.ipynb", p, "b")]
    assert execute_chain(iter(tasks), ensure_kernel()) == []
    out, err = capfd.readouterr()
    assert "s3cr3t-value-123" not in out + err and "finaliser of" not in out + err
    assert "finaliser of" not in json.dumps(_outputs(tmp_path / "b.ipynb"))
