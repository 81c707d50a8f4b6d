"""Command line: ``hengelo-analysis {fetch,clean,run,publish,report}`` (also ``python -m hengelo_analysis``).

Exit 0 on success. An expected failure (bad parameter, bad input file, failing notebook) prints one
line on stderr naming the file, column or row at fault and exits 1; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hengelo_analysis import __version__
from hengelo_analysis.areas import GEMEENTE_RE
from hengelo_analysis.errors import AnalysisError, ParameterError
from hengelo_analysis.paths import SOURCES, Layout

log = logging.getLogger("hengelo_analysis")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def gemeente_code(value: str) -> str:
    code = value.strip().upper()
    if not GEMEENTE_RE.match(code):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a CBS gemeente code: expected GM followed by 4 digits, e.g. GM0164"
        )
    return code


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
        type=gemeente_code,
        default="GM0164",
        help="CBS gemeente code (default GM0164, Hengelo)",
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
        default=1000,
        help="rates per this many inhabitants (1000 as CBS; 10000 as Hengelo's reports)",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")

    parser = argparse.ArgumentParser(
        prog="hengelo-analysis",
        description="Reproducible veiligheidsbeeld per gemeente, wijk and buurt from Dutch open data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fetch = sub.add_parser(
        "fetch", parents=[common], help="download the real sources into data/raw/real/"
    )
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="download again even when CBS reports the table unchanged (same Modified)",
    )
    sub.add_parser(
        "clean", parents=[common], help="raw → validated tables in data/processed/<source>/"
    )
    sub.add_parser("run", parents=[common], help="execute the report notebooks with papermill")
    sub.add_parser(
        "publish", parents=[common], help="executed notebooks → HTML pages and index.html"
    )
    report = sub.add_parser(
        "report", parents=[common], help="clean + run + publish (+ fetch for real data)"
    )
    report.add_argument(
        "--refresh", action="store_true", help="with --source real: fetch again before cleaning"
    )
    return parser


def resolve_peiljaar(layout: Layout, gemeente: str, requested: int | None) -> int:
    """The requested peiljaar if the data have it, else the latest year; refuse years outside the data."""
    from hengelo_analysis.processed import available_years, load_crime

    years = available_years(load_crime(layout.data_dir, layout.source), gemeente)
    if not years:
        raise ParameterError(f"no registered crime for {gemeente} in the {layout.source} data")
    if requested is None:
        return years[-1]
    if requested not in years:
        raise ParameterError(
            f"peiljaar {requested} is outside the data for {gemeente}: available {years[0]}-{years[-1]}"
        )
    return requested


def cmd_fetch(args, layout: Layout) -> None:
    if layout.source == "demo":
        log.info("the demo data are embedded in data/raw/demo; nothing to fetch")
        return
    from hengelo_analysis.fetch import fetch_real

    result = fetch_real(layout.raw_dir, args.gemeente, refresh=getattr(args, "refresh", False))
    # The first-run checks go to stdout: they are the command's result, not log noise.
    sys.stdout.write("Check on this fetch (data-sources.md §8):\n")
    for line in result.checks:
        sys.stdout.write(f"  {line}\n")


def cmd_clean(args, layout: Layout) -> None:
    from hengelo_analysis.clean import run_clean

    result = run_clean(layout)
    for warning in result.warnings:
        log.warning(warning)
    for name, df in result.tables.items():
        suffix = ".gpkg" if name == "areas" else ".parquet"
        log.info("%s: %d rows → %s", name, len(df), layout.processed_dir / f"{name}{suffix}")


def run_parameters(args, layout: Layout):
    from hengelo_analysis.run import RunParameters

    peiljaar = resolve_peiljaar(layout, args.gemeente, args.peiljaar)
    return RunParameters(
        gemeente=args.gemeente,
        peiljaar=peiljaar,
        source=layout.source,
        data_dir=str(layout.data_dir),
        rate_unit=args.rate_unit,
    )


def cmd_run(args, layout: Layout) -> None:
    from hengelo_analysis.run import run_notebooks

    params = run_parameters(args, layout)
    executed = run_notebooks(layout, params)
    log.info("executed %d notebooks for %s %d", len(executed), params.gemeente, params.peiljaar)


def cmd_publish(args, layout: Layout) -> None:
    from hengelo_analysis.publish import publish

    peiljaar = resolve_peiljaar(layout, args.gemeente, args.peiljaar)
    edition = publish(layout, args.gemeente, peiljaar)
    log.info("report: %s", edition / "index.html")


def real_cache_missing(layout: Layout) -> bool:
    """True when the real raw tree lacks the police table (nothing fetched yet)."""
    return not (layout.raw_dir / "47018NED").is_dir()


def cmd_report(args, layout: Layout) -> None:
    if layout.source == "real" and (getattr(args, "refresh", False) or real_cache_missing(layout)):
        cmd_fetch(args, layout)
    cmd_clean(args, layout)
    cmd_run(args, layout)
    cmd_publish(args, layout)


COMMANDS = {
    "fetch": cmd_fetch,
    "clean": cmd_clean,
    "run": cmd_run,
    "publish": cmd_publish,
    "report": cmd_report,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if not args.debug:
        # papermill logs every notebook's paths at INFO; our own log lines say what matters.
        logging.getLogger("papermill").setLevel(logging.WARNING)
    layout = Layout(data_dir=args.data_dir, reports_dir=args.reports_dir, source=args.source)
    try:
        COMMANDS[args.command](args, layout)
    except AnalysisError as exc:
        if args.debug:
            raise
        sys.stderr.write(f"hengelo-analysis {args.command}: error: {exc}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        sys.stderr.write(
            f"hengelo-analysis {args.command}: interrupted; no partial output was kept\n"
        )
        return EXIT_INTERRUPTED
    return EXIT_OK
