"""One headless Chromium kept open for many prints, spoken to over its DevTools pipe.

``chromium --print-to-pdf`` starts and stops a whole browser for every PDF: about 0.65 s wall and
1.1 CPU-s of each edition's 1.5 s print. A run of many editions prints each in a new tab of one
browser per publish thread instead (``--remote-debugging-pipe``: the DevTools protocol on file
descriptors 3 and 4, JSON messages ended by a NUL byte; no port, so nothing else on the machine
can reach it). The PDF is the same as the command line's: the same flags, and ``printToPDF`` with
the settings ``--print-to-pdf`` uses.

Every wait for an answer has a deadline and checks a ``stopping`` event (Ctrl-C); a browser
that dies, whose tab crashes, or that answers with an error or with anything but the protocol's
messages raises :class:`BrowserError` (:class:`BrowserTimeout` when it did not answer in time).
Closing is bounded too: at most ``CLOSE_WAIT_S`` for a polite close, then ``EOF_WAIT_S`` after
the pipe is closed, then SIGKILL.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import tempfile
import threading
import time
from pathlib import Path

# Without --no-startup-window the first tab's renderer dies ("Render process gone") in headless
# pipe mode; with it the browser starts with no tab and every print opens its own.
PIPE_ARGS = ("--remote-debugging-pipe", "--no-startup-window")
# The settings of `--print-to-pdf`: the page size and margins of the stylesheet's @page, its
# backgrounds, no header or footer of Chromium's own (the stylesheet numbers the sheets).
PRINT_PARAMS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
POLL_S = 0.2  # how often a wait checks `stopping` and whether the browser still lives
CLOSE_WAIT_S = 5
# Chromium exits cleanly about 0.2 s after its pipe closes; killed, it leaves its
# $TMPDIR/org.chromium.Chromium.* folder behind.
EOF_WAIT_S = 1
# Events that end a print at once instead of at its deadline: the tab's renderer crashed (out of
# memory, say) or the tab went away.
TAB_GONE = ("Inspector.targetCrashed", "Target.targetCrashed", "Target.detachedFromTarget")


class BrowserError(RuntimeError):
    """The kept browser died, its tab crashed, or it answered with an error or no message."""


class BrowserTimeout(BrowserError):
    """The kept browser did not answer in time."""


class Browser:
    """A headless Chromium that prints pages to PDF, one tab per print, until :meth:`close`.

    Not for several threads at once: each publish thread has its own (see ``pdf``).
    """

    def __init__(self, chromium: Path, args: tuple[str, ...], stopping: threading.Event):
        self.stopping = stopping
        self._tmp = tempfile.TemporaryDirectory(
            prefix="hengelo-browser-", ignore_cleanup_errors=True
        )
        self._stderr_path = Path(self._tmp.name, "stderr.txt")
        to_browser, self._write_fd = os.pipe()
        self._read_fd, from_browser = os.pipe()
        # Chromium wants the pipe on fds 3 and 4. The ends are handed over as stdin and stdout
        # and the shell moves them there (dash knows only one-digit fds in redirections), then
        # becomes Chromium (exec), so a kill reaches the browser itself. No preexec_fn: publish
        # threads start browsers, and preexec_fn is not safe with threads.
        command = [
            "/bin/sh",
            "-c",
            'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null',
            str(chromium),
            *args,
            *PIPE_ARGS,
            f"--user-data-dir={Path(self._tmp.name, 'profiel')}",
        ]
        try:
            with self._stderr_path.open("wb") as stderr:
                self.process = subprocess.Popen(
                    command,
                    stdin=to_browser,
                    stdout=from_browser,
                    stderr=stderr,  # a file, not a pipe: nobody drains Chromium's chatter
                    env={**os.environ, "TZ": "UTC"},
                )
        except BaseException:
            self._close_pipe()
            self._tmp.cleanup()
            raise
        finally:
            os.close(to_browser)
            os.close(from_browser)
        self._buffer = b""
        self._events: list[dict] = []
        self._next_id = 0
        self._session: str | None = None  # the session of the print under way

    # --- the protocol -----------------------------------------------------------------------

    def call(
        self,
        method: str,
        params: dict | None = None,
        *,
        session: str | None = None,
        deadline: float,
    ) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result = reply.get("result", {})
                if not isinstance(result, dict):
                    raise BrowserError(f"{method}: an answer that is no object: {result!r:.80}")
                return result
            self._keep_event(reply)

    def wait_for_event(self, method: str, *, session: str, deadline: float) -> dict:
        while True:
            for event in self._events:
                if event["method"] == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    return event
            self._keep_event(self._receive(deadline))

    def _keep_event(self, message: dict) -> None:
        """Keep an event for ``wait_for_event``; raise if it says the print's tab is gone."""
        method = message.get("method")
        if not isinstance(method, str):
            return  # the answer to a command given up on (a close after a failure)
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        if method in TAB_GONE and self._session is not None:
            if self._session in (message.get("sessionId"), params.get("sessionId")):
                raise BrowserError(f"the tab printing the page is gone ({method})")
        self._events.append(message)

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._write_fd, data) :]
        except OSError as exc:  # EPIPE: the browser is gone
            raise BrowserError(f"chromium closed its pipe: {exc}; {self.stderr_tail()}") from exc

    def _receive(self, deadline: float) -> dict:
        """The next message, waiting until ``deadline`` (a ``time.monotonic`` value)."""
        while b"\0" not in self._buffer:
            if self.stopping.is_set():
                raise KeyboardInterrupt("publish interrupted")
            if time.monotonic() > deadline:
                raise BrowserTimeout("chromium did not answer in time")
            ready, _, _ = select.select([self._read_fd], [], [], POLL_S)
            if not ready:
                if self.process.poll() is not None:
                    raise BrowserError(
                        f"chromium exited {self.process.returncode}: {self.stderr_tail()}"
                    )
                continue
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed its pipe: {self.stderr_tail()}")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        try:
            reply = json.loads(message)
        except ValueError as exc:
            raise BrowserError(f"chromium sent no JSON: {message[:80]!r}") from exc
        if not isinstance(reply, dict):
            raise BrowserError(f"chromium sent no protocol message: {message[:80]!r}")
        return reply

    def stderr_tail(self) -> str:
        try:
            return self._stderr_path.read_text(errors="replace")[-500:]
        except OSError:
            return ""

    # --- printing ---------------------------------------------------------------------------

    def wait_until_ready(self, timeout_s: float) -> None:
        """Return once the browser answers; :class:`BrowserError` if it does not in time."""
        self.call("Browser.getVersion", deadline=time.monotonic() + timeout_s)

    def print_to_pdf(self, page: Path, timeout_s: float) -> bytes:
        """The PDF of the HTML file ``page``, printed in a new tab that is closed afterwards."""
        deadline = time.monotonic() + timeout_s
        self._events.clear()  # events of an earlier tab's last moments
        target = self.call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
        target_id = target["targetId"]
        attached = self.call(
            "Target.attachToTarget", {"targetId": target_id, "flatten": True}, deadline=deadline
        )
        session = self._session = attached["sessionId"]
        try:
            self.call("Page.enable", session=session, deadline=deadline)
            navigated = self.call(
                "Page.navigate", {"url": page.as_uri()}, session=session, deadline=deadline
            )
            if navigated.get("errorText"):
                raise BrowserError(f"{page.name}: {navigated['errorText']}")
            self.wait_for_event("Page.loadEventFired", session=session, deadline=deadline)
            printed = self.call("Page.printToPDF", PRINT_PARAMS, session=session, deadline=deadline)
        finally:
            self._session = None
        data = printed.get("data")
        pdf = base64.b64decode(data, validate=True) if isinstance(data, str) else b""
        if not pdf.startswith(b"%PDF-"):
            raise BrowserError(f"{page.name}: chromium's answer to printToPDF is no PDF")
        # Only after a good print: after a failed one the caller closes the whole browser.
        self.call("Target.closeTarget", {"targetId": target_id}, deadline=deadline)
        return pdf

    def close(self, *, kill: bool = False) -> None:
        """Stop the browser and remove its profile, in bounded time.

        Politely (``Browser.close``) unless ``kill``; then by closing the pipe, on which Chromium
        exits cleanly; SIGKILL only for a browser still there after that, whatever happened
        meanwhile (a Ctrl-C during the wait included).
        """
        try:
            if self.process.poll() is None and not kill:
                try:
                    self._send({"id": 0, "method": "Browser.close", "params": {}})
                    self.process.wait(timeout=CLOSE_WAIT_S)
                except (BrowserError, subprocess.TimeoutExpired):
                    pass
            self._close_pipe()
            if self.process.poll() is None:
                try:
                    self.process.wait(timeout=EOF_WAIT_S)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._close_pipe()
            self._tmp.cleanup()

    def _close_pipe(self) -> None:
        for fd in (self._write_fd, self._read_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._write_fd = self._read_fd = -1
