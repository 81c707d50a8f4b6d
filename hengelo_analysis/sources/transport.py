"""What one HTTP exchange of ``fetch`` may do, whatever the server sends.

* The origin rule (:func:`on_origin`): a redirect or next link stays on the host it started on and
  speaks only ``http``/``https``. An ``http`` link on an ``https`` host is upgraded, never followed
  in plain text (the real CBS Atom feed carries an ``http://`` base); the ``https`` upgrade of an
  ``http`` origin on the same host is allowed; ``file:`` and other schemes are refused.
* A bounded body (:func:`read_body`): streamed, gzip inflated here in steps whose output never
  passes the cap, so a gzip bomb stops at the cap instead of filling the memory.
* A deadline for the whole answer (:class:`Watchdog`): it shuts down the request's sockets when the
  deadline passes, so a server dripping one byte a second cannot hold a request open; requests'
  per-socket ``timeout`` restarts with every byte.
* Short reasons: an error body is summarised in one line (an HTML page by its title), never pasted.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import zlib
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hengelo_analysis.errors import AnalysisError

CHUNK = 64 * 1024
ERROR_BODY_BYTES = 64 * 1024  # enough to summarise an error page; the rest is not read
MIB = 1024 * 1024


class FetchError(AnalysisError):
    """A download failed for good (after retries), or the server refused the query.

    The message is always one line: the CLI prints it as is.
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class RowCapError(FetchError):
    """The ``ODataApi`` endpoint refused a query returning more than 10,000 rows."""


class Retryable(Exception):
    """One attempt failed in a way another attempt may not (network, 5xx, incomplete body)."""


class Deadline(Exception):
    """The request's deadline passed between two chunks of the body."""


# --- the origin rule ------------------------------------------------------------------------------

DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise FetchError(f"{url}: not an http(s) URL")
        return cls(scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme])

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def on_origin(link: str, base: str, origin: Origin) -> str:
    """``link`` (relative to ``base``) as a URL on ``origin``; FetchError when it leaves the origin.

    Same host and port, or the ``https`` upgrade of an ``http`` origin on that host; an ``http``
    link on an ``https`` origin is upgraded. The result is rebuilt from ``origin`` (no user info,
    no fragment), so a URL that parsers read differently cannot reach another host.
    """
    url = urljoin(base, link.strip())
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise FetchError(f"{short(url)}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError(f"{short(url)}: a {scheme or 'scheme-less'}: URL (http and https only)")
    port = port or DEFAULT_PORTS[scheme]
    if host != origin.host:
        raise FetchError(f"{short(url)} is on {host}, not {origin.host}")
    if (scheme, port) == (origin.scheme, origin.port):
        target = origin
    elif scheme == "https" and origin.scheme == "http" and port in (443, origin.port):
        target = Origin("https", origin.host, port)
    elif scheme == "http" and origin.scheme == "https" and port in (80, origin.port):
        target = origin  # never downgrade: ask the same host over https
    else:
        raise FetchError(f"{short(url)} is on another port than {origin.netloc}")
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))


def short(url: str, limit: int = 200) -> str:
    url = " ".join(str(url).split())
    return url if len(url) <= limit else url[: limit - 1] + "…"


# --- deadlines: a watchdog that cuts the connection ---------------------------------------------

_local = threading.local()


