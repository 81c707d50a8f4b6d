"""Project hygiene: dependency lists in sync, notebooks clean, CI calls the README's test command."""

import json
import re
import tomllib

import yaml

from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.run import NOTEBOOK_NAME_RE, report_notebooks


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        _name(d): d.replace(" ", "")
        for d in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert conda == wanted


def test_notebooks_are_clean_and_parameterised():
    notebooks = report_notebooks()
    assert notebooks, "no report notebooks"
    for path in notebooks:
        assert NOTEBOOK_NAME_RE.match(path.name)
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
            path.name
        )
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
        params = "".join(tagged[0]["source"])
        for name in ("gemeente", "peiljaar", "source", "data_dir", "rate_unit"):
            assert re.search(rf"^{name}\b", params, re.M), f"{path.name}: parameter {name} missing"
        assert nb["metadata"]["kernelspec"]["name"] == "hengelo-analysis"


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make report" in readme
    assert "-eq 5" in ci  # pytest's "no tests collected" must fail CI


def test_makefile_is_self_documenting():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in ("setup", "report", "test", "lint", "help"):
        assert re.search(rf"^{target}:.*## ", makefile, re.M), target
