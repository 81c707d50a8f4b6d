"""``run``: execute the report notebooks with papermill, for one or several gemeenten.

Notebooks run in parallel (threads; each drives its own kernel process) up to the core count
(``HENGELO_WORKERS`` overrides it). For several gemeenten, each notebook runs for all of them in
one kernel that is reset to its fresh state in between (``_ReusedKernel``).
Each executed notebook carries a cache key (content hashes of the notebook, the parameters, the
processed tables it reads and the library code); a rerun reuses an executed notebook whose key is
unchanged, so a warm rerun costs almost nothing and a changed table reruns only the notebooks that
read it. Executed notebooks land in ``<edition>/notebooks/``, swapped in only when every notebook
succeeded; a failing notebook is saved with its traceback in ``<edition>/failed/``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis import atomic, secrets, stamps
from hengelo_analysis.errors import NotebookError, ParameterError
from hengelo_analysis.paths import NOTEBOOK_DIR, Layout

log = logging.getLogger(__name__)

KERNEL_NAME = "hengelo-analysis"
NOTEBOOK_NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
DEFAULT_CELL_TIMEOUT_SECONDS = 600


def cell_timeout() -> int:
    """Per-cell time limit; ``HENGELO_CELL_TIMEOUT`` overrides it (CI sets it)."""
    value = os.environ.get("HENGELO_CELL_TIMEOUT", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_CELL_TIMEOUT_SECONDS


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


# --- cache keys ---------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    return stamps.sha256_file(path)


def code_version() -> str:
    """Hash of the library's code and templates: a code change invalidates every cached notebook."""
    return stamps.code_version()


