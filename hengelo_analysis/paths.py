"""Where things live. Every path is absolute: papermill runs kernels in another working directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
PROJECT_ROOT = PACKAGE_DIR.parent
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"

SOURCES = ("demo", "real")


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
