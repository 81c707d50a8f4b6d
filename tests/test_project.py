"""Project hygiene: dependency lists in sync, notebooks clean, CI calls the README's test command."""

import json
import os
import re
import subprocess
import tomllib

import yaml

from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.pipeline.run import NOTEBOOK_NAME_RE, report_notebooks

# conda-forge names that differ from PyPI's: the lean builds without Qt and pandoc, the
# conda-forge spelling of the Jupyter packages, and the Playwright bindings.
CONDA_NAMES = {
    "matplotlib-base": "matplotlib",
    "nbconvert-core": "nbconvert",
    "jupyter_client": "jupyter-client",
    "jupyter_core": "jupyter-core",
    "playwright-python": "playwright",
}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _specs(specs, names=None) -> dict[str, str]:
    """``{pypi name: specifier}`` of requirement strings, conda names mapped through ``names``."""
    out = {}
    for spec in specs:
        name = re.split(r"[<>=!~ ]", spec.strip(), maxsplit=1)[0]
        pypi = (names or {}).get(name, name)
        out[_name(pypi)] = spec.replace(" ", "")[len(name) :]
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = _specs(project["dependencies"] + extras["lab"] + extras["dev"])
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = _specs([d for d in env["dependencies"] if isinstance(d, str)], CONDA_NAMES)
    conda.pop("python"), conda.pop("pip")
    # Packages conda-forge lacks go in the pip: section; "-e ." is the project itself.
    pip = [d for e in env["dependencies"] if isinstance(e, dict) for d in e.get("pip", [])]
    listed = conda | _specs(d for d in pip if not d.startswith("-"))
    assert "phstatsmethods" in listed  # the pip: section is read, not skipped
    assert "matplotlib" in listed and "playwright" in listed  # the name map is applied
    assert listed == wanted
    assert "-e ." in pip


def test_the_conda_route_registers_the_notebooks_kernel():
    # An editable install leaves the wheel's kernel spec out, so both routes say how to register it.
    register = "ipykernel install --sys-prefix --name hengelo-analysis"
    assert register in (PROJECT_ROOT / "environment.yml").read_text()
    assert register in (PROJECT_ROOT / "README.md").read_text()
    kernel = json.loads(
        (PROJECT_ROOT / "share/jupyter/kernels/hengelo-analysis/kernel.json").read_text()
    )
    assert kernel["argv"][:3] == ["python", "-m", "ipykernel_launcher"]


def test_jupyterlab_is_an_extra_not_a_dependency():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert "jupyterlab" not in _specs(project["dependencies"])
    assert "jupyterlab" in _specs(project["optional-dependencies"]["lab"])
    # make setup installs requirements/lock.txt, which make lock resolves with both extras
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "--extra lab --extra dev -o $(LOCK_FILE)" in makefile
    assert "jupyterlab==" in (PROJECT_ROOT / "requirements" / "lock.txt").read_text()


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
    for target in ("setup", "report", "test", "test-lowest", "lint", "lab", "help"):
        assert re.search(rf"^{target}:.*## ", makefile, re.M), target


def make_dry_run(target: str) -> str:
    """The recipe of ``target`` as make would run it here (``-n``), continuation lines joined;
    ``-o``: without setting up .venv first."""
    return subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", target],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")


def test_make_lab_builds_the_data_the_notebooks_open_on_and_runs_as_root():
    dry = make_dry_run("lab")
    steps = [
        line for line in dry.splitlines() if "hengelo-analysis " in line or "jupyter lab" in line
    ]
    assert [s.split()[1] for s in steps] == ["clean", "findings", "lab"]
    # the findings document is the one a notebook opened unchanged reads (its parameters cell)
    nb = json.loads((PROJECT_ROOT / "notebooks" / "01_veiligheidsbeeld.ipynb").read_text())
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    defaults = dict(re.findall(r"^(\w+): \w+ = \"?(\w+)\"?", "".join(params["source"]), re.M))
    findings = steps[1].split()
    assert findings[findings.index("--rate-unit") + 1] == defaults["rate_unit"]
    assert findings[findings.index("--gemeente") + 1] == defaults["gemeente"]
    assert findings[findings.index("--source") + 1] == defaults["source"]
    # Jupyter refuses to start as root without --allow-root (the usual container)
    lab = next(line for line in dry.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in lab) == (os.getuid() == 0)
