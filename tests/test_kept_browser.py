"""The kept browser: one Chromium per publish thread prints every PDF of a run, gives the bytes
the command line gives, and falls back to the command line when it fails, hangs or lies."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from hengelo_analysis.pipeline import browser, pdf
from tests.test_pdf import CHROMIUM, needs_tools, needs_tools_fixture  # noqa: F401 (fixture)

STAMP = datetime(2026, 1, 1)
# @page margin boxes, a background and a jump link: what the edition's print uses.
HTML = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 2cm; @bottom-center { content: "pagina " counter(page) " van " counter(pages); } }
section { break-before: page; background: #eef; }
</style></head><body><section id="a"><h1>Veiligheidsbeeld</h1><a href="#b">naar b</a></section>
<section id="b"><h2>Tweede blad</h2><p>tekst</p></section></body></html>"""


@pytest.fixture
def fresh(monkeypatch):
    """No browser kept or written off from an earlier test; a stop event of the test's own."""
    monkeypatch.setattr(pdf, "_browsers", {})
    monkeypatch.setattr(pdf, "_no_pipe", set())
    monkeypatch.setattr(pdf, "_failures", {})
    monkeypatch.setattr(pdf, "INTERRUPT_GRACE_S", 0.01)
    # The fakes ignore end-of-file (a real Chromium exits on it in about 0.2 s): kill them soon.
    monkeypatch.setattr(browser, "EOF_WAIT_S", 0.1)
    monkeypatch.setattr(pdf, "stopping", pdf.threading.Event())


def _fake_chromium(tmp_path: Path, pipe_mode: str) -> Path:
    """A Chromium whose command line prints a fake PDF and whose pipe mode runs ``pipe_mode``;
    every start is logged to ``starts``."""
    script = tmp_path / "chromium"
    script.write_text(
        "#!/bin/sh\n"
        f"echo $$ >> {tmp_path / 'starts'}\n"
        'for a in "$@"; do case "$a" in\n'
        f"  --remote-debugging-pipe) {pipe_mode};;\n"
        "  --print-to-pdf=*) printf '%%PDF-1.4 fake' > \"${a#--print-to-pdf=}\"; exit 0;;\n"
        "esac; done\nexit 3\n"
    )
    script.chmod(0o755)
    return script


def _starts(tmp_path: Path) -> list[int]:
    return [int(x) for x in (tmp_path / "starts").read_text().split()]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.browser
@needs_tools
def test_a_kept_browser_prints_the_bytes_of_the_command_line_and_starts_once(tmp_path, fresh):
    pdf.print_pdf(CHROMIUM, HTML, tmp_path / "cli.pdf", STAMP)
    with pdf.kept_browsers():
        pdf.print_pdf(CHROMIUM, HTML, tmp_path / "kept1.pdf", STAMP)
        (kept,) = pdf._browsers.values()
        pdf.print_pdf(
            CHROMIUM, HTML.replace("tekst", "andere tekst"), tmp_path / "kept2.pdf", STAMP
        )
        assert list(pdf._browsers.values()) == [kept]  # the same browser printed both
        process = kept.process
    assert (tmp_path / "kept1.pdf").read_bytes() == (tmp_path / "cli.pdf").read_bytes()
    assert (tmp_path / "kept2.pdf").read_bytes() != (tmp_path / "kept1.pdf").read_bytes()
    assert process.poll() is not None  # closed with the scope
    assert pdf._browsers == {}


