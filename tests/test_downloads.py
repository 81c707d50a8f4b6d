"""Downloads: every table as CSV and one workbook, made from the table as shown (never from the
data behind it), machine-readable, disclosure-safe and the same bytes on a rebuild."""

from __future__ import annotations

import csv
import datetime as datetime_module
import io
import json
import re
import sys
import zipfile
from datetime import datetime
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from openpyxl import load_workbook

from hengelo_analysis.pages import tables
from hengelo_analysis.pipeline import downloads
from tests.chapter_report import demo_edition, page_tables, raw_crime

RECORD = {
    "caption": "Misdrijven per buurt",
    "columns": ["Buurt", "Code", "Jaar", "Inwoners", "Geregistreerd", "Per 1.000 inwoners"],
    "cells": [
        ["Centrum", "BU01640000", "2024", "1.801", "206", "114,4"],
        ["Park", "BU01640902", "2024", "34", "<5", "afgeschermd"],
        ["Weide", "BU01640903", "2024", "82", "x", "niet getoond (< 100 inwoners)"],
        ["Nieuw", "BU01640999", "2024", "n.b.", "n.b.", "n.b."],
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", ("1234.5", "gepubliceerd")),
        ("-3,25", ("-3.25", "gepubliceerd")),
        ("2024", ("2024", "gepubliceerd")),
        ("12.345.678", ("12345678", "gepubliceerd")),
        ("n.b.", (None, "niet gepubliceerd")),
        ("<5", (None, "afgeschermd: kleiner dan 5")),
        ("x", (None, "afgeschermd om een ander klein aantal te beschermen")),
        ("Binnenstad", (None, "Binnenstad")),
        ("12,3 – 15,6", (None, "12,3 – 15,6")),
    ],
)
def test_cell_value_reads_dutch_numbers_and_the_disclosure_signs(text, expected):
    assert downloads.cell_value(text) == expected


def test_csv_has_numbers_machine_readable_and_hidden_cells_empty_with_their_status():
    rows = list(csv.reader(io.StringIO(downloads.csv_text(RECORD))))
    assert rows[0] == [
        *RECORD["columns"],
        "Inwoners (status)",
        "Geregistreerd (status)",
        "Per 1.000 inwoners (status)",
    ]
    assert rows[1] == [
        "Centrum",
        "BU01640000",
        "2024",
        "1801",
        "206",
        "114.4",
        *["gepubliceerd"] * 3,
    ]
    assert rows[2][4:6] == ["", ""]
    assert rows[2][7:] == ["afgeschermd: kleiner dan 5", "afgeschermd"]
    assert rows[3][4:6] == ["", ""]
    assert rows[3][8] == "niet getoond (< 100 inwoners)"
    assert rows[4][3:6] == ["", "", ""]
    assert rows[4][6] == "niet gepubliceerd"  # n.b. is never 0
    assert "<5" not in downloads.csv_text(RECORD).split("\n", 1)[1].replace("(< 100", "")


def test_a_text_column_keeps_its_text_even_when_it_looks_like_a_number():
    record = {
        "caption": "c",
        "columns": ["Buurt", "Aantal"],
        "cells": [["2024", "3"], ["Oost", "4"]],
    }
    assert downloads.table_rows(record) == [["Buurt", "Aantal"], ["2024", "3"], ["Oost", "4"]]


def test_table_output_carries_its_record_and_the_html_wraps_the_table_for_phones():
    table = tables.html_table(
        pd.DataFrame({"Buurt": ["A"], "Geregistreerd": ["<5"], "Inwoners": [1801]}), "Tabel <b>"
    )
    data, metadata = table._repr_mimebundle_()
    assert metadata[tables.TABLE_MARK] == {
        "caption": "Tabel <b>",
        "columns": ["Buurt", "Geregistreerd", "Inwoners"],
        "cells": [["A", "<5", "1.801"]],
    }
    html = data["text/html"]
    assert html.startswith('<div class="hv-table-wrap" role="region" aria-label="Tabel &lt;b&gt;"')
    assert 'tabindex="0"' in html and html.endswith("</div>")
    assert "object at 0x" not in repr(table)


def _notebook(*records):
    cells = [nbformat.v4.new_code_cell("x")]
    cells[0].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": f"<table>{i}</table>"},
            metadata={tables.TABLE_MARK: r},
        )
        for i, r in enumerate(records)
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_each_table_gets_a_csv_link_named_after_its_page_and_place():
    nb = _notebook(RECORD, {**RECORD, "caption": "Tweede <tabel>"})
    assert [r["name"] for r in downloads.table_records(nb, "09_wijken")] == [
        "09_wijken_tabel01",
        "09_wijken_tabel02",
    ]
    downloads.link_tables(nb, "09_wijken")
    htmls = [o["data"]["text/html"] for o in nb.cells[0].outputs]
    assert 'href="downloads/09_wijken_tabel01.csv"' in htmls[0]
    assert 'href="downloads/09_wijken_tabel02.csv"' in htmls[1]
    assert "Tweede &lt;tabel&gt;" in htmls[1]  # the caption is escaped in the link's name