def notebook_inputs(notebook: Path) -> list[str] | None:
    """Processed tables a notebook declares in ``metadata.hengelo.inputs`` (None: all of them)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    inputs = nb.get("metadata", {}).get("hengelo", {}).get("inputs")
    return list(inputs) if inputs is not None else None


def input_hashes(processed_dir: Path, inputs: list[str] | None) -> dict[str, str]:
    """Content hashes of the processed files a notebook reads (provenance.json always)."""
    files = sorted(p for p in processed_dir.glob("*") if p.is_file() and not p.name.startswith("."))
    hashes = {}
    for path in files:
        stem = path.name.split(".")[0]
        if inputs is None or stem in inputs or path.name == "provenance.json":
            hashes[path.name] = _sha256_file(path)
    return hashes


def cache_key(notebook: Path, parameters: dict, processed_dir: Path, code: str) -> str:
    payload = {
        "notebook": _sha256_file(notebook),
        "parameters": parameters,
        "inputs": input_hashes(processed_dir, notebook_inputs(notebook)),
        "code": code,
    }
    return stamps.key_of(payload)


def cached_key_of(executed: Path) -> str | None:
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return nb.get("metadata", {}).get("hengelo", {}).get("cache_key")


# --- execution ----------------------------------------------------------------------------------


def execute_notebook(
    source: Path, output: Path, parameters: dict, kernel: str, key: str, reuse=None
) -> None:
    """Execute ``source`` with papermill into ``output`` and record its cache key.

    ``reuse`` is a running :class:`_ReusedKernel`; without it papermill starts a fresh kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    extra = {"engine_name": _reuse_engine(), "reuse": reuse} if reuse is not None else {}
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
            **extra,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"{source.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        ) from exc
    except Exception as exc:  # timeouts and dead kernels come as other exception types
        raise NotebookError(f"{source.name}: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    finally:
        _scrub_secrets(output)
    import nbformat

    nb = nbformat.read(output, as_version=4)
    nb.metadata.setdefault("hengelo", {})["cache_key"] = key
    for cell in nb.cells:
        # papermill gives the cell it injects a random id, which the HTML shows: a fixed one makes
        # two builds of the same inputs byte-identical.
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    with atomic.atomic_path(output) as tmp:
        nbformat.write(nb, tmp)


# Run silently in a kernel before its first notebook: remember the state a fresh kernel starts with.
# The backend is loaded first, as a notebook's first figure does: that activates the inline backend
# (which turns ``interactive`` on), so the settings remembered are those a notebook's figures find.
_KERNEL_SETUP = """\
import os, sys, warnings
import matplotlib, matplotlib.pyplot
matplotlib.pyplot.switch_backend(matplotlib.rcParams["backend"])
sys._hengelo_fresh = (
    os.getcwd(),
    list(warnings.filters),
    {k: v for k, v in matplotlib.rcParams.items() if k != "backend"},
)
get_ipython().reset(new_session=True)
"""
# Run silently between two notebooks in one kernel: back to that fresh state. The user namespace,
# history and execution counter go (``reset(new_session=True)``: counts start at 1 again); so do
# open figures, changed matplotlib settings, warning filters and "warn once" registries, and a
# changed working directory. Imported modules stay: that is the time saved.
_KERNEL_RESET = """\
import os, sys, warnings
import matplotlib
if "matplotlib.pyplot" in sys.modules:
    sys.modules["matplotlib.pyplot"].close("all")
os.chdir(sys._hengelo_fresh[0])
warnings.filters[:] = sys._hengelo_fresh[1]
warnings._filters_mutated()
matplotlib.rcParams.update(sys._hengelo_fresh[2])
get_ipython().reset(new_session=True)
"""


def _reuse_engine() -> str:
    """Register (once) a papermill engine that runs a notebook in an already running kernel.

    papermill's own engine starts a kernel per notebook; this one hands nbclient the kernel
    manager *and* client of a :class:`_ReusedKernel` (nbclient then neither starts nor stops them).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger as pm_logger
    from papermill.utils import merge_kwargs, remove_args

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            reuse = kwargs.pop("reuse")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=pm_logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, km=reuse.km, **final)
            client.kc = reuse.kc
            return client.execute()

    if "hengelo-reuse" not in papermill_engines._engines:
        papermill_engines.register("hengelo-reuse", ReusedKernelEngine)
    return "hengelo-reuse"


class _ReusedKernel:
    """One kernel running several parameter sets of the same notebook, reset in between.

    Starting a kernel and importing pandas, matplotlib, statsmodels and the library costs about
    as much as a demo notebook's own work, so a run for many gemeenten executes each notebook for
    all of them in one kernel. tests/test_run.py checks that the executed notebook equals the one
    a fresh kernel gives.
    """

    def __init__(self, kernel: str, cwd: Path) -> None:
        self.kernel, self.cwd = kernel, cwd
        self.km = self.kc = None

    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name=self.kernel)
        run_sync(self.km.start_kernel)(cwd=str(self.cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        self._silent(_KERNEL_SETUP)

    def reset(self) -> None:
        self._silent(_KERNEL_RESET)

    def _silent(self, code: str) -> None:
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=60
        )
        if reply["content"]["status"] != "ok":
            raise NotebookError(f"kernel reset failed: {reply['content'].get('evalue')}")

    def stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
        self.km = self.kc = None


def execute_chain(source: Path, runs: list[tuple[Path, dict, str]], kernel: str, stop=None) -> list:
    """Execute ``source`` once per (output, parameters, key); one kernel for all when several.

    Returns the ``NotebookError`` of each failed run (with its index); after a failure the next run
    gets a new kernel, since the failed one may be stuck or dead.
    """
    if len(runs) == 1:
        output, parameters, key = runs[0]
        try:
            execute_notebook(source, output, parameters, kernel, key)
        except NotebookError as exc:
            return [(0, exc)]
        return []
    errors = []
    shared = _ReusedKernel(kernel, source.parent)
    try:
        for i, (output, parameters, key) in enumerate(runs):
            if stop is not None and stop.is_set():
                break
            try:
                try:
                    shared.start() if shared.km is None else shared.reset()
                except Exception as exc:  # a kernel that does not start or reset: as a failed run
                    raise NotebookError(
                        f"{source.name}: kernel: {type(exc).__name__}: {exc}"
                    ) from exc
                execute_notebook(source, output, parameters, kernel, key, reuse=shared)
            except NotebookError as exc:
                errors.append((i, exc))
                shared.stop()
    finally:
        shared.stop()
    return errors


def _scrub_secrets(path: Path) -> None:
    values = secrets.values()
    if not values or not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    clean = secrets.redact(text, values)
    if clean != text:
        log.warning("%s: a secret value appeared in the output and was redacted", path.name)
        atomic.write_text(path, clean)


def _workers(count: int) -> int:
    configured = os.environ.get("HENGELO_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(count, os.cpu_count() or 1))


def run_notebooks(
    layout: Layout, params: RunParameters, notebooks: list[Path] | None = None
) -> list[Path]:
    """Execute (or reuse) every report notebook; return the executed notebooks' paths."""
    return run_editions(layout, [params], notebooks)[params.gemeente]


@dataclass
class _Edition:
    params: RunParameters
    parameters: dict
    previous: Path
    keys: dict[Path, str]
    stale: list[Path]


def _plan(layout: Layout, params: RunParameters, notebooks: list[Path], code: str) -> _Edition:
    parameters = params.as_dict()
    check_parameters(parameters)
    previous = layout.edition_dir(params.gemeente, params.peiljaar) / "notebooks"
    keys = {nb: cache_key(nb, parameters, layout.processed_dir, code) for nb in notebooks}
    stale = [nb for nb in notebooks if cached_key_of(previous / nb.name) != keys[nb]]
    if not stale and {p.name for p in previous.glob("*.ipynb")} != {nb.name for nb in notebooks}:
        stale = list(notebooks)  # a notebook was removed from the suite: rebuild the folder
    return _Edition(params, parameters, previous, keys, stale)


def run_editions(
    layout: Layout, runs: list[RunParameters], notebooks: list[Path] | None = None
) -> dict[str, list[Path]]:
    """Execute (or reuse) the report notebooks for several gemeenten in one pool of kernels.

    Every (gemeente, notebook) pair whose cache key changed is executed, all pairs sharing one
    pool of up to ``HENGELO_WORKERS`` (default: the core count) kernels, so a run for the 14
    Twente gemeenten keeps both cores busy. Each edition's folder is swapped in only when all of
    its notebooks succeeded; an edition whose notebooks all succeeded is kept even when another
    gemeente's failed (the error names the first failure).

    Returns
    -------
    dict
        ``{gemeente: [executed notebook paths]}``.
    """
    notebooks = report_notebooks() if notebooks is None else notebooks
    if not notebooks:
        folder = os.environ.get("HENGELO_NOTEBOOK_DIR") or NOTEBOOK_DIR
        raise ParameterError(f"no report notebooks (NN_name.ipynb) found in {folder}")
    code = code_version()
    plans = [_plan(layout, params, notebooks, code) for params in runs]
    work = [(plan, nb) for plan in plans for nb in plan.stale]
    if not work:
        log.info("all %d notebooks up to date; nothing to execute", len(notebooks) * len(plans))
        return {p.params.gemeente: sorted(p.previous.glob("*.ipynb")) for p in plans}
    kernel = ensure_kernel()
    log.info(
        "executing %d of %d notebooks (%d reused)%s",
        len(work),
        len(notebooks) * len(plans),
        len(notebooks) * len(plans) - len(work),
        f" for {len(plans)} gemeenten" if len(plans) > 1 else "",
    )
    errors: list[tuple[_Edition, Path, NotebookError]] = []
    with contextlib.ExitStack() as stack:
        staging: dict[int, Path] = {}
        for i, plan in enumerate(plans):
            if not plan.stale:
                continue
            plan.previous.parent.mkdir(parents=True, exist_ok=True)
            directory = Path(
                tempfile.mkdtemp(prefix=".notebooks.staging-", dir=plan.previous.parent)
            )
            # Removed on any exit; swapped in below only when this edition fully succeeded.
            stack.callback(shutil.rmtree, directory, True)
            staging[i] = directory
            for nb in notebooks:
                if nb not in plan.stale:
                    shutil.copy2(plan.previous / nb.name, directory / nb.name)
        index = {id(plan): i for i, plan in enumerate(plans)}
        # One task per notebook, running it for every gemeente that needs it in one kernel (see
        # _ReusedKernel); the tasks share the pool. With one gemeente each task is one plain run.
        workers = _workers(len(work))
        # Chains of at most this many runs, so that there are enough tasks to keep every worker busy
        # (one notebook for 14 gemeenten becomes 4 chains on 2 cores).
        longest = max(1, -(-len(work) // (2 * workers)))
        chains = []
        for nb in notebooks:
            runs = [plan for plan, n in work if n == nb]
            chains += [(nb, runs[i : i + longest]) for i in range(0, len(runs), longest)]
        pool = ThreadPoolExecutor(max_workers=min(workers, len(chains)))
        stop = threading.Event()
        # On Ctrl-C (or any error here) the queued chains are dropped and running chains stop after
        # their current notebook, instead of everything running to the end before the exit.
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        stack.callback(stop.set)
        futures = {
            pool.submit(
                execute_chain,
                nb,
                [
                    (staging[index[id(plan)]] / nb.name, plan.parameters, plan.keys[nb])
                    for plan in chain
                ],
                kernel,
                stop,
            ): (nb, chain)
            for nb, chain in chains
        }
        for future, (nb, chain) in futures.items():
            for i, exc in future.result():
                errors.append((chain[i], nb, exc))
        failed_plans = {id(plan) for plan, _, _ in errors}
        for i, plan in enumerate(plans):
            failed_dir = plan.previous.parent / "failed"
            if id(plan) in failed_plans:
                failed_dir.mkdir(parents=True, exist_ok=True)
                for p, nb, _ in errors:
                    if p is plan and (staging[i] / nb.name).exists():
                        shutil.copy2(staging[i] / nb.name, failed_dir / nb.name)
                continue
            if i in staging:
                atomic.swap_directory(staging[i], plan.previous)
            if failed_dir.exists():
                shutil.rmtree(failed_dir, ignore_errors=True)
    if errors:
        plan, nb, exc = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = plan.previous.parent / "failed" / nb.name
        raise NotebookError(f"{exc}{more}; executed notebook saved as {where}")
    return {p.params.gemeente: sorted(p.previous.glob("*.ipynb")) for p in plans}
