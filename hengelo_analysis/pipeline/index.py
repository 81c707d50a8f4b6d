"""Rendering the index pages: an edition's ``index.html``, its changes page and the editions list."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

from hengelo_analysis import atomic
from hengelo_analysis.paths import TEMPLATE_DIR, Layout
from hengelo_analysis.pipeline.compare import KEY_FIGURES_FILE, read_json_or_none
from hengelo_analysis.pipeline.context import PageContext
from hengelo_analysis.pipeline.export import check_page


@functools.cache
def _jinja_env() -> jinja2.Environment:
    from hengelo_analysis.formatting import format_number

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    env.filters["nl"] = lambda v, decimals=0: format_number(v, decimals)
    env.filters["nl_signed"] = lambda v, decimals=0: (
        ("+" if isinstance(v, int | float) and v > 0 else "") + format_number(v, decimals)
    )
    return env


def render_index(context: PageContext) -> str:
    return _jinja_env().get_template("index_page.html.j2").render(h=context)


def render_static(context: PageContext, template: str, **facts) -> str:
    """A page of the edition made from the context and ``facts`` (colofon, toegankelijkheid,
    verantwoording: the last one reads the method facts as ``v``)."""
    return _jinja_env().get_template(template).render(h=context, **facts)


def render_changes(context: PageContext, comparison: dict) -> str:
    """The changes page; ``comparison`` holds what ``publish.render_pages`` gathers for it."""
    return _jinja_env().get_template("changes_page.html.j2").render(h=context, c=comparison)


def write_editions_index(layout: Layout, gemeente: str, context: PageContext) -> Path:
    """``reports/<source>/<gemeente>/index.html``: every published edition, newest first.

    The folder is what the refresh workflow deploys to GitHub Pages, so it needs an entry page.
    """
    root = layout.gemeente_reports_dir(gemeente)
    editions = []
    for directory in sorted(root.iterdir(), reverse=True):
        if re.fullmatch(r"\d{4}", directory.name) and (directory / "index.html").exists():
            key = read_json_or_none(directory / KEY_FIGURES_FILE) or {}
            editions.append(
                {
                    "peiljaar": int(directory.name),
                    "built_at": key.get("built_at", "onbekend"),
                    "href": f"{directory.name}/index.html",
                }
            )
    html = (
        _jinja_env()
        .get_template("editions_page.html.j2")
        .render(
            gemeente=gemeente,
            gemeente_name=context.gemeente_name,
            synthetic=context.synthetic,
            source_label=context.source_label,
            css=context.css,
            editions=editions,
        )
    )
    check_page(html, str(root / "index.html"))
    atomic.write_text(root / "index.html", html)
    return root / "index.html"