def test_workbook_is_the_same_bytes_when_built_at_another_time(monkeypatch):
    records = [{**RECORD, "page": "09_wijken", "name": "09_wijken_tabel01", "number": 1}]
    stamp = datetime(2026, 12, 1)
    first = downloads.workbook_bytes(records, "Veiligheidsbeeld", "Gemeente Hengelo", stamp)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 5, 5, 12, 0, 0, tzinfo=tz)

        @classmethod
        def utcnow(cls):
            return datetime(2031, 5, 5, 12, 0, 0)

    # openpyxl stamps ``modified`` with the clock: ``datetime.datetime.now`` in its writer (3.1.3 and
    # newer), ``utcnow`` in ``packaging.core`` (3.1.0). Hand every openpyxl module that holds the
    # ``datetime`` module a copy whose clock is five years on (objects, not dotted strings: pytest
    # versions resolve those apart), so the test holds at the lowest allowed version as well.
    clock = SimpleNamespace(**vars(datetime_module))
    clock.datetime = Later
    patched = [
        name
        for name, module in list(sys.modules.items())
        if name.startswith("openpyxl") and getattr(module, "datetime", None) is datetime_module
    ]
    for name in patched:
        monkeypatch.setattr(sys.modules[name], "datetime", clock)
    assert patched  # else this test would no longer move openpyxl's clock
    monkeypatch.setattr("time.time", lambda: 1_954_000_000.0)
    second = downloads.workbook_bytes(records, "Veiligheidsbeeld", "Gemeente Hengelo", stamp)
    assert first == second
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml").decode()
    assert "2026-12-01T00:00:00Z" in core and "2031" not in core
    sheet = load_workbook(io.BytesIO(first))["09-1"]
    assert [c.value for c in sheet[2]][:6] == ["Centrum", "BU01640000", 2024, 1801, 206, 114.4]
    assert [c.value for c in sheet[3]][4:6] == [None, None]


# --- the demo edition -----------------------------------------------------------------------


def _csv(path):
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def _linked_tables(html: str) -> list[tuple[dict, str]]:
    """Each hv-table of a page with the CSV its download link names (in page order)."""
    import re

    links = re.findall(r'class="hv-download"><a href="(downloads/[^"]+\.csv)"', html)
    shown = [t for t in page_tables(html) if t["caption"]]
    return list(zip(shown[: len(links)], links, strict=True))


@pytest.mark.slow
def test_each_csv_parses_and_equals_the_table_it_is_linked_under():
    _, edition = demo_edition()
    checked = 0
    for page in sorted(edition.glob("[0-9][0-9]_*.html")):
        html = page.read_text(encoding="utf-8")
        assert html.count('class="hv-download"') == html.count('class="hv-table"'), page.name
        for table, link in _linked_tables(html):
            rows = _csv(edition / link)
            header, body = table["rows"][0], table["rows"][1:]
            assert rows[0][: len(header)] == header, link
            assert len(rows) - 1 == len(body), link
            for shown, written in zip(body, rows[1:], strict=True):
                for j, text in enumerate(shown):
                    value = written[j]
                    if value == text == "":  # an empty cell stays empty
                        continue
                    if value == "":  # hidden or not published: the status says why
                        status = written[rows[0].index(f"{header[j]} (status)")]
                        assert status != "gepubliceerd", (link, text)
                    elif value != text:  # a number: the Dutch text, machine-readable
                        assert text.replace(".", "").replace(",", ".") == value, (link, text)
            checked += 1
    assert checked >= 20


def _hidden_buurt_counts() -> dict[str, tuple[int, int, str]]:
    """``{buurt code: (column, true count, name)}`` of the demo's suppressed buurt cells (2024)."""
    _, edition = demo_edition()
    html = (edition / "09_wijken_en_buurten.html").read_text(encoding="utf-8")
    table = next(
        t
        for t in page_tables(html)
        if t["caption"].startswith("Geregistreerde misdrijven per buurt")
    )
    column = table["rows"][0].index("Geregistreerd")
    crime = raw_crime()
    # the page names the buurten; the CSV under the table carries their codes (last column)
    link = re.findall(r'class="hv-download"><a href="(downloads/[^"]+\.csv)"', html)
    rows = next(_csv(edition / p) for p in link if "Buurt" in _csv(edition / p)[0])
    code_column = rows[0].index("Code")
    hidden = {
        row[code_column]: (column, crime[(row[code_column], "0.0.0", 2024)], row[0])
        for row in rows[1:]
        if row[column] == "" and row[rows[0].index("Geregistreerd (status)")] != "gepubliceerd"
    }
    assert hidden, "the demo must have suppressed buurt cells for this test to mean anything"
    return hidden


@pytest.mark.slow
def test_no_suppressed_buurt_value_is_in_any_csv_the_workbook_or_a_published_notebook():
    _, edition = demo_edition()
    hidden = _hidden_buurt_counts()
    for path in sorted((edition / "downloads").glob("*.csv")):
        for row in _csv(path):
            code = next((c for c in row if c in hidden), None)
            if code is not None:
                column, _, _ = hidden[code]
                assert row[column] == "", (path.name, row)
                assert row[column + 1] == "", (path.name, row)  # the rate would give it back
    workbook = load_workbook(edition / "tabellen.xlsx")
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(values_only=True):
            code = next((c for c in row if c in hidden), None)
            if code is not None:
                column, _, _ = hidden[code]
                assert row[column] is None and row[column + 1] is None, (sheet.title, row)
    for path in sorted((edition / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                for mime, text in output.get("data", {}).items():
                    text = "".join(text) if isinstance(text, list) else str(text)
                    for code, (column, value, name) in hidden.items():
                        for line in text.splitlines():
                            if code not in line and f">{name}<" not in line:
                                continue
                            if "<td" in line:  # an HTML table row: the count's own cell
                                cells = page_tables(f"<table><tr>{line}</tr></table>")[0]["rows"][0]
                                assert cells[column] in ("<5", "x"), (path.name, mime, line)
                            else:  # plain text (a DataFrame repr would leak the value)
                                assert f" {value} " not in f" {line} ", (path.name, mime, line)
