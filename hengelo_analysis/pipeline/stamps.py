"""Content hashes that let a rerun skip work whose inputs have not changed (standard library only).

A warm ``report`` must cost a fraction of a second, so this module imports nothing heavy: the CLI
decides here whether ``clean``, ``run`` and ``publish`` have anything to do before it imports
pandas, papermill or nbconvert.

- ``clean``: ``processed/<source>/.clean_stamp.json`` records the hash of every raw file, the code
  version and the hash of every processed file written. ``clean`` is skipped when the raw tree and
  the code hash to the same values and the processed files are still the ones written.
- ``run``: each executed notebook carries its own cache key in ``metadata.hengelo.cache_key``
  (see ``cache_key``): the notebook, its parameters, the processed tables it reads, the findings
  of the claims it shows and the code.
- ``findings``: the findings document carries its own ``key`` (see ``findings_key``): the
  edition's parameters, the claim file's sha256, the configuration, the processed tables, code.
- ``publish``: ``<edition>/.publish_stamp.json`` records a key over everything a page shows (the
  executed notebooks' keys, the processed tables, the edition's findings file, code, git commit) and
  the sha256 of every file of the edition, checked on every rerun.

- the default ``peiljaar`` per gemeente is remembered per hash of ``crime.parquet``.

The one module computing these keys (``pipeline.stages`` decides with them); every key hashes
contents, never timestamps, so a cached result is the result a fresh build would give.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

from hengelo_analysis.paths import PACKAGE_DIR, findings_file
from hengelo_analysis.sources import rawfiles

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
    # Regular files only: hashing a named pipe would block forever (rawfiles warns and skips it).
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in rawfiles.walk_files(root, hidden=False)
    }


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
    """Hash of the library's code, templates and package versions: a change invalidates every cache."""
    global _code_version
    if _code_version is not None:
        return _code_version
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        suffixes = {".py", ".j2", ".css", ".json", ".csv", ".tpl"}
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in path.parts:
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


# --- run: one cache key per executed notebook ---------------------------------------------------


ALL_CLAIMS = "all"
EDITION_FIELDS = ("gemeente", "peiljaar", "rate_unit", "source")


def _hengelo_metadata(notebook: Path) -> dict:
    return ((_read_json(notebook) or {}).get("metadata", {})).get("hengelo") or {}


def notebook_inputs(notebook: Path) -> list[str] | None:
    """Processed tables a notebook declares in ``metadata.hengelo.inputs`` (None: all of them)."""
    inputs = _hengelo_metadata(notebook).get("inputs")
    return list(inputs) if inputs is not None else None


def notebook_claims(notebook: Path) -> list[str] | str | None:
    """The claims whose findings a notebook shows (``metadata.hengelo.claims``).

    A list of claim ids, ``"all"`` (the overview page), or None: it shows no findings. A
    notebook that declares no inputs at all is taken to show every claim.
    """
    meta = _hengelo_metadata(notebook)
    claims = meta.get("claims")
    if claims is None:
        return ALL_CLAIMS if meta.get("inputs") is None else None
    return ALL_CLAIMS if claims == ALL_CLAIMS else [str(c) for c in claims]


def input_hashes(processed_dir: Path, inputs: list[str] | None) -> dict[str, str]:
    """Hashes of the processed files a notebook reads; provenance.json always, but without its
    raw-file sha256s (``inputs``; no page shows them), so a new youth file leaves page 07 alone."""
    hashes = {
        name: digest
        for name, digest in processed_hashes(processed_dir).items()
        if inputs is None or name.split(".")[0] in inputs or name == "provenance.json"
    }
    with contextlib.suppress(OSError, ValueError, AttributeError, KeyError):
        document = json.loads((processed_dir / "provenance.json").read_text(encoding="utf-8"))
        hashes["provenance.json"] = key_of({k: v for k, v in document.items() if k != "inputs"})
    return hashes


def cache_key(notebook: Path, parameters: dict, processed_dir: Path, code: str) -> str:
    """The key an executed ``notebook`` must carry to be reused for ``parameters``.

    A notebook that shows findings depends on the findings of exactly the claims it shows
    (``notebook_claims``), so a changed verdict of one claim re-runs the pages that show it and no
    other (the document's own key changes with every processed table: it is left out).
    """
    payload = {
        "notebook": sha256_file(notebook),
        "parameters": parameters,
        "inputs": input_hashes(processed_dir, notebook_inputs(notebook)),
        "code": code,
    }
    claims = notebook_claims(notebook)
    if claims is not None:
        payload["findings"] = shown_findings_hash(processed_dir, parameters, claims)
    return key_of(payload)


