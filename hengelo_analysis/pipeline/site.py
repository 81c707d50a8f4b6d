"""Assemble the published site from the editions of one source: every gemeente, every peiljaar.

The refresh workflow restores the earlier site from its branch into ``reports/real/``, builds the
new editions beside them, and then calls :func:`assemble_site`, which copies every edition into a
fresh site folder, writes one entry page across gemeenten and makes everything world-readable
(GitHub Pages refuses a site artifact with files it cannot read: ``deployment_perms_error``).

Run as ``python -m hengelo_analysis.pipeline.site REPORTS_DIR SITE_DIR``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from hengelo_analysis import atomic
from hengelo_analysis.paths import TEMPLATE_DIR

FILE_MODE = 0o644
DIR_MODE = 0o755
GEMEENTE_DIR_RE = re.compile(r"^GM\d{4}$")
YEAR_DIR_RE = re.compile(r"^\d{4}$")
TITLE_RE = re.compile(r"<title>Veiligheidsbeeld (.+?): alle edities</title>", re.S)
# Written by the pipeline for its own bookkeeping; never part of the public site.
PRIVATE_NAMES = {".publish_stamp.json", ".hengelo-lock", "failed"}


@dataclass(frozen=True)
class GemeenteEntry:
    code: str
    name: str
    peiljaren: tuple[int, ...]  # newest first


def make_world_readable(root: Path) -> None:
    """Files 0644, folders 0755 under ``root`` (and ``root`` itself), symlinks left alone."""
    root.chmod(DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(DIR_MODE)
        for name in filenames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(FILE_MODE)


def permission_problems(root: Path) -> list[str]:
    """Paths under ``root`` that are not 0644 (files) / 0755 (folders): what Pages would refuse."""
    problems = []
    for path in [root, *sorted(root.rglob("*"))]:
        if path.is_symlink():
            problems.append(f"{path.relative_to(root)}: symlink")
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        want = DIR_MODE if path.is_dir() else FILE_MODE
        if mode != want:
            problems.append(f"{path.relative_to(root) or '.'}: {oct(mode)} instead of {oct(want)}")
    return problems


def gemeente_name(gemeente_dir: Path) -> str:
    """The gemeente's name as its editions page shows it (the code only when no page exists)."""
    page = gemeente_dir / "index.html"
    if page.exists():
        match = TITLE_RE.search(page.read_text(encoding="utf-8"))
        if match:
            return html.unescape(match.group(1))
    return gemeente_dir.name


def editions(reports_dir: Path) -> list[GemeenteEntry]:
    """Every gemeente folder with at least one edition (a peiljaar folder with an index.html)."""
    found = []
    for gemeente_dir in sorted(p for p in reports_dir.iterdir() if p.is_dir()):
        if not GEMEENTE_DIR_RE.match(gemeente_dir.name):
            continue
        years = sorted(
            (
                int(p.name)
                for p in gemeente_dir.iterdir()
                if p.is_dir() and YEAR_DIR_RE.match(p.name) and (p / "index.html").exists()
            ),
            reverse=True,
        )
        if years:
            found.append(
                GemeenteEntry(gemeente_dir.name, gemeente_name(gemeente_dir), tuple(years))
            )
    return found


def _copy_public(source: Path, target: Path) -> None:
    shutil.copytree(
        source,
        target,
        ignore=lambda _dir, names: [n for n in names if n in PRIVATE_NAMES],
        symlinks=False,
    )


def render_site_index(entries: list[GemeenteEntry], synthetic: bool) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, keep_trailing_newline=True
    )
    css = (TEMPLATE_DIR / "hv.css").read_text(encoding="utf-8")
    return env.get_template("site_index.html.j2").render(
        entries=entries, synthetic=synthetic, css=css
    )


def assemble_site(
    reports_dir: Path, site_dir: Path, synthetic: bool = False
) -> list[GemeenteEntry]:
    """Copy every edition under ``reports_dir`` into a new ``site_dir`` with one entry page.

    ``site_dir`` is built beside its final place and swapped in whole, so a failure leaves the
    previous site folder as it was.
    """
    reports_dir, site_dir = reports_dir.resolve(), site_dir.resolve()
    entries = editions(reports_dir) if reports_dir.is_dir() else []
    if not entries:
        raise SystemExit(f"assemble-site: no edition found under {reports_dir}")
    with atomic.staged_directory(site_dir) as staging:
        for entry in entries:
            _copy_public(reports_dir / entry.code, staging / entry.code)
        (staging / "index.html").write_text(render_site_index(entries, synthetic), encoding="utf-8")
        (staging / ".nojekyll").write_text("", encoding="utf-8")  # serve files as they are
        make_world_readable(staging)
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hengelo_analysis.pipeline.site")
    parser.add_argument(
        "reports_dir", type=Path, help="reports/<source>/ holding GMxxxx/<peiljaar>/"
    )
    parser.add_argument("site_dir", type=Path, help="the site folder to (re)build")
    parser.add_argument("--synthetic", action="store_true", help="label the entry page synthetic")
    args = parser.parse_args(argv)
    entries = assemble_site(args.reports_dir, args.site_dir, args.synthetic)
    count = sum(len(e.peiljaren) for e in entries)
    print(f"site: {len(entries)} gemeente(n), {count} edities → {args.site_dir}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
