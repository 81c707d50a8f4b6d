"""The HTTP client of ``fetch``: GET one JSON document from a server it does not trust.

Every request follows redirects itself, only on the origin it started on; streams the body with a
cap on its decoded size (``HENGELO_FETCH_MAX_BYTES``, default 64 MiB); and must be answered within
a deadline (``HENGELO_FETCH_REQUEST_SECONDS``, default 300 s). A client serves one fetch, with a
deadline for everything it fetches (``HENGELO_FETCH_TOTAL_SECONDS``, default 3600 s). The
mechanics are in ``transport``.

Retries (``HENGELO_FETCH_ATTEMPTS``, default 5, backoff ``HENGELO_FETCH_BACKOFF``) cover connection
errors, timeouts, bodies cut off mid-transfer and 5xx answers, except the ODataApi row-cap error,
which no retry can fix. A failure is one line naming the URL.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from hengelo_analysis.sources.transport import (
    ERROR_BODY_BYTES,
    MIB,
    NETWORK_ERRORS,
    Deadline,
    FetchError,
    Origin,
    Retryable,
    RowCapError,
    Watchdog,
    WatchedAdapter,
    describe_network_error,
    on_origin,
    read_body,
    short,
    summarize_body,
)

log = logging.getLogger(__name__)

ROW_CAP_MARKER = "more than 10000 records"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5


def _env_number(name: str, default: float, kind: type = float) -> float:
    try:
        value = kind(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass
class Page:
    url: str  # the URL that answered (after any redirect)
    params: dict | None  # the parameters sent with the first request
    raw: bytes
    doc: dict
    redirected_from: str | None = None


# --- the client -----------------------------------------------------------------------------------


@dataclass
class HttpClient:
    """GET JSON with the limits above; one client serves one fetch (its total deadline starts here).

    ``timeout`` is requests' per-socket-operation timeout; ``request_seconds`` bounds one whole
    answer, ``fetch_seconds`` everything this client fetches, ``max_total_seconds`` the retry loop
    of one request.
    """

    timeout: float = 60.0
    max_attempts: int = field(
        default_factory=lambda: int(_env_number("HENGELO_FETCH_ATTEMPTS", 5, int))
    )
    backoff: float = field(default_factory=lambda: _env_number("HENGELO_FETCH_BACKOFF", 2.0))
    max_total_seconds: float = 600.0
    request_seconds: float = field(
        default_factory=lambda: _env_number("HENGELO_FETCH_REQUEST_SECONDS", 300.0)
    )
    fetch_seconds: float = field(
        default_factory=lambda: _env_number("HENGELO_FETCH_TOTAL_SECONDS", 3600.0)
    )
    max_bytes: int = field(
        default_factory=lambda: int(_env_number("HENGELO_FETCH_MAX_BYTES", 64 * MIB, int))
    )
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.fetch_ends = self.clock() + self.fetch_seconds
        adapter = WatchedAdapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def get_json(self, url: str, params: dict | None = None) -> Page:
        """The JSON object at ``url``; redirects may not leave ``url``'s origin."""
        origin = Origin.of(url)
        started = self.clock()
        last_problem = "no attempt made"
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):
            self._check_fetch_deadline(url)
            try:
                return self._attempt(url, params, origin)
            except Retryable as exc:
                last_problem = str(exc)
            elapsed = self.clock() - started
            wait = self.backoff * 2 ** (attempt - 1)
            if (
                attempt == self.max_attempts
                or elapsed + wait > self.max_total_seconds
                or self.clock() + wait >= self.fetch_ends
            ):
                break
            log.warning("%s: %s; retry %d in %.0f s", short(url), last_problem, attempt, wait)
            self.sleep(wait)
        self._check_fetch_deadline(url)
        raise FetchError(f"{url}: giving up after {attempt} attempts ({last_problem})")

    def _check_fetch_deadline(self, url: str) -> None:
        if self.clock() >= self.fetch_ends:
            raise self._past_fetch_deadline(url)

    def _past_fetch_deadline(self, url: str) -> FetchError:
        return FetchError(
            f"{short(url)}: the fetch ran past its deadline of {self.fetch_seconds:g} s "
            "(HENGELO_FETCH_TOTAL_SECONDS)"
        )

    def _attempt(self, url: str, params: dict | None, origin: Origin) -> Page:
        request_ends = min(self.clock() + self.request_seconds, self.fetch_ends)
        with Watchdog(request_ends - self.clock()) as watchdog:

            def check_time() -> None:
                if self.clock() >= request_ends:
                    watchdog.cut()
                    raise Deadline()

            try:
                return self._follow(url, params, origin, check_time)
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ) as exc:  # a URL requests cannot use: no retry helps
                raise FetchError(f"{short(url)}: {describe_network_error(exc)}") from None
            except (Deadline, Retryable, *NETWORK_ERRORS) as exc:
                # After a cut, whatever broke (or a body ended early) is the deadline's doing.
                if watchdog.fired or isinstance(exc, Deadline):
                    if request_ends >= self.fetch_ends:
                        raise self._past_fetch_deadline(url) from None
                    raise Retryable(
                        f"no complete answer within {self.request_seconds:g} s "
                        "(HENGELO_FETCH_REQUEST_SECONDS)"
                    ) from None
                if isinstance(exc, Retryable):
                    raise
                raise Retryable(describe_network_error(exc)) from None

    def _follow(self, url: str, params: dict | None, origin: Origin, check_time) -> Page:
        seen: list[str] = []
        current, current_params = url, params
        while True:
            resp = self.session.get(
                current,
                params=current_params,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                headers={"Accept-Encoding": "gzip"},
            )
            try:
                answered = resp.url
                seen.append(answered)
                if resp.status_code in REDIRECT_STATUSES:
                    current = self._redirect(resp, origin, seen)
                    current_params = None  # the Location carries the whole query
                    continue
                if resp.status_code >= 400:
                    self._refuse(resp, check_time)
                if resp.status_code != 200:
                    raise FetchError(f"{short(answered)}: unexpected HTTP {resp.status_code}")
                raw = read_body(resp, self.max_bytes, check_time)
            finally:
                resp.close()
            try:
                doc = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                raise Retryable("the body is not complete JSON") from None
            if not isinstance(doc, dict):
                raise FetchError(f"{short(answered)}: the answer is JSON but not an object")
            return Page(answered, params, raw, doc, seen[0] if answered != seen[0] else None)

    def _redirect(self, resp: requests.Response, origin: Origin, seen: list[str]) -> str:
        location = resp.headers.get("Location")
        if not location:
            raise FetchError(f"{short(resp.url)}: HTTP {resp.status_code} without a Location")
        try:
            target = on_origin(location, resp.url, origin)
        except FetchError as exc:
            raise FetchError(f"{short(resp.url)}: redirect refused: {exc}") from None
        if target in seen:
            raise FetchError(f"{short(seen[0])}: redirect loop (back to {short(target)})")
        if len(seen) > MAX_REDIRECTS:
            raise FetchError(f"{short(seen[0])}: more than {MAX_REDIRECTS} redirects")
        return target

    def _refuse(self, resp: requests.Response, check_time) -> None:
        raw = read_body(resp, ERROR_BODY_BYTES, check_time, truncate=True)
        if resp.status_code >= 500 and ROW_CAP_MARKER.encode() in raw:
            raise RowCapError(
                f"{short(resp.url)}: the server refuses queries returning more than 10,000 rows "
                "(ODataApi cap); use the ODataFeed endpoint or split the $filter"
            )
        problem = f"HTTP {resp.status_code}: {summarize_body(raw)}"
        if resp.status_code >= 500 or resp.status_code == 429:  # 429: rate limited
            raise Retryable(problem)
        raise FetchError(f"{short(resp.url)}: {problem}")
