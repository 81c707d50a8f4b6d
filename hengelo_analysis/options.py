"""The command line's options: ``--gemeente`` (codes, lists, region aliases), ``--peiljaar``,
``--rate-unit`` and the rest, checked while parsing so a bad value is refused before any stage runs.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from hengelo_analysis import __version__
from hengelo_analysis.domain import GEMEENTE_RE
from hengelo_analysis.paths import REFERENCE_DIR, SOURCES

DEFAULT_GEMEENTE = "GM0164"
REGION_ALIASES = {"twente": "twente_gemeenten.csv"}


def gemeente_code(value: str) -> str:
    code = value.strip().upper()
    if not GEMEENTE_RE.match(code):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a CBS gemeente code: expected GM followed by 4 digits, e.g. GM0164"
        )
    return code


def region_gemeenten(alias: str) -> list[str]:
    """The gemeente codes of a region alias (``twente``: reference/twente_gemeenten.csv)."""
    with open(REFERENCE_DIR / REGION_ALIASES[alias], encoding="utf-8", newline="") as fh:
        return [row["gemeentecode"].strip() for row in csv.DictReader(fh)]


def gemeente_codes(value: str) -> list[str]:
    """One ``--gemeente`` value: a code, comma-separated codes, or a region alias (``twente``)."""
    codes: list[str] = []
    for part in value.split(","):
        if part.strip().lower() in REGION_ALIASES:
            codes.extend(region_gemeenten(part.strip().lower()))
        elif part.strip():
            codes.append(gemeente_code(part))
    if not codes:
        raise argparse.ArgumentTypeError(f"{value!r} names no gemeente")
    return codes


def year(value: str) -> int:
    if not value.isdigit() or len(value) != 4:
        raise argparse.ArgumentTypeError(f"{value!r} is not a year (e.g. 2024)")
    return int(value)


def rate_unit(value: str) -> int:
    if value not in {"1000", "10000", "100000"}:
        raise argparse.ArgumentTypeError("rate unit must be 1000, 10000 or 100000")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--gemeente",
        dest="gemeenten",
        type=gemeente_codes,
        action="append",
        default=None,
        help="CBS gemeente code (default GM0164, Hengelo); run/publish/report take several "
        "(comma-separated or repeated) and the alias 'twente' (the 14 Twente gemeenten)",
    )
    common.add_argument(
        "--peiljaar",
        type=year,
        default=None,
        help="reporting year (default: the latest year in the data)",
    )
    common.add_argument(
        "--source",
        choices=SOURCES,
        default="demo",
        help="demo (synthetic, embedded, offline) or real (CBS/politie/PDOK + supplied files)",
    )
    common.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="folder holding raw/ and processed/ (default ./data)",
    )
    common.add_argument(
        "--reports-dir",
        type=Path,
        default=Path("reports"),
        help="folder for published reports (default ./reports)",
    )
    common.add_argument(
        "--rate-unit",
        type=rate_unit,
        default=None,
        help="rates per this many inhabitants (default: the gemeente's configuration, else 1000 "
        "as CBS; Hengelo's configuration says 10000, as its own reports)",
    )
    common.add_argument(
        "--config",
        type=Path,
        default=None,
        help="the gemeente's configuration (TOML: claim file, colofon, peers, rate unit); "
        "default hengelo_analysis/gemeenten/<GMxxxx>.toml, else defaults and the generic claims",
    )
    common.add_argument(
        "--claims",
        type=Path,
        default=None,
        help="claim file to judge (TOML), in place of the one the configuration names",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")

    parser = argparse.ArgumentParser(
        prog="hengelo-analysis",
        description="Reproducible veiligheidsbeeld per gemeente, wijk and buurt from Dutch open data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fetch = sub.add_parser(
        "fetch",
        parents=[common],
        help="download the real sources into data/raw/real/ (demo: copy the shipped demo data)",
    )
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="download again even when CBS reports the table unchanged (same Modified)",
    )
    sub.add_parser(
        "clean", parents=[common], help="raw → validated tables in data/processed/<source>/"
    )
    sub.add_parser(
        "findings",
        parents=[common],
        help="judge every claim once per edition → processed/<source>/findings/*.json",
    )
    sub.add_parser(
        "run", parents=[common], help="execute the report notebooks with papermill (+ findings)"
    )
    sub.add_parser(
        "publish", parents=[common], help="executed notebooks → HTML pages and index.html"
    )
    report = sub.add_parser(
        "report",
        parents=[common],
        help="clean + findings + run + publish (+ fetch for real data)",
    )
    report.add_argument(
        "--refresh", action="store_true", help="with --source real: fetch again before cleaning"
    )
    return parser
