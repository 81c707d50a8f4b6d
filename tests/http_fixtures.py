"""A local stand-in for the CBS ODataFeed and PDOK OGC API servers, on 127.0.0.1 in a thread.

It serves recorded-shape responses (the OData v3 JSON envelope with ``odata.nextLink`` paging and
padded keys; OGC API Features pages with ``links[rel=next]``) and evaluates the small ``$filter``
subset the tool sends (``startswith``, ``eq`` on the exact padded value, ``and``, ``or``), so a
wrong filter returns what the real server would return: nothing. Faults are scripted per path:
``"500"``, ``"429"``, ``"hang"`` (slower than the client's timeout), ``"rowcap"`` (the ODataApi 10,000-row error), ``"drop"`` (connection closed mid-body).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ROW_CAP_BODY = (
    b'{"odata.error":{"code":"","message":{"lang":"en-US",'
    b'"value":"De query returns more than 10000 records. Please use a more specific filter."}}}'
)
CLAUSE_RE = re.compile(r"^(?:startswith\((\w+),'([^']*)'\)|(\w+) eq '([^']*)')$")


def _matches(row: dict, expr: str | None) -> bool:
    if not expr:
        return True
    for alternative in expr.split(" or "):
        ok = True
        for clause in alternative.split(" and "):
            m = CLAUSE_RE.match(clause.strip())
            if m is None:
                raise ValueError(f"filter not understood by the fixture server: {clause!r}")
            if m.group(1):
                ok &= str(row.get(m.group(1), "")).startswith(m.group(2))
            else:
                ok &= row.get(m.group(3)) == m.group(4)  # exact: padding matters
        if ok:
            return True
    return False


@dataclass
class FakeServices:
    """Tables and collections to serve, with scripted faults and a request log."""

    odata: dict[str, dict[str, dict[str, list[dict]]]] = field(default_factory=dict)
    # catalog prefix ("/ODataFeed/OData" or "/ODataFeed/odata") -> {table: {entity set: rows}}
    pdok: dict[int, dict[str, list[dict]]] = field(default_factory=dict)
    page_size: int = 1000
    faults: dict[str, list[str]] = field(default_factory=dict)  # path -> faults, consumed in order
    requests: list[str] = field(default_factory=list)
    served: dict[str, list[bytes]] = field(default_factory=dict)  # path -> bodies sent (200 only)
    base_url: str = ""

    def count(self, path_part: str) -> int:
        return sum(1 for r in self.requests if path_part in r)

    # -- responses --------------------------------------------------------------------------
    def respond(self, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        m = re.match(r"^/cbs/wijken-en-buurten-(\d{4})/ogc/v1/collections/(\w+)/items$", path)
        if m:
            return self._pdok(int(m.group(1)), m.group(2), path, query)
        for prefix, tables in self.odata.items():
            if path.startswith(prefix + "/"):
                parts = path[len(prefix) + 1 :].split("/")
                table = tables.get(parts[0])
                if table is None:
                    return 404, b'{"odata.error":{"message":{"value":"table not found"}}}'
                if len(parts) == 1:
                    index = [
                        {"name": n, "url": f"{self.base_url}{path}/{n}"}
                        for n in ["TableInfos", "UntypedDataSet", *table]
                        if n != "UntypedDataSet" or "TypedDataSet" in table
                    ]
                    return 200, self._doc(path, index, None)
                return self._odata(table, parts[1], path, query)
        return 404, b"not found"

    def _doc(self, path: str, rows: list[dict], next_link: str | None) -> bytes:
        doc: dict = {"odata.metadata": f"{self.base_url}{path}/$metadata", "value": rows}
        if next_link:
            doc["odata.nextLink"] = next_link
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    def _odata(self, table, name, path, query) -> tuple[int, bytes]:
        if query.get("$format") != "json":
            return 200, b"<?xml version='1.0'?><feed>Atom, because $format=json was missing</feed>"
        if name == "UntypedDataSet" or name not in table:
            return 404, b'{"odata.error":{"message":{"value":"no such entity set"}}}'
        rows = [r for r in table[name] if _matches(r, query.get("$filter"))]
        if "$select" in query:
            keep = query["$select"].split(",")
            rows = [{k: r[k] for k in keep if k in r} for r in rows]
        skip = int(query.get("$skiptoken", 0))
        page = rows[skip : skip + self.page_size]
        next_link = None
        if skip + self.page_size < len(rows):
            nq = dict(query, **{"$skiptoken": str(skip + self.page_size)})
            next_link = f"{self.base_url}{path}?{urlencode(nq)}"
        return 200, self._doc(path, page, next_link)

    def _pdok(self, year, collection, path, query) -> tuple[int, bytes]:
        feats = [
            f
            for f in self.pdok.get(year, {}).get(collection, [])
            if f["properties"].get("gemeentecode") == query.get("gemeentecode")
        ]
        if year not in self.pdok:
            return 404, b'{"code":"NotFound"}'
        limit = min(int(query.get("limit", 10)), 2)  # tiny pages so paging is exercised
        start = int(query.get("cursor", 0))
        links = [{"rel": "self", "href": f"{self.base_url}{path}?{urlencode(query)}"}]
        if start + limit < len(feats):
            nq = dict(query, cursor=str(start + limit))
            links.append({"rel": "next", "href": f"{self.base_url}{path}?{urlencode(nq)}"})
        doc = {
            "type": "FeatureCollection",
            "timeStamp": "2025-01-01T00:00:00Z",
            "links": links,
            "features": feats[start : start + limit],
            "numberReturned": len(feats[start : start + limit]),
        }
        return 200, json.dumps(doc).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    services: FakeServices

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # noqa: N802 (http.server API)
        services = self.server.services  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        services.requests.append(self.path)
        fault = None
        for key, queue in services.faults.items():
            if key in self.path and queue:
                fault = queue.pop(0)
                break
        if fault == "500":
            return self._send(500, b'{"odata.error":{"message":{"value":"Internal error"}}}')
        if fault == "hang":
            time.sleep(1.0)  # longer than the client's timeout in the test
            return self._send(500, b"too late")
        if fault == "429":
            return self._send(429, b'{"message":"Too many requests"}')
        if fault == "rowcap":
            return self._send(500, ROW_CAP_BODY)
        status, body = services.respond(split.path, query)
        if fault == "drop" and status == 200:
            # Promise the whole body, send half of it, then close the connection.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if status == 200:
            services.served.setdefault(split.path, []).append(body)
        return self._send(status, body)

    def _send(self, status: int, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FixtureServer:
    """Context manager: ``with FixtureServer(services) as base_url: ...``."""

    def __init__(self, services: FakeServices):
        self.services = services
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.services = services  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        services.base_url = self.base_url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return self.base_url

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
