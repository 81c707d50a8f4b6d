"""Command line: ``hengelo-analysis {fetch,clean,findings,run,publish,report}`` (also ``python -m
hengelo_analysis``).

Exit 0 on success. An expected failure (bad parameter, bad input file, failing notebook) prints one
line on stderr naming the file, column or row at fault and exits 1; ``--debug`` shows the traceback.

This module only parses arguments and calls the stages (``pipeline.stages``), which decide from their
stamps whether there is work. Start-up is kept lean: this module imports only the standard library
and small project modules, and each stage imports pandas, papermill or nbconvert only when it has
work to do, so ``report`` on an up-to-date tree takes a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import re
import sys
from pathlib import Path

from hengelo_analysis.errors import AnalysisError, ParameterError
from hengelo_analysis.gemeente_config import GemeenteConfig, config_for
from hengelo_analysis.options import DEFAULT_GEMEENTE, build_parser
from hengelo_analysis.paths import Layout, provide_demo_raw
from hengelo_analysis.pipeline import lock, stages, stamps

log = logging.getLogger("hengelo_analysis")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def gemeente_years(layout: Layout, gemeenten: list[str]) -> dict[str, list[int]]:
    """Years with data per gemeente; remembered per hash of crime.parquet so a warm run skips pandas."""
    known = {g: stamps.remembered_years(layout.processed_dir, g) for g in gemeenten}
    missing = [g for g, years in known.items() if years is None]
    if missing:
        from hengelo_analysis.processed.reader import available_years, load_crime

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
        # The demo data ship with the package: "fetching" them is placing them in --data-dir.
        if provide_demo_raw(layout):
            log.info("demo raw data copied to %s", layout.raw_dir)
        else:
            log.info("the demo raw data are in %s; nothing to fetch", layout.raw_dir)
        return
    from hengelo_analysis.sources.fetch import fetch_real

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
    # An installed CLI run in an empty folder has no data/raw/demo yet: the demo needs no download.
    if provide_demo_raw(layout):
        log.info("demo raw data copied to %s", layout.raw_dir)
    stages.clean_stage(layout)


def gemeente_configs(args) -> dict[str, GemeenteConfig]:
    """The checked configuration of every requested gemeente; ``--claims`` replaces its claim file.

    A fault in a configuration (or a missing claim file) is one line naming the file and key.
    """
    if args.config is not None and len(args.gemeenten) > 1:
        raise ParameterError("--config is one gemeente's configuration; give one --gemeente")
    configs = {g: config_for(g, args.config) for g in args.gemeenten}
    if args.claims is not None:
        claims = args.claims.expanduser().resolve()
        if not claims.is_file():
            raise ParameterError(f"--claims {args.claims}: no such file")
        configs = {g: dataclasses.replace(c, claims_file=claims) for g, c in configs.items()}
    return configs


def edition_rate_unit(args, gemeente: str) -> int:
    """``--rate-unit`` if given, else the gemeente's configuration's."""
    return args.rate_unit if args.rate_unit is not None else args.configs[gemeente].rate_unit


def all_run_parameters(args, layout: Layout) -> list:
    """One parameter set per requested gemeente, each with its own default peiljaar."""
    from hengelo_analysis.pipeline.run import RunParameters

    years = gemeente_years(layout, args.gemeenten)
    return [
        RunParameters(
            gemeente=gemeente,
            peiljaar=resolve_peiljaar(layout, gemeente, args.peiljaar, years[gemeente]),
            source=layout.source,
            data_dir=str(layout.data_dir),
            rate_unit=edition_rate_unit(args, gemeente),
        )
        for gemeente in args.gemeenten
    ]


def cmd_findings(args, layout: Layout, runs: list | None = None) -> list:
    runs = all_run_parameters(args, layout) if runs is None else runs
    for p in runs:
        stages.findings_stage(layout, p.gemeente, p.peiljaar, p.rate_unit, args.configs[p.gemeente])
    return runs


def cmd_run(args, layout: Layout, runs: list | None = None) -> list:
    if runs is None:
        # The notebooks read the findings document: judge the claims first (if not yet current).
        runs = cmd_findings(args, layout)
    stages.run_stage(layout, runs)
    return runs


def cmd_publish(args, layout: Layout, runs: list | None = None) -> None:
    if runs is None:
        years = gemeente_years(layout, args.gemeenten)
        targets = [
            (g, resolve_peiljaar(layout, g, args.peiljaar, years[g])) for g in args.gemeenten
        ]
    else:
        targets = [(p.gemeente, p.peiljaar) for p in runs]
    stages.publish_stages(layout, targets)


def real_cache_missing(layout: Layout) -> bool:
    """True when the real raw tree lacks the police table (nothing fetched yet)."""
    # Imported here: domain imports pandas, which a warm demo report must not pay for.
    from hengelo_analysis.domain import POLICE_TABLE

    return not (layout.raw_dir / POLICE_TABLE).is_dir()


def cmd_report(args, layout: Layout) -> None:
    if layout.source == "real" and (getattr(args, "refresh", False) or real_cache_missing(layout)):
        cmd_fetch(args, layout)
    cmd_clean(args, layout)
    runs = cmd_findings(args, layout)
    cmd_run(args, layout, runs)
    cmd_publish(args, layout, runs)


COMMANDS = {
    "fetch": cmd_fetch,
    "clean": cmd_clean,
    "findings": cmd_findings,
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
        # urllib3 logs a traceback when a server cuts its headers; fetch reports that in one line.
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    layout = Layout(data_dir=args.data_dir, reports_dir=args.reports_dir, source=args.source)
    try:
        check_folders(args)
        args.configs = gemeente_configs(args)  # checked at start, before any stage runs
        with lock.hold_all(locked_folders(args.command, layout), args.command):
            COMMANDS[args.command](args, layout)
    except AnalysisError as exc:
        if args.debug:
            raise
        sys.stderr.write(f"hengelo-analysis {args.command}: error: {exc}\n")
        return EXIT_FAILURE
    except OSError as exc:
        # A read-only or full folder, a path through a file: the last good output was kept (every
        # write is staged), so one line naming the path is all the user needs.
        if args.debug:
            raise
        sys.stderr.write(
            f"hengelo-analysis {args.command}: error: {os_error_line(exc, written_folders(args.command, layout))}\n"
        )
        return EXIT_FAILURE
    except KeyboardInterrupt:
        sys.stderr.write(
            f"hengelo-analysis {args.command}: interrupted; no partial output was kept\n"
        )
        return EXIT_INTERRUPTED
    return EXIT_OK


def check_folders(args) -> None:
    """Refuse ``--data-dir``/``--reports-dir`` naming something that is not a folder."""
    for option, path in (("--data-dir", args.data_dir), ("--reports-dir", args.reports_dir)):
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise ParameterError(f"{option} {path}: is a file, not a folder")


def locked_folders(command: str, layout: Layout) -> list[Path]:
    """The folders ``command`` writes to, each locked while it runs (``pipeline.lock``)."""
    if command in ("fetch", "clean"):
        return [layout.data_dir]
    return [layout.data_dir, layout.reports_dir]


def os_error_line(exc: OSError, folders: list[Path] = ()) -> str:
    """``<path>: <what went wrong>`` for an OSError, with a hint for the usual causes.

    A failed ``write()`` carries no file name (a full disk, typically): then the ``folders`` the
    command was writing are named. A file in a staging folder is named by its final place: the
    staging folder is removed on failure, and its random name would only puzzle the user.
    """
    if exc.filename:
        where = STAGING_RE.sub(r"\1\2", str(exc.filename))
    else:
        where = " or ".join(str(f) for f in folders) or "a file"
        where = f"writing in {where}" if folders else where
    hints = {
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the folder is read-only",
        errno.EACCES: "no permission to write there",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
    }
    hint = hints.get(exc.errno)
    reason = exc.strerror or str(exc).splitlines()[0]
    return f"{where}: {reason}" + (f" ({hint}; the last good output was kept)" if hint else "")


# ``dir/.2024.staging-x1y2/page.html`` → ``dir/2024/page.html`` (see atomic.staged_directory).
STAGING_RE = re.compile(r"(^|/)\.([^/]+)\.staging-[^/]+")


def written_folders(command: str, layout: Layout) -> list[Path]:
    """The folders ``command`` writes its output to (a run and a publish: only the reports)."""
    if command in ("run", "publish"):
        return [layout.reports_dir]
    if command == "report":
        return [layout.data_dir, layout.reports_dir]
    return [layout.data_dir]