@pytest.mark.browser
@needs_tools
def test_a_kept_browser_that_died_between_prints_is_replaced(tmp_path, fresh):
    with pdf.kept_browsers():
        pdf.print_pdf(CHROMIUM, HTML, tmp_path / "one.pdf", STAMP)
        (first,) = pdf._browsers.values()
        first.process.kill()
        first.process.wait()
        pdf.print_pdf(CHROMIUM, HTML, tmp_path / "two.pdf", STAMP)
        (second,) = pdf._browsers.values()
        assert second is not first and second.process.poll() is None
    assert (tmp_path / "two.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()


def test_a_chromium_without_pipe_mode_prints_with_the_command_line_and_is_tried_once(
    tmp_path, fresh
):
    chromium = _fake_chromium(tmp_path, "exit 1")
    with pdf.kept_browsers():
        for name in ("a.pdf", "b.pdf"):
            pdf.print_pdf(chromium, HTML, tmp_path / name, STAMP)
            assert (tmp_path / name).read_bytes() == b"%PDF-1.4 fake"
    # one pipe start that failed, then the command line for both prints
    assert len(_starts(tmp_path)) == 3
    assert pdf._no_pipe == {str(chromium)}


def test_a_kept_browser_that_never_answers_is_killed_and_the_command_line_prints(
    tmp_path, fresh, monkeypatch
):
    monkeypatch.setattr(pdf, "BROWSER_START_TIMEOUT_S", 0.5)
    chromium = _fake_chromium(tmp_path, "exec sleep 60")
    started = pdf.time.monotonic()
    with pdf.kept_browsers():
        pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    assert pdf.time.monotonic() - started < 10
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.4 fake"
    hung = _starts(tmp_path)[0]
    assert _gone(hung)


# The answers of a browser that works up to the load event (ids 1-5: getVersion, createTarget,
# attachToTarget, Page.enable, Page.navigate), NUL-separated for printf.
READY = '{"id": 1, "result": {}}'
UP_TO_LOAD = (
    READY + '\\0{"id": 2, "result": {"targetId": "t"}}\\0{"id": 3, "result": {"sessionId": "s"}}'
    '\\0{"id": 4, "result": {}}\\0{"id": 5, "result": {"frameId": "f"}}'
)


@pytest.mark.parametrize(
    "replies",
    [
        "not json",
        "[1, 2]",
        '{"id": 1, "result": null}',
        '{"id": 1, "result": [1]}',
        UP_TO_LOAD + '\\0{"method": "Page.loadEventFired", "sessionId": "s", "params": {}}'
        '\\0{"id": 6, "result": {"data": "bm8gcGRm"}}',  # a print that is no PDF ("no pdf")
        UP_TO_LOAD + '\\0{"method": "Page.loadEventFired", "sessionId": "s", "params": {}}'
        '\\0{"id": 6, "result": {"data": 42}}',
    ],
    ids=["no-json", "no-message", "null-result", "list-result", "not-a-pdf", "data-no-text"],
)
def test_a_browser_that_answers_garbage_is_not_trusted(tmp_path, fresh, monkeypatch, replies):
    monkeypatch.setattr(pdf, "CHROMIUM_TIMEOUT_S", 60)
    chromium = _fake_chromium(tmp_path, f"printf '{replies}\\0' >&4; exec sleep 60")
    started = pdf.time.monotonic()
    with pdf.kept_browsers():
        pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    assert pdf.time.monotonic() - started < 10  # at once, not at the time limit
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.4 fake"  # from the command line
    assert _gone(_starts(tmp_path)[0])  # the kept one was stopped


@pytest.mark.parametrize(
    "event",
    [
        '{"method": "Inspector.targetCrashed", "sessionId": "s", "params": {}}',
        '{"method": "Target.detachedFromTarget", "params": {"sessionId": "s"}}',
    ],
    ids=["renderer-crashed", "tab-detached"],
)
def test_a_tab_that_crashes_before_the_page_loaded_falls_back_at_once(
    tmp_path, fresh, monkeypatch, event
):
    monkeypatch.setattr(pdf, "CHROMIUM_TIMEOUT_S", 60)
    chromium = _fake_chromium(tmp_path, f"printf '{UP_TO_LOAD}\\0{event}\\0' >&4; exec sleep 60")
    started = pdf.time.monotonic()
    with pdf.kept_browsers():
        pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    assert pdf.time.monotonic() - started < 10
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.4 fake"


def test_a_crash_of_another_tab_is_not_this_prints_failure(tmp_path, fresh, monkeypatch):
    monkeypatch.setattr(pdf, "CHROMIUM_TIMEOUT_S", 1)
    other = '{"method": "Inspector.targetCrashed", "sessionId": "other", "params": {}}'
    chromium = _fake_chromium(tmp_path, f"printf '{UP_TO_LOAD}\\0{other}\\0' >&4; exec sleep 60")
    with pytest.raises(RuntimeError, match="did not print editie.html in time"):
        with pdf.kept_browsers():
            pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)


def test_a_kept_browser_that_hangs_mid_print_gives_no_pdf_instead_of_twice_the_limit(
    tmp_path, fresh, monkeypatch
):
    # Falling back would give the command line the whole limit again: 600 s for one edition.
    monkeypatch.setattr(pdf, "CHROMIUM_TIMEOUT_S", 1)
    chromium = _fake_chromium(tmp_path, f"printf '{UP_TO_LOAD}\\0' >&4; exec sleep 60")
    monkeypatch.setenv("HENGELO_CHROMIUM", str(chromium))
    pages = [("index.html", "<html><head></head><body><main>x</main></body></html>")]
    started = pdf.time.monotonic()
    with pdf.kept_browsers():
        result = pdf.build_pdf(tmp_path, "e.pdf", pages, STAMP)
    assert result == {"reason": "het printen naar pdf is mislukt bij het bouwen"}
    assert pdf.time.monotonic() - started < 5
    assert len(_starts(tmp_path)) == 1  # no command-line print after the kept one's limit
    assert not (tmp_path / "e.pdf").exists()


