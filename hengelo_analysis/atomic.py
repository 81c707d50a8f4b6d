"""Atomic writes: a failed or interrupted run never leaves a half-written file or directory behind.

Every output is written to a temporary sibling and renamed into place. ``os.replace`` is atomic on
POSIX within one filesystem, so readers see either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        # BaseException too: Ctrl-C must not leave the temporary file behind either.
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def write_text(target: str | Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


@contextlib.contextmanager
def staged_directory(target: str | Path) -> Iterator[Path]:
    """Build a directory in a temporary sibling, then swap it in place of ``target``.

    The previous ``target`` (the last good edition) stays untouched until the new one is complete;
    if the block fails, the staging directory is removed and ``target`` is as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_directory(staging, target)


def swap_directory(new: Path, target: Path) -> None:
    """Replace directory ``target`` by ``new`` with two renames; the old one is removed afterwards."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
