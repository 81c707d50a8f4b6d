"""A small HTTP client for CBS OData v3 (``ODataFeed``) and PDOK OGC API Features, saving raw pages.

Every page is stored exactly as received (the raw response bytes), so ``clean`` reads what the API
sent and a reviewer can compare the files with the source. A table is downloaded into a staging
folder and swapped in only when complete (``atomic.staged_directory``): an interrupted or failed
fetch never leaves a partial file and never replaces the last good copy.

Traps handled (data-sources.md §0, §1.1, §6): the ``ODataFeed`` endpoint pages via
``odata.nextLink`` (no 10,000-row cap, unlike ``ODataApi``, whose cap error is recognised and
reported); ``$format=json`` is required (the feed answers Atom XML otherwise); keys in ``$filter``
must be the padded keys as served, or ``startswith``; there is no ``in (...)``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from tqdm import tqdm

from hengelo_analysis import atomic
from hengelo_analysis.errors import AnalysisError

log = logging.getLogger(__name__)

# Catalog -> default ODataFeed base URL. Overridable per catalog through the environment (tests and
# mirrors): HENGELO_CBS_BASE_URL replaces scheme and host of both CBS catalogs.
CATALOG_HOSTS = {
    "Politie": "https://dataderden.cbs.nl",
    "CBS": "https://opendata.cbs.nl",
}
FEED_PATHS = {"Politie": "/ODataFeed/OData", "CBS": "/ODataFeed/odata"}
PDOK_BASE_URL = "https://api.pdok.nl"
DATA_SETS = ("TypedDataSet", "UntypedDataSet")
ROW_CAP_MARKER = "more than 10000 records"


class FetchError(AnalysisError):
    """A download failed for good (after retries), or the server refused the query."""


class RowCapError(FetchError):
    """The ``ODataApi`` endpoint refused a query returning more than 10,000 rows."""


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the services; tests point them at a local HTTP server."""

    cbs: dict[str, str] = field(default_factory=dict)
    pdok: str = PDOK_BASE_URL

    @classmethod
    def from_env(cls) -> Endpoints:
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


@dataclass
class Page:
    url: str
    params: dict | None
    raw: bytes
    doc: dict


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def describe_network_error(exc: Exception) -> str:
    """A short reason for a failed request: urllib3's own messages run to several hundred characters."""
    text = str(exc)
    if (
        "NameResolutionError" in text
        or "Name or service not known" in text
        or "getaddrinfo" in text
    ):
        return "host name cannot be resolved (no network or DNS?)"
    if "Connection refused" in text:
        return "connection refused"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if "IncompleteRead" in text or "Connection broken" in text:
        return "connection dropped mid-body"
    return f"{type(exc).__name__}: {text[:160]}"


@dataclass
class HttpClient:
    """GET with a per-request timeout and bounded retries with exponential backoff.

    Retries connection errors, timeouts, bodies cut off mid-transfer and 5xx answers, except the
    ODataApi row-cap error, which no retry can fix. ``max_total_seconds`` bounds the whole retry
    loop of one request so a dead server does not hang the run.
    """

    timeout: float = 60.0
    max_attempts: int = 5
    # HENGELO_FETCH_BACKOFF shortens the waits (tests of an unreachable host; impatient analysts).
    backoff: float = field(default_factory=lambda: _env_seconds("HENGELO_FETCH_BACKOFF", 2.0))
    max_total_seconds: float = 600.0
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep

    def get_json(self, url: str, params: dict | None = None) -> Page:
        started = time.monotonic()
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = self.session.get(url, params=params, timeout=self.timeout)
                raw = resp.content  # reads the whole body; a dropped connection raises here
            except (requests.ConnectionError, requests.Timeout) as exc:
                # ChunkedEncodingError and "IncompleteRead" are ConnectionError subclasses/causes.
                last_problem = describe_network_error(exc)
            except requests.exceptions.ChunkedEncodingError as exc:
                last_problem = f"connection dropped mid-body: {exc}"
            else:
                if resp.status_code >= 500 and ROW_CAP_MARKER in resp.text:
                    raise RowCapError(
                        f"{resp.url}: the server refuses queries returning more than 10,000 rows "
                        "(ODataApi cap); use the ODataFeed endpoint or split the $filter"
                    )
                if resp.status_code >= 500 or resp.status_code == 429:  # 429: rate limited
                    last_problem = f"HTTP {resp.status_code}"
                elif resp.status_code >= 400:
                    raise FetchError(f"{resp.url}: HTTP {resp.status_code}: {resp.text[:200]}")
                else:
                    try:
                        doc = json.loads(raw)
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        last_problem = "the body is not complete JSON"
                    else:
                        return Page(url=url, params=params, raw=raw, doc=doc)
            elapsed = time.monotonic() - started
            wait = self.backoff * 2 ** (attempt - 1)
            if attempt == self.max_attempts or elapsed + wait > self.max_total_seconds:
                break
            log.warning("%s: %s; retry %d in %.0f s", url, last_problem, attempt, wait)
            self.sleep(wait)
        raise FetchError(f"{url}: giving up after {attempt} attempts ({last_problem})")


def _progress(desc: str):
    return tqdm(desc=desc, unit=" pages", disable=not sys.stderr.isatty(), leave=False)


