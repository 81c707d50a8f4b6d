"""Execute one notebook with papermill, or a series of notebooks in one reused kernel."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic, secrets
from hengelo_analysis.errors import NotebookError
from hengelo_analysis.pipeline import stamps
from hengelo_analysis.pipeline.kernels import ReusedKernel

log = logging.getLogger(__name__)

DEFAULT_CELL_TIMEOUT_SECONDS = 600
INJECTED_CELL_ID = "injected-parameters"


def cell_timeout() -> int:
    """Per-cell time limit; ``HENGELO_CELL_TIMEOUT`` overrides it (CI sets it)."""
    value = os.environ.get("HENGELO_CELL_TIMEOUT", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_CELL_TIMEOUT_SECONDS


def execute_notebook(
    source: Path,
    output: Path,
    parameters: dict,
    kernel: str,
    key: str,
    reuse: ReusedKernel | None = None,
) -> None:
    """Execute ``source`` with papermill into ``output`` and record its cache key.

    ``reuse`` is a running :class:`ReusedKernel`; without it papermill starts a fresh kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(source),
            str(output),
            parameters=parameters,
            kernel_name=kernel,
            cwd=str(source.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=cell_timeout(),
            # papermill otherwise writes (and schema-validates) the whole notebook before and
            # after every cell, for a reader watching it fill; ours goes to a staging folder no
            # one watches. It is still written once at the end, and when a cell raised.
            request_save_on_cell_execute=False,
            **({"km": reuse.km} if reuse is not None else {}),
        )
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"{source.name}: cell {exc.exec_count} raised {exc.ename}: {_public(exc.evalue)}"
        ) from exc
    except Exception as exc:  # timeouts and dead kernels come as other exception types
        raise NotebookError(f"{source.name}: {type(exc).__name__}: {_public(str(exc))}") from exc
    finally:
        _scrub_secrets(output)
    _finish_output(output, key)


def _public(text: str) -> str:
    """An error text for the CLI and logs: one line, secret values redacted as in the notebook."""
    return one_line(secrets.redact(str(text), secrets.values()))


def one_line(text: str, limit: int = 400) -> str:
    """An exception text as one line: the CLI promises one line, and parser errors span several."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish_output(output: Path, key: str) -> None:
    """Record the cache key and give the injected parameters cell a fixed id."""
    import nbformat

    nb = nbformat.read(output, as_version=4)
    stamps.set_notebook_key(nb.metadata, key)
    for cell in nb.cells:
        # papermill gives the cell it injects a random id, which the HTML shows: a fixed one makes
        # two builds of the same inputs byte-identical.
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_CELL_ID
    with atomic.atomic_path(output) as tmp:
        nbformat.write(nb, tmp)


def _scrub_secrets(path: Path) -> None:
    values = secrets.values()
    if not values or not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    clean = secrets.redact(text, values)
    if clean != text:
        log.warning("%s: a secret value appeared in the output and was redacted", path.name)
        atomic.write_text(path, clean)


@dataclass(frozen=True, eq=False)
class Task:
    """One notebook to execute into ``output`` with ``parameters``; ``key`` is its cache key.

    Compared and hashed by identity: two tasks are never the same run.
    """

    source: Path
    output: Path
    parameters: dict
    key: str


def execute_chain(
    tasks: Iterable[Task], kernel: str, stop=None
) -> list[tuple[Task, NotebookError]]:
    """Execute ``tasks`` one after another in one kernel, reset to its fresh state in between.

    Starting a kernel and importing pandas, matplotlib, statsmodels and the library costs about as
    much as a demo notebook's own work, so each worker runs all its notebooks (any notebook, any
    gemeente) in one kernel. Returns the error of each failed task; after a failure the next task
    gets a new kernel, since the failed one may be stuck or dead. ``tasks`` may be a generator
    pulling from a queue several workers share.
    """
    errors = []
    shared: ReusedKernel | None = None
    try:
        for task in tasks:
            if stop is not None and stop.is_set():
                break
            if shared is None:
                shared = ReusedKernel(kernel, task.source.parent)
            try:
                _start_or_reset(shared, task.source)
                execute_notebook(
                    task.source, task.output, task.parameters, kernel, task.key, reuse=shared
                )
            except NotebookError as exc:
                errors.append((task, exc))
                shared.stop()
    finally:
        if shared is not None:
            shared.stop()
    return errors


def _start_or_reset(shared: ReusedKernel, source: Path) -> None:
    try:
        shared.reset() if shared.running else shared.start()
    except Exception as exc:  # a kernel that does not start or reset: as a failed run
        raise NotebookError(f"{source.name}: kernel: {type(exc).__name__}: {exc}") from exc
