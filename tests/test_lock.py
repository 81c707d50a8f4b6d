"""The locked environment: `make setup` installs exactly the lock, CI and the refresh the CI lock.

``requirements/lock.txt`` (lab + dev extras) and ``requirements/ci.lock.txt`` (dev only) are
written by ``make lock`` (uv, universal, hashed). The freeze test compares the running environment
with the lock it was installed from; it skips in an environment made otherwise, except where
``HENGELO_REQUIRE_LOCKED`` is set (``.ci/run`` sets it), so in CI it always runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from hengelo_analysis.pipeline import provenance

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
CI_LOCK = ROOT / "requirements" / "ci.lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def entries(lock: Path) -> list[tuple[str, str, str | None]]:
    """``(normalised name, version, marker or None)`` of every pin of a uv lock (a universal lock
    pins some packages twice, e.g. numpy for Python < 3.12 and >= 3.12)."""
    out = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = PIN.match(line)
        if m:
            out.append((canonicalize_name(m[1]), m[2], m[3]))
    return out


def pins_here(lock: Path) -> dict[str, str]:
    """``{name: version}`` that pip installs from ``lock`` on this interpreter (markers hold)."""
    out = {}
    for name, version, marker in entries(lock):
        if marker is None or Marker(marker).evaluate():
            assert name not in out, f"{name} pinned twice for this interpreter"
            out[name] = version
    return out


def test_pip_freeze_equals_the_lock():
    record = provenance.environment_lock()
    if record["file"] is None:
        if os.environ.get("HENGELO_REQUIRE_LOCKED"):
            pytest.fail(f"{sys.prefix} was not set up from a lock (`make setup` records it)")
        pytest.skip(f"{sys.prefix} was not set up from a lock (run `make setup`)")
    lock = ROOT / record["file"]
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    assert digest == record["sha256"], f"{record['file']} changed since `make setup`: run it again"
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {}
    for line in freeze.splitlines():
        name, _, version = line.partition("==")
        installed[canonicalize_name(name)] = version
    installed.pop("pip")  # the venv's own installer, not part of the environment's packages
    assert installed == pins_here(lock)


def test_the_ci_lock_is_the_full_lock_without_the_lab_extra():
    full = {(n, v) for n, v, _ in entries(LOCK)}
    ci = {(n, v) for n, v, _ in entries(CI_LOCK)}
    names = {n for n, _ in ci}
    assert "jupyterlab" in {n for n, _ in full} and "jupyterlab" not in names
    assert {"pytest", "pandas", "setuptools"} <= names
    # made with -c lock.txt: whatever both install is pinned at the same version
    assert ci <= full


def test_the_locks_pin_every_declared_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    build = project["build-system"]["requires"]
    declared = [*project["project"]["dependencies"], *extras["dev"], *build]
    for lock, wanted in ((LOCK, [*declared, *extras["lab"]]), (CI_LOCK, declared)):
        pinned: dict[str, list[str]] = {}
        for name, version, _ in entries(lock):
            pinned.setdefault(name, []).append(version)
        for spec in wanted:
            req = Requirement(spec)
            versions = pinned.get(canonicalize_name(req.name))
            assert versions, f"{req.name} missing from {lock.name}"
            assert all(req.specifier.contains(v, prereleases=True) for v in versions), spec
        # --require-hashes refuses the whole file if one pin has no hash
        blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8"))
        unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
        assert unhashed == [], f"pins without a hash in {lock.name}"
        assert len([b for b in blocks if "==" in b]) == len(entries(lock))


def test_the_build_backend_in_the_lock_is_the_one_pyproject_names():
    # setup installs the project with --no-build-isolation: the locked setuptools builds it
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    build_in = (ROOT / "requirements" / "build.in").read_text().splitlines()
    assert [line for line in build_in if line and not line.startswith("#")] == requires


def test_setup_ci_and_the_refresh_install_from_the_locks():
    makefile = (ROOT / "Makefile").read_text()
    assert (
        "LOCKFILE ?= $(LOCK_FILE)" in makefile and "LOCK_FILE := requirements/lock.txt" in makefile
    )
    assert "pip install --quiet --require-hashes --only-binary :all: -r $(LOCKFILE)" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile
    assert "--universal --generate-hashes" in makefile  # make lock
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert "export LOCKFILE=requirements/ci.lock.txt" in ci_run
    assert "export HENGELO_REQUIRE_LOCKED=1" in ci_run
    # .venv-lowest is resolved at the lowest versions, not from the lock: no freeze check there
    assert "env -u HENGELO_REQUIRE_LOCKED $(LOWEST)/bin/python -m pytest" in makefile
    workflows = ROOT / ".github" / "workflows"
    refresh = yaml.safe_load((workflows / "refresh.yml").read_text())["jobs"]["refresh"]["steps"]
    assert "make setup LOCKFILE=requirements/ci.lock.txt" in [s.get("run") for s in refresh]
    ci = yaml.safe_load((workflows / "ci.yml").read_text())["jobs"]["test"]["steps"]
    for steps in (refresh, ci):
        python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
        assert python["with"]["cache"] == "pip"
        assert python["with"]["cache-dependency-path"] == "requirements/ci.lock.txt"


def test_the_environment_lock_record(tmp_path):
    assert provenance.environment_lock(tmp_path) == provenance.NO_LOCK
    record = tmp_path / provenance.LOCK_RECORD
    digest = "ab" * 32
    record.write_text(json.dumps({"file": "requirements/lock.txt", "sha256": digest}))
    assert provenance.environment_lock(tmp_path) == {
        "file": "requirements/lock.txt",
        "sha256": digest,
    }
    # an absolute LOCKFILE would show the builder's folder: the name alone is kept
    record.write_text(json.dumps({"file": "/home/builder/x/ci.lock.txt", "sha256": digest}))
    assert provenance.environment_lock(tmp_path)["file"] == "ci.lock.txt"
    record.write_text(json.dumps({"file": "requirements/lock.txt", "sha256": "not-a-hash"}))
    assert provenance.environment_lock(tmp_path) == provenance.NO_LOCK
    record.write_text("{")
    assert provenance.environment_lock(tmp_path) == provenance.NO_LOCK


def setup_plan(tmp_path: Path, record_lock: str, *make_args: str) -> str:
    """What ``make -n setup`` would do in a copy of the project whose .venv was set up (stamp
    newer than every file) from ``record_lock`` as it is now."""
    for name in ("Makefile", "pyproject.toml", "requirements/lock.txt", "requirements/ci.lock.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    venv = tmp_path / ".venv"
    venv.mkdir()
    digest = hashlib.sha256((tmp_path / record_lock).read_bytes()).hexdigest()
    (venv / provenance.LOCK_RECORD).write_text(
        json.dumps({"file": record_lock, "sha256": digest}) + "\n"
    )
    (venv / ".installed").touch()
    later = (venv / ".installed").stat().st_mtime + 10
    os.utime(venv / ".installed", (later, later))
    return plan_setup(tmp_path, *make_args)


def plan_setup(project: Path, *make_args: str) -> str:
    """``make -n setup`` in ``project`` as a user's shell runs it: CI exports LOCKFILE (and
    ``make test`` hands its own variables down in MAKEFLAGS), which would answer for the
    Makefile's default."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LOCKFILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    return subprocess.run(
        ["make", "-n", "setup", *make_args],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
    ).stdout


def test_setup_rebuilds_when_another_lock_is_asked_for_and_only_then(tmp_path):
    # the environment's lock, unchanged: nothing to do
    assert "venv --clear" not in setup_plan(
        tmp_path / "a", "requirements/ci.lock.txt", "LOCKFILE=requirements/ci.lock.txt"
    )
    # a .venv from the CI lock, then `make setup` (the full lock, as `make lab` tells one to run):
    # the stamp is newer than lock.txt, but the environment is not the one asked for
    assert "venv --clear" in setup_plan(tmp_path / "b", "requirements/ci.lock.txt")
    assert "venv --clear" in setup_plan(
        tmp_path / "c", "requirements/lock.txt", "LOCKFILE=requirements/ci.lock.txt"
    )
    # `make lock` that rewrites the same bytes (newer mtime) needs no new environment
    plan = tmp_path / "d"
    setup_plan(plan, "requirements/lock.txt")
    lock = plan / "requirements" / "lock.txt"
    later = (plan / ".venv" / ".installed").stat().st_mtime + 10
    os.utime(lock, (later, later))
    assert "venv --clear" not in plan_setup(plan)
    # a lock whose bytes changed does
    lock.write_text(lock.read_text() + "\n")
    assert "venv --clear" in plan_setup(plan)
