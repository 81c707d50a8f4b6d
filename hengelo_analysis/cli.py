"""Command line: ``hengelo-analysis {fetch,clean,run,publish,report}`` (also ``python -m hengelo_analysis``).

Exit 0 on success. An expected failure (bad parameter, bad input file, failing notebook) prints one
line on stderr naming the file, column or row at fault and exits 1; ``--debug`` shows the traceback.

Start-up is kept lean: this module imports only the standard library and small project modules, and
each stage imports pandas, papermill or nbconvert only when it has work to do (see ``stamps``), so
``report`` on an up-to-date tree takes a fraction of a second.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
from pathlib import Path

from hengelo_analysis import __version__, stamps
from hengelo_analysis.errors import AnalysisError, ParameterError
from hengelo_analysis.paths import REFERENCE_DIR, SOURCES, Layout

log = logging.getLogger("hengelo_analysis")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


# The same pattern as areas.GEMEENTE_RE, repeated here so parsing options does not import pandas.
GEMEENTE_RE = re.compile(r"^GM\d{4}$")
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


def gemeente_years(layout: Layout, gemeenten: list[str]) -> dict[str, list[int]]:
    """Years with data per gemeente; remembered per hash of crime.parquet so a warm run skips pandas."""
    known = {g: stamps.remembered_years(layout.processed_dir, g) for g in gemeenten}
    missing = [g for g, years in known.items() if years is None]
    if missing:
        from hengelo_analysis.processed import available_years, load_crime

        crime = load_crime(layout.data_dir, layout.source)
        found = {g: available_years(crime, g) for g in missing}
        stamps.remember_years(layout.processed_dir, found)
        known.update(found)
    return known


def resolve_peiljaar(
    layout: Layout, gemeente: str, requested: int | None, years: list[int] | None = None
) -> int:
    """The requested peiljaar if the data have it, else the latest year; refuse years outside the data."""
    if years is None:
        years = gemeente_years(layout, [gemeente])[gemeente]
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

    if len(args.gemeenten) > 1:
        # A fetch keeps the wijk/buurt rows of one gemeente; a second would replace the first.
        raise ParameterError(
            f"fetch downloads the data of one gemeente at a time; got {', '.join(args.gemeenten)}"
        )
    result = fetch_real(layout.raw_dir, args.gemeente, refresh=getattr(args, "refresh", False))
    # The first-run checks go to stdout: they are the command's result, not log noise.
    sys.stdout.write("Check on this fetch (data-sources.md §8):\n")
    for line in result.checks:
        sys.stdout.write(f"  {line}\n")


def cmd_clean(args, layout: Layout) -> None:
    if stamps.clean_is_current(layout.raw_dir, layout.processed_dir):
        # Same raw bytes, same code: cleaning again would write the very same tables.
        log.info("processed tables up to date with %s; nothing to clean", layout.raw_dir)
        return
    from hengelo_analysis.clean import run_clean

    result = run_clean(layout)
    for warning in result.warnings:
        log.warning(warning)
    for name, df in result.tables.items():
        suffix = ".gpkg" if name == "areas" else ".parquet"
        log.info("%s: %d rows → %s", name, len(df), layout.processed_dir / f"{name}{suffix}")


def all_run_parameters(args, layout: Layout) -> list:
    """One parameter set per requested gemeente, each with its own default peiljaar."""
    from hengelo_analysis.run import RunParameters

    years = gemeente_years(layout, args.gemeenten)
    return [
        RunParameters(
            gemeente=gemeente,
            peiljaar=resolve_peiljaar(layout, gemeente, args.peiljaar, years[gemeente]),
            source=layout.source,
            data_dir=str(layout.data_dir),
            rate_unit=args.rate_unit,
        )
        for gemeente in args.gemeenten
    ]


def run_parameters(args, layout: Layout):
    return all_run_parameters(args, layout)[0]


def cmd_run(args, layout: Layout, runs: list | None = None) -> list:
    from hengelo_analysis.run import run_editions

    runs = all_run_parameters(args, layout) if runs is None else runs
    executed = run_editions(layout, runs)
    for params in runs:
        log.info(
            "executed %d notebooks for %s %d",
            len(executed[params.gemeente]),
            params.gemeente,
            params.peiljaar,
        )
    return runs


def findings_file(layout: Layout, gemeente: str, peiljaar: int) -> Path | None:
    """Where a placed ``findings.json`` is (the same places as ``publish.current_findings_file``)."""
    edition = layout.edition_dir(gemeente, peiljaar)
    for path in (
        edition / "notebooks" / "findings.json",
        layout.processed_dir / f"findings_{gemeente}_{peiljaar}.json",
    ):
        if path.exists():
            return path
    return None


def publish_edition(layout: Layout, gemeente: str, peiljaar: int, exporter: list) -> Path:
    """Publish one edition unless the pages it would produce are already there.

    ``exporter`` is a one-item cache so that several gemeenten share one nbconvert exporter.
    """
    from hengelo_analysis.provenance import git_commit

    edition = layout.edition_dir(gemeente, peiljaar)
    key = stamps.publish_key(
        layout.processed_dir,
        edition,
        findings_file(layout, gemeente, peiljaar),
        {"gemeente": gemeente, "peiljaar": peiljaar, "source": layout.source},
        git_commit(),
    )
    if stamps.publish_is_current(edition, key):
        log.info("report up to date: %s", edition / "index.html")
        return edition
    from hengelo_analysis.publish import make_exporter, publish

    if not exporter:
        exporter.append(make_exporter())
    edition = publish(layout, gemeente, peiljaar, exporter=exporter[0])
    stamps.write_publish_stamp(edition, key)
    log.info("report: %s", edition / "index.html")
    return edition


def cmd_publish(args, layout: Layout, runs: list | None = None) -> None:
    if runs is None:
        years = gemeente_years(layout, args.gemeenten)
        targets = [
            (g, resolve_peiljaar(layout, g, args.peiljaar, years[g])) for g in args.gemeenten
        ]
    else:
        targets = [(p.gemeente, p.peiljaar) for p in runs]
    exporter: list = []
    for gemeente, peiljaar in targets:
        publish_edition(layout, gemeente, peiljaar, exporter)


def real_cache_missing(layout: Layout) -> bool:
    """True when the real raw tree lacks the police table (nothing fetched yet)."""
    return not (layout.raw_dir / "47018NED").is_dir()


def cmd_report(args, layout: Layout) -> None:
    if layout.source == "real" and (getattr(args, "refresh", False) or real_cache_missing(layout)):
        cmd_fetch(args, layout)
    cmd_clean(args, layout)
    runs = cmd_run(args, layout)
    cmd_publish(args, layout, runs)


COMMANDS = {
    "fetch": cmd_fetch,
    "clean": cmd_clean,
    "run": cmd_run,
    "publish": cmd_publish,
    "report": cmd_report,
}


def main(argv: list[str] | None = None) -> int:
    # jsonschema (imported by nbformat) builds 38 grammars of the optional rfc3987_syntax at import,
    # about 1 s; nbformat's schema has no IRI formats, so the report does not need them.
    sys.modules.setdefault("rfc3987_syntax", None)
    parser = build_parser()
    args = parser.parse_args(argv)
    # --gemeente may be given several times, each a code, a list or an alias: flatten, keep order.
    args.gemeenten = list(
        dict.fromkeys(c for v in (args.gemeenten or [[DEFAULT_GEMEENTE]]) for c in v)
    )
    args.gemeente = args.gemeenten[0]
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
