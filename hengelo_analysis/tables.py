"""Accessible HTML tables for the notebooks: caption, ``<th scope="col">``, Dutch numbers, no index.

pandas' own HTML (``to_html``, ``Styler``) has no ``scope`` on header cells, prints the index and
leaves number formatting to the caller; this helper does all three and escapes every cell, so a
buurt name can never inject markup into the published page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import pandas as pd

from hengelo_analysis.formatting import NOT_PUBLISHED, format_number

YEAR_NAMES = ("jaar", "year")


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
    ) -> None:
        if not caption or not caption.strip():
            raise ValueError("every table needs a caption")
        self.data = data
        self.caption = caption
        self.formats = dict(formats or {})
        self.row_headers = row_headers

    def cells(self) -> list[list[str]]:
        """The formatted (unescaped) cell texts, row by row."""
        fmts = [_formatter(c, self.data[c], self.formats) for c in self.data.columns]
        return [
            [fmt(v) for fmt, v in zip(fmts, row, strict=True)]
            for row in self.data.itertuples(index=False, name=None)
        ]

    def to_html(self) -> str:
        numeric = [
            pd.api.types.is_numeric_dtype(self.data[c]) and not _is_year_column(c)
            for c in self.data.columns
        ]
        lines = ['<table class="hv-table">', f"<caption>{html.escape(self.caption)}</caption>"]
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
        lines += ["</tbody>", "</table>"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_html()


def html_table(
    data: pd.DataFrame, caption: str, *, formats: Mapping | None = None, row_headers: bool = False
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
    """
    return Table(data, caption, formats=formats, row_headers=row_headers)


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