def iter_odata_pages(
    client: HttpClient, url: str, params: dict | None, desc: str = ""
) -> Iterator[Page]:
    """Yield the pages of an OData v3 query, following ``odata.nextLink`` until it is absent."""
    with _progress(desc or url) as bar:
        next_url: str | None = url
        next_params = params
        while next_url:
            page = client.get_json(next_url, next_params)
            if not isinstance(page.doc.get("value"), list):
                raise FetchError(f"{next_url}: not an OData v3 JSON document (no 'value' list)")
            yield page
            bar.update(1)
            next_url = page.doc.get("odata.nextLink")
            next_params = None  # the next link carries the whole query


def iter_ogc_pages(
    client: HttpClient, url: str, params: dict | None, desc: str = ""
) -> Iterator[Page]:
    """Yield the pages of an OGC API Features ``items`` query, following ``links[rel=next]``."""
    with _progress(desc or url) as bar:
        next_url: str | None = url
        next_params = params
        while next_url:
            page = client.get_json(next_url, next_params)
            if page.doc.get("type") != "FeatureCollection":
                raise FetchError(f"{next_url}: not a GeoJSON FeatureCollection")
            yield page
            bar.update(1)
            links = page.doc.get("links") or []
            next_url = next((lk.get("href") for lk in links if lk.get("rel") == "next"), None)
            next_params = None


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


@dataclass
class TableFetch:
    table_id: str
    folder: Path
    downloaded: bool
    modified: str | None
    rows: int = 0
    previous_dimensions: dict[str, list[dict]] = field(default_factory=dict)


def _metadata_set(client: HttpClient, feed: str, name: str) -> Page:
    return client.get_json(f"{feed}/{name}", {"$format": "json"})


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
) -> TableFetch:
    """Download one OData v3 table into ``raw_dir/<table_id>/`` (atomically), unless unchanged.

    Parameters
    ----------
    plan : given the table's metadata entity sets (``DataProperties`` and every dimension, by
        name), returns the data queries to run. Lets the caller build filters from keys as served.
    refresh : download even when ``TableInfos.Modified`` equals the one in the saved manifest.
    keep_previous : dimension sets of the previous copy to return (to diff e.g. the buurt list).
    """
    feed = endpoints.feed(catalog, table_id)
    target = raw_dir / table_id
    infos = _metadata_set(client, feed, "TableInfos")
    modified = (infos.doc["value"][0] if infos.doc.get("value") else {}).get("Modified")
    manifest = read_manifest(target)
    if manifest and not refresh and modified and manifest.get("modified") == modified:
        log.info("%s unchanged (Modified %s); not downloading again", table_id, modified)
        return TableFetch(table_id, target, False, modified, manifest.get("rows", 0))

    previous: dict[str, list[dict]] = {}
    if target.is_dir():
        from hengelo_analysis.odata import read_entity_set

        for name in keep_previous:
            try:
                previous[name] = read_entity_set(target, name, required=False)
            except AnalysisError:
                previous[name] = []

    index = client.get_json(feed, {"$format": "json"})
    names = [e.get("name") or e.get("url", "").rsplit("/", 1)[-1] for e in index.doc["value"]]
    files: list[dict] = []
    total_rows = 0
    with atomic.staged_directory(target) as staging:

        def save(file_name: str, page: Page) -> None:
            atomic.write_bytes(staging / file_name, page.raw)
            files.append(
                {
                    "file": file_name,
                    "url": page.url,
                    "parameters": page.params,
                    "sha256": sha256(page.raw),
                    "rows": len(page.doc.get("value", [])),
                }
            )

        save("TableInfos.json", infos)
        meta: dict[str, list[dict]] = {}
        for name in names:
            if name in DATA_SETS or name == "TableInfos":
                continue
            pages = list(iter_odata_pages(client, f"{feed}/{name}", {"$format": "json"}, name))
            meta[name] = [r for p in pages for r in p.doc["value"]]
            for number, page in enumerate(pages, start=1):
                save(f"{name}-{number:04d}.json" if len(pages) > 1 else f"{name}.json", page)
        number = 0
        for query in plan(meta):
            for page in iter_odata_pages(
                client, f"{feed}/TypedDataSet", query.params(), f"{table_id} TypedDataSet"
            ):
                number += 1
                save(f"TypedDataSet-{number:04d}.json", page)
                total_rows += len(page.doc["value"])
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
) -> bool:
    """Download OGC API Features collections into ``target`` as ``<collection>-NNNN.json`` pages.

    Returns False (and downloads nothing) when ``target`` already holds a complete download and
    ``refresh`` is not set: PDOK boundaries of a given indeling year do not change.
    """
    if read_manifest(target) and not refresh:
        log.info("%s already downloaded; not downloading again", target)
        return False
    files = []
    with atomic.staged_directory(target) as staging:
        for name, params in collections.items():
            url = f"{base_url}/collections/{name}/items"
            for number, page in enumerate(iter_ogc_pages(client, url, params, name), start=1):
                file_name = f"{name}-{number:04d}.json"
                atomic.write_bytes(staging / file_name, page.raw)
                files.append(
                    {
                        "file": file_name,
                        "url": page.url,
                        "parameters": page.params,
                        "sha256": sha256(page.raw),
                        "rows": len(page.doc.get("features", [])),
                    }
                )
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
    return True
