"""Provenance for the report: git commit, package versions, parameters, source tables."""

from __future__ import annotations

import subprocess
from importlib import metadata

from hengelo_analysis.paths import PROJECT_ROOT

PACKAGES = (
    "hengelo_analysis",
    "pandas",
    "geopandas",
    "matplotlib",
    "scipy",
    "statsmodels",
    "pandera",
    "papermill",
    "nbconvert",
)


def git_commit() -> str:
    """The commit of the code that built the report (``+dirty`` when the tree has changes)."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    return sha + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "niet geïnstalleerd"
    return versions
