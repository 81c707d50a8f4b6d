"""Content hashes that let a rerun skip work whose inputs have not changed (standard library only).

A warm ``report`` must cost a fraction of a second, so this module imports nothing heavy: the CLI
decides here whether ``clean``, ``run`` and ``publish`` have anything to do before it imports
pandas, papermill or nbconvert.

- ``clean``: ``processed/<source>/.clean_stamp.json`` records the hash of every raw file, the code
  version and the hash of every processed file written. ``clean`` is skipped when the raw tree and
  the code hash to the same values and the processed files are still the ones written.
- ``run``: each executed notebook carries its own cache key (see ``run.cache_key``).
- ``publish``: ``<edition>/.publish_stamp.json`` records a key over everything a page shows (the
  executed notebooks' keys, the processed tables, a placed findings file, code, git commit).
- the default ``peiljaar`` per gemeente is remembered per hash of ``crime.parquet``.

Every key is a hash of contents, never of timestamps, so a cached result is the result a fresh
build would give.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from hengelo_analysis.paths import PACKAGE_DIR

CLEAN_STAMP = ".clean_stamp.json"
PUBLISH_STAMP = ".publish_stamp.json"
YEARS_MEMO = ".years.json"
# Versions that change what the cleaners or notebooks produce from the same input bytes.
VERSIONED_PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "pyogrio",
    "shapely",
    "geopandas",
    "matplotlib",
    "scipy",
    "statsmodels",
    "nbconvert",
    "papermill",
    "ipykernel",
    "orjson",
)

_hash_memo: dict[tuple, str] = {}
_code_version: str | None = None


def sha256_file(path: Path) -> str:
    """Content hash of a file; remembered per (path, size, mtime) within one process only."""
    stat = path.stat()
    memo_key = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _hash_memo.get(memo_key)
    if digest is None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        digest = _hash_memo[memo_key] = h.hexdigest()
    return digest


def tree_hashes(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` (hidden files excluded)."""
    if not root.is_dir():
        return {}
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                path = Path(dirpath) / name
                out[path.relative_to(root).as_posix()] = sha256_file(path)
    return out


def processed_hashes(processed_dir: Path) -> dict[str, str]:
    """``{file name: sha256}`` of the processed tables (not the hidden stamps)."""
    if not processed_dir.is_dir():
        return {}
    return {
        p.name: sha256_file(p)
        for p in sorted(processed_dir.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def code_version() -> str:
    """Hash of the library's code and templates and of the versions of the packages it relies on.

    A change to any of them invalidates every cache (processed tables, notebooks, pages).
    """
    global _code_version
    if _code_version is not None:
        return _code_version
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css", ".json", ".csv", ".tpl"}:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    for name in VERSIONED_PACKAGES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    digest.update(sys.version.encode())
    _code_version = digest.hexdigest()
    return _code_version


def key_of(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _read_json(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _write_json(path: Path, doc: dict) -> None:
    from hengelo_analysis import atomic

    atomic.write_text(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")


# --- clean ----------------------------------------------------------------------------------------


def clean_is_current(raw_dir: Path, processed_dir: Path) -> bool:
    """True when ``processed_dir`` holds exactly what cleaning ``raw_dir`` with this code gives.

    The stamp must name the same raw hashes and code version, and every processed file it recorded
    must still be there unchanged (a deleted or edited processed table forces a clean).
    """
    stamp = _read_json(processed_dir / CLEAN_STAMP)
    if stamp is None or stamp.get("code") != code_version():
        return False
    if stamp.get("raw") != tree_hashes(raw_dir):
        return False
    return stamp.get("processed") == processed_hashes(processed_dir)


def write_clean_stamp(raw_dir: Path, processed_dir: Path, raw: dict[str, str]) -> None:
    """Record that ``processed_dir`` was cleaned from raw files with hashes ``raw``.

    ``raw`` is hashed *before* cleaning, so a raw file changed during the clean makes the stamp
    stale (the next run cleans again) rather than wrongly current.
    """
    doc = {"code": code_version(), "raw": raw, "processed": processed_hashes(processed_dir)}
    _write_json(processed_dir / CLEAN_STAMP, doc)


def remove_clean_stamp(processed_dir: Path) -> None:
    (processed_dir / CLEAN_STAMP).unlink(missing_ok=True)


# --- peiljaar -------------------------------------------------------------------------------------


def remembered_years(processed_dir: Path, gemeente: str) -> list[int] | None:
    """The years with data for ``gemeente`` if computed before from this very ``crime.parquet``."""
    crime = processed_dir / "crime.parquet"
    memo = _read_json(processed_dir / YEARS_MEMO)
    if memo is None or not crime.exists() or memo.get("crime") != sha256_file(crime):
        return None
    years = memo.get("years", {}).get(gemeente)
    return [int(y) for y in years] if isinstance(years, list) else None


def remember_years(processed_dir: Path, years_by_gemeente: dict[str, list[int]]) -> None:
    crime = processed_dir / "crime.parquet"
    if not crime.exists():
        return
    digest = sha256_file(crime)
    memo = _read_json(processed_dir / YEARS_MEMO)
    known = memo.get("years", {}) if memo and memo.get("crime") == digest else {}
    known.update({g: [int(y) for y in ys] for g, ys in years_by_gemeente.items()})
    try:
        _write_json(processed_dir / YEARS_MEMO, {"crime": digest, "years": known})
    except OSError:
        pass  # a memo only; a read-only data dir still works, just slower


# --- publish --------------------------------------------------------------------------------------


def publish_key(
    processed_dir: Path,
    edition: Path,
    findings_file: Path | None,
    parameters: dict,
    git_commit: str,
) -> str | None:
    """Key over everything the published edition shows; None if an executed notebook has no key."""
    notebooks = {}
    for path in sorted((edition / "notebooks").glob("*.ipynb")):
        doc = _read_json(path)
        key = ((doc or {}).get("metadata", {}).get("hengelo") or {}).get("cache_key")
        if key is None:
            return None
        notebooks[path.name] = key
    if not notebooks:
        return None
    return key_of(
        {
            "parameters": parameters,
            "notebooks": notebooks,
            "processed": processed_hashes(processed_dir),
            "findings_file": sha256_file(findings_file) if findings_file else None,
            "code": code_version(),
            "git_commit": git_commit,
        }
    )


def publish_is_current(edition: Path, key: str | None) -> bool:
    if key is None or not (edition / "index.html").exists():
        return False
    stamp = _read_json(edition / PUBLISH_STAMP)
    return stamp is not None and stamp.get("key") == key


def write_publish_stamp(edition: Path, key: str | None) -> None:
    if key is not None:
        _write_json(edition / PUBLISH_STAMP, {"key": key})
