"""Download a CBS OData v3 table (``ODataFeed``) or PDOK OGC API collections, saving raw pages.

Every page is stored exactly as received (the raw response bytes), so ``clean`` reads what the API
sent and a reviewer can compare the files with the source; the manifest records the URL that
actually answered. A table is built in a staging folder and swapped in only when it is complete and
passes the checks: its own (``TableInfos.Modified``, metadata and dimension sets, data rows) and
the caller's ``check`` (the same reader ``clean`` uses). A failed, empty or foreign download never
leaves a partial file and never replaces the last good copy.

Nothing the server sends names a file or a host: entity-set names must be plain letters
(``ENTITY_SET_RE``, as ``odata.PAGE_RE`` reads them back); next links are checked in ``paging``.

Traps handled (data-sources.md §0, §1.1, §6): the ``ODataFeed`` endpoint pages via
``odata.nextLink`` (no 10,000-row cap, unlike ``ODataApi``, whose cap error is recognised and
reported); ``$format=json`` is required (the feed answers Atom XML otherwise); keys in ``$filter``
must be the padded keys as served, or ``startswith``; there is no ``in (...)``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.domain import REGION_TYPES
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.sources.client import HttpClient, Page
from hengelo_analysis.sources.paging import iter_odata_pages, iter_ogc_pages, odata_document
from hengelo_analysis.sources.transport import FetchError

log = logging.getLogger(__name__)

CATALOG_HOSTS = {
    "Politie": "https://dataderden.cbs.nl",
    "CBS": "https://opendata.cbs.nl",
}
FEED_PATHS = {"Politie": "/ODataFeed/OData", "CBS": "/ODataFeed/odata"}
PDOK_BASE_URL = "https://api.pdok.nl"
DATA_SETS = ("TypedDataSet", "UntypedDataSet")
ENTITY_SET_RE = re.compile(r"^[A-Za-z]+$")
RESERVED_NAMES = {"manifest"}  # manifest.json is ours
MAX_ENTITY_SETS = 100
DIMENSION_TYPES = ("Dimension", "TimeDimension", *REGION_TYPES)
PLANNED_SETS = ("Perioden", "WijkenEnBuurten", "RegioS")  # read by fetch's plans

# A check of a complete staged download (``clean``'s reader); raises AnalysisError when unusable.
Check = Callable[[Path], None]


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the services; tests point them at a local HTTP server."""

    cbs: dict[str, str] = field(default_factory=dict)
    pdok: str = PDOK_BASE_URL

    @classmethod
    def from_env(cls) -> Endpoints:
        """HENGELO_CBS_BASE_URL replaces scheme and host of both CBS catalogs (tests, mirrors)."""
        base = os.environ.get("HENGELO_CBS_BASE_URL")
        cbs = {
            catalog: (base.rstrip("/") if base else host) + FEED_PATHS[catalog]
            for catalog, host in CATALOG_HOSTS.items()
        }
        return cls(cbs=cbs, pdok=os.environ.get("HENGELO_PDOK_BASE_URL", PDOK_BASE_URL).rstrip("/"))

    def feed(self, catalog: str, table_id: str) -> str:
        if catalog not in self.cbs:
            raise FetchError(f"unknown CBS catalog {catalog!r}; known: {sorted(self.cbs)}")
        return f"{self.cbs[catalog]}/{table_id}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Query:
    """One ``$filter`` (and optional ``$select``) on a table's data set."""

    filter: str | None = None
    select: list[str] | None = None

    def params(self) -> dict:
        p = {"$format": "json"}
        if self.filter:
            p["$filter"] = self.filter
        if self.select:
            p["$select"] = ",".join(self.select)
        return p


def read_manifest(folder: Path) -> dict | None:
    path = folder / "manifest.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # a broken manifest means "fetch again", not a crash


def file_entry(file_name: str, page: Page, rows: int) -> dict:
    entry = {
        "file": file_name,
        "url": page.url,
        "parameters": page.params,
        "sha256": sha256(page.raw),
        "rows": rows,
    }
    if page.redirected_from:
        entry["redirected_from"] = page.redirected_from
    return entry


