"""Shared fixtures (a demo tree, tiny real-shaped OData tables) and the ``slow`` guard.

The guard: every notebook kernel started while a test runs (by papermill in this process or in a
CLI subprocess) writes one line to a session log, through an IPython startup file. A test that
starts a kernel without the ``slow`` mark fails, so ``make test-fast`` (``-m "not slow"``) stays
free of report builds; the terminal summary counts the kernels and report builds of the run.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from hengelo_analysis.domain import AREA_CODE_RE
from hengelo_analysis.paths import NOTEBOOK_DIR, PROJECT_ROOT

# As the CLI does first thing (cli.main): jsonschema, imported with nbformat, would otherwise build
# the grammars of the optional rfc3987_syntax, over a second of every test run's collection; no
# schema of the package or of nbformat checks an IRI format. (Nothing above imports jsonschema.)
sys.modules.setdefault("rfc3987_syntax", None)

DEMO_RAW = PROJECT_ROOT / "data" / "raw" / "demo"
# The fault tests' shared fixtures (cleaned, work) live with their tools.
pytest_plugins = ("tests.fault_tools",)
KERNEL_LOG_ENV = "HENGELO_TEST_KERNEL_LOG"

# Runs in every kernel at start. PYTEST_CURRENT_TEST ("<nodeid> (<phase>)") is inherited from the
# test that started the kernel, directly or through a CLI subprocess; the working directory is the
# notebook's folder (papermill's cwd) and the parent pid tells two builds in one test apart.
# Everything stays inside a function that is deleted, so the notebook's namespace is untouched.
_KERNEL_STARTUP = f"""\
def _hengelo_log_kernel():
    import os
    log = os.environ.get({KERNEL_LOG_ENV!r})
    if log:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{{test}}\\t{{os.getppid()}}\\t{{os.getcwd()}}\\n")


