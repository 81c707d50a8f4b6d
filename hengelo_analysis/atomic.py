"""Atomic writes: a failed or interrupted run never leaves a half-written file or directory behind.

Every output is written to a temporary sibling and renamed into place. ``os.replace`` is atomic on
POSIX within one filesystem, so readers see either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process umask, read without changing it where Linux shows it.

    ``os.umask`` can only be read by setting it: for that moment every file any other thread
    creates would get mode 0666 (editions publish on threads). Linux shows it in
    ``/proc/self/status``; elsewhere it is set and restored under a lock.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:
        umask = os.umask(0o077)  # the brief value is strict, not open
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
def staged_directory(target: str | Path, *, public: bool = False) -> Iterator[Path]:
    """Build a directory in a temporary sibling, then swap it in place of ``target``.

    The previous ``target`` (the last good edition) stays untouched until the new one is complete;
    if the block fails, the staging directory is removed and ``target`` is as it was. Leftovers of
    a killed earlier build (see :func:`remove_leftovers`) are cleared first. ``public``: every
    file becomes 0644 and every folder 0755 before the swap, whatever the umask (a published
    edition must be readable by the web server; GitHub Pages refuses anything less).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())
    try:
        yield staging
        if public:
            make_public(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_directory(staging, target)


def swap_directory(new: Path, target: Path) -> None:
    """Replace directory ``target`` by ``new`` with two renames; the old one is removed afterwards.

    Between the two renames ``target`` is briefly absent; a process killed right there leaves the
    old folder as ``.<name>.old-*``, which :func:`remove_leftovers` puts back on the next run.
    """
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def leftovers(target: str | Path) -> list[Path]:
    """Staging and old folders of ``target`` that a killed build left beside it."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    return sorted(
        p
        for pattern in (f".{target.name}.staging-*", f".{target.name}.old-*")
        for p in target.parent.glob(pattern)
    )


def remove_leftovers(target: str | Path) -> list[Path]:
    """Remove what a killed build of ``target`` left; return the paths removed.

    A staging folder is an unfinished build: removed. An old folder is the previous ``target``;
    it is put back if the kill came between the two renames of :func:`swap_directory` (``target``
    missing), else removed. Only one build may run at a time (``pipeline.lock``), so nothing found
    here belongs to a live process.
    """
    target = Path(target)
    removed = []
    for path in leftovers(target):
        if ".old-" in path.name and not target.exists():
            os.replace(path, target)
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


LEFTOVER_RE = re.compile(r"^\.(?P<name>.+)\.(staging|old)-[^/]+$")


def sweep_leftovers(parents: Iterable[str | Path]) -> list[Path]:
    """:func:`remove_leftovers` for every staged target directly in ``parents``; the paths removed.

    Run after a killed build (``pipeline.lock`` finds its record). Only the folders the caller
    names are looked in, never below them: a user's own ``.x.old-2019`` folder elsewhere (say in a
    raw tree) is input, not our leftover, and must be neither removed nor renamed into place.
    """
    targets = set()
    for parent in map(Path, parents):
        if not parent.is_dir() or parent.is_symlink():
            continue
        for entry in parent.iterdir():
            match = LEFTOVER_RE.match(entry.name)
            if match:
                targets.add(parent / match["name"])
    return [path for target in sorted(targets) for path in remove_leftovers(target)]


FILE_MODE = 0o644
DIR_MODE = 0o755


def make_public(root: str | Path) -> None:
    """Make ``root`` and everything in it world-readable: files 0644, folders 0755."""
    root = Path(root)
    root.chmod(DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), DIR_MODE)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)
