"""The package installs honestly: licence and metadata files, and a wheel that runs on its own.

The slow test builds a wheel, installs it (not editable) into a new environment and builds the demo
edition from an empty folder: the installed CLI must find the notebooks and the demo raw tree it
ships, and record the commit the wheel was built from.
"""

import hashlib
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from hengelo_analysis import paths
from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import PROJECT_ROOT, Layout
from hengelo_analysis.pipeline import provenance

# sha256 of licenses/EUPL-1.2.json["licenseText"] in the npm package spdx-license-list 6.12.0
EUPL_SHA256 = "d126070e53a97387b339cc1b4c794e9bc134df061d6cb5ab37cef0bfe986228a"


def _project() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def test_licence_is_the_spdx_eupl_text_and_declared_as_spdx():
    assert hashlib.sha256((PROJECT_ROOT / "LICENSE").read_bytes()).hexdigest() == EUPL_SHA256
    project = _project()["project"]
    # The SPDX string, not the { text = ... } table that setuptools drops in 2027.
    assert project["license"] == "EUPL-1.2"
    assert project["license-files"] == ["LICENSE"]
    requires = _project()["build-system"]["requires"]
    assert any(r.startswith("setuptools>=") and int(r.split(">=")[1]) >= 77 for r in requires)


def test_publiccode_yml_has_what_the_standard_requires():
    code = yaml.safe_load((PROJECT_ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    assert code["publiccodeYmlVersion"] == "0.4"
    for key in ("name", "url", "platforms", "categories", "developmentStatus", "softwareType"):
        assert code[key], key
    assert code["softwareVersion"] == _project()["project"]["version"]
    assert code["legal"]["license"] == "EUPL-1.2"
    assert code["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    assert set(code["localisation"]["availableLanguages"]) == {"nl", "en"}
    for language in ("nl", "en"):
        description = code["description"][language]
        # the standard's limits: a short description of at most 150 characters, a long one of 150+
        assert 0 < len(description["shortDescription"]) <= 150, language
        assert 150 <= len(description["longDescription"]) <= 10000, language
        assert description["features"], language


def test_citation_cff_parses_as_cff_1_2_0():
    cff = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] and cff["authors"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert cff["license"] == "EUPL-1.2"
    assert cff["version"] == _project()["project"]["version"]


def _fake_package(root: Path, *, checkout: bool) -> Path:
    package = root / "hengelo_analysis"
    (package / "_bundle" / "notebooks").mkdir(parents=True)
    (root / "notebooks").mkdir()
    if checkout:
        (root / "pyproject.toml").write_text("[project]\n")
    return package


def test_a_checkout_uses_its_own_notebooks(tmp_path):
    package = _fake_package(tmp_path, checkout=True)
    assert paths.checkout_root(package) == tmp_path
    assert paths.checkout_or_bundle("notebooks", "notebooks", package) == tmp_path / "notebooks"
    # a checkout lacking the folder falls back to the bundle rather than a missing path
    assert (
        paths.checkout_or_bundle("data/raw/demo", "demo", package) == package / "_bundle" / "demo"
    )


def test_an_installed_package_uses_its_bundle_even_beside_a_stray_folder(tmp_path):
    # site-packages: a notebooks/ of some other package beside ours, but no pyproject.toml
    package = _fake_package(tmp_path, checkout=False)
    assert paths.checkout_root(package) is None
    assert paths.checkout_or_bundle("notebooks", "notebooks", package) == (
        package / "_bundle" / "notebooks"
    )


def test_this_checkout_finds_its_notebooks_and_demo_tree():
    assert paths.NOTEBOOK_DIR == PROJECT_ROOT / "notebooks"
    assert paths.DEMO_RAW_DIR == PROJECT_ROOT / "data" / "raw" / "demo"


def test_demo_raw_is_copied_once_and_never_over_an_existing_tree(tmp_path):
    shipped = tmp_path / "shipped"
    (shipped / "47018NED").mkdir(parents=True)
    (shipped / "47018NED" / "TableInfos.json").write_text("{}")
    layout = Layout(data_dir=tmp_path / "data", reports_dir=tmp_path / "reports")
    assert paths.provide_demo_raw(layout, shipped) is True
    copied = layout.raw_dir / "47018NED" / "TableInfos.json"
    assert copied.read_text() == "{}"
    copied.write_text('{"edited": true}')
    assert paths.provide_demo_raw(layout, shipped) is False
    assert copied.read_text() == '{"edited": true}'
    assert [p.name for p in layout.raw_dir.parent.iterdir()] == ["demo"]  # no staging left


def test_demo_raw_is_never_provided_for_the_real_source(tmp_path):
    layout = Layout(data_dir=tmp_path, reports_dir=tmp_path / "r", source="real")
    assert paths.provide_demo_raw(layout, tmp_path) is False
    assert not layout.raw_dir.exists()


def test_a_missing_shipped_demo_tree_is_one_clear_error(tmp_path):
    layout = Layout(data_dir=tmp_path / "data", reports_dir=tmp_path / "r")
    with pytest.raises(DataError, match="does not ship"):
        paths.provide_demo_raw(layout, tmp_path / "absent")
    assert not layout.raw_dir.exists()


def test_an_installed_package_reports_the_commit_it_was_built_from(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "checkout_root", lambda: None)
    monkeypatch.setattr(provenance, "BUILD_COMMIT_FILE", tmp_path / "commit.txt")
    provenance.git_commit.cache_clear()  # asked once per process; here twice on purpose
    assert provenance.git_commit() == "onbekend"
    (tmp_path / "commit.txt").write_text("0123456789ab+dirty\n")
    provenance.git_commit.cache_clear()
    assert provenance.git_commit() == "0123456789ab+dirty"
    provenance.git_commit.cache_clear()


def _venv_seeing_these_packages(venv: Path) -> Path:
    """A new venv whose site-packages also sees this environment's, without its .pth files.

    ``venv --system-site-packages`` would expose the base interpreter, not this (virtual)
    environment, so a plain path line in a .pth file does it instead. Plain paths are not site
    dirs, so this environment's editable install (a .pth finder) does not come along.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "_parent_environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    # Data files those packages installed beside them (nbconvert's templates), but not this
    # environment's kernels: the installed CLI must register and use its own.
    shared = Path(sys.prefix, "share", "jupyter")
    (venv / "share" / "jupyter").mkdir(parents=True, exist_ok=True)
    for entry in shared.iterdir() if shared.is_dir() else []:
        if entry.name != "kernels":
            (venv / "share" / "jupyter" / entry.name).symlink_to(entry)
    return python


@pytest.mark.slow
def test_wheel_installs_and_reports_from_an_empty_folder(tmp_path):
    pytest.importorskip("pip", reason="building the wheel needs pip in this environment")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "HENGELO_NOTEBOOK_DIR"}}
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(PROJECT_ROOT)]
        + ["-w", str(wheels)],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    (wheel,) = wheels.glob("hengelo_analysis-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("hengelo_analysis/_bundle/notebooks/")}
    assert shipped == {p.name for p in (PROJECT_ROOT / "notebooks").glob("*.ipynb")}
    assert "hengelo_analysis/_bundle/demo/47018NED/manifest.json" in names

    venv = tmp_path / "venv"
    python = _venv_seeing_these_packages(venv)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    where = subprocess.run(
        [python, "-c", "import hengelo_analysis; print(hengelo_analysis.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    kernel = venv / "share" / "jupyter" / "kernels" / "hengelo-analysis" / "kernel.json"
    assert kernel.is_file()  # the install registers the notebooks' kernel

    elsewhere = tmp_path / "analyst"
    elsewhere.mkdir()
    result = subprocess.run(
        [venv / "bin" / "hengelo-analysis", "report"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (elsewhere / "data" / "raw" / "demo" / "47018NED" / "manifest.json").is_file()
    (index,) = (elsewhere / "reports" / "demo" / "GM0164").glob("*/index.html")
    pages = {p.name for p in index.parent.glob("*.html")}
    assert {f"{p.stem}.html" for p in (PROJECT_ROOT / "notebooks").glob("*.ipynb")} <= pages
    # provenance: the commit the wheel was built from (from its bundle), not this checkout's git
    commit = zipfile.ZipFile(wheel).read("hengelo_analysis/_bundle/commit.txt").decode().strip()
    assert commit.split("+")[0] == provenance.git_commit().split("+")[0]
    assert commit in index.read_text(encoding="utf-8")


def test_fetch_demo_places_the_shipped_demo_tree_in_the_data_dir(tmp_path):
    from hengelo_analysis import cli

    data = tmp_path / "data"
    assert cli.main(["fetch", "--source", "demo", "--data-dir", str(data)]) == 0
    copied = sorted(p.relative_to(data / "raw" / "demo") for p in data.glob("raw/demo/**/*"))
    assert copied == sorted(
        p.relative_to(paths.DEMO_RAW_DIR) for p in paths.DEMO_RAW_DIR.rglob("*")
    )
