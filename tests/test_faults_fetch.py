"""Faults of a hostile server: ``fetch --source real`` through the real CLI stays safe and says so.

Each case starts from a good cached download, points the CLI (in a subprocess) at a local server on
127.0.0.1 that answers well except for one hostile behaviour, and asserts: exit code 1, one error
line naming the table and the URL (no traceback, no pasted page), and the cached raw data, the
processed data and the published editions byte-for-byte unchanged, with nothing written anywhere
else. The servers are bounded (a request budget; long faults stop by themselves and on shutdown).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from hengelo_analysis.demo import kwb as demo_kwb
from hengelo_analysis.sources.fetch import fetch_real
from tests.hostile import (
    add_entity_set,
    answer_with,
    drip,
    drip_headers,
    gzip_bomb,
    html_error,
    next_link,
    other_host,
    redirect,
)
from tests.http_fixtures import (
    POLITIE,
    FixtureServer,
    client,
    endpoints,
    make_services,
    police_table,
)

POLICE = "/ODataFeed/OData/47018NED"
ERROR_PREFIX = "hengelo-analysis fetch: error: "
LOG_PREFIXES = ("INFO ", "WARNING ")
BOMB_CAP = 8 * 1024 * 1024

pytestmark = pytest.mark.slow  # a CLI subprocess per case, ~3 s each


def services():
    return make_services(kwb_years=demo_kwb.YEARS, page_size=1000)


@pytest.fixture(scope="module")
def cached(tmp_path_factory) -> Path:
    """A root with a good real download, processed tables and a published edition (stand-ins)."""
    root = tmp_path_factory.mktemp("cached")
    with FixtureServer(services()) as base:
        fetch_real(
            root / "data" / "raw" / "real", "GM0164", endpoints=endpoints(base), client=client()
        )
    # fetch never touches these; the promise is that a failed fetch leaves them as they are.
    processed = root / "data" / "processed" / "real"
    processed.mkdir(parents=True)
    (processed / "crime.parquet").write_bytes(b"PAR1 last good crime table PAR1")
    edition = root / "reports" / "real" / "GM0164" / "2024"
    edition.mkdir(parents=True)
    (edition / "index.html").write_text("<html><body>last good edition</body></html>")
    return root


@pytest.fixture
def root(cached, tmp_path) -> Path:
    target = tmp_path / "root"
    shutil.copytree(cached, target)
    return target


@pytest.fixture
def server():
    """A fixture server to make hostile; shut down (and its faults stopped) after the test."""
    svc = services()
    with FixtureServer(svc) as base:
        yield svc, base


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@dataclass
class Run:
    code: int
    stderr: str
    seconds: float
    max_rss_mib: float


def run_cli(args: list[str], base: str, timeout: float = 60, **env: str) -> Run:
    """The CLI in a subprocess, with its own peak memory (``wait4``: this child only)."""
    environment = {
        **os.environ,
        "HENGELO_CBS_BASE_URL": base,
        "HENGELO_PDOK_BASE_URL": base,
        "HENGELO_FETCH_BACKOFF": "0.01",
        "HENGELO_FETCH_ATTEMPTS": "2",
        **env,
    }
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        command = [sys.executable, "-m", "hengelo_analysis", *args]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=environment)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode()
    # ru_maxrss is in KiB on Linux.
    return Run(proc.returncode, stderr, time.monotonic() - started, usage.ru_maxrss / 1024)


def fetch(root: Path, base: str, **env: str) -> Run:
    return run_cli(
        ["fetch", "--source", "real", "--refresh", "--data-dir", str(root / "data")], base, **env
    )


def assert_one_error_line(run: Run, *, retried: bool = False) -> str:
    """Exit 1 and exactly one error line; other lines only retry warnings when ``retried``."""
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    errors = [line for line in lines if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, run.stderr
    if retried:
        assert all(line.startswith(LOG_PREFIXES) for line in lines if line not in errors)
    else:
        assert lines == errors, run.stderr
    assert len(errors[0]) < 700
    return errors[0]


def assert_untouched(root: Path, before: dict[str, bytes]) -> None:
    assert snapshot(root) == before  # raw cache, processed tables, editions; no stray files
    assert not [p for p in root.rglob("*") if "staging" in p.name or p.suffix == ".tmp"]


# --- cases ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../../../x", "/tmp/fetchsec-absolute-{}"])
def test_entity_set_name_from_the_server_never_names_a_file(root, server, name):
    svc, base = server
    name = name.format(uuid.uuid4().hex)
    svc.faults[f"{POLICE}?"] = [answer_with(add_entity_set(name))]
    before = snapshot(root)
    error = assert_one_error_line(fetch(root, base))
    assert "47018NED" in error and "unsafe entity-set name" in error and base in error
    assert_untouched(root, before)
    assert not Path(name + ".json").exists() and not (root.parent / "x.json").exists()
    assert not [r for r in svc.requests if "/x" in r or "fetchsec-absolute" in r]


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (redirect(other_host), "is on localhost, not 127.0.0.1"),
        (
            redirect(lambda h: "file:///etc/passwd"),
            "redirect refused: file:///etc/passwd: a file: URL",
        ),
        (
            redirect(lambda h: h.path + ("" if "hop" in h.path else "&hop=1")),
            "redirect loop",
        ),
    ],
    ids=["other-host", "file", "loop"],
)
def test_redirect_stays_on_the_configured_host_and_does_not_loop(root, server, fault, message):
    svc, base = server
    svc.faults[f"{POLICE}/TableInfos"] = [fault] * 10
    before = snapshot(root)
    error = assert_one_error_line(fetch(root, base))
    assert "47018NED" in error and message in error and base in error
    assert not [h for h in svc.hosts if h.startswith("localhost")]  # never followed
    assert_untouched(root, before)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (other_host, "is on localhost, not 127.0.0.1"),
        (lambda h: h.server.services.base_url + h.path, "next-link loop"),
    ],
    ids=["other-host", "loop"],
)
def test_next_link_stays_on_the_configured_host_and_does_not_loop(root, server, target, message):
    svc, base = server
    svc.faults[f"{POLICE}/WijkenEnBuurten"] = [answer_with(next_link(target))] * 10
    before = snapshot(root)
    error = assert_one_error_line(fetch(root, base))
    assert "47018NED" in error and message in error and "WijkenEnBuurten" in error
    assert not [h for h in svc.hosts if h.startswith("localhost")]
    assert svc.count("/WijkenEnBuurten") <= 2
    assert_untouched(root, before)


def test_gzip_bomb_stops_at_the_size_cap_with_bounded_memory(root, server):
    svc, base = server
    # the same failing fetch without a bomb: what the process needs at rest on this machine
    svc.faults[f"{POLICE}/TypedDataSet"] = ["500", "500"]  # fails after its two attempts
    at_rest = fetch(root, base, HENGELO_FETCH_MAX_BYTES=str(BOMB_CAP)).max_rss_mib
    requests_before = svc.count("/TypedDataSet")
    svc.faults[f"{POLICE}/TypedDataSet"] = [gzip_bomb]
    before = snapshot(root)
    run = fetch(root, base, HENGELO_FETCH_MAX_BYTES=str(BOMB_CAP))
    error = assert_one_error_line(run)
    assert "47018NED" in error and "larger than 8 MiB once inflated" in error
    # a few times the 8 MiB cap above rest at most; the 1 GiB the bomb inflates to is far above
    assert run.max_rss_mib < at_rest + 100, (run.max_rss_mib, at_rest)
    assert svc.count("/TypedDataSet") - requests_before == 1  # too large is final: not retried
    assert_untouched(root, before)


@pytest.mark.parametrize(
    ("fault", "env", "message"),
    [
        (drip, {"HENGELO_FETCH_REQUEST_SECONDS": "1"}, "no complete answer within 1 s"),
        (drip_headers, {"HENGELO_FETCH_REQUEST_SECONDS": "1"}, "no complete answer within 1 s"),
        (drip, {"HENGELO_FETCH_TOTAL_SECONDS": "2"}, "the fetch ran past its deadline of 2 s"),
    ],
    ids=["per-request", "per-request-headers", "per-fetch"],
)
def test_dripping_server_meets_the_deadlines(root, server, fault, env, message):
    svc, base = server
    svc.faults[f"{POLICE}/DataProperties"] = [fault] * 5
    before = snapshot(root)
    run = fetch(root, base, **env)
    error = assert_one_error_line(run, retried=True)
    assert "47018NED" in error and message in error and "DataProperties" in error
    assert run.seconds < 15  # the drip alone would take the server's 30 s per attempt
    assert_untouched(root, before)


# case -> (the new edition the server answers, given the good one; what the error line says)
EMPTY_ANSWERS = {
    "no-modified": (
        lambda t: {"TableInfos": [{"ID": 0, "Title": "x"}], "TypedDataSet": []},
        "TableInfos has no Modified date",
    ),
    "no-rows": (lambda t: dict(t, TypedDataSet=[]), "no data rows"),
    "no-dimension-sets": (
        lambda t: {"TableInfos": t["TableInfos"], "TypedDataSet": t["TypedDataSet"]},
        "no DataProperties rows",
    ),
    "foreign-keys": (
        lambda t: dict(t, Perioden=[{"Key": 2024, "Title": "2024"}]),
        "47018NED/Perioden: a row without a text Key",
    ),
    "fails-clean": (
        lambda t: dict(
            t, TypedDataSet=[dict(r, GeregistreerdeMisdrijven_1=-1) for r in t["TypedDataSet"]]
        ),
        "fails the checks of clean (TypedDataSet-0001.json, column 'GeregistreerdeMisdrijven_1', "
        "row 1: negative count -1); the cached copy is kept",
    ),
}


@pytest.mark.parametrize("case", sorted(EMPTY_ANSWERS))
def test_empty_or_unusable_answer_keeps_the_cached_table(root, server, case):
    """``report --refresh``: the fetch fails, the cache, processed data and editions stay."""
    svc, base = server
    edition, expected = EMPTY_ANSWERS[case]
    svc.odata[POLITIE]["47018NED"] = edition(police_table("2026-03-14T02:00:00"))
    before = snapshot(root)
    args = ["report", "--source", "real", "--refresh", "--data-dir", str(root / "data")]
    run = run_cli([*args, "--reports-dir", str(root / "reports")], base)
    assert run.code == 1 and "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hengelo-analysis report: error: 47018NED: ")
    assert expected in lines[0]
    assert_untouched(root, before)


@pytest.mark.parametrize(("status", "retried"), [(500, True), (404, False)])
def test_html_error_page_is_one_clean_line(root, server, status, retried):
    svc, base = server
    svc.faults[f"{POLICE}/TableInfos"] = [html_error(status)] * 5
    before = snapshot(root)
    run = fetch(root, base)
    error = assert_one_error_line(run, retried=retried)
    assert f"HTTP {status}: an HTML page titled '{status} - Internal server error.'" in error
    assert "47018NED" in error and f"{base}{POLICE}/TableInfos" in error
    assert "<" not in run.stderr and "Cbs.OData.Feed" not in run.stderr
    assert svc.count("/TableInfos") == (2 if retried else 1)
    assert_untouched(root, before)
