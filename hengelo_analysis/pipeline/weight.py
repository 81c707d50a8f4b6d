"""Page weight: what a reader downloads of an edition, against the budgets the issue sets.

The HTML pages are what a council member opens on a phone, so their total is a hard limit; the
PDF, the downloads and the executed notebooks have budgets of their own that are reported (and
logged when exceeded) but do not stop a publication: real data can be larger than the demo.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hengelo_analysis.pipeline.downloads import DOWNLOAD_DIR, WORKBOOK_NAME
from hengelo_analysis.pipeline.export import PublishError

log = logging.getLogger(__name__)

BUDGETS = {  # bytes
    "html": 3_000_000,  # every .html page of the edition together
    "pdf": 8_000_000,
    "downloads": 1_000_000,  # the CSV files and the workbook
    "notebooks": 3_000_000,
}


def edition_weights(edition: Path) -> dict[str, int]:
    """Bytes per part of an edition: ``html``, ``pdf``, ``downloads``, ``notebooks``."""

    def total(paths) -> int:
        return sum(p.stat().st_size for p in paths if p.is_file())

    return {
        "html": total(edition.glob("*.html")),
        "pdf": total(edition.glob("*.pdf")),
        "downloads": total((edition / DOWNLOAD_DIR).glob("*")) + total([edition / WORKBOOK_NAME]),
        "notebooks": total((edition / "notebooks").glob("*.ipynb")),
    }


def check_edition(edition: Path, budgets: dict[str, int] = BUDGETS) -> dict[str, int]:
    """Raise ``PublishError`` if the HTML pages are over budget; log the other parts' overruns."""
    weights = edition_weights(edition)
    for part, size in weights.items():
        if size <= budgets[part]:
            continue
        message = f"{edition.name}: {part} {size / 1e6:.2f} MB is over {budgets[part] / 1e6:.1f} MB"
        if part == "html":
            raise PublishError(message + "; use fewer or smaller figures")
        log.warning(message)
    return weights
