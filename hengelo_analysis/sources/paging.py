"""Follow the pages of an OData v3 query (``odata.nextLink``) or an OGC API one (``links[rel=next]``).

A next link is the server's word, so it must stay on the origin of the first request
(``transport.on_origin``), may not point back to a page already fetched (a loop), and a query may
have at most ``MAX_PAGES`` pages. Each page must have the shape of its protocol.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from tqdm import tqdm

from hengelo_analysis.sources.client import HttpClient, Page
from hengelo_analysis.sources.transport import FetchError, Origin, on_origin

MAX_PAGES = 1000  # per query; 47018NED's largest query has 3 pages of 10,000 rows


def _progress(desc: str):
    return tqdm(desc=desc, unit=" pages", disable=not sys.stderr.isatty(), leave=False)


def _pages(
    client: HttpClient,
    url: str,
    params: dict | None,
    desc: str,
    shape: Callable[[Page], str | None],
    next_link: Callable[[dict], object],
) -> Iterator[Page]:
    """Follow next links from ``url`` while they stay on its origin, do not loop and are few."""
    origin = Origin.of(url)
    seen: set[str] = set()
    with _progress(desc or url) as bar:
        next_url, next_params = url, params
        for _ in range(MAX_PAGES):
            page = client.get_json(next_url, next_params)
            problem = shape(page)
            if problem:
                raise FetchError(f"{page.url}: {problem}")
            seen.update({next_url, page.url})
            yield page
            bar.update(1)
            link = next_link(page.doc)
            if link is None or link == "":
                return
            if not isinstance(link, str) or not link.strip():
                raise FetchError(f"{page.url}: the next link is not a URL: {str(link)[:80]!r}")
            try:
                next_url = on_origin(link, page.url, origin)
            except FetchError as exc:
                raise FetchError(f"{page.url}: next link refused: {exc}") from None
            next_params = None  # the next link carries the whole query
            if next_url in seen:
                raise FetchError(f"{page.url}: next-link loop (back to {next_url})")
    raise FetchError(f"{url}: more than {MAX_PAGES} pages; refused")


def _odata_shape(page: Page) -> str | None:
    rows = page.doc.get("value")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return "not an OData v3 JSON document (no 'value' list of rows)"
    return None


def iter_odata_pages(
    client: HttpClient, url: str, params: dict | None, desc: str = ""
) -> Iterator[Page]:
    """Yield the pages of an OData v3 query, following ``odata.nextLink`` until it is absent."""
    yield from _pages(client, url, params, desc, _odata_shape, lambda d: d.get("odata.nextLink"))


def odata_document(client: HttpClient, url: str) -> Page:
    """One OData v3 document (``TableInfos``, the table index): its first page is all we use."""
    page = client.get_json(url, {"$format": "json"})
    problem = _odata_shape(page)
    if problem:
        raise FetchError(f"{page.url}: {problem}")
    return page


def _ogc_shape(page: Page) -> str | None:
    if page.doc.get("type") != "FeatureCollection" or not isinstance(
        page.doc.get("features"), list
    ):
        return "not a GeoJSON FeatureCollection"
    return None


def _ogc_next(doc: dict):
    links = doc.get("links") or []
    if not isinstance(links, list):
        return None
    return next(
        (lk.get("href") for lk in links if isinstance(lk, dict) and lk.get("rel") == "next"), None
    )


def iter_ogc_pages(
    client: HttpClient, url: str, params: dict | None, desc: str = ""
) -> Iterator[Page]:
    """Yield the pages of an OGC API Features ``items`` query, following ``links[rel=next]``."""
    yield from _pages(client, url, params, desc, _ogc_shape, _ogc_next)
