"""Build step: ship the report notebooks and the demo raw tree inside the wheel.

The repository keeps them at ``notebooks/`` and ``data/raw/demo/`` (the layout the design fixes),
outside the package, where package data cannot reach. ``build_py`` copies both into
``hengelo_analysis/_bundle/`` of the build, with the git commit of the tree it was built from, so
an installed CLI has the notebooks, the demo data and its provenance (see ``paths.py``). An
editable install gets no bundle: it runs from the checkout, which has the folders themselves.
All other metadata is in pyproject.toml.
"""

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"notebooks": ROOT / "notebooks", "demo": ROOT / "data" / "raw" / "demo"}
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".*")


def git_commit() -> str | None:
    """``<sha>`` or ``<sha>+dirty`` of the tree being built; None outside git (an sdist)."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return sha + ("+dirty" if dirty else "") if sha else None


class BuildPyWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        bundle = Path(self.build_lib) / "hengelo_analysis" / "_bundle"
        # A reused build/ folder must not keep notebooks or files removed since the last build.
        shutil.rmtree(bundle, ignore_errors=True)
        for name, source in BUNDLED.items():
            if not source.is_dir():
                raise FileNotFoundError(f"{source} is missing: the wheel would ship without it")
            shutil.copytree(source, bundle / name, ignore=IGNORE)
        commit = git_commit()
        if commit:
            (bundle / "commit.txt").write_text(commit + "\n", encoding="utf-8")


setup(cmdclass={"build_py": BuildPyWithBundle})
