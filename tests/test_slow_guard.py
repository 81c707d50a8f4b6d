"""The ``slow`` guard of tests/conftest.py: a test that starts a notebook kernel must be marked slow.

Runs pytest on two probe tests that each execute a one-cell notebook with the real runner, one
marked ``slow`` and one not, under this suite's conftest hooks.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hengelo_analysis.paths import PROJECT_ROOT

PROBE = """
import nbformat
import pytest

from hengelo_analysis.pipeline.execute import execute_notebook
from hengelo_analysis.pipeline.kernels import ensure_kernel


def run_tiny_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "hengelo-analysis", "display_name": "x", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, tmp_path / "probe.ipynb")
    execute_notebook(tmp_path / "probe.ipynb", tmp_path / "out.ipynb", {}, ensure_kernel(), "k")
    assert "42" in (tmp_path / "out.ipynb").read_text()


def test_unmarked_runs_a_notebook(tmp_path):
    run_tiny_notebook(tmp_path)


@pytest.mark.slow
def test_marked_runs_a_notebook(tmp_path):
    run_tiny_notebook(tmp_path)


def test_unmarked_without_notebook():
    assert True
"""


@pytest.mark.slow
def test_a_kernel_started_without_the_slow_mark_fails_the_test(tmp_path):
    probe = tmp_path / "probe"
    probe.mkdir()
    # The suite's hooks, as they are: the probe folder lies outside tests/.
    (probe / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (probe / "test_probe.py").write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(probe)])}
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(probe), "-rf"],
        cwd=probe,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "1 failed, 2 passed" in out, out
    assert (
        "test_probe.py::test_unmarked_runs_a_notebook started 1 notebook kernel(s) (a report build) "
        "without the `slow` mark"
    ) in out
    assert "FAILED test_probe.py::test_unmarked_runs_a_notebook" in out
    # Both kernels were counted; neither ran a report notebook, so no report build.
    assert "notebook kernels: 2 (0 report notebooks); report builds: 0" in out
