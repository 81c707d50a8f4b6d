"""Jupyter kernels for the report notebooks: the kernel spec, and one kernel reused for many runs.

papermill starts a kernel per notebook unless it is handed a running one: ``execute_notebook``'s
engine keyword arguments go to nbclient's ``NotebookClient``, whose documented ``km`` argument is
a kernel manager to use instead of starting one (nbclient then neither starts nor stops it). No
papermill internals are touched.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hengelo_analysis.errors import NotebookError

KERNEL_NAME = "hengelo-analysis"
# A unix socket path holds at most 107 bytes on Linux; the kernel's sockets are
# ``<dir>/kernel-ipc-<n>``, so the folder they live in must stay well below that.
IPC_PATH_LIMIT = 100

# Run silently in a kernel before its first notebook: remember the state a fresh kernel starts with.
# The backend is loaded first, as a notebook's first figure does: that activates the inline backend
# (which turns ``interactive`` on), so the settings remembered are those a notebook's figures find.
# The kernel keeps the processed tables it has read (copies handed out, re-read when a file
# changes): its notebooks read the same tables again and again.
# What survives a reset (modules, that table cache) is then moved out of the garbage collector's
# sight (``gc.freeze``): the reset's full collection (IPython's displayhook runs one) and every
# collection in the next notebook would walk those objects again for nothing, 0.16 s a reset with
# pandas, matplotlib and statsmodels loaded. The reset collects before it clears the namespace, so
# a collection after it frees the notebook's reference cycles (figures are such cycles) before the
# freeze: frozen, they would never be freed. Frozen objects are still freed when their count of
# references drops to zero; only a cycle among them stays until the kernel stops.
_RESET_AND_FREEZE = """\
get_ipython().reset(new_session=True)
__import__("gc").collect()  # the reset collects before it clears the namespace
__import__("gc").freeze()
"""
_KERNEL_SETUP = (
    """\
import os, sys, warnings
import matplotlib, matplotlib.pyplot
from hengelo_analysis.processed import reader
reader.keep_tables_in_memory()
matplotlib.pyplot.switch_backend(matplotlib.rcParams["backend"])
sys._hengelo_fresh = (
    os.getcwd(),
    list(warnings.filters),
    {k: v for k, v in matplotlib.rcParams.items() if k != "backend"},
)
"""
    + _RESET_AND_FREEZE
)
# Run silently between two notebooks in one kernel: back to that fresh state. The user namespace,
# history and execution counter go (``reset(new_session=True)``: counts start at 1 again); so do
# open figures, changed matplotlib settings, warning filters and "warn once" registries, and a
# changed working directory. Imported modules stay: that is the time saved.
_KERNEL_RESET = (
    """\
import os, sys, warnings
import matplotlib
if "matplotlib.pyplot" in sys.modules:
    sys.modules["matplotlib.pyplot"].close("all")
