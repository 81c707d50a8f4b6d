"""A local stand-in for the CBS ODataFeed and PDOK OGC API servers, on 127.0.0.1 in a thread.

It serves recorded-shape responses (the OData v3 JSON envelope with ``odata.nextLink`` paging and
padded keys; OGC API Features pages with ``links[rel=next]``; the CBS catalogue ``ODataCatalog/
Tables``) and evaluates the small ``$filter`` subset the tool sends (``odata_filter``: ``eq``/``ne``
on the exact padded value, ``startswith``, ``substringof``, ``and``, ``or``, parentheses), so a
wrong filter returns what the real server would return: nothing. The police overlast and monthly
tables come with the recorded dimensions byte for byte (``served_tables``). Faults are scripted per path:
``"500"``, ``"429"``, ``"hang"`` (slower than the client's timeout), ``"rowcap"`` (the ODataApi
10,000-row error), ``"drop"`` (connection closed mid-body), or a callable ``fault(handler)`` that
answers in its place (the hostile servers of test_faults_fetch.py).

The server is bounded: after ``max_requests`` requests it answers 503 to everything, and a
long-running fault must stop when ``services.stopping`` is set (on leaving ``FixtureServer``).
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

from hengelo_analysis.demo import kwb as demo_kwb
from hengelo_analysis.demo import pdok as demo_pdok
from hengelo_analysis.domain import KWB_TABLES
from hengelo_analysis.sources.client import HttpClient
from hengelo_analysis.sources.download import Endpoints
from tests.conftest import crime_properties
from tests.odata_filter import evaluate, parse_filter
from tests.served_tables import catalogue_rows, open_police_tables

ROW_CAP_BODY = (
    b'{"odata.error":{"code":"","message":{"lang":"en-US",'
    b'"value":"De query returns more than 10000 records. Please use a more specific filter."}}}'
)


@dataclass
class FakeServices:
    """Tables and collections to serve, with scripted faults and a request log."""

    odata: dict[str, dict[str, dict[str, list[dict]]]] = field(default_factory=dict)
    # catalog prefix ("/ODataFeed/OData" or "/ODataFeed/odata") -> {table: {entity set: rows}}
    pdok: dict[int, dict[str, list[dict]]] = field(default_factory=dict)
    catalogue: list[dict] | None = None  # rows of /ODataCatalog/Tables (None: 404)
    page_size: int = 1000
    faults: dict[str, list[str]] = field(default_factory=dict)  # path -> faults, consumed in order
    requests: list[str] = field(default_factory=list)
    served: dict[str, list[bytes]] = field(default_factory=dict)  # path -> bodies sent (200 only)
    hosts: list[str] = field(default_factory=list)  # the Host header of every request
    max_requests: int = 500
    stopping: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def count(self, path_part: str) -> int:
        return sum(1 for r in self.requests if path_part in r)

    # -- responses --------------------------------------------------------------------------
    def respond(self, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        m = re.match(r"^/cbs/wijken-en-buurten-(\d{4})/ogc/v1/collections/(\w+)/items$", path)
        if m:
            return self._pdok(int(m.group(1)), m.group(2), path, query)
        if path == "/ODataCatalog/Tables" and self.catalogue is not None:
            return self._odata({"Tables": self.catalogue}, "Tables", path, query)
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
        expr = query.get("$filter")
        tokens = parse_filter(expr) if expr else None  # parsed once, not once per row
        rows = [r for r in table[name] if tokens is None or evaluate(tokens, r)]
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
        services.hosts.append(self.headers.get("Host", ""))
        if len(services.requests) > services.max_requests:
            return self._send(503, b"the fixture server's request budget is spent")
        fault = None
        for key, queue in services.faults.items():
            if key in self.path and queue:
                fault = queue.pop(0)
                break
        if callable(fault):
            return fault(self)
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

    def _send(
        self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8"
    ):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
        # serve_forever looks for a shutdown request once per poll interval (0.5 s by default),
        # which every test paid on leaving the server; the loop is idle otherwise.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> str:
        self.thread.start()
        return self.base_url

    def __exit__(self, *exc):
        self.services.stopping.set()  # ends dripping and streaming faults
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


# --- recorded-shape tables: 47018NED, 85146NED, KWB and PDOK for Hengelo -------------------------

POLITIE = "/ODataFeed/OData"
CBS = "/ODataFeed/odata"
AREAS = {
    "NL00      ": "Nederland",
    "GM0153    ": "Enschede",
    "GM0164    ": "Hengelo",
    "WK016400  ": "Wijk 00 Binnenstad",
    "BU01640000": "Binnenstad-Centrum",
    "BU01640999": "Nieuwe buurt",  # not in the reference list: must show up as "added"
    "BU01530000": "Enschede-Centrum",  # another gemeente's buurt: must not be fetched
}


def police_table(modified: str = "2025-03-14T02:00:00") -> dict[str, list[dict]]:
    props = crime_properties()
    props[1] = dict(props[1], MapYear="2025")
    rows = []
    for code in ("0.0.0 ", "1.2.3 "):
        for area in AREAS:
            for period in ("2023JJ00", "2024JJ00"):
                value = None if (area.startswith("BU") and code == "1.2.3 ") else len(rows) + 1
                rows.append(
                    {
                        "ID": len(rows),
                        "SoortMisdrijf": code,
                        "WijkenEnBuurten": area,
                        "Perioden": period,
                        "GeregistreerdeMisdrijven_1": value,
                        "Gemeentenaam_2": "Hengelo  ",
                        "SoortRegio_3": "Buurt     ",
                    }
                )
    return {
        "TableInfos": [{"ID": 0, "Title": "Geregistreerde misdrijven", "Modified": modified}],
        "DataProperties": props,
        "SoortMisdrijf": [
            {"Key": "0.0.0 ", "Title": "Totaal misdrijven"},
            {"Key": "1.2.3 ", "Title": "1.2.3 Diefstal van brom-, snor-, fietsen"},
        ],
        "WijkenEnBuurten": [{"Key": k, "Title": t} for k, t in AREAS.items()],
        "Perioden": [
            {"Key": "2023JJ00", "Title": "2023", "Status": "Definitief"},
            {"Key": "2024JJ00", "Title": "2024", "Status": "Voorlopig"},
        ],
        "TypedDataSet": rows,
    }


def veiligheidsmonitor() -> dict[str, list[dict]]:
    regions = {"NL01  ": "Nederland", "GM0164": "Hengelo", "GM0363": "Amsterdam", "RE06  ": "Oost"}
    return {
        "TableInfos": [{"ID": 0, "Title": "Veiligheidsmonitor", "Modified": "2024-03-01T02:00:00"}],
        "DataProperties": [
            {"ID": 0, "Type": "Dimension", "Key": "Marges"},
            {"ID": 1, "Type": "GeoDimension", "Key": "RegioS"},
            {"ID": 2, "Type": "TimeDimension", "Key": "Perioden"},
            {"ID": 3, "Type": "Topic", "Key": "VoeltZichWeleensOnveiligInBuurt_50"},
        ],
        "Marges": [
            {"Key": "MW00000", "Title": "Waarde"},
            {"Key": "MOG0095", "Title": "Ondergrens 95%-betrouwbaarheidsinterval"},
            {"Key": "MBG0095", "Title": "Bovengrens 95%-betrouwbaarheidsinterval"},
        ],
        "RegioS": [{"Key": k, "Title": t} for k, t in regions.items()],
        "Perioden": [{"Key": "2023JJ00", "Title": "2023", "Status": "Definitief"}],
        "TypedDataSet": [
            {
                "ID": 3 * i + j,
                "Marges": marge,
                "RegioS": k,
                "Perioden": "2023JJ00",
                "VoeltZichWeleensOnveiligInBuurt_50": 20.0 + i + offset,
            }
            for i, k in enumerate(regions)
            for j, (marge, offset) in enumerate(
                (("MW00000", 0.0), ("MOG0095", -2.0), ("MBG0095", 2.0))
            )
        ],
    }


def make_services(
    kwb_years=(2023, 2024), page_size: int = 5, open_police: bool = False
) -> FakeServices:
    wijken, buurten = demo_pdok.features()
    kwb_tables = {KWB_TABLES[y]: demo_kwb.entity_sets(y) for y in kwb_years}
    return FakeServices(
        odata={
            POLITIE: {"47018NED": police_table(), **(open_police_tables() if open_police else {})},
            CBS: {"85146NED": veiligheidsmonitor(), **kwb_tables},
        },
        pdok={2025: {"wijken": wijken, "buurten": buurten}},
        page_size=page_size,
        catalogue=catalogue_rows({y: KWB_TABLES[y] for y in kwb_years}),
    )


# --- a client pointed at the fixture server, with instant backoff ---------------------------------


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(sleeps: Sleeps | None = None, attempts: int = 4) -> HttpClient:
    return HttpClient(
        timeout=10,
        max_attempts=attempts,
        backoff=0.01,
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


def endpoints(base: str) -> Endpoints:
    return Endpoints(cbs={"Politie": base + POLITIE, "CBS": base + CBS}, pdok=base)
