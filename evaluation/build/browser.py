"""Load a built page in headless Chromium and collect its console errors.

Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: commands on fd 3, replies on fd 4, each a JSON
message ending in NUL), so nothing listens on a port. Errors are:

* ``Runtime.exceptionThrown`` — an uncaught JavaScript exception;
* ``Runtime.consoleAPICalled`` with type ``error`` or ``assert``;
* ``Log.entryAdded`` with level ``error`` — e.g. a script, style sheet or
  image that failed to load (a missing ``_static`` file, a blocked remote
  resource).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["CHROMIUM", "console_errors", "chromium_page", "BrowserError"]

CHROMIUM = "/usr/bin/chromium"
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--remote-debugging-pipe"]


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer."""


class _Pipe:
    def __init__(self, proc, write_fd: int, read_fd: int):
        self.proc, self.w, self.r = proc, write_fd, read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict | None:
        import select

        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.r, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply is None:
                raise BrowserError(f"Chromium did not answer {method} within {timeout} s")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == method for e in self.events):
            return True
        while True:
            msg = self._read_message(deadline)
            if msg is None:
                return False
            self.events.append(msg)
            if msg.get("method") == method:
                return True

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (msg := self._read_message(deadline)) is not None:
            self.events.append(msg)


def _describe(event: dict) -> str | None:
    method, p = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        d = p.get("exceptionDetails", {})
        text = (d.get("exception") or {}).get("description") or d.get("text", "exception")
        return f"uncaught exception: {text} ({d.get('url', '')}:{d.get('lineNumber', '')})"
    if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
        args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
        return f"console.{p['type']}: {args}"
    if method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
        e = p["entry"]
        return f"{e.get('source', 'log')}: {e.get('text', '')} {e.get('url', '')}".strip()
    return None


@contextlib.contextmanager
def chromium_page(*, chromium: str = CHROMIUM, timeout: float = 60, flags: Iterable[str] = ("--hide-scrollbars",),
                  domains: Iterable[str] = ("Runtime", "Page")) -> Iterator[tuple[_Pipe, str]]:
    """A headless Chromium with one page attached: ``(pipe, session)``; ``domains`` are enabled on it."""
    if not Path(chromium).exists():
        raise BrowserError(f"{chromium} is missing: install Debian's chromium (BROWSER_CHECK=1 scripts/system-deps.sh)")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    with tempfile.TemporaryDirectory(prefix="peer-eval-chromium-") as profile:
        def child_fds():  # Chromium reads commands on fd 3 and writes replies on fd 4
            import fcntl

            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        proc = subprocess.Popen([chromium, *_FLAGS, *flags, f"--user-data-dir={profile}", "about:blank"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
        try:
            targets = pipe.send("Target.getTargets", timeout=timeout)["targetInfos"]
            target = next(t for t in targets if t.get("type") == "page")
            session = pipe.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                timeout=timeout)["sessionId"]
            for domain in domains:
                pipe.send(f"{domain}.enable", session=session, timeout=timeout)
            yield pipe, session
            try:
                pipe.send("Browser.close", timeout=10)
            except BrowserError:
                pass
        finally:
            os.close(to_chrome_w)
            os.close(from_chrome_r)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()



def console_errors(page: str | os.PathLike, *, chromium: str = CHROMIUM, timeout: float = 60,
                   settle: float = 1.5) -> list[str]:
    """Open ``page`` (an HTML file) in headless Chromium; return its console errors (empty: clean)."""
    page = Path(page).resolve()
    if not page.is_file():
        raise FileNotFoundError(f"{page} does not exist; build the book first")
    with chromium_page(chromium=chromium, timeout=timeout, flags=(), domains=("Runtime", "Log", "Page")) as (pipe,
                                                                                                          session):
        pipe.send("Page.navigate", {"url": page.as_uri()}, session=session, timeout=timeout)
        if not pipe.wait_for("Page.loadEventFired", timeout):
            raise BrowserError(f"{page.name} did not finish loading within {timeout} s")
        pipe.drain(settle)
    return [d for d in map(_describe, pipe.events) if d]