def test_a_chromium_whose_kept_browsers_keep_failing_is_written_off(tmp_path, fresh):
    # ready, then gone; it answers only once asked, or the question could meet a closed pipe
    chromium = _fake_chromium(
        tmp_path, f"head -c 1 <&3 >/dev/null; printf '{READY}\\0' >&4; exit 0"
    )
    with pdf.kept_browsers():
        for name in ("a.pdf", "b.pdf", "c.pdf"):
            pdf.print_pdf(chromium, HTML, tmp_path / name, STAMP)
            assert (tmp_path / name).read_bytes() == b"%PDF-1.4 fake"
    # two kept starts that failed (each then the command line), then the command line only
    assert len(_starts(tmp_path)) == 2 + 3
    assert pdf._no_pipe == {str(chromium)}


def test_closing_kills_a_browser_that_ignores_close_and_end_of_file(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "CLOSE_WAIT_S", 0.3)
    monkeypatch.setattr(browser, "EOF_WAIT_S", 0.3)
    chromium = _fake_chromium(tmp_path, "trap '' INT TERM HUP PIPE; exec sleep 60")
    kept = browser.Browser(chromium, pdf.CHROMIUM_ARGS, pdf.threading.Event())
    real_wait = kept.process.wait

    def interrupted_wait(timeout=None):
        if timeout is not None:
            raise KeyboardInterrupt  # Ctrl-C during the polite close
        return real_wait()

    monkeypatch.setattr(kept.process, "wait", interrupted_wait)
    with pytest.raises(KeyboardInterrupt):
        kept.close()
    assert kept.process.poll() is not None  # killed all the same
    assert not Path(kept._tmp.name).exists()


@pytest.mark.browser
@needs_tools
def test_a_failure_in_the_scope_closes_the_browsers_without_leaving_chromiums_files(
    tmp_path, fresh, monkeypatch
):
    # Short: Chromium refuses a socket path over 107 bytes, and pytest's tmp_path is long.
    scratch = Path(pdf.tempfile.mkdtemp(prefix="kb-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(pdf.tempfile, "tempdir", None)  # TMPDIR is read again
    with pytest.raises(ValueError), pdf.kept_browsers():
        pdf.print_pdf(CHROMIUM, HTML, tmp_path / "a.pdf", STAMP)
        (kept,) = pdf._browsers.values()
        raise ValueError("a notebook failed")
    assert kept.process.poll() is not None
    left = list(scratch.iterdir())
    scratch.rmdir() if not left else None
    assert left == []  # no org.chromium.Chromium.* and no profile left


def test_an_interrupt_kills_a_kept_browser_under_way(tmp_path, fresh, monkeypatch):
    monkeypatch.setattr(pdf, "BROWSER_START_TIMEOUT_S", 60)
    chromium = _fake_chromium(tmp_path, "trap '' INT TERM; exec sleep 60")
    timer = pdf.threading.Timer(0.5, pdf.stopping.set)
    timer.start()
    started = pdf.time.monotonic()
    with pytest.raises(KeyboardInterrupt), pdf.kept_browsers():
        pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    assert pdf.time.monotonic() - started < 5
    assert _gone(_starts(tmp_path)[0])  # killed and reaped, not left running
    assert not (tmp_path / "a.pdf").exists()
    assert pdf._browsers == {}


def test_outside_a_kept_scope_every_print_starts_its_own_chromium(tmp_path, fresh):
    chromium = _fake_chromium(tmp_path, "exit 1")
    pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    pdf.print_pdf(chromium, HTML, tmp_path / "b.pdf", STAMP)
    assert len(_starts(tmp_path)) == 2 and pdf._no_pipe == set()


def test_an_error_reply_is_a_browser_error(tmp_path):
    stopping = pdf.threading.Event()
    chromium = _fake_chromium(
        tmp_path, 'printf \'{"id": 1, "error": {"message": "nee"}}\\0\' >&4; exec sleep 60'
    )
    kept = browser.Browser(chromium, pdf.CHROMIUM_ARGS, stopping)
    try:
        with pytest.raises(browser.BrowserError, match="nee"):
            kept.wait_until_ready(5)
    finally:
        kept.close(kill=True)
    assert kept.process.poll() is not None


def test_a_browser_dying_of_ctrl_c_is_an_interrupt_not_a_broken_chromium(
    tmp_path, fresh, monkeypatch
):
    # The kept Chromium gets the SIGINT too and may die before the main thread sets `stopping`.
    monkeypatch.setattr(pdf, "INTERRUPT_GRACE_S", 2)
    chromium = _fake_chromium(tmp_path, f"printf '{READY}\\0' >&4; exit 130")
    timer = pdf.threading.Timer(0.3, pdf.stopping.set)
    timer.start()
    with pytest.raises(KeyboardInterrupt), pdf.kept_browsers():
        pdf.print_pdf(chromium, HTML, tmp_path / "a.pdf", STAMP)
    timer.join()
    assert len(_starts(tmp_path)) == 1  # no command-line print started during the interrupt
    assert pdf._no_pipe == set() and pdf._failures == {}