def shown_findings_hash(processed_dir: Path, parameters: dict, claims: list | str) -> str | None:
    """Hash of what a page shows of the edition's findings: the entries of ``claims`` (or, for
    ``"all"``, the whole document but its cache key); None if there is no findings file."""
    unit = parameters.get("rate_unit", 1000)
    path = findings_file(processed_dir, parameters["gemeente"], parameters["peiljaar"], unit)
    if not path.is_file():
        return None
    doc = _read_json(path)
    if doc is None or not isinstance(doc.get("claims"), dict):
        return sha256_file(path)  # unreadable: the page fails on it; any change reruns it
    if claims == ALL_CLAIMS:
        return key_of({k: v for k, v in doc.items() if k != "key"})
    edition = {k: doc.get(k) for k in EDITION_FIELDS}
    return key_of({"edition": edition, "claims": {c: doc["claims"].get(c) for c in claims}})


def set_notebook_key(metadata: dict, key: str) -> None:
    """Record ``key`` in an executed notebook's metadata."""
    metadata.setdefault("hengelo", {})["cache_key"] = key


def cached_key_of(executed: Path) -> str | None:
    """The cache key an executed notebook carries; None if it has none or is unreadable."""
    doc = _read_json(executed) or {}
    return (doc.get("metadata", {}).get("hengelo") or {}).get("cache_key")


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


def findings_key(
    processed_dir: Path, parameters: dict, claim_file_sha256: str, config: dict
) -> str:
    """The key a findings document must carry to stand for ``parameters`` (gemeente, peiljaar,
    rate unit, source), the claim file with that hash and the configuration ``config``."""
    return key_of(
        {
            "parameters": parameters,
            "claim_file": claim_file_sha256,
            "config": config,
            "processed": processed_hashes(processed_dir),
            "code": code_version(),
        }
    )


def findings_is_current(path: Path, key: str) -> bool:
    doc = _read_json(path)
    return doc is not None and doc.get("key") == key


def executed_rate_unit(edition: Path) -> int:
    """The rate unit the edition's notebooks ran with (papermill parameters; 1000 if absent)."""
    for path in sorted(executed_dir(edition).glob("*.ipynb")):
        doc = _read_json(path) or {}
        params = doc.get("metadata", {}).get("papermill", {}).get("parameters", {})
        return int(params.get("rate_unit", 1000))
    return 1000


RUN_DIR = ".run"


def run_notebooks_dir(edition: Path) -> Path:
    """Where ``run`` leaves an edition's executed notebooks for ``publish``: beside the edition.

    ``<gemeente>/.run/<peiljaar>/notebooks``, never inside the deployed edition: a run whose
    publish then fails must not leave new notebooks beside the old pages. ``publish`` copies them
    into the edition together with the pages.
    """
    return edition.parent / RUN_DIR / edition.name / "notebooks"


def executed_dir(edition: Path) -> Path:
    """The executed notebooks an edition is (to be) published from.

    Those of the last run if there are any, else the edition's own (a restored edition, whose
    notebooks still carry their cache keys).
    """
    run = run_notebooks_dir(edition)
    return run if any(run.glob("*.ipynb")) else edition / "notebooks"


def publish_key(
    processed_dir: Path,
    edition: Path,
    parameters: dict,
    git_commit: str,
    findings: Path | None = None,
) -> str | None:
    """Key over everything the published edition shows; None if an executed notebook has no key.

    ``findings`` is the edition's findings document (the findings stage's file).
    """
    notebooks = {}
    for path in sorted(executed_dir(edition).glob("*.ipynb")):
        key = cached_key_of(path)
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
            "findings_file": sha256_file(findings) if findings and findings.is_file() else None,
            "code": code_version(),
            "git_commit": git_commit,
        }
    )


def edition_hashes(edition: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file of a published edition except its stamp."""
    if not edition.is_dir():
        return {}
    return {
        path.relative_to(edition).as_posix(): sha256_file(path)
        for path in sorted(edition.rglob("*"))
        if path.is_file() and path.name != PUBLISH_STAMP
    }


def publish_is_current(edition: Path, key: str | None) -> bool:
    """True when the stamp has ``key`` and every file it lists is still there, unchanged.

    A page or ``findings.json`` deleted or edited in the edition makes it stale, so the next
    ``report`` publishes it again instead of calling a broken edition up to date.
    """
    if key is None or not (edition / "index.html").exists():
        return False
    stamp = _read_json(edition / PUBLISH_STAMP)
    if stamp is None or stamp.get("key") != key or not isinstance(stamp.get("files"), dict):
        return False
    for name, digest in stamp["files"].items():
        path = edition / name
        if not path.is_file() or sha256_file(path) != digest:
            return False
    return True


def write_publish_stamp(edition: Path, key: str | None) -> None:
    """Record ``key`` and the sha256 of every file the edition holds now."""
    if key is not None:
        _write_json(edition / PUBLISH_STAMP, {"key": key, "files": edition_hashes(edition)})
        (edition / PUBLISH_STAMP).chmod(0o644)  # the edition is world-readable, whatever the umask
