"""``run``: execute the report notebooks with papermill, for one or several gemeenten.

Notebooks run in parallel on up to the core count of workers (``HENGELO_WORKERS`` overrides it),
threads each driving one kernel process that runs notebook after notebook (any notebook, any
gemeente), reset to its fresh state in between (``kernels.ReusedKernel``).
Each executed notebook carries a cache key (``stamps.cache_key``: content hashes of the notebook, the parameters, the
processed tables it reads and the library code); a rerun reuses an executed notebook whose key is
unchanged, so a warm rerun costs almost nothing and a changed table reruns only the notebooks that
read it. Executed notebooks land in ``<gemeente>/.run/<peiljaar>/notebooks/``
(``stamps.run_notebooks_dir``), swapped in only when every notebook succeeded; a failing notebook
is saved with its traceback in ``<gemeente>/.run/<peiljaar>/failed/``. The deployed edition is
never touched here: ``publish`` copies the notebooks into it together with the pages.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic, secrets
from hengelo_analysis.errors import NotebookError, ParameterError
from hengelo_analysis.paths import NOTEBOOK_DIR, Layout
from hengelo_analysis.pipeline import stamps
from hengelo_analysis.pipeline.execute import Task, execute_chain
from hengelo_analysis.pipeline.kernels import ensure_kernel

log = logging.getLogger(__name__)

NOTEBOOK_NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class RunParameters:
    """The notebook parameters; names match the CLI options and the notebooks' parameters cell."""

    gemeente: str
    peiljaar: int
    source: str
    data_dir: str
    rate_unit: int = 1000

    def as_dict(self) -> dict:
        return {
            "gemeente": self.gemeente,
            "peiljaar": self.peiljaar,
            "source": self.source,
            "data_dir": self.data_dir,
            "rate_unit": self.rate_unit,
        }


def check_parameters(parameters: dict) -> None:
    """Refuse parameters that look like credentials: papermill writes parameters into the notebook."""
    for name in parameters:
        if secrets.SECRET_NAME_RE.search(name):
            raise ParameterError(
                f"parameter {name!r} looks like a secret; pass it as environment variable "
                f"{secrets.PREFIX}{name.upper()} instead (parameters are saved in the notebook)"
            )


def report_notebooks(notebook_dir: Path | None = None) -> list[Path]:
    """The product notebooks in report order (``NN_topic.ipynb``).

    ``HENGELO_NOTEBOOK_DIR`` points the CLI at another folder (benchmarks use it to time a suite
    of notebooks other than the shipped one).
    """
    if notebook_dir is None:
        notebook_dir = Path(os.environ.get("HENGELO_NOTEBOOK_DIR") or NOTEBOOK_DIR)
    return sorted(p for p in notebook_dir.glob("*.ipynb") if NOTEBOOK_NAME_RE.match(p.name))


def worker_count(count: int) -> int:
    """Workers for ``count`` independent jobs, never more than the jobs: ``HENGELO_WORKERS``,
    else the core count."""
    configured = os.environ.get("HENGELO_WORKERS", "")
    limit = int(configured) if configured.isdigit() and int(configured) > 0 else os.cpu_count()
    return min(count, limit or 1)


def run_notebooks(
    layout: Layout, params: RunParameters, notebooks: list[Path] | None = None
) -> list[Path]:
    """Execute (or reuse) every report notebook; return the executed notebooks' paths."""
    return run_editions(layout, [params], notebooks)[params.gemeente]


@dataclass
class EditionPlan:
    """What a run must do for one edition: the notebooks whose cache key changed."""

    params: RunParameters
    parameters: dict
    edition: Path
    previous: Path  # the notebooks reused from: stamps.executed_dir(edition)
    keys: dict[Path, str]
    stale: list[Path]

    @property
    def output(self) -> Path:
        """Where this run's notebooks go: ``stamps.run_notebooks_dir``."""
        return stamps.run_notebooks_dir(self.edition)

    def executed(self) -> list[Path]:
        return sorted(stamps.executed_dir(self.edition).glob("*.ipynb"))


def suite_notebooks(notebooks: list[Path] | None = None) -> list[Path]:
    """``notebooks``, or the report notebooks; refuse an empty suite."""
    notebooks = report_notebooks() if notebooks is None else notebooks
    if not notebooks:
        folder = os.environ.get("HENGELO_NOTEBOOK_DIR") or NOTEBOOK_DIR
        raise ParameterError(f"no report notebooks (NN_name.ipynb) found in {folder}")
    return notebooks


def plan_edition(
    layout: Layout, params: RunParameters, notebooks: list[Path], code: str
) -> EditionPlan:
    parameters = params.as_dict()
    check_parameters(parameters)
    edition = layout.edition_dir(params.gemeente, params.peiljaar)
    previous = stamps.executed_dir(edition)
    keys = {nb: stamps.cache_key(nb, parameters, layout.processed_dir, code) for nb in notebooks}
    stale = [nb for nb in notebooks if stamps.cached_key_of(previous / nb.name) != keys[nb]]
    if not stale and {p.name for p in previous.glob("*.ipynb")} != {nb.name for nb in notebooks}:
        stale = list(notebooks)  # a notebook was removed from the suite: rebuild the folder
    return EditionPlan(params, parameters, edition, previous, keys, stale)


def plan_editions(
    layout: Layout, runs: list[RunParameters], notebooks: list[Path]
) -> list[EditionPlan]:
    code = stamps.code_version()
    return [plan_edition(layout, params, notebooks, code) for params in runs]