@contextlib.contextmanager
def named(label: str) -> Iterator[None]:
    """Start a FetchError with what was being fetched: the CLI's one line names the table."""
    try:
        yield
    except FetchError as exc:
        if str(exc).startswith(f"{label}:"):
            raise
        raise type(exc)(f"{label}: {exc}") from None


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder named like ``target`` (the readers go by the name); swap it in after.

    The block must succeed (checks included) before ``target``, the last good copy, is replaced.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        stage = holder / target.name
        stage.mkdir()
        yield stage
        atomic.swap_directory(stage, target)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def run_check(check: Check | None, stage: Path, source: str) -> None:
    """Apply ``check`` to the staged download from ``source``; its failure keeps the cached copy."""
    if check is None:
        return
    try:
        check(stage)
    except AnalysisError as exc:
        # The staging folder is gone by the time anyone reads this: name the file by itself.
        message = str(exc).replace(f"{stage}/", "").replace(str(stage), stage.name)
        raise FetchError(
            f"{source}: the new download fails the checks of clean ({message}); "
            "the cached copy is kept"
        ) from None


@dataclass
class TableFetch:
    table_id: str
    folder: Path
    downloaded: bool
    modified: str | None
    rows: int = 0
    previous_dimensions: dict[str, list[dict]] = field(default_factory=dict)


def table_modified(infos: Page) -> str:
    rows = infos.doc["value"]
    modified = rows[0].get("Modified") if rows else None
    if not isinstance(modified, str) or not modified.strip():
        raise FetchError(
            f"{infos.url}: TableInfos has no Modified date (an empty or foreign "
            "answer); nothing was stored"
        )
    return modified


def entity_set_names(index: Page) -> list[str]:
    """The table's entity sets, from its index; refused unless each is a plain name."""
    names: list[str] = []
    for entry in index.doc["value"]:
        name = entry.get("name") or str(entry.get("url") or "").rsplit("/", 1)[-1]
        if not isinstance(name, str) or not ENTITY_SET_RE.match(name):
            raise FetchError(
                f"{index.url}: unsafe entity-set name {str(name)[:80]!r} in the "
                "table index (plain letters only); nothing was stored"
            )
        if name in names:
            continue  # listed twice: one download
        if name.lower() in RESERVED_NAMES or name.lower() in {n.lower() for n in names}:
            # Perioden and perioden would share a file on a case-insensitive disk.
            raise FetchError(f"{index.url}: entity set name {name!r} refused")
        names.append(name)
    if len(names) > MAX_ENTITY_SETS:
        raise FetchError(f"{index.url}: {len(names)} entity sets; refused")
    if "TypedDataSet" not in names:
        raise FetchError(f"{index.url}: the table index lists no TypedDataSet")
    return names


def check_metadata(feed: str, meta: dict[str, list[dict]]) -> None:
    """An empty or foreign answer must not pass for a table.

    DataProperties must have rows, each dimension it names must have rows, and every row of those
    (and of the sets the plans read) a text ``Key``: the plans build their filters from them.
    """
    props = meta.get("DataProperties") or []
    if not props:
        raise FetchError(f"{feed}: no DataProperties rows; nothing was stored")
    if not all(isinstance(p.get("Key"), str) for p in props):
        raise FetchError(f"{feed}/DataProperties: a row without a text Key")
    dimensions = {p["Key"] for p in props if p.get("Type") in DIMENSION_TYPES}
    for key in sorted(dimensions):
        if not meta.get(key):
            raise FetchError(f"{feed}: dimension {key!r} has no rows; nothing was stored")
    for key in sorted((dimensions | set(PLANNED_SETS)) & set(meta)):
        if not all(isinstance(r.get("Key"), str) for r in meta[key]):
            raise FetchError(f"{feed}/{key}: a row without a text Key")


def _previous_sets(target: Path, names: tuple[str, ...]) -> dict[str, list[dict]]:
    from hengelo_analysis.sources.odata import read_entity_set

    previous: dict[str, list[dict]] = {}
    if target.is_dir():
        for name in names:
            try:
                previous[name] = read_entity_set(target, name, required=False)
            except AnalysisError:
                previous[name] = []
    return previous


def fetch_odata_table(
    client: HttpClient,
    endpoints: Endpoints,
    catalog: str,
    table_id: str,
    raw_dir: Path,
    plan: Callable[[dict[str, list[dict]]], list[Query]],
    *,
    refresh: bool = False,
    keep_previous: tuple[str, ...] = (),
    check: Check | None = None,
) -> TableFetch:
    """Download one OData v3 table into ``raw_dir/<table_id>/`` (atomically), unless unchanged.

    Parameters
    ----------
    plan : given the table's metadata entity sets (``DataProperties`` and every dimension, by
        name), returns the data queries to run. Lets the caller build filters from keys as served.
    refresh : download even when ``TableInfos.Modified`` equals the one in the saved manifest.
    keep_previous : dimension sets of the previous copy to return (to diff e.g. the buurt list).
    check : applied to the complete staged folder (named ``table_id``) before it replaces the cache.
    """
    with named(table_id):
        return _fetch_odata_table(
            client, endpoints, catalog, table_id, raw_dir, plan, refresh, keep_previous, check
        )


