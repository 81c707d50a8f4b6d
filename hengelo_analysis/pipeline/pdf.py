"""A PDF of the whole edition, printed from the published pages by headless Chromium.

The pages' ``<main>`` parts (and their provenance, opened) are put in one document in reading
order, each page on a new sheet, and printed with the house print stylesheet: the ``@page``
margin boxes put the title and date at the top of every sheet and "pagina n van m" at the bottom.

Chromium is Debian's ``/usr/bin/chromium`` (``HENGELO_CHROMIUM`` overrides, as in the browser
tests). Without it no PDF is made and the index says so. Chromium stamps the print time into the
PDF; those dates are replaced by the build stamp (``SOURCE_DATE_EPOCH``) at the same length, so a
rebuild of the same inputs gives the same bytes (the xref offsets stay valid).

Within :func:`kept_browsers` (a run publishing many editions) each thread prints with one
browser kept open (``browser``) instead of starting Chromium for every PDF; when that browser
fails the print falls back to the command line.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from hengelo_analysis.pipeline.browser import Browser, BrowserTimeout

log = logging.getLogger(__name__)

PDF_BUDGET_BYTES = 8_000_000  # the whole edition in one file; the pages' budget is 3 MB in all
CHROMIUM_TIMEOUT_S = 300
STOP_POLL_S = 0.2  # how often a print checks `stopping`
INTERRUPT_GRACE_S = 0.5  # how long a failed print waits to see whether it was an interrupt
# A kept browser that has not answered its first command by then is taken not to speak the pipe
# protocol (an old or wrapped Chromium): that Chromium prints with the command line from then on.
BROWSER_START_TIMEOUT_S = 30
# Kept browsers that started but then failed this often in one process: that Chromium prints
# with the command line from then on (each failure costs a browser start and a fallback print).
KEPT_FAILURES_ALLOWED = 2
# Set by ``stages.publish_stages`` when the publish is interrupted (Ctrl-C), not on an ordinary
# failure: a print under way is killed and raises KeyboardInterrupt, so no edition is swapped in
# without its PDF.
stopping = threading.Event()
NO_CHROMIUM = {"reason": "er is bij het bouwen geen Chromium gevonden om de pdf mee te maken"}
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",  # the page numbers come from the stylesheet, not Chromium's footer
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
)
HEAD_RE = re.compile(r"<head>.*?</head>", re.S)
MAIN_RE = re.compile(r"<main\b[^>]*>(.*?)</main>", re.S)
RELATIVE_HREF_RE = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^"]*)"')
SYNTHETIC_RE = re.compile(r'<p class="hv-synthetic".*?</p>', re.S)
FOOTER_RE = re.compile(r'<footer class="hv-provenance">(.*?)</footer>', re.S)
DATE_RE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)\d{14}")  # Chromium runs with TZ=UTC
CREATOR_RE = re.compile(rb"/Creator \(((?:[^()\\]|\\.)*)\)")


def pdf_name(gemeente: str, peiljaar: int) -> str:
    return f"veiligheidsbeeld_{gemeente}_{peiljaar}.pdf"


def find_chromium() -> Path | None:
    """The Chromium to print with, or None (then no PDF is made).

    ``HENGELO_CHROMIUM``, when set, is the only candidate (an empty or missing path: no PDF);
    otherwise ``chromium`` on the PATH or Debian's ``/usr/bin/chromium``.
    """
    configured = os.environ.get("HENGELO_CHROMIUM")
    if configured is not None:
        candidates = [Path(configured)] if configured.strip() else []
    else:
        candidates = [Path(p) for p in (shutil.which("chromium"), "/usr/bin/chromium") if p]
    return next((p for p in candidates if p.is_file() and os.access(p, os.X_OK)), None)


def combined_html(pages: list[tuple[str, str]]) -> str:
    """One document of every page's ``<main>`` in order, each on a new sheet, provenance open.

    ``pages`` is ``[(file name, html)]``, the index first: its ``<head>`` (house styles and the
    print title of the edition) is the document's.
    """
    names = {name for name, _ in pages}
    head_match = HEAD_RE.search(pages[0][1]) if pages else None
    head = head_match.group(0) if head_match else '<head><meta charset="utf-8"></head>'
    sections = []
    for name, page in pages:
        main = MAIN_RE.search(page)
        if main is None:
            continue
        # The demo warning of the page's banner goes on paper too (the rest of the banner is
        # navigation, which paper does not need).
        warning = SYNTHETIC_RE.search(page)
        footer = FOOTER_RE.search(page)
        provenance = footer.group(1).replace("<details>", "<details open>") if footer else ""
        sections.append(
            f'<section class="hv-pdf-page" id="pdf-{name}">'
            f"{warning.group(0) if warning else ''}{main.group(1)}"
            f'<div class="hv-provenance">{provenance}</div></section>'
        )
    body = RELATIVE_HREF_RE.sub(lambda m: _paper_link(m.group(1), names), "".join(sections))
    return f'<!DOCTYPE html>\n<html lang="nl">\n{head}\n<body>\n{body}\n</body>\n</html>\n'


def _paper_link(target: str, names: set[str]) -> str:
    """A link on paper: to a page of the PDF becomes a jump within it; to a file, plain text.

    Chromium would otherwise write the temporary folder it printed from into every link (a path
    of the build machine, and different on every build).
    """
    page = target.split("#")[0]
    return f'href="#pdf-{page}"' if page in names else ""


def fix_metadata(data: bytes, stamp: datetime) -> bytes:
    """The PDF with its print-time dates set to ``stamp`` and a creator without the user agent.

    Replacements keep every byte count, so the cross-reference table stays correct.
    """
    date = stamp.strftime("%Y%m%d%H%M%S").encode()
    data = DATE_RE.sub(lambda m: m.group(1) + date, data)

    def _creator(match: re.Match) -> bytes:
        width = len(match.group(1))
        return b"/Creator (" + b"hengelo_analysis via Chromium"[:width].ljust(width) + b")"

    return CREATOR_RE.sub(_creator, data)


_lock = threading.Lock()
_keeping = 0  # how many kept_browsers() scopes are open
_browsers: dict[tuple[int, str], Browser] = {}  # (thread, chromium): the thread's kept browser
_no_pipe: set[str] = set()  # Chromiums written off for kept browsers, in this process
_failures: dict[str, int] = {}  # kept browsers of each Chromium that started, then failed


@contextmanager
def kept_browsers() -> Iterator[None]:
    """Within: every thread prints with one browser of its own, closed when the scope ends."""
    global _keeping
    with _lock:
        _keeping += 1
    kill = False
    try:
        yield
    except BaseException as exc:
        # Ctrl-C: no polite close (the browsers got the signal too). After an ordinary failure
        # they close as usual.
        kill = not isinstance(exc, Exception)
        raise
    finally:
        with _lock:
            _keeping -= 1
            closing = list(_browsers.values()) if _keeping == 0 else []
            if _keeping == 0:
                _browsers.clear()
        # An ExitStack closes every browser even when closing one raises (a Ctrl-C during it).
        with ExitStack() as stack:
            for browser in closing:
                stack.callback(browser.close, kill=kill)


def _print_kept(chromium: Path, source: Path) -> bytes | None:
    """The PDF of ``source`` from this thread's kept browser, or None: print another way.

    Raises ``RuntimeError`` when the kept browser took the whole time limit (the command line
    would take as long again) and ``KeyboardInterrupt`` when the publish is being interrupted.
    """
    key = (threading.get_ident(), str(chromium))
    with _lock:
        if _keeping == 0 or key[1] in _no_pipe:
            return None
        browser = _browsers.get(key)
    if browser is not None and browser.process.poll() is not None:
        _drop(key)  # died since its last print (killed, out of memory): start anew
        browser = None
    started = browser is not None
    try:
        if browser is None:
            browser = Browser(chromium, CHROMIUM_ARGS, stopping)
            with _lock:
                _browsers[key] = browser
            browser.wait_until_ready(BROWSER_START_TIMEOUT_S)
            started = True
        return browser.print_to_pdf(source, CHROMIUM_TIMEOUT_S)
    except KeyboardInterrupt:
        _drop(key)
        raise
    except Exception as exc:
        # Any failure of the kept path (its own bugs included) falls back, unless it was the
        # browser dying of a Ctrl-C that the main thread has not passed on yet.
        _drop(key)
        if stopping.wait(INTERRUPT_GRACE_S):
            raise KeyboardInterrupt("publish interrupted") from exc
        with _lock:
            if started:
                _failures[key[1]] = _failures.get(key[1], 0) + 1
            if not started or _failures[key[1]] >= KEPT_FAILURES_ALLOWED:
                _no_pipe.add(key[1])
        if started and isinstance(exc, BrowserTimeout):
            raise RuntimeError(f"chromium did not print {source.name} in time") from exc
        log.info("kept Chromium failed (%s); printing %s with the command line", exc, source.name)
        return None


def _drop(key: tuple[int, str]) -> None:
    """Forget and close the thread's kept browser (after a failure: no polite close)."""
    with _lock:
        browser = _browsers.pop(key, None)
    if browser is not None:
        browser.close(kill=True)