def run_editions(
    layout: Layout, runs: list[RunParameters], notebooks: list[Path] | None = None
) -> dict[str, list[Path]]:
    """Execute (or reuse) the report notebooks for several gemeenten in one pool of kernels.

    Returns ``{gemeente: [executed notebook paths]}``; see ``execute_plans``.
    """
    notebooks = suite_notebooks(notebooks)
    plans = plan_editions(layout, runs, notebooks)
    execute_plans(plans, notebooks)
    return {plan.params.gemeente: plan.executed() for plan in plans}


def execute_plans(plans: list[EditionPlan], notebooks: list[Path]) -> None:
    """Execute every stale (gemeente, notebook) pair of ``plans`` in one pool of kernels.

    All pairs share one pool of up to ``HENGELO_WORKERS`` (default: the core count) kernels, so a
    run for the 14 Twente gemeenten keeps both cores busy. Each edition's folder is swapped in only
    when all of its notebooks succeeded; an edition whose notebooks all succeeded is kept even when
    another gemeente's failed (the error names the first failure).
    """
    work = [(plan, nb) for nb in notebooks for plan in plans if nb in plan.stale]
    total = len(notebooks) * len(plans)
    if not work:
        log.info("all %d notebooks up to date; nothing to execute", total)
        return
    kernel = ensure_kernel()
    log.info(
        "executing %d of %d notebooks (%d reused)%s",
        len(work),
        total,
        total - len(work),
        f" for {len(plans)} gemeenten" if len(plans) > 1 else "",
    )
    with contextlib.ExitStack() as stack:
        staging = {id(plan): _staging_dir(stack, plan, notebooks) for plan in plans if plan.stale}
        errors = _execute_tasks(stack, _tasks(work, staging), kernel)
        _settle(plans, staging, errors)
    if errors:
        plan, nb, exc = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = plan.output.parent / "failed" / nb.name
        # A notebook is saved when a cell raised; one stopped by the cell time limit is not.
        saved = f"; executed notebook saved as {where}" if where.exists() else ""
        raise NotebookError(f"{exc}{more}{saved}")


def _staging_dir(stack: contextlib.ExitStack, plan: EditionPlan, notebooks: list[Path]) -> Path:
    """A fresh folder for the edition's notebooks holding the reused ones already."""
    plan.output.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_leftovers(plan.output)  # a killed run's staging folder (we hold the lock)
    directory = Path(tempfile.mkdtemp(prefix=".notebooks.staging-", dir=plan.output.parent))
    # Removed on any exit; swapped in by _settle only when this edition fully succeeded.
    stack.callback(shutil.rmtree, directory, True)
    for nb in notebooks:
        if nb not in plan.stale:
            shutil.copy2(plan.previous / nb.name, directory / nb.name)
    return directory


def _tasks(
    work: list[tuple[EditionPlan, Path]], staging: dict[int, Path]
) -> dict[Task, EditionPlan]:
    return {
        Task(nb, staging[id(plan)] / nb.name, plan.parameters, plan.keys[nb]): plan
        for plan, nb in work
    }


def _drain(tasks: queue.SimpleQueue):
    """The tasks of a queue several workers share, until it is empty."""
    while True:
        try:
            yield tasks.get_nowait()
        except queue.Empty:
            return


def _execute_tasks(
    stack: contextlib.ExitStack, tasks: dict[Task, EditionPlan], kernel: str
) -> list[tuple[EditionPlan, Path, NotebookError]]:
    """Run the tasks on a pool of workers, one kernel each; return every failed run.

    The workers pull from one queue, so they stay busy until the last notebook whatever the
    notebooks' lengths (see ``execute.execute_chain`` for the kernel each worker reuses).
    """
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for task in tasks:
        pending.put(task)
    workers = worker_count(len(tasks))
    pool = ThreadPoolExecutor(max_workers=workers)
    stop = threading.Event()
    # On Ctrl-C (or any error here) the workers stop after their current notebook, instead of
    # everything running to the end before the exit.
    stack.callback(pool.shutdown, wait=True, cancel_futures=True)
    stack.callback(stop.set)
    futures = [pool.submit(execute_chain, _drain(pending), kernel, stop) for _ in range(workers)]
    failed = [pair for future in futures for pair in future.result()]
    # In task order (notebook order), so the error message names the first failing notebook.
    order = {id(task): i for i, task in enumerate(tasks)}
    failed.sort(key=lambda pair: order[id(pair[0])])
    return [(tasks[task], task.source, exc) for task, exc in failed]


def _settle(plans: list[EditionPlan], staging: dict[int, Path], errors: list) -> None:
    """Swap in each fully successful edition's notebooks; keep failed ones in ``.run/<peiljaar>/failed``."""
    failed_plans = {id(plan) for plan, _, _ in errors}
    for plan in plans:
        failed_dir = plan.output.parent / "failed"
        if id(plan) in failed_plans:
            failed_dir.mkdir(parents=True, exist_ok=True)
            for p, nb, _ in errors:
                if p is not plan:
                    continue
                # A notebook stopped by the time limit is not saved: an earlier run's copy must
                # not stand in for it (the error message says "saved" only when one is there).
                (failed_dir / nb.name).unlink(missing_ok=True)
                if (staging[id(plan)] / nb.name).exists():
                    shutil.copy2(staging[id(plan)] / nb.name, failed_dir / nb.name)
            continue
        if id(plan) in staging:
            atomic.swap_directory(staging[id(plan)], plan.output)
        if failed_dir.exists():
            shutil.rmtree(failed_dir, ignore_errors=True)
