"""Walking and reading the raw tree without hanging on a named pipe or looping on a symlink.

Standard library only: ``pipeline.stamps`` hashes the raw tree before the CLI imports pandas.

A raw tree is a folder an analyst can put anything in. Opening a named pipe (FIFO) blocks until
some other process writes to it, so a FIFO named like a data page would hang ``clean`` forever;
a symbolic link pointing back at itself makes every ``open`` fail with ``ELOOP``. So every walk
of the raw tree asks :func:`regular_file` first: a pipe, socket, device or broken link is skipped
with a warning (once per path and process), a symlink loop is a :class:`DataError` (one line).
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

from hengelo_analysis.errors import DataError

log = logging.getLogger(__name__)

_warned: set[str] = set()
KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _stat(path: Path) -> os.stat_result | None:
    """``stat`` following links; ``None`` when nothing is there; a link loop is a DataError."""
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataError(path, "symbolic link loop: the link leads back to itself") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise DataError(path, f"cannot read: {exc.strerror}") from None


def _skip(path: Path, what: str) -> None:
    if str(path) not in _warned:
        _warned.add(str(path))
        log.warning("%s: %s, not a regular file; skipped", path, what)


def regular_file(path: Path) -> bool:
    """True for a regular file (or a link to one), False for anything else.

    A pipe, socket, device or broken link is skipped with a warning; a directory or a missing
    path silently. A symlink loop is a :class:`DataError`.
    """
    info = _stat(path)
    if info is None:
        if os.path.islink(path):
            _skip(path, "a broken symbolic link (its target does not exist)")
        return False
    if stat.S_ISREG(info.st_mode):
        return True
    kind = stat.S_IFMT(info.st_mode)
    if kind in KINDS:
        _skip(path, KINDS[kind])
    return False


def directory(path: Path) -> bool:
    """``Path.is_dir`` that reports a symlink loop instead of calling it "no directory"."""
    info = _stat(path)
    return info is not None and stat.S_ISDIR(info.st_mode)


def files_in(folder: Path) -> list[Path]:
    """The regular files directly in ``folder``, sorted by name (others skipped, see above)."""
    if not directory(folder):
        return []
    return [p for p in sorted(folder.iterdir()) if regular_file(p)]


def is_hidden(path: Path, root: Path) -> bool:
    """Whether ``path`` or a folder between ``root`` and it starts with ``.`` (not raw input).

    The one rule for both ``clean`` (``Cleaner.files``) and the clean cache's raw hash
    (:func:`walk_files` with ``hidden=False``), so a file is either read and hashed, or neither.
    """
    return any(part.startswith(".") for part in Path(path).relative_to(root).parts)


def walk_files(root: Path, *, hidden: bool = True) -> list[Path]:
    """Every regular file under ``root``, sorted; ``hidden=False`` leaves out :func:`is_hidden` ones.

    Linked directories are not descended into (``os.walk`` default), so a link to a parent folder
    cannot make the walk endless.
    """
    if not directory(root):
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Pruning a hidden folder is the is_hidden rule applied early: nothing below it counts.
        dirnames[:] = sorted(d for d in dirnames if hidden or not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if (hidden or not is_hidden(path, root)) and regular_file(path):
                out.append(path)
    return out


def read_bytes(path: Path) -> bytes:
    """The bytes of a raw file, refusing (never opening) anything that is not a regular file."""
    info = _stat(path)
    if info is None:
        raise DataError(path, "file missing")
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "a directory")
        raise DataError(path, f"{kind}, not a regular file: refusing to read it")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot read: {exc.strerror}") from None