def print_pdf(chromium: Path, html: str, target: Path, stamp: datetime) -> None:
    """Print ``html`` to ``target`` with ``chromium``; raise ``RuntimeError`` if it fails.

    Raises ``KeyboardInterrupt`` when :data:`stopping` is set while Chromium prints: Chromium
    is killed then (after a Ctrl-C it can hang until the time limit).
    """
    # ignore_cleanup_errors: a Chromium killed mid-print may still be writing its profile, and
    # an OSError from the cleanup must not replace the KeyboardInterrupt that ended it.
    with tempfile.TemporaryDirectory(prefix="hengelo-pdf-", ignore_cleanup_errors=True) as tmp:
        source = Path(tmp, "editie.html")
        source.write_text(html, encoding="utf-8")
        data = _print_kept(chromium, source)
        if data is None:
            data = _print_command_line(chromium, source, Path(tmp))
        target.write_bytes(fix_metadata(data, stamp))


def _print_command_line(chromium: Path, source: Path, tmp: Path) -> bytes:
    """The PDF of ``source`` from a Chromium started for it alone (``--print-to-pdf``)."""
    out = Path(tmp, "editie.pdf")
    command = [
        str(chromium),
        *CHROMIUM_ARGS,
        f"--user-data-dir={Path(tmp, 'profiel')}",
        f"--print-to-pdf={out}",
        source.as_uri(),
    ]
    returncode, stderr = _run_chromium(command)
    if returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium exited {returncode}: {stderr[-500:]}")
    return out.read_bytes()


