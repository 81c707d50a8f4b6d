"""The exchange rules of fetch: the origin rule, bounded gzip, one-line reasons (no server needed)."""

from __future__ import annotations

import gzip

import pytest

from hengelo_analysis.sources.transport import FetchError, Gunzip, Origin, on_origin, summarize_body

ORIGIN = Origin.of("https://dataderden.cbs.nl/ODataFeed/OData/47018NED")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "https://dataderden.cbs.nl/ODataFeed/OData/x?$skiptoken=5",
            "https://dataderden.cbs.nl/ODataFeed/OData/x?$skiptoken=5",
        ),
        # The real Atom feed's base is http://: asked over https, never in plain text.
        (
            "http://dataderden.cbs.nl/ODataFeed/OData/x",
            "https://dataderden.cbs.nl/ODataFeed/OData/x",
        ),
        ("HTTPS://DataDerden.CBS.nl:443/a#frag", "https://dataderden.cbs.nl/a"),
        (
            "/ODataFeed/OData/47018NED/Perioden",
            "https://dataderden.cbs.nl/ODataFeed/OData/47018NED/Perioden",
        ),
    ],
)
def test_links_on_the_origin_are_followed_over_https(link, expected):
    assert on_origin(link, "https://dataderden.cbs.nl/ODataFeed/OData/47018NED", ORIGIN) == expected


def test_an_http_origin_may_upgrade_to_https_on_the_same_host():
    origin = Origin.of("http://127.0.0.1:8080/feed")
    assert on_origin("https://127.0.0.1:8080/next", "", origin) == "https://127.0.0.1:8080/next"
    assert on_origin("https://127.0.0.1/next", "", origin) == "https://127.0.0.1/next"


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "https://opendata.cbs.nl/ODataFeed/odata/x",
            "is on opendata.cbs.nl, not dataderden.cbs.nl",
        ),
        ("//evil.example/x", "is on evil.example"),
        ("https://dataderden.cbs.nl@evil.example/x", "is on evil.example"),
        ("https://dataderden.cbs.nl:8443/x", "another port"),
        ("file:///etc/passwd", "a file: URL"),
        ("ftp://dataderden.cbs.nl/x", "a ftp: URL"),
    ],
)
def test_links_off_the_origin_are_refused(link, message):
    with pytest.raises(FetchError, match=message):
        on_origin(link, "https://dataderden.cbs.nl/ODataFeed/OData/47018NED", ORIGIN)


def test_gzip_is_inflated_member_by_member_and_never_past_the_limit():
    body = gzip.compress(b'{"value": [') + gzip.compress(b"]}")
    assert Gunzip().feed(body, 100) == b'{"value": []}'
    bomb = gzip.compress(bytes(10 * 1024 * 1024))
    inflated = Gunzip().feed(bomb, 1000)
    assert len(inflated) == 1001  # one byte past the limit tells the caller to stop; no more made


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (
            b'{"odata.error":{"code":"","message":{"lang":"nl","value":"Tabel\\nbestaat niet"}}}',
            "'Tabel bestaat niet'",
        ),
        (
            b"<html><head><title>Service\n Unavailable</title></head><body><pre>trace</pre></body>",
            "an HTML page titled 'Service Unavailable'",
        ),
        (b"<!DOCTYPE html><p>oops</p>", "an HTML page"),
        (b"line one\r\nline two" + b"x" * 500, None),
        (b"", "an empty body"),
    ],
)
def test_error_bodies_are_summarised_in_one_short_line(body, summary):
    text = summarize_body(body)
    assert "\n" not in text and "\r" not in text and len(text) <= 125
    if summary is None:
        assert text.startswith("'line one line two") and text.endswith("…'")
    else:
        assert text == summary


def test_fetch_errors_are_one_line():
    assert str(FetchError("a\nb\r\n  c")) == "a b c"
