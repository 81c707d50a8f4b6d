"""Accessible HTML tables for the notebooks: caption, ``<th scope="col">``, Dutch numbers, no index.

pandas' own HTML (``to_html``, ``Styler``) has no ``scope`` on header cells, prints the index and
leaves number formatting to the caller; this helper does all three and escapes every cell, so a
buurt name can never inject markup into the published page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from hengelo_analysis.formatting import NOT_PUBLISHED, format_number

YEAR_NAMES = ("jaar", "year")
TABLE_MARK = "hengelo_table"  # output metadata key of a table's download record


def _is_year_column(name) -> bool:
    return str(name).strip().lower().endswith(YEAR_NAMES)


def _formatter(name, series: pd.Series, formats: Mapping) -> Callable[[object], str]:
    spec = formats.get(name)
    if callable(spec):
        return spec
    if isinstance(spec, int):
        return lambda v: format_number(v, spec)
    if _is_year_column(name):
        # 2024, not 2.024
        return lambda v: NOT_PUBLISHED if pd.isna(v) else str(int(v))
    if pd.api.types.is_bool_dtype(series):
        return lambda v: NOT_PUBLISHED if pd.isna(v) else ("ja" if v else "nee")
    if pd.api.types.is_integer_dtype(series):
        return lambda v: format_number(v, 0)
    if pd.api.types.is_float_dtype(series):
        return lambda v: format_number(v, 1)
    return lambda v: (
        NOT_PUBLISHED if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
    )


class Table:
    """An HTML table that notebooks ``display()``; ``to_html()`` gives the markup."""

    def __init__(
        self,
        data: pd.DataFrame,
        caption: str,
        *,
        formats: Mapping | None = None,
        row_headers: bool = False,
        download_only: Sequence[str] = (),
    ) -> None:
        if not caption or not caption.strip():
            raise ValueError("every table needs a caption")
        # Columns for the downloads only (area codes: machine-readable for reuse, jargon on the
        # page); they follow the shown columns, so a download starts with what the page shows.
        self.download_only = [c for c in data.columns if c in set(download_only)]
        self.data = data[[c for c in data.columns if c not in self.download_only]]
        self.extra = data[self.download_only]
        self.caption = caption
        self.formats = dict(formats or {})
        self.row_headers = row_headers

    def cells(self, frame: pd.DataFrame | None = None) -> list[list[str]]:
        """The formatted (unescaped) cell texts of the shown columns (or ``frame``), by row."""
        frame = self.data if frame is None else frame
        fmts = [_formatter(c, frame[c], self.formats) for c in frame.columns]
        return [
            [fmt(v) for fmt, v in zip(fmts, row, strict=True)]
            for row in frame.itertuples(index=False, name=None)
        ]

    def to_html(self) -> str:
        numeric = [
            pd.api.types.is_numeric_dtype(self.data[c]) and not _is_year_column(c)
            for c in self.data.columns
        ]
        # A wide table scrolls inside its own box on a phone (the page never scrolls sideways); a
        # scrollable region must be focusable and named to be usable from the keyboard.
        caption = html.escape(self.caption)
        lines = [
            f'<div class="hv-table-wrap" role="region" aria-label="{caption}" tabindex="0">',
            '<table class="hv-table">',
            f"<caption>{caption}</caption>",
        ]
        num_class = ' class="hv-num"'
        head = "".join(
            f'<th scope="col"{num_class if num else ""}>{html.escape(str(c))}</th>'
            for c, num in zip(self.data.columns, numeric, strict=True)
        )
        lines += ["<thead>", f"<tr>{head}</tr>", "</thead>", "<tbody>"]
        for row in self.cells():
            cells = []
            for j, (text, num) in enumerate(zip(row, numeric, strict=True)):
                cls = ' class="hv-num"' if num else ""
                if j == 0 and self.row_headers:
                    cells.append(f'<th scope="row"{cls}>{html.escape(text)}</th>')
                else:
                    cells.append(f"<td{cls}>{html.escape(text)}</td>")
            lines.append(f"<tr>{''.join(cells)}</tr>")
        lines += ["</tbody>", "</table>", "</div>"]
        return "\n".join(lines)

    def record(self) -> dict:
        """What ``publish`` needs for the downloads: caption, headers and the cells as shown.

        The cells are the displayed texts, so a download holds exactly what the page shows and
        nothing that disclosure control hid (a suppressed count is ``<5`` here, never its value).
        """
        extra = (
            self.cells(self.extra) if self.download_only else [[] for _ in range(len(self.data))]
        )
        return {
            "caption": self.caption,
            "columns": [str(c) for c in [*self.data.columns, *self.download_only]],
            "cells": [shown + more for shown, more in zip(self.cells(), extra, strict=True)],
        }

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # text/plain of the output: no object address in the notebook
        return f"Tabel: {self.caption}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The record rides in the output metadata, like key_figure's mark.
        return {"text/html": self.to_html()}, {TABLE_MARK: self.record()}


PROVISIONAL = "voorlopig"
FINAL = "definitief"


def with_status(data: pd.DataFrame, provisional) -> pd.DataFrame:
    """``data`` with a "Status" column (voorlopig / definitief) right after its year column.

    Only when one of its years is in ``provisional`` (the source's ``Perioden`` status): a table of
    final years needs no column saying so. A separate column, not "2024 (voorlopig)" in the year
    cell, so the year stays a number in the downloads.
    """
    years = {int(y) for y in provisional or ()}
    year_columns = [c for c in data.columns if _is_year_column(c)]
    if not years or not year_columns or "Status" in data.columns:
        return data
    column = year_columns[0]
    marks = data[column].map(lambda v: PROVISIONAL if pd.notna(v) and int(v) in years else FINAL)
    if not (marks == PROVISIONAL).any():
        return data
    out = data.copy()
    out.insert(out.columns.get_loc(column) + 1, "Status", marks)
    return out


def html_table(
    data: pd.DataFrame,
    caption: str,
    *,
    formats: Mapping | None = None,
    row_headers: bool = False,
    download_only: Sequence[str] = (),
    provisional=None,
) -> Table:
    """Wrap ``data`` for display as an accessible table.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows to show; the index is never shown.
    caption : str
        What the table shows, with units (required).
    formats : mapping, optional
        Per column: number of decimals (int) or a function value → text. Defaults: integers
        ``1.234``, floats ``1.234,5``, columns whose name ends in "jaar"/"year" as plain years,
        missing values as "n.b." (never 0).
    row_headers : bool
        Make the first column ``<th scope="row">``.
    download_only : sequence of str
        Columns written to the CSV and workbook but not shown (area codes).
    provisional : iterable of int, optional
        Provisional years of the source: rows of those years are marked *voorlopig*
        (:func:`with_status`).
    """
    return Table(
        with_status(data, provisional),
        caption,
        formats=formats,
        row_headers=row_headers,
        download_only=download_only,
    )


def escape_markdown(text) -> str:
    """Escape data-derived text for ``IPython.display.Markdown``: no markup, no HTML."""
    escaped = html.escape(str(text), quote=False)
    for ch in "\\`*_{}[]()#+!|~>":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def key_figure(figure_id: str, label: str, value, *, unit: str = "", decimals: int = 0) -> None:
    """Show one key figure as a line of text and mark it for ``key_figures.json``.

    ``publish`` collects these marks from the executed notebooks; the page "wat is er veranderd"
    compares them with the previous edition by ``figure_id``, so keep ids stable across years
    (e.g. ``misdrijven_totaal``, not ``misdrijven_2024``).
    """
    from IPython.display import display

    number = None if value is None or pd.isna(value) else float(value)
    text = f"**{escape_markdown(label)}:** {format_number(number, decimals)}" + (
        f" {escape_markdown(unit)}" if unit else ""
    )
    mark = {"id": figure_id, "label": label, "value": number, "unit": unit, "decimals": decimals}
    display(
        {"text/markdown": text, "text/plain": text},
        raw=True,
        metadata={"hengelo_key_figure": mark},
    )