def _run_chromium(command: list[str]) -> tuple[int, str]:
    """Run Chromium to its end, its time limit or :data:`stopping`; its exit code and stderr."""
    deadline = time.monotonic() + CHROMIUM_TIMEOUT_S
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    )
    try:
        while True:
            try:
                _, stderr = process.communicate(timeout=STOP_POLL_S)
                return process.returncode, stderr
            except subprocess.TimeoutExpired:
                if stopping.is_set():
                    raise KeyboardInterrupt("publish interrupted") from None
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(command, CHROMIUM_TIMEOUT_S) from None
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def build_pdf(staging: Path, name: str, pages: list[tuple[str, str]], stamp: datetime) -> dict:
    """Write the edition's PDF into ``staging``; ``{"href", "size"}`` or ``{"reason"}``.

    A print that fails because the publish is being interrupted raises ``KeyboardInterrupt``
    instead of giving an edition without PDF: the staged edition is then dropped, the old kept.
    """
    chromium = find_chromium()
    if chromium is None:
        return NO_CHROMIUM
    try:
        print_pdf(chromium, combined_html(pages), staging / name, stamp)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        # A Ctrl-C reaches Chromium (same process group) and the main thread at once; the main
        # thread may set `stopping` only just after Chromium died of it.
        if stopping.wait(INTERRUPT_GRACE_S):
            raise KeyboardInterrupt("publish interrupted") from exc
        log.warning("no PDF for %s: %s", name, exc)
        return {"reason": "het printen naar pdf is mislukt bij het bouwen"}
    size = (staging / name).stat().st_size
    return {"href": name, "size": f"{size / 1e6:.1f} MB".replace(".", ",")}
