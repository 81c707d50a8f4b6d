"""One function per stage deciding "current, or run": ``clean_stage``, ``findings_stage``,
``run_stage``, ``publish_stage`` (``publish_stages`` for several editions).

Each checks its stamp (see ``stamps``) and either skips, returning True (it was current), or does
the work and returns False. Heavy modules (pandas, papermill, nbconvert) are imported only when a
stage has work to do, so a warm ``report`` takes a fraction of a second.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.gemeente_config import GemeenteConfig, file_sha256
from hengelo_analysis.paths import Layout, findings_file
from hengelo_analysis.pipeline import stamps

log = logging.getLogger("hengelo_analysis")


def check_raw_tree(raw_dir: Path) -> None:
    """Refuse a raw tree that is missing, not a folder or empty.

    The processed set is the exact image of the raw tree, so cleaning nothing would swap in an
    empty set and lose the last good tables: a moved or emptied raw folder is a mistake, not data.
    """
    if not raw_dir.exists():
        problem = "raw tree missing"
    elif not raw_dir.is_dir():
        problem = "raw tree is not a folder"
    elif not any(not p.name.startswith(".") for p in raw_dir.iterdir()):
        problem = "raw tree is empty"
    else:
        return
    raise AnalysisError(
        f"{raw_dir}: {problem}; fetch or restore it first (the processed tables were kept)"
    )


def clean_stage(layout: Layout) -> bool:
    """Clean ``raw/<source>`` into ``processed/<source>`` unless the processed tables are current."""
    check_raw_tree(layout.raw_dir)
    if stamps.clean_is_current(layout.raw_dir, layout.processed_dir):
        # Same raw bytes, same code: cleaning again would write the very same tables.
        log.info("processed tables up to date with %s; nothing to clean", layout.raw_dir)
        return True
    from hengelo_analysis.sources.clean import clean_source, write_processed

    raw = stamps.tree_hashes(layout.raw_dir)  # before cleaning: a file edited meanwhile → stale
    result = clean_source(layout)  # a failing cleaner leaves tables and stamp as they were
    # The stamp is written into the staged set, so tables and stamp are swapped in together.
    write_processed(
        layout, result, lambda staging: stamps.write_clean_stamp(layout.raw_dir, staging, raw)
    )
    for warning in result.warnings:
        log.warning(warning)
    for name, df in result.tables.items():
        suffix = ".gpkg" if name == "areas" else ".parquet"
        log.info("%s: %d rows → %s", name, len(df), layout.processed_dir / f"{name}{suffix}")
    return False


def findings_stage(
    layout: Layout, gemeente: str, peiljaar: int, rate_unit: int, config: GemeenteConfig
) -> bool:
    """Judge every claim of ``config``'s claim file once for the edition, unless already judged.

    Writes ``paths.findings_file`` (the notebooks and publish read it); see ``pipeline.findings``.
    """
    path = findings_file(layout.processed_dir, gemeente, peiljaar, rate_unit)
    parameters = {
        "gemeente": gemeente,
        "peiljaar": int(peiljaar),
        "rate_unit": int(rate_unit),
        "source": layout.source,
    }
    key = stamps.findings_key(
        layout.processed_dir, parameters, file_sha256(config.claims_file), config.as_dict()
    )
    if stamps.findings_is_current(path, key):
        log.info("findings up to date: %s", path)
        return True
    from hengelo_analysis.pipeline.findings import judge_edition, write_findings
    from hengelo_analysis.processed import reader

    # A run judges every edition on the same processed tables: read each file once per process.
    # The reader hands every edition its own deep copy (nothing an edition does reaches the next)
    # and reads a table again when its file changed (size, mtime or inode).
    reader.keep_tables_in_memory()
    doc = judge_edition(layout, gemeente, peiljaar, rate_unit, config)
    doc["key"] = key
    write_findings(path, doc)
    log.info(
        "findings: %d claims of %s judged for %s %d → %s",
        len(doc["claims"]),
        config.claims_file.name,
        gemeente,
        peiljaar,
        path,
    )
    return False


def run_stage(layout: Layout, runs: list, notebooks: list[Path] | None = None) -> bool:
    """Execute the notebooks of every edition in ``runs`` whose cache key changed.

    ``runs`` are ``run.RunParameters``; True when every executed notebook was current.
    """
    from hengelo_analysis.pipeline.run import execute_plans, plan_editions, suite_notebooks

    notebooks = suite_notebooks(notebooks)
    plans = plan_editions(layout, runs, notebooks)
    current = not any(plan.stale for plan in plans)
    execute_plans(plans, notebooks)
    for plan in plans:
        log.info(
            "executed %d notebooks for %s %d",
            len(plan.executed()),
            plan.params.gemeente,
            plan.params.peiljaar,
        )
    return current


def publish_stage(layout: Layout, gemeente: str, peiljaar: int) -> bool:
    """Publish one edition unless the pages it would produce are already there."""
    from hengelo_analysis.pipeline.provenance import git_commit

    edition = layout.edition_dir(gemeente, peiljaar)
    findings = findings_file(
        layout.processed_dir, gemeente, peiljaar, stamps.executed_rate_unit(edition)
    )
    key = stamps.publish_key(
        layout.processed_dir,
        edition,
        {"gemeente": gemeente, "peiljaar": peiljaar, "source": layout.source},
        git_commit(),
        findings,
    )
    if stamps.publish_is_current(edition, key):
        log.info("report up to date: %s", edition / "index.html")
        return True
    from hengelo_analysis.pipeline import pdf
    from hengelo_analysis.pipeline.publish import publish
    from hengelo_analysis.pipeline.run import report_notebooks

    publish(layout, gemeente, peiljaar, suite=report_notebooks())
    if (
        pdf.find_chromium() is not None
        and not (edition / pdf.pdf_name(gemeente, peiljaar)).exists()
    ):
        # published without the PDF it should have (the print failed): not current, so the next
        # publish tries again instead of keeping the edition without its PDF
        log.warning("%s: published without its PDF; the next publish prints it again", edition)
        return False
    stamps.write_publish_stamp(edition, key)
    log.info("report: %s", edition / "index.html")
    return False


def publish_stages(layout: Layout, targets: list[tuple[str, int]]) -> None:
    """Publish every edition in ``targets`` (``(gemeente, peiljaar)``), several at a time.

    An edition spends over half its publish time waiting for Chromium to print its PDF, so a
    second edition renders meanwhile: editions are published on as many threads as the run
    stage has workers (``HENGELO_WORKERS``). Each edition is still swapped in whole or not at
    all; the editions of one gemeente share its editions index, so they go one after another
    on one thread. After a failure no edition that had not started is begun, those running
    finish, and the first failure is raised (as with one thread, which stops at it).
    """
    from concurrent.futures import ThreadPoolExecutor

    from hengelo_analysis.pipeline import pdf
    from hengelo_analysis.pipeline.run import worker_count

    by_gemeente: dict[str, list[int]] = {}
    for gemeente, peiljaar in targets:
        by_gemeente.setdefault(gemeente, []).append(peiljaar)
    workers = worker_count(len(by_gemeente))
    pdf.stopping.clear()
    if workers <= 1:
        for gemeente, peiljaar in targets:
            publish_stage(layout, gemeente, peiljaar)
        return
    failed = threading.Event()

    def publish_gemeente(gemeente: str, peiljaren: list[int]) -> None:
        for peiljaar in peiljaren:
            if failed.is_set():
                return
            try:
                publish_stage(layout, gemeente, peiljaar)
            except BaseException:
                failed.set()
                raise

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="publish")
    try:
        futures = [pool.submit(publish_gemeente, g, years) for g, years in by_gemeente.items()]
        for future in futures:
            future.result()  # the first failure in target order; the others stop at their next
    except Exception:
        failed.set()
        raise
    except BaseException:
        # Ctrl-C: the editions being published are dropped, not finished (their Chromium got the
        # signal too); a print under way is killed instead of hanging until its time limit.
        failed.set()
        pdf.stopping.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        pdf.stopping.clear()  # every worker is done: a later publish in this process must print