os.chdir(sys._hengelo_fresh[0])
warnings.filters[:] = sys._hengelo_fresh[1]
warnings._filters_mutated()
matplotlib.rcParams.update(sys._hengelo_fresh[2])
"""
    + _RESET_AND_FREEZE
)


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


def use_ipc() -> bool:
    """True where kernels talk over unix sockets (Linux) instead of TCP on localhost.

    Over TCP every kernel warns on stderr that it runs without encryption, any local user can
    connect to its ports, and kernels started at once can race for the same free port.
    """
    return sys.platform.startswith("linux")


def ipc_dir() -> Path:
    """A new private (0700) folder for one kernel's connection file and sockets.

    In the temporary folder if its path is short enough for a socket path, else in /tmp.
    """
    base = tempfile.gettempdir()
    if len(base) + len("/hk-xxxxxxxx/kernel-ipc-99999") > IPC_PATH_LIMIT:
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix="hk-", dir=base))


def _shared_client_manager(kernel: str, sockets: Path | None = None):
    """A kernel manager whose ``client()`` always returns one client with its channels running.

    nbclient asks the manager it is given for a new client per notebook and, not owning the
    manager, never stops that client: each run would leave a heartbeat thread and sockets behind.
    Handing out one client, started once, avoids that and saves the connection per notebook.
    With ``sockets`` (a private folder) the kernel listens on unix sockets there, not on TCP.
    """
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    class SharedClient(AsyncKernelClient):
        _ready = False

        def start_channels(self, *args, **kwargs) -> None:
            if not self.channels_running:
                super().start_channels(*args, **kwargs)

        async def wait_for_ready(self, timeout=None) -> None:
            # nbclient waits for every notebook, and the wait ends by listening 0.2 s for more
            # output: 2 s of a gemeente's nine notebooks. Once ready, the kernel answered every
            # reset since, and ``ReusedKernel.reset`` replaces one that died after a notebook.
            if not self._ready:
                await super().wait_for_ready(timeout=timeout)
                self._ready = True

    class SharedClientKernelManager(AsyncKernelManager):
        _shared = None

        def client(self, **kwargs):
            if self._shared is None:
                self._shared = SharedClient(
                    **{
                        **self.get_connection_info(session=True),
                        "connection_file": self.connection_file,
                        "parent": self,
                        **kwargs,
                    }
                )
            return self._shared

    if sockets is None:
        return SharedClientKernelManager(kernel_name=kernel)
    # jupyter_client names the sockets after the connection file: <sockets>/kernel-ipc-<n>.
    return SharedClientKernelManager(
        kernel_name=kernel, transport="ipc", connection_file=str(sockets / "kernel.json")
    )


class ReusedKernel:
    """One kernel running several parameter sets of the same notebook, reset in between.

    Starting a kernel and importing pandas, matplotlib, statsmodels and the library costs about
    as much as a demo notebook's own work, so a run for many gemeenten executes each notebook for
    all of them in one kernel. tests/test_run.py checks that the executed notebook equals the one
    a fresh kernel gives. Pass ``km`` to ``papermill.execute_notebook`` to run in it.
    """

    def __init__(self, kernel: str, cwd: Path) -> None:
        self.kernel, self.cwd = kernel, cwd
        self.km = self.kc = None
        self.sockets: Path | None = None

    @property
    def running(self) -> bool:
        return self.km is not None

    def start(self) -> None:
        from jupyter_core.utils import run_sync

        self.sockets = ipc_dir() if use_ipc() else None
        self.km = _shared_client_manager(self.kernel, self.sockets)
        run_sync(self.km.start_kernel)(cwd=str(self.cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        if not self._silent(_KERNEL_SETUP):
            raise NotebookError("the kernel died while it started")

    def reset(self) -> None:
        """Back to the fresh state; a kernel that died since its last notebook is replaced.

        Waiting for a dead kernel's answer would take the whole time limit (a minute) and then
        blame the next notebook for it.
        """
        if not self._silent(_KERNEL_RESET):
            self.stop()
            self.start()

    def _silent(self, code: str, limit_s: float = 60) -> bool:
        """Run ``code`` without output; False if the kernel died before it answered.

        The answer is awaited a second at a time, checking in between that the kernel process
        still runs. What the code prints (a finaliser of the last notebook's objects, run by the
        reset's collection) belongs to no notebook: it is never read, so it reaches neither the
        CLI's stdout nor the next notebook (nbclient keeps only output of its own requests).
        """
        from queue import Empty

        from jupyter_core.utils import run_sync

        request = self.kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + limit_s
        while True:
            if not run_sync(self.km.is_alive)():
                return False
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=1)
            except Empty:
                if time.monotonic() > deadline:
                    raise NotebookError(f"kernel reset: no answer in {limit_s:.0f} s") from None
                continue
            if reply["parent_header"].get("msg_id") == request:
                break
        if reply["content"]["status"] != "ok":
            raise NotebookError(f"kernel reset failed: {reply['content'].get('evalue')}")
        return True

    def stop(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
        if self.sockets is not None:
            # shutdown_kernel removes the sockets and connection file it made; the folder is ours.
            shutil.rmtree(self.sockets, ignore_errors=True)
        self.km = self.kc = None
        self.sockets = None
