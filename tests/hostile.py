"""Hostile servers: callables ``FixtureServer`` runs instead of its own answer (``services.faults``).

Each answers like CBS except for one trick: an entity-set name that is a path, a redirect or next
link off the host, a gzip bomb, a server that drips, an HTML error page. The long ones stop by
themselves (at most 30 s) and as soon as the server shuts down (``services.stopping``).
"""

from __future__ import annotations

import gzip
import json
import time
from urllib.parse import parse_qs, urlsplit


def normal_doc(handler) -> dict:
    split = urlsplit(handler.path)
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    _, body = handler.server.services.respond(split.path, query)
    return json.loads(body)


def answer_with(change):
    def fault(handler):
        doc = normal_doc(handler)
        change(doc, handler)
        return handler._send(200, json.dumps(doc).encode())

    return fault


def redirect(location):
    def fault(handler):
        handler.send_response(302)
        handler.send_header("Location", location(handler))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return fault


def other_host(handler) -> str:
    port = handler.server.server_address[1]
    return f"http://localhost:{port}{handler.path}"


def gzip_bomb(handler):
    """1 GiB of zeros as 64 gzip members of 16 MiB (16 KiB each): the test never holds 1 GiB."""
    member = gzip.compress(bytes(16 * 1024 * 1024), compresslevel=9)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    ends = time.monotonic() + 20
    try:
        for _ in range(64):
            if handler.server.services.stopping.is_set() or time.monotonic() > ends:
                break
            handler.wfile.write(member)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading: the point of the test


def _drip(handler, data: bytes) -> None:
    """Write ``data`` one byte a second (at most 30 s, or until the server stops)."""
    stopping = handler.server.services.stopping
    try:
        for i in range(min(len(data), 30)):
            handler.wfile.write(data[i : i + 1])
            handler.wfile.flush()
            if stopping.wait(1.0):
                break
    except (BrokenPipeError, ConnectionResetError):
        pass


def drip(handler):
    """The normal answer with its headers at once, then the body one byte a second."""
    body = json.dumps(normal_doc(handler)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    _drip(handler, body)


def drip_headers(handler):
    """A status line, then one header byte a second: the body never starts."""
    handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
    _drip(handler, b"X-Slow: " + b"a" * 100 + b"\r\n\r\n")


def html_page(status: int) -> bytes:
    """An IIS-style error page: a title, then a long stack trace over many lines."""
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status} - Internal server error.</title></head>\n"
        "<body>\n"
        + "<h1>Server Error</h1>\n<pre>   at Cbs.OData.Feed.Get()\n   at System.Web</pre>\n" * 200
        + "</body></html>\n"
    ).encode()


def html_error(status: int):
    def fault(handler):
        return handler._send(status, html_page(status), "text/html; charset=utf-8")

    return fault


def add_entity_set(name: str):
    def change(doc, handler):
        doc["value"].append({"name": name, "url": f"{handler.server.services.base_url}/{name}"})

    return change


def next_link(target):
    def change(doc, handler):
        doc["odata.nextLink"] = target(handler)

    return change
