"""The notebook runner: cache reuse and invalidation, failures, timeouts and secrets."""

import json

import nbformat
import pandas as pd
import pytest

from hengelo_analysis.errors import NotebookError, ParameterError
from hengelo_analysis.paths import Layout
from hengelo_analysis.pipeline.run import RunParameters, run_notebooks
from hengelo_analysis.pipeline.stamps import cached_key_of, run_notebooks_dir


def make_notebook(path, code: str, inputs=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "hengelo-analysis",
        "display_name": "x",
        "language": "python",
    }
    if inputs is not None:
        nb.metadata["hengelo"] = {"inputs": inputs}
    params = nbformat.v4.new_code_cell(
        'gemeente = "GM0164"\npeiljaar = 2024\nsource = "demo"\ndata_dir = "."\nrate_unit = 1000'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def setup(tmp_path):
    layout = Layout(tmp_path / "data", tmp_path / "reports", "demo")
    layout.processed_dir.mkdir(parents=True)
    pd.DataFrame({"x": [1, 2]}).to_parquet(layout.processed_dir / "crime.parquet")
    pd.DataFrame({"y": [3]}).to_parquet(layout.processed_dir / "survey.parquet")
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    reader = (
        "import pandas as pd, pathlib, time\n"
        "df = pd.read_parquet(pathlib.Path(data_dir) / 'processed' / source / 'crime.parquet')\n"
        "print('sum', int(df.x.sum()), time.time_ns())"
    )
    crime_nb = make_notebook(nbs / "01_crime.ipynb", reader, inputs=["crime"])
    survey_nb = make_notebook(
        nbs / "02_survey.ipynb", "print('survey', __import__('time').time_ns())", inputs=["survey"]
    )
    params = RunParameters("GM0164", 2024, "demo", str(layout.data_dir))
    return layout, [crime_nb, survey_nb], params


def _stdout(path):
    nb = json.loads(path.read_text())
    texts = [o.get("text", "") for c in nb["cells"] for o in c.get("outputs", [])]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


@pytest.mark.slow
def test_rerun_reuses_and_changed_input_reruns_only_its_readers(setup):
    layout, notebooks, params = setup
    out = run_notebooks_dir(layout.edition_dir("GM0164", 2024))
    run_notebooks(layout, params, notebooks)
    first = {p.name: _stdout(p) for p in out.glob("*.ipynb")}
    assert "sum 3" in first["01_crime.ipynb"]
    assert cached_key_of(out / "01_crime.ipynb")

    run_notebooks(layout, params, notebooks)  # nothing changed: outputs (with timestamps) kept
    assert {p.name: _stdout(p) for p in out.glob("*.ipynb")} == first

    pd.DataFrame({"x": [10, 20]}).to_parquet(layout.processed_dir / "crime.parquet")
    run_notebooks(layout, params, notebooks)
    second = {p.name: _stdout(p) for p in out.glob("*.ipynb")}
    assert "sum 30" in second["01_crime.ipynb"]
    assert second["02_survey.ipynb"] == first["02_survey.ipynb"]  # not rerun


@pytest.mark.slow
def test_cached_result_equals_a_fresh_one(setup, tmp_path):
    layout, notebooks, params = setup
    run_notebooks(layout, params, notebooks[:1])
    run_notebooks(layout, params, notebooks[:1])
    cached = run_notebooks_dir(layout.edition_dir("GM0164", 2024)) / "01_crime.ipynb"
    fresh_layout = Layout(layout.data_dir, tmp_path / "fresh", "demo")
    run_notebooks(fresh_layout, params, notebooks[:1])
    fresh = run_notebooks_dir(fresh_layout.edition_dir("GM0164", 2024)) / "01_crime.ipynb"
    strip = lambda s: s.rsplit(" ", 1)[0]  # noqa: E731 - drop the timestamp the notebook prints
    assert strip(_stdout(cached)) == strip(_stdout(fresh))
    assert cached_key_of(cached) == cached_key_of(fresh)


@pytest.mark.slow
def test_failure_keeps_last_good_edition_and_saves_the_failed_notebook(setup):
    layout, notebooks, params = setup
    run_notebooks(layout, params, notebooks)
    out = run_notebooks_dir(layout.edition_dir("GM0164", 2024))
    before = {p.name: p.read_bytes() for p in out.glob("*.ipynb")}
    make_notebook(notebooks[1], "raise ValueError('kapotte invoer')", inputs=["survey"])
    with pytest.raises(
        NotebookError, match=r"02_survey.ipynb: cell \d+ raised ValueError: kapotte invoer"
    ) as caught:
        run_notebooks(layout, params, notebooks)
    assert {p.name: p.read_bytes() for p in out.glob("*.ipynb")} == before
    failed = out.parent / "failed" / "02_survey.ipynb"
    assert "kapotte invoer" in failed.read_text()
    assert str(caught.value).endswith(f"executed notebook saved as {failed}")
    assert not [p for p in out.parent.iterdir() if "staging" in p.name]


@pytest.mark.slow
def test_hanging_cell_is_ended_by_the_cell_timeout(setup, monkeypatch):
    layout, notebooks, params = setup
    monkeypatch.setenv("HENGELO_CELL_TIMEOUT", "2")
    make_notebook(notebooks[0], "import time\ntime.sleep(120)", inputs=["crime"])
    with pytest.raises(NotebookError, match="01_crime.ipynb: .*(Timeout|timed out)") as caught:
        run_notebooks(layout, params, notebooks[:1])
    assert "time.sleep(120)" in str(caught.value)  # nbclient's message shows the hanging cell
    # papermill saves a notebook when a cell raised, not when one was stopped: none is promised
    failed = run_notebooks_dir(layout.edition_dir("GM0164", 2024)).parent / "failed"
    assert not (failed / "01_crime.ipynb").exists()
    assert "saved as" not in str(caught.value)


@pytest.mark.slow
def test_a_timed_out_run_is_not_reported_with_an_earlier_runs_saved_notebook(setup, monkeypatch):
    """failed/ is emptied only by a success: a timeout after a failure must not point at the
    first failure's notebook as if it were the one that hung (review of ea4786b)."""
    layout, notebooks, params = setup
    make_notebook(notebooks[0], "raise ValueError('first failure')", inputs=["crime"])
    with pytest.raises(NotebookError, match="saved as"):
        run_notebooks(layout, params, notebooks[:1])
    monkeypatch.setenv("HENGELO_CELL_TIMEOUT", "2")
    make_notebook(notebooks[0], "import time\ntime.sleep(120)", inputs=["crime"])
    with pytest.raises(NotebookError, match="Timeout|timed out") as caught:
        run_notebooks(layout, params, notebooks[:1])
    assert "saved as" not in str(caught.value)
    failed = run_notebooks_dir(layout.edition_dir("GM0164", 2024)).parent / "failed"
    assert not (failed / "01_crime.ipynb").exists()  # the first failure's copy is gone too


def _uses_the_secret(monkeypatch, notebook, line: str) -> None:
    monkeypatch.setenv("HENGELO_SECRET_API_TOKEN", "s3cr3t-value-123")
    make_notebook(notebook, f"from hengelo_analysis import secrets\n{line}", inputs=["crime"])


@pytest.mark.slow
def test_a_secret_in_an_error_message_is_redacted_on_the_command_line(setup, monkeypatch):
    layout, notebooks, params = setup
    _uses_the_secret(
        monkeypatch, notebooks[0], "raise ValueError('tok=' + secrets.get('api_token'))"
    )
    with pytest.raises(NotebookError, match=r"raised ValueError: tok=\*\*\*") as caught:
        run_notebooks(layout, params, notebooks[:1])
    assert "s3cr3t-value-123" not in str(caught.value)


@pytest.mark.slow
def test_secrets_never_reach_the_executed_notebook(setup, monkeypatch):
    layout, notebooks, params = setup
    _uses_the_secret(monkeypatch, notebooks[0], "print('token is', secrets.get('api_token'))")
    run_notebooks(layout, params, notebooks[:1])
    text = (run_notebooks_dir(layout.edition_dir("GM0164", 2024)) / "01_crime.ipynb").read_text()
    assert "s3cr3t-value-123" not in text
    assert "token is ***" in text


def test_secret_looking_parameters_are_refused(setup):
    from hengelo_analysis.pipeline.run import check_parameters

    with pytest.raises(ParameterError, match="HENGELO_SECRET_API_TOKEN"):
        check_parameters({"gemeente": "GM0164", "api_token": "x"})