class Watchdog:
    """Shuts down the sockets of this thread's request when its deadline passes.

    A blocked ``recv`` then returns at once, whatever stage the request is in (TLS, headers, body).
    """

    def __init__(self, seconds: float):
        self.sockets: list[socket.socket] = []
        self.fired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self.cut)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self.sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def cut(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self.sockets:
                _shutdown(sock)

    def __enter__(self) -> Watchdog:
        _local.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _local.watchdog = None


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or detached into its TLS wrapper (which is watched too)


def _watched(cls):
    """``cls`` reporting its sockets to this thread's watchdog.

    Sockets, not connections: http.client hands the socket to the response and forgets it when the
    server closes after the answer (HTTP/1.0). The plain socket covers the TLS handshake, the
    wrapped one what follows; a reused keep-alive connection is reported at its next request.
    """

    class Watched(cls):
        def _new_conn(self):
            sock = super()._new_conn()
            _register(sock)
            return sock

        def connect(self):
            super().connect()
            _register(self.sock)

        def request(self, *args, **kwargs):
            _register(self.sock)
            return super().request(*args, **kwargs)

    Watched.__name__ = f"Watched{cls.__name__}"
    return Watched


def _register(sock) -> None:
    watchdog = getattr(_local, "watchdog", None)
    if watchdog is not None and sock is not None:
        watchdog.watch(sock)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _watched(HTTPConnection)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _watched(HTTPSConnection)


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the request watchdog can cut."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A new dict: the module-level one is shared by every PoolManager.
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


# --- reading a body within the cap ----------------------------------------------------------------


class ResponseTooLarge(FetchError):
    pass


class Gunzip:
    """Inflate gzip (several members too) in steps whose output never passes ``limit``."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(wbits=31)

    def feed(self, data: bytes, limit: int) -> bytes:
        parts, produced = [], 0
        while data and produced <= limit:
            piece = self._d.decompress(data, limit - produced + 1)
            parts.append(piece)
            produced += len(piece)
            if self._d.eof:
                data = self._d.unused_data
                if data:
                    self._d = zlib.decompressobj(wbits=31)
            else:
                data = self._d.unconsumed_tail
        return b"".join(parts)

    def complete(self) -> bool:
        return self._d.eof


def read_body(
    resp: requests.Response, limit: int, check_time: Callable[[], None], *, truncate: bool = False
) -> bytes:
    """The decoded body of a streamed response, refused as soon as it exceeds ``limit`` bytes.

    With ``truncate`` (error pages, only summarised) the first ``limit`` bytes are returned instead.
    """
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder = Gunzip()
    elif encoding in ("", "identity"):
        decoder = None
    else:
        raise FetchError(f"{short(resp.url)}: unsupported Content-Encoding {encoding!r}")
    length = resp.headers.get("Content-Length", "")
    # Inflating only adds bytes: a Content-Length over the cap is too large either way.
    if length.isdigit() and int(length) > limit and not truncate:
        raise ResponseTooLarge(f"{short(resp.url)}: the answer is larger than {_size(limit)}")
    out = bytearray()
    for chunk in resp.raw.stream(CHUNK, decode_content=False):
        out += decoder.feed(chunk, limit - len(out)) if decoder else chunk
        if len(out) > limit:
            if truncate:
                return bytes(out[:limit])
            raise ResponseTooLarge(
                f"{short(resp.url)}: the answer is larger than {_size(limit)}"
                + (" once inflated (a gzip bomb?)" if decoder else "")
            )
        check_time()
    if decoder is not None and not decoder.complete():
        raise Retryable("the gzip stream is cut off")
    return bytes(out)


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB else f"{n} bytes"


TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def summarize_body(raw: bytes, limit: int = 120) -> str:
    """A short, one-line description of an error body; never the page itself."""
    head = raw[:ERROR_BODY_BYTES]
    try:
        doc = json.loads(head)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        doc = None
    text = None
    if isinstance(doc, dict):
        error = doc.get("odata.error") or doc.get("error") or doc
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, dict):
            message = message.get("value")
        if isinstance(message, str) and message.strip():
            text = message
    elif re.search(rb"<(!doctype html|html|body)", head[:2048], re.IGNORECASE):
        title = TITLE_RE.search(head)
        name = title.group(1).decode("utf-8", "replace") if title else ""
        name = re.sub(r"<[^>]*>|&\w+;", " ", name)
        return f"an HTML page titled {_clip(name, limit)!r}" if name.strip() else "an HTML page"
    if text is None:
        text = head.decode("utf-8", "replace")
    text = _clip(re.sub(r"[\x00-\x1f\x7f]+", " ", text), limit)
    return repr(text) if text else "an empty body"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError):
        return "timed out"
    if "IncompleteRead" in text or "Connection broken" in text:
        return "connection dropped mid-body"
    return f"{type(exc).__name__}: {_clip(text, 160)}"


NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.HTTPError,
    OSError,
)
