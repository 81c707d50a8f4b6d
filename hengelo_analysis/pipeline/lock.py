"""One build at a time per folder: a lock file in the data and reports folders (standard library only).

Two ``report`` runs on the same folders would race for the same processed set and edition (each
swapping its own in, the loser's staging folders removed under its feet). So every command holds
``<folder>/.hengelo-lock`` with ``fcntl.flock`` while it works; a second process fails at once with
one line naming the holder (pid, host, start time and command, recorded in the file).

The kernel releases a ``flock`` when its process dies, however it dies, so a ``kill -9`` never
leaves the folder locked. The record it wrote stays behind, though: finding a record on a lock we
could take means its process is gone, and the take-over is logged as a warning (the next run also
cleans the killed run's staging folders, see ``staging_parents``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.paths import SOURCES

log = logging.getLogger(__name__)

LOCK_FILE = ".hengelo-lock"


class LockedError(AnalysisError):
    """Another process holds the lock of a folder this command writes to."""


def describe(record: dict) -> str:
    """``pid 123 on host, started 2026-12-01T18:00:00Z (report)`` from a lock record."""
    text = f"pid {record.get('pid', '?')} on {record.get('host', '?')}"
    text += f", started {record.get('started', '?')}"
    return text + (f" ({record['command']})" if record.get("command") else "")


def _read_record(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    if not data.strip():
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return {"pid": "?", "host": "?", "started": "?", "command": "unreadable lock record"}
    return record if isinstance(record, dict) else None


def _write_record(fd: int, record: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(record) + "\n").encode())


def _open(path: Path) -> tuple[int | None, bool]:
    """``(fd, writable)``; ``(None, False)`` when a read-only folder has no lock file to open.

    ``O_NOFOLLOW``: a lock path that is a symlink would have us overwrite its target with our
    record; anything but a regular file there (a link, a folder, a fifo) is refused in one line.
    """
    flags = os.O_NOFOLLOW | os.O_NONBLOCK  # O_NONBLOCK: a fifo must not hang the open
    try:
        fd, writable = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _not_a_lock_file(path) from None
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR):
            raise
        try:
            fd, writable = os.open(path, os.O_RDONLY | flags), False
        except FileNotFoundError:
            return None, False
        except OSError as again:
            if again.errno == errno.ELOOP:
                raise _not_a_lock_file(path) from None
            raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_a_lock_file(path)
    return fd, writable


def _not_a_lock_file(path: Path) -> AnalysisError:
    return AnalysisError(
        f"{path}: the lock file is a symlink or not a regular file; remove it and try again"
    )


def _acquire(folder: Path, path: Path) -> tuple[int | None, bool]:
    """Open and flock ``path``; ``(fd, writable)``, or ``(None, False)`` in a read-only folder.

    A clean exit removes the lock file, so between our ``open`` and ``flock`` its holder may have
    unlinked it: the lock is only ours if ``path`` still names the file we locked (else retry).
    """
    while True:
        fd, writable = _open(path)
        if fd is None:
            return None, False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_record(fd) or {}
            os.close(fd)
            raise LockedError(
                f"{folder} is in use by another hengelo-analysis process: {describe(holder)}; "
                "wait until it has finished"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd, writable
        os.close(fd)


@contextlib.contextmanager
def hold(folder: Path, command: str) -> Iterator[None]:
    """Hold the lock of ``folder`` for the block; raise :class:`LockedError` if another holds it.

    A folder this process cannot write to gets no lock file (nothing we run can then change it, so
    there is nothing to race for); the command fails later, in one line, if it had to write there.
    On a clean exit the lock file is removed again, and so is a folder created only to hold it.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd, writable = _acquire(folder, path)
    if fd is None:
        log.debug("%s: read-only, not locked", folder)
        yield
        return
    try:
        _take_over(folder, fd, writable)
        if writable:
            _write_record(fd, _record(command))
        try:
            yield
        finally:
            # Also after an error or Ctrl-C: only a killed process leaves its record behind.
            if writable:
                # Removed while still locked: a process that opened it meanwhile sees another
                # inode and tries again (see _acquire).
                path.unlink(missing_ok=True)
                if created and not any(folder.iterdir()):
                    folder.rmdir()  # made only to hold the lock (the command wrote nothing)
    finally:
        os.close(fd)  # releases the flock


def _take_over(folder: Path, fd: int, writable: bool) -> None:
    """Warn about, and clean up after, a holder that died holding the lock (its record is left)."""
    previous = _read_record(fd)
    if previous is None:
        return
    log.warning(
        "%s: taking over the lock of %s, which is gone (killed?); its unfinished output is "
        "cleaned up",
        folder,
        describe(previous),
    )
    if writable:
        for leftover in atomic.sweep_leftovers(staging_parents(folder)):
            log.info("removed %s, left by the killed run", leftover)


def staging_parents(folder: Path) -> list[Path]:
    """The folders in which the pipeline itself stages, under a data or reports ``folder``.

    ``processed/`` (the set of each source, see ``sources.clean``), ``<source>/<gemeente>/`` (the
    editions, ``Layout.edition_dir``) and ``<source>/<gemeente>/.run/<peiljaar>/`` (the run's
    notebooks, ``stamps.run_notebooks_dir``). Never ``raw/``: a raw tree is the user's input, and
    the stages that stage there clear their own leftovers before they start.
    """
    parents = [folder / "processed"]
    for source in SOURCES:
        for gemeente in sorted((folder / source).glob("*")):
            parents.append(gemeente)
            parents.extend(sorted((gemeente / ".run").glob("*")))
    return parents


def _record(command: str) -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
    }


@contextlib.contextmanager
def hold_all(folders: list[Path], command: str) -> Iterator[None]:
    """Hold the locks of several folders (the same folder once), in the order given."""
    with contextlib.ExitStack() as stack:
        seen = set()
        for folder in folders:
            key = Path(folder).resolve()
            if key not in seen:
                seen.add(key)
                stack.enter_context(hold(folder, command))
        yield
