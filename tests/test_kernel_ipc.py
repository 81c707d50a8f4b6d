"""Kernels over unix sockets (IPC) on Linux, not TCP: no "running over TCP without encryption"
warning per kernel, no port race between kernels started at once (issue 16)."""

from __future__ import annotations

import json
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from hengelo_analysis.pipeline import kernels
from tests import chapter_report

TCP_WARNING = "running over TCP"

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="IPC kernels on Linux")


@linux
def test_linux_kernels_use_ipc_in_a_private_short_folder(tmp_path):
    assert kernels.use_ipc()
    sockets = kernels.ipc_dir()
    try:
        assert stat.S_IMODE(sockets.stat().st_mode) == 0o700  # no other user reaches the kernel
        km = kernels._shared_client_manager("python3", sockets)
        assert km.transport == "ipc"
        assert km.connection_file == str(sockets / "kernel.json")
        assert km.ip == str(sockets / "kernel-ipc")  # sockets: <ip>-<n>
        assert len(f"{km.ip}-99999") <= kernels.IPC_PATH_LIMIT
    finally:
        sockets.rmdir()


def test_without_a_socket_folder_the_manager_stays_on_tcp():
    assert kernels._shared_client_manager("python3").transport == "tcp"


def test_a_long_temporary_folder_falls_back_to_tmp(tmp_path, monkeypatch):
    long = tmp_path / ("x" * 120)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    sockets = kernels.ipc_dir()
    try:
        assert sockets.parent == Path("/tmp")
    finally:
        sockets.rmdir()


@linux
@pytest.mark.slow
def test_a_reused_kernel_listens_on_unix_sockets_and_leaves_none_behind():
    kernel = kernels.ReusedKernel(kernels.ensure_kernel(), Path(tempfile.gettempdir()))
    kernel.start()
    try:
        sockets = kernel.sockets
        info = json.loads((sockets / "kernel.json").read_text())
        assert info["transport"] == "ipc"
        made = [p for p in sockets.iterdir() if p.name.startswith("kernel-ipc-")]
        assert len(made) == 5 and all(stat.S_ISSOCK(p.stat().st_mode) for p in made)
        kernel.reset()
    finally:
        kernel.stop()
    assert not sockets.exists()


@linux
@pytest.mark.slow
def test_a_report_build_prints_no_tcp_warning():
    root, _ = chapter_report.demo_edition()
    stderr = chapter_report.BUILD_STDERR[root]
    assert "executed" in stderr or "notebooks" in stderr  # the build's log is what was captured
    assert TCP_WARNING not in stderr


@pytest.fixture
def started():
    """A started ReusedKernel, stopped afterwards."""
    kernel = kernels.ReusedKernel(kernels.ensure_kernel(), Path(tempfile.gettempdir()))
    kernel.start()
    yield kernel
    kernel.stop()


def _value(kernel: kernels.ReusedKernel, expression: str) -> str:
    from jupyter_core.utils import run_sync

    reply = run_sync(kernel.kc.execute_interactive)(
        "", silent=True, user_expressions={"v": expression}, timeout=60
    )
    return reply["content"]["user_expressions"]["v"]["data"]["text/plain"]


@pytest.mark.slow
def test_a_reused_kernel_freezes_what_outlives_a_reset_and_still_collects_a_notebooks_garbage(
    started,
):
    """After each reset the modules and caches are out of the collector's walk (gc.freeze), so
    the reset's full collection no longer walks pandas and matplotlib; a cycle a notebook left
    behind is still collected by the next reset."""
    from jupyter_core.utils import run_sync

    frozen = int(_value(started, "__import__('gc').get_freeze_count()"))
    walked = int(_value(started, "len(__import__('gc').get_objects())"))
    assert frozen > 100_000 and walked < frozen / 10  # matplotlib alone is ~100k objects
    # a notebook's cycle, watched through a weak reference kept where the reset cannot reach
    cycle = "class C: pass\nc = C(); c.me = c\nimport sys, weakref; sys._probe = weakref.ref(c)"
    run_sync(started.kc.execute_interactive)(cycle, timeout=60)
    assert _value(started, "__import__('sys')._probe() is not None") == "True"
    started.reset()
    assert _value(started, "__import__('sys')._probe() is None") == "True"


@pytest.mark.slow
def test_a_shared_client_waits_for_the_kernel_once(started):
    """nbclient calls wait_for_ready per notebook; after the first it asks the kernel nothing."""
    from jupyter_core.utils import run_sync

    asked = []
    started.kc.kernel_info = lambda: asked.append(1)
    run_sync(started.kc.wait_for_ready)(timeout=5)
    assert asked == []
    assert started.km.client() is started.kc  # the one client nbclient gets for every notebook
    fresh = kernels._shared_client_manager(kernels.ensure_kernel()).client()
    assert fresh._ready is False  # a new manager's client waits for its kernel again
