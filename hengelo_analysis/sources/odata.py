"""CBS OData v3 documents on disk: ``raw/<source>/<TABLE_ID>/<EntitySet>[-NNNN].json``.

A table folder holds the JSON documents exactly as the API returns them (``{"odata.metadata": ...,
"value": [...], "odata.nextLink": ...}``); a large entity set is split over numbered pages
(``TypedDataSet-0001.json``, ``TypedDataSet-0002.json``, ...). An analyst may also save a single
unpaged ``TypedDataSet.json`` by hand; both are read the same way.

Non-standard JSON constants (``NaN``, ``Infinity``) are read as :class:`NonFinite` markers, not
floats: a float NaN would pass for ``null`` (not published) in every later step, so the readers'
number checks (``sources.checks``) refuse the marker with the file, column and row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hengelo_analysis.errors import DataError
from hengelo_analysis.sources import rawfiles

TABLE_ID_RE = re.compile(r"^\d{5}[A-Z]{3}$")
PAGE_RE = re.compile(r"^(?P<name>[A-Za-z]+)(?:-(?P<page>\d{4}))?\.json$")


class NonFinite:
    """A ``NaN``/``Infinity``/``-Infinity`` constant found in a document (never a number)."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal

    def __repr__(self) -> str:
        return self.literal


def discover_tables(raw_dir: Path) -> dict[str, Path]:
    """Map table id to folder for every OData table folder under ``raw_dir``."""
    if not rawfiles.directory(raw_dir):
        return {}
    return {
        p.name: p
        for p in sorted(raw_dir.iterdir())
        if TABLE_ID_RE.match(p.name) and rawfiles.directory(p)
    }


def entity_set_files(table_dir: Path, name: str) -> list[Path]:
    """The files holding entity set ``name``, in page order (pipes and the like skipped)."""
    files = []
    for p in table_dir.iterdir():
        m = PAGE_RE.match(p.name)
        if m and m.group("name") == name and rawfiles.regular_file(p):
            files.append((int(m.group("page") or 0), p))
    return [p for _, p in sorted(files)]


def read_document(path: Path) -> dict:
    """Parse one OData JSON document, failing with the file name on truncated or foreign JSON."""
    try:
        doc = json.loads(rawfiles.read_bytes(path), parse_constant=NonFinite)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except UnicodeDecodeError as exc:
        raise DataError(path, "not UTF-8 text") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise DataError(path, 'not an OData v3 JSON document (no "value" list)')
    return doc


def read_entity_set(table_dir: Path, name: str, *, required: bool = True) -> list[dict]:
    """All rows of entity set ``name`` in ``table_dir`` (pages concatenated).

    A row that is not a JSON object is a :class:`DataError` naming the file and row.
    """
    files = entity_set_files(table_dir, name)
    if not files:
        if required:
            raise DataError(table_dir / f"{name}.json", "entity set missing from the table folder")
        return []
    rows: list[dict] = []
    for path in files:
        page = read_document(path)["value"]
        # Checked here once, so no reader meets a bare 7 where it expects {"Key": ...}.
        for number, row in enumerate(page, start=1):
            if not isinstance(row, dict):
                raise DataError(path, f"{name} row is not a JSON object: {row!r}", row=number)
        rows.extend(page)
    return rows


def dump_document(doc: dict) -> bytes:
    """Serialise a document deterministically, compact as the API sends it."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def envelope(metadata_url: str, rows: list[dict], next_link: str | None = None) -> dict:
    doc: dict = {"odata.metadata": metadata_url, "value": rows}
    if next_link is not None:
        doc["odata.nextLink"] = next_link
    return doc