_hengelo_log_kernel()
del _hengelo_log_kernel
"""


def pytest_configure(config):
    # Under pytest-xdist (`make test-fast` runs `-n auto`) a worker inherits the controller's
    # environment: it keeps the controller's IPython directory, so every kernel of the run lands
    # in one log that the controller's summary reads, and only the controller removes it.
    if hasattr(config, "workerinput") and os.environ.get(KERNEL_LOG_ENV):
        return
    # An IPython directory of our own: the kernels run the startup file above (and no personal
    # ~/.ipython profile). Set before any test, so every kernel and subprocess inherits it.
    home = Path(tempfile.mkdtemp(prefix="hengelo-test-ipython-"))
    startup = home / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-hengelo-kernel-log.py").write_text(_KERNEL_STARTUP, encoding="utf-8")
    (home / "kernels.log").touch()
    os.environ["IPYTHONDIR"] = str(home)
    os.environ[KERNEL_LOG_ENV] = str(home / "kernels.log")
    config._hengelo_ipython_dir = home


def pytest_unconfigure(config):
    home = getattr(config, "_hengelo_ipython_dir", None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


def pytest_collection_finish(session):
    # The collected tests, the imported libraries and the session's frames live to the end. Frozen
    # out of the collector's generations, and collected less often, the cyclic garbage collector
    # took 2.7-3.3 s instead of 4.6-4.9 s of a `make test-fast` run's CPU (both workers and the
    # controller, summed with gc.callbacks).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def kernel_starts() -> list[tuple[str, str, str]]:
    """``(test nodeid, parent pid, notebook folder)`` of every kernel started so far."""
    log = os.environ.get(KERNEL_LOG_ENV)
    if not log or not Path(log).exists():
        return []
    lines = Path(log).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 2)) for line in lines if line.count("\t") == 2]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "teardown" or item.get_closest_marker("slow") is not None or report.failed:
        return
    started = [k for k in kernel_starts() if k[0] == item.nodeid]
    if started:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} started {len(started)} notebook kernel(s) (a report build) "
            "without the `slow` mark: mark it @pytest.mark.slow, or test the function "
            "without running notebooks"
        )


def pytest_terminal_summary(terminalreporter):
    kernels = kernel_starts()
    # A report build: the real notebooks run by one process (pytest itself or a CLI subprocess)
    # for one test. Kernels in other folders are the runner tests' tiny notebooks.
    real = [k for k in kernels if Path(k[2]) == NOTEBOOK_DIR]
    builds = Counter((test, ppid) for test, ppid, _ in real)
    per_file = Counter(test.split("::", 1)[0] for test, _ in builds)
    terminalreporter.write_line(
        f"notebook kernels: {len(kernels)} ({len(real)} report notebooks); "
        f"report builds: {len(builds)}"
        + "".join(f"\n  {name}: {count}" for name, count in sorted(per_file.items()))
    )


@pytest.fixture(scope="session")
def demo_cleaned(tmp_path_factory):
    """``(layout, clean result)`` of the demo raw tree cleaned once per session.

    Cleaned by the CLI's ``clean`` in this process (so stamped as a user's clean is); the result
    is the one ``clean_source`` returned on the way. Read only: a test that writes into its data
    dir copies ``layout.data_dir`` first (the fault tests' ``work``). Cleaning the demo costs
    seconds; several modules used to clean it each for themselves.
    """
    from hengelo_analysis.paths import Layout
    from hengelo_analysis.sources import clean
    from tests.fault_tools import cli_in_process

    root = tmp_path_factory.mktemp("demo-cleaned")
    shutil.copytree(DEMO_RAW, root / "data" / "raw" / "demo")
    results = []

    def keeping(layout, _clean_source=clean.clean_source):
        results.append(_clean_source(layout))
        return results[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clean, "clean_source", keeping)
        run = cli_in_process("clean", root=root)
    assert run.returncode == 0, run.stderr
    (result,) = results
    return Layout(root / "data", root / "reports", "demo"), result


def counting_evaluators(patch: pytest.MonkeyPatch) -> Counter:
    """Count the calls per claim id through every registered evaluator (the one way to judge)."""
    from hengelo_analysis.analysis.claims import registry

    counts: Counter = Counter()
    for kind, evaluator in list(registry.EVALUATORS.items()):

        def counting(claim, ctx, _evaluator=evaluator):
            counts[claim.id] += 1
            return _evaluator(claim, ctx)

        patch.setitem(registry.EVALUATORS, kind, counting)
    return counts


@pytest.fixture(scope="session")
def demo_judged(demo_cleaned, tmp_path_factory):
    """``(layout, evaluations)``: a copy of ``demo_cleaned`` with the findings stage run once for
    GM0164 2024 per 1000 inhabitants (read only, like ``demo_cleaned``), and the evaluator calls
    per claim id of that run.

    For the tests that read a document the stage wrote rather than watch it judge: each judging
    of every claim costs a second or more.
    """
    from hengelo_analysis.gemeente_config import config_for
    from hengelo_analysis.paths import Layout
    from hengelo_analysis.pipeline.stages import findings_stage

    root = tmp_path_factory.mktemp("demo-judged")
    shutil.copytree(demo_cleaned[0].data_dir, root / "data")
    layout = Layout(root / "data", root / "reports", "demo")
    with pytest.MonkeyPatch.context() as patch:
        evaluations = counting_evaluators(patch)
        assert findings_stage(layout, "GM0164", 2024, 1000, config_for("GM0164")) is False
    return layout, evaluations


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data dir holding a copy of the committed demo raw tree."""
    target = tmp_path / "data"
    shutil.copytree(DEMO_RAW, target / "raw" / "demo")
    return target


def odata_doc(table: str, entity: str, rows: list[dict], next_link: str | None = None) -> dict:
    doc = {
        "odata.metadata": f"https://dataderden.cbs.nl/ODataFeed/OData/{table}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": rows,
    }
    if next_link:
        doc["odata.nextLink"] = next_link
    return doc


def crime_properties(measure: str = "GeregistreerdeMisdrijven_1") -> list[dict]:
    return [
        {"ID": 0, "Type": "Dimension", "Key": "SoortMisdrijf", "Title": "Soort misdrijf"},
        {"ID": 1, "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
        {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
        {"ID": 3, "Type": "Topic", "Key": measure, "Title": "Geregistreerde misdrijven"},
        {"ID": 4, "Type": "Topic", "Key": "Gemeentenaam_2", "Title": "Gemeentenaam"},
        {"ID": 5, "Type": "Topic", "Key": "SoortRegio_3", "Title": "Soort regio"},
    ]


def row(code, area, period, value, measure="GeregistreerdeMisdrijven_1", i=0):
    return {
        "ID": i,
        "SoortMisdrijf": code,
        "WijkenEnBuurten": area,
        "Perioden": period,
        measure: value,
        "Gemeentenaam_2": "Hengelo",
        "SoortRegio_3": "Gemeente  ",
    }


def write_crime_table(
    table_dir: Path, pages: list[list[dict]], measure="GeregistreerdeMisdrijven_1"
):
    """Write a minimal 47018NED folder in the real shape, the data split over ``pages``."""
    table_dir.mkdir(parents=True, exist_ok=True)
    sets = {
        "TableInfos": [
            {
                "ID": 0,
                "Title": "Geregistreerde misdrijven; test",
                "Modified": "2025-03-14T02:00:00",
                "Identifier": "47018NED",
            }
        ],
        "DataProperties": crime_properties(measure),
        "SoortMisdrijf": [
            {"Key": "0.0.0 ", "Title": "Totaal misdrijven", "Description": None},
            {
                "Key": "1.2.3 ",
                "Title": "1.2.3 Diefstal van brom-, snor-, fietsen",
                "Description": None,
            },
            {"Key": "2.6.10", "Title": "2.6.10 Bestrijdingsmiddelen", "Description": None},
        ],
        "WijkenEnBuurten": [
            {"Key": "NL00      ", "Title": "Nederland"},
            {"Key": "GM0164    ", "Title": "Hengelo"},
            {"Key": "WK016400  ", "Title": "Wijk 00 Binnenstad"},
            {"Key": "BU01640000", "Title": "Binnenstad-Centrum"},
        ],
        "Perioden": [{"Key": "2021JJ00", "Title": "2021", "Status": "Definitief"}],
    }
    # As CBS serves it, every area and period of the data rows is in its dimension: add the
    # (well-formed) ones the pages use beyond the defaults above.
    data = [r for page in pages for r in page]
    known = {d["Key"].strip() for d in sets["WijkenEnBuurten"]}
    for key in dict.fromkeys(r.get("WijkenEnBuurten") for r in data):
        if isinstance(key, str) and AREA_CODE_RE.match(key.strip()) and key.strip() not in known:
            known.add(key.strip())
            sets["WijkenEnBuurten"].append({"Key": key.strip().ljust(10), "Title": key.strip()})
    for key in sorted({r.get("Perioden") for r in data if isinstance(r.get("Perioden"), str)}):
        if key != "2021JJ00":
            sets["Perioden"].append({"Key": key, "Title": key[:4], "Status": "Definitief"})
    for name, rows in sets.items():
        (table_dir / f"{name}.json").write_text(json.dumps(odata_doc("47018NED", name, rows)))
    for number, rows in enumerate(pages, start=1):
        nxt = "https://example.invalid/next" if number < len(pages) else None
        (table_dir / f"TypedDataSet-{number:04d}.json").write_text(
            json.dumps(odata_doc("47018NED", "TypedDataSet", rows, nxt))
        )
    return table_dir
