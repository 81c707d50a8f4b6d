"""Downloads of an edition: every table as CSV (linked under it) and one workbook (XLSX).

The notebooks show tables with ``pages.tables.html_table``, whose output carries a record of the
table *as shown* (``TABLE_MARK`` in the output metadata). The downloads are made from that record,
never from the data behind it, so disclosure control applies to them as it does to the page: a
suppressed count is ``<5`` or ``x`` on the page and an empty cell with its status here.

Machine-readable cells: Dutch numbers (``1.234,5``) become ``1234.5``; ``n.b.``, ``<5``, ``x``
and other texts in a numeric column (``niet getoond (< 100 inwoners)``) become an empty cell, with
the reason in a status column ``<kolom> (status)`` at the end of the row. Headers stay Dutch.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat

from hengelo_analysis.formatting import NOT_PUBLISHED
from hengelo_analysis.pages.tables import TABLE_MARK

DOWNLOAD_DIR = "downloads"
WORKBOOK_NAME = "tabellen.xlsx"
# A Dutch number as formatting.format_number writes it: '.' groups thousands, ',' is decimal.
NUMBER_RE = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
SMALL_RE = re.compile(r"^<\s?(\d+)$")
EXPLANATIONS = ("afgeschermd", "niet ")  # "niet getoond (< 100 inwoners)", "niet gepubliceerd"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: same bytes each build


def cell_value(text: str) -> tuple[str | None, str]:
    """``(machine-readable number or None, status)`` of one shown cell.

    >>> cell_value("1.234,5")
    ('1234.5', 'gepubliceerd')
    >>> cell_value("<5")
    (None, 'afgeschermd: kleiner dan 5')
    """
    text = text.strip()
    if NUMBER_RE.match(text):
        return text.replace(".", "").replace(",", "."), "gepubliceerd"
    if text == NOT_PUBLISHED:
        return None, "niet gepubliceerd"
    small = SMALL_RE.match(text)
    if small:
        return None, f"afgeschermd: kleiner dan {small.group(1)}"
    if text == "x":
        return None, "afgeschermd om een ander klein aantal te beschermen"
    return None, text


def _is_sign(text: str) -> bool:
    """n.b., <5, x, or a page's words for a number it does not show."""
    return (
        text in (NOT_PUBLISHED, "x") or bool(SMALL_RE.match(text)) or text.startswith(EXPLANATIONS)
    )


def _numeric_columns(record: dict) -> list[bool]:
    """Columns that hold numbers: more numbers than other texts (besides n.b., <5 and x).

    A number column may carry a few words where the page explains a missing number
    ("afgeschermd", "niet getoond (< 100 inwoners)"); those become empty cells with a status.
    """
    flags = []
    for j, _ in enumerate(record["columns"]):
        texts = [row[j].strip() for row in record["cells"]]
        numbers = sum(bool(NUMBER_RE.match(t)) for t in texts)
        signs = sum(_is_sign(t) for t in texts)
        flags.append(numbers > 0 and numbers > len(texts) - numbers - signs)
    return flags


def table_rows(record: dict) -> list[list]:
    """Header row and data rows of the download: numbers machine-readable, status columns last.

    A data cell is a ``str`` (text or number as text, ``.`` decimal) or ``None`` (empty).
    """
    numeric = _numeric_columns(record)
    rows, statuses = [], []
    for row in record["cells"]:
        values, status = [], []
        for text, is_number in zip(row, numeric, strict=True):
            value, state = cell_value(text)
            if value is not None and is_number:
                values.append(value)
                status.append("gepubliceerd")
            elif is_number or (value is None and state != text.strip()):  # n.b., <5, x, ...
                values.append(None)
                status.append(state)
            else:
                values.append(text)
                status.append("gepubliceerd")
        rows.append(values)
        statuses.append(status)
    flagged = [j for j in range(len(numeric)) if any(s[j] != "gepubliceerd" for s in statuses)]
    header = [*record["columns"], *(f"{record['columns'][j]} (status)" for j in flagged)]
    body = [[*values, *(s[j] for j in flagged)] for values, s in zip(rows, statuses, strict=True)]
    return [header, *body]


def table_records(nb: nbformat.NotebookNode, stem: str) -> list[dict]:
    """Every table record in an executed notebook, in page order, each with its file name."""
    records = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(TABLE_MARK)
            if record:
                number = len(records) + 1
                records.append(
                    {**record, "page": stem, "name": f"{stem}_tabel{number:02d}", "number": number}
                )
    return records


def has_tables(executed: list[Path]) -> bool:
    """Whether any executed notebook shows a recorded table (so the edition gets a workbook)."""
    return any(TABLE_MARK.encode() in path.read_bytes() for path in executed)


def link_tables(nb: nbformat.NotebookNode, stem: str) -> None:
    """Add the CSV link under each recorded table of ``nb`` (in memory, before export)."""
    records = iter(table_records(nb, stem))
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get(TABLE_MARK) and "text/html" in output.get("data", {}):
                record = next(records)
                link = (
                    f'<p class="hv-download"><a href="{DOWNLOAD_DIR}/{record["name"]}.csv">'
                    f"Download deze tabel (csv)"
                    f'<span class="hv-sr">: {html.escape(record["caption"])}</span></a></p>'
                )
                text = output["data"]["text/html"]
                output["data"]["text/html"] = (
                    "".join(text) if isinstance(text, list) else text
                ) + ("\n" + link)


def csv_text(record: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in table_rows(record):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def _xlsx_value(value: str | None):
    """A number cell as a number in the workbook (``"1234"`` → 1234, ``"47.4"`` → 47.4)."""
    if value is not None and re.fullmatch(r"-?\d+", value):
        return int(value)
    if value is not None and re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def workbook_bytes(records: list[dict], title: str, author: str, stamp: datetime) -> bytes:
    """One sheet per table plus a contents sheet; the same inputs give the same bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    contents = wb.active
    contents.title = "Inhoud"
    contents.append(["Werkblad", "Pagina", "Tabel", "CSV-bestand"])
    for record in records:
        sheet_name = f"{record['page'][:2]}-{record['number']}"
        contents.append([sheet_name, record["page"], record["caption"], f"{record['name']}.csv"])
        sheet = wb.create_sheet(sheet_name)
        for row in table_rows(record):
            sheet.append([_xlsx_value(v) for v in row])
    stamp = stamp.replace(tzinfo=None)
    wb.properties.title = title
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a zip with fixed entry times and the ``modified`` date openpyxl sets to now."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_downloads(
    staging: Path, executed: list[Path], title: str, author: str, stamp: datetime
) -> dict:
    """Write ``downloads/*.csv`` and the workbook into ``staging``; return ``{"workbook", "tables"}``.

    ``workbook`` is "" when no notebook shows a table (no empty workbook is published).
    """
    records = []
    for path in executed:
        records += table_records(nbformat.read(path, as_version=4), path.stem)
    if not records:
        return {"workbook": "", "tables": 0}
    folder = staging / DOWNLOAD_DIR
    folder.mkdir(exist_ok=True)
    for record in records:
        (folder / f"{record['name']}.csv").write_text(csv_text(record), encoding="utf-8")
    (staging / WORKBOOK_NAME).write_bytes(workbook_bytes(records, title, author, stamp))
    return {"workbook": WORKBOOK_NAME, "tables": len(records)}
