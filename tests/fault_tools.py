"""Shared tools of the pipeline fault tests: the real CLI, one-line errors, hashes, mounts, and
the ``cleaned``/``work`` fixtures (a plugin of tests/conftest.py, so every fault module has them).

Full-disk and read-only cases mount a small tmpfs or a read-only bind mount (CI runs as root);
under ``CI=true`` they fail rather than skip when they cannot set themselves up.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TIMEOUT = 600
RAW = Path("data/raw/demo")
PROCESSED = Path("data/processed/demo")
CRIME = RAW / "47018NED"
LEFTOVER = re.compile(r"\.(staging|old)-")


def cli(*args: str, root: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """The real CLI; with ``root`` it gets ``--data-dir root/data --reports-dir root/reports``."""
    folders = (
        [] if root is None else ["--data-dir", f"{root}/data", "--reports-dir", f"{root}/reports"]
    )
    kwargs.setdefault("timeout", TIMEOUT)
    return subprocess.run(
        [sys.executable, "-m", "hengelo_analysis", *args, *folders],
        capture_output=True,
        text=True,
        **kwargs,
    )


def cli_in_process(*args: str, root: Path | None = None) -> subprocess.CompletedProcess:
    """``cli.main`` in this process, answered as :func:`cli` answers (exit code, stdout, stderr).

    For a test about what the CLI decides and says, not about the process: a subprocess costs a
    second of imports this process has already paid. stderr holds what the console script prints
    there: main's own lines and the log lines in its format (main's ``basicConfig`` leaves the
    handlers pytest installed alone, so the log is captured here as the script would show it).
    An exception main lets through is raised, as the traceback a subprocess would print.
    """
    from hengelo_analysis.cli import main

    folders = (
        [] if root is None else ["--data-dir", f"{root}/data", "--reports-dir", f"{root}/reports"]
    )
    argv = [*args, *folders]
    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger()
    level, handlers = logger.level, list(logger.handlers)
    logger.setLevel(logging.DEBUG if "--debug" in argv else logging.INFO)
    logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refusing a parameter
                code = exc.code
    finally:
        logger.handlers[:] = handlers  # and any basicConfig handler main added
        logger.setLevel(level)
    return subprocess.CompletedProcess(
        ["hengelo-analysis", *argv], code, out.getvalue(), err.getvalue()
    )


def popen(*args: str, root: Path, **kwargs) -> subprocess.Popen:
    """The CLI as a terminal's foreground job: its own process group, Ctrl-C's default action."""
    folders = ["--data-dir", str(root / "data"), "--reports-dir", str(root / "reports")]
    return subprocess.Popen(
        [sys.executable, "-m", "hengelo_analysis", *args, *folders],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a kill reaches its kernels too
        # A test run started in the background by a non-interactive shell (`nohup .ci/run &`)
        # ignores SIGINT, and the CLI would inherit that: a Ctrl-C test then saw a run finish 0.
        preexec_fn=_default_sigint,
        **kwargs,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def cleaned(demo_cleaned) -> Path:
    """A root with the demo raw tree cleaned once by the CLI's ``clean`` (tests/conftest.py:
    ``demo_cleaned``), shared by every fault module.

    Never changed by a test: each takes its own copy (``work``). One clean per session instead
    of one per module.
    """
    return demo_cleaned[0].data_dir.parent


@pytest.fixture
def work(cleaned, tmp_path) -> Path:
    """A private copy of ``cleaned`` for one test to break."""
    shutil.copytree(cleaned, tmp_path / "w", symlinks=True)
    return tmp_path / "w"


def one_error(result) -> str:
    """The single ``error:`` line of a failed run (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, hidden ones included."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if LEFTOVER.search(p.name) or p.suffix == ".tmp"]


def wait_for(condition, seconds: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def setup_failed(reason: str):
    """A mount this test needs failed: fail under CI (it must run there), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot set up the fault: {reason}")
    pytest.skip(f"cannot set up the fault: {reason}")


def _mount(*args: str) -> None:
    try:
        result = subprocess.run(["mount", *args], capture_output=True, text=True)
    except FileNotFoundError:
        setup_failed("no mount command")
    if result.returncode != 0:
        setup_failed(f"mount {' '.join(args)}: {result.stderr.strip()}")


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: int):
    """``folder`` (its contents kept) on a tmpfs of ``size`` bytes."""
    saved = folder.with_name(folder.name + "-saved")
    folder.rename(saved)
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        shutil.copytree(saved, folder, dirs_exist_ok=True, symlinks=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` as a read-only bind mount of itself."""
    _mount("--bind", str(folder), str(folder))
    try:
        _mount("-o", "remount,ro,bind", str(folder))
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> None:
    """Fill the filesystem of ``folder`` up to ``leave`` free bytes."""
    info = os.statvfs(folder)
    free = info.f_bavail * info.f_frsize
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave))


def rewrite_manifest(table_dir: Path) -> None:
    """Record the current sha256 of every page in ``manifest.json``, as a new fetch would."""
    path = table_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((table_dir / entry["file"]).read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
