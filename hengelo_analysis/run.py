"""``run``: execute the report notebooks with papermill, one parameter set per run.

Executed notebooks land in ``<edition>/notebooks/``; that folder is swapped in only when every
notebook succeeded. A failing notebook is saved with its traceback in ``<edition>/failed/`` and the
run stops with one line naming the notebook and cell.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.errors import NotebookError, ParameterError
from hengelo_analysis.paths import NOTEBOOK_DIR, Layout

log = logging.getLogger(__name__)

KERNEL_NAME = "hengelo-analysis"
NOTEBOOK_NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
CELL_TIMEOUT_SECONDS = 600


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


def report_notebooks(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The product notebooks in report order (``NN_topic.ipynb``)."""
    return sorted(p for p in notebook_dir.glob("*.ipynb") if NOTEBOOK_NAME_RE.match(p.name))


def ensure_kernel() -> str:
    """Make sure the ``hengelo-analysis`` kernel points at this interpreter; install it if not.

    papermill fails with NoSuchKernel when a notebook names a kernel that the running environment
    lacks, or silently runs another Python when a stale spec of the same name exists elsewhere.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="Python (hengelo_analysis)", prefix=sys.prefix)
    return KERNEL_NAME


def execute_notebook(source: Path, output: Path, parameters: dict, kernel: str) -> None:
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
            execution_timeout=CELL_TIMEOUT_SECONDS,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"{source.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        ) from exc


def run_notebooks(
    layout: Layout, params: RunParameters, notebooks: list[Path] | None = None
) -> list[Path]:
    """Execute every report notebook; return the executed notebooks' paths."""
    notebooks = report_notebooks() if notebooks is None else notebooks
    if not notebooks:
        raise ParameterError(f"no report notebooks (NN_name.ipynb) found in {NOTEBOOK_DIR}")
    kernel = ensure_kernel()
    edition = layout.edition_dir(params.gemeente, params.peiljaar)
    failed_dir = edition / "failed"
    with atomic.staged_directory(edition / "notebooks") as staging:
        for nb in notebooks:
            out = staging / nb.name
            log.info("executing %s", nb.name)
            try:
                execute_notebook(nb, out, params.as_dict(), kernel)
            except NotebookError as exc:
                failed_dir.mkdir(parents=True, exist_ok=True)
                if out.exists():
                    shutil.copy2(out, failed_dir / nb.name)
                raise NotebookError(
                    f"{exc}; executed notebook saved as {failed_dir / nb.name}"
                ) from exc
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
    return sorted((edition / "notebooks").glob("*.ipynb"))