def _fetch_odata_table(
    client, endpoints, catalog, table_id, raw_dir, plan, refresh, keep_previous, check
) -> TableFetch:
    feed = endpoints.feed(catalog, table_id)
    target = raw_dir / table_id
    infos = odata_document(client, f"{feed}/TableInfos")
    modified = table_modified(infos)
    manifest = read_manifest(target)
    if manifest and not refresh and manifest.get("modified") == modified:
        log.info("%s unchanged (Modified %s); not downloading again", table_id, modified)
        return TableFetch(table_id, target, False, modified, manifest.get("rows", 0))

    previous = _previous_sets(target, keep_previous)
    index = odata_document(client, feed)
    names = entity_set_names(index)
    files: list[dict] = []
    total_rows = 0
    with staged_folder(target) as staging:

        def save(file_name: str, page: Page) -> None:
            atomic.write_bytes(staging / file_name, page.raw)
            files.append(file_entry(file_name, page, len(page.doc["value"])))

        save("TableInfos.json", infos)
        meta: dict[str, list[dict]] = {}
        for name in names:
            if name in DATA_SETS or name == "TableInfos":
                continue
            pages = list(iter_odata_pages(client, f"{feed}/{name}", {"$format": "json"}, name))
            meta[name] = [r for p in pages for r in p.doc["value"]]
            for number, page in enumerate(pages, start=1):
                save(f"{name}-{number:04d}.json" if len(pages) > 1 else f"{name}.json", page)
        check_metadata(feed, meta)
        number = 0
        for query in plan(meta):
            for page in iter_odata_pages(
                client, f"{feed}/TypedDataSet", query.params(), f"{table_id} TypedDataSet"
            ):
                number += 1
                save(f"TypedDataSet-{number:04d}.json", page)
                total_rows += len(page.doc["value"])
        if not total_rows:
            raise FetchError(f"{feed}/TypedDataSet: no data rows; nothing was stored")
        new_manifest = {
            "table_id": table_id,
            "catalog": catalog,
            "url": feed,
            "modified": modified,
            "retrieved_at": now_utc(),
            "rows": total_rows,
            "synthetic": False,
            "files": files,
        }
        atomic.write_text(
            staging / "manifest.json",
            json.dumps(new_manifest, indent=2, ensure_ascii=False) + "\n",
        )
        run_check(check, staging, feed)
    log.info("%s: %d data rows in %d pages → %s", table_id, total_rows, number, target)
    return TableFetch(table_id, target, True, modified, total_rows, previous)


def fetch_ogc_collections(
    client: HttpClient,
    base_url: str,
    collections: dict[str, dict],
    target: Path,
    *,
    refresh: bool = False,
    extra_manifest: dict | None = None,
    check: Check | None = None,
) -> bool:
    """Download OGC API Features collections into ``target`` as ``<collection>-NNNN.json`` pages.

    Returns False (and downloads nothing) when ``target`` already holds a complete download and
    ``refresh`` is not set: PDOK boundaries of a given indeling year do not change. A collection
    without features, or a download ``check`` refuses, keeps the cached copy.
    """
    if read_manifest(target) and not refresh:
        log.info("%s already downloaded; not downloading again", target)
        return False
    with named(f"{target.parent.name}/{target.name}"):
        _download_collections(client, base_url, collections, target, extra_manifest, check)
    return True


def _download_collections(client, base_url, collections, target, extra_manifest, check) -> None:
    files = []
    with staged_folder(target) as staging:
        for name, params in collections.items():
            url = f"{base_url}/collections/{name}/items"
            features = 0
            for number, page in enumerate(iter_ogc_pages(client, url, params, name), start=1):
                file_name = f"{name}-{number:04d}.json"
                atomic.write_bytes(staging / file_name, page.raw)
                files.append(file_entry(file_name, page, len(page.doc["features"])))
                features += len(page.doc["features"])
            if not features:
                raise FetchError(f"{url}: no features; nothing was stored")
        manifest = {
            "url": base_url,
            "retrieved_at": now_utc(),
            "synthetic": False,
            **(extra_manifest or {}),
            "files": files,
        }
        atomic.write_text(
            staging / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        run_check(check, staging, base_url)
