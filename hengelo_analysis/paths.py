"""Where things live. Every path is absolute: papermill runs kernels in another working directory.

The report notebooks and the demo raw tree live in the repository at ``notebooks/`` and
``data/raw/demo/``. A wheel has no repository beside it, so the build (``setup.py``) copies both
into ``hengelo_analysis/_bundle/``. A source checkout (pyproject.toml beside the package: a clone,
an unpacked sdist, an editable install) uses its own folders; an installed package its bundle.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.errors import DataError

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
PROJECT_ROOT = PACKAGE_DIR.parent
BUNDLE_DIR = PACKAGE_DIR / "_bundle"

SOURCES = ("demo", "real")


def checkout_root(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The source checkout holding the package, or None when it runs from an installed wheel.

    In site-packages the folder above the package is shared with every other installed package,
    so a stray ``notebooks/`` there must not count: only a folder with the project's own
    pyproject.toml is a checkout.
    """
    root = package_dir.parent
    return root if (root / "pyproject.toml").is_file() else None


def checkout_or_bundle(in_checkout: str, in_bundle: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """``<checkout>/<in_checkout>`` when the checkout has it, else ``<package>/_bundle/<in_bundle>``."""
    root = checkout_root(package_dir)
    if root is not None and (root / in_checkout).is_dir():
        return root / in_checkout
    return package_dir / "_bundle" / in_bundle


NOTEBOOK_DIR = checkout_or_bundle("notebooks", "notebooks")
DEMO_RAW_DIR = checkout_or_bundle("data/raw/demo", "demo")
# The commit the wheel was built from (setup.py writes it); a checkout asks git instead.
BUILD_COMMIT_FILE = BUNDLE_DIR / "commit.txt"


@dataclass(frozen=True)
class Layout:
    """The data and report tree for one source (``demo`` or ``real``)."""

    data_dir: Path
    reports_dir: Path
    source: str = "demo"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())
        object.__setattr__(self, "reports_dir", Path(self.reports_dir).expanduser().resolve())

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw" / self.source

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed" / self.source

    def edition_dir(self, gemeente: str, peiljaar: int) -> Path:
        """The published edition: ``reports/<source>/<gemeente>/<peiljaar>/``."""
        return self.reports_dir / self.source / gemeente / str(peiljaar)

    def gemeente_reports_dir(self, gemeente: str) -> Path:
        return self.reports_dir / self.source / gemeente


FINDINGS_DIR = "findings"  # under processed/<source>/: the findings stage's documents


def findings_file(processed_dir: Path, gemeente: str, peiljaar: int, rate_unit: int) -> Path:
    """Where the findings stage writes, and the notebooks read, one edition's ``findings.json``.

    Beside the processed tables (the notebooks already know ``data_dir`` and ``source``), in a
    sub-folder so it is not mistaken for a processed table; one file per gemeente, peiljaar and
    rate unit, because each of them changes the verdicts.
    """
    return Path(processed_dir) / FINDINGS_DIR / f"{gemeente}_{int(peiljaar)}_{int(rate_unit)}.json"


# The shipped claim files (generic.toml for a gemeente without its own) and gemeente configurations.
CLAIM_FILES_DIR = PACKAGE_DIR / "analysis" / "claims" / "files"
GENERIC_CLAIM_FILE = CLAIM_FILES_DIR / "generic.toml"
GEMEENTEN_DIR = PACKAGE_DIR / "gemeenten"


def _check_absent(path: Path) -> None:
    """Refuse a ``path`` that ``exists()`` calls absent but is there: a broken or looping symlink.

    Copying over it would fail half-way (``Not a directory``) and leave a staging copy behind.
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:  # a loop or a file higher up the path
        raise DataError(path, f"cannot be reached ({exc.strerror}); fix or remove it") from None
    raise DataError(
        path, "a symlink that leads nowhere (a loop or a missing target); fix or remove it"
    )


def provide_demo_raw(layout: Layout, demo_raw_dir: Path = DEMO_RAW_DIR) -> bool:
    """Copy the shipped demo raw tree to ``layout.raw_dir`` when the demo source has none there.

    This is what lets an installed ``hengelo-analysis report`` run from any folder: the default
    ``./data`` starts empty and gets the demo tree on first use. An existing tree is never
    touched (it may be a regenerated or edited one). The copy is swapped in whole, so an
    interrupted copy leaves no half tree for ``clean`` to read. Returns True when it copied.
    """
    if layout.source != "demo" or layout.raw_dir.exists():
        return False
    _check_absent(layout.raw_dir)
    if not demo_raw_dir.is_dir():
        raise DataError(demo_raw_dir, "no demo raw data here: this install does not ship them")
    with atomic.staged_directory(layout.raw_dir) as staging:
        shutil.copytree(demo_raw_dir, staging, dirs_exist_ok=True)
    return True
