"""Accessibility of the built report: axe-core on every page, at desktop and phone width.

One headless Chromium (Debian's, driven over the DevTools pipe as in
:mod:`.browser`) opens each page at each width, injects axe-core (the copy
``npm ci`` put in ``node_modules/axe-core/axe.min.js``; never fetched at
build or test time) and runs it with its default rules. Also measured per
page and width: whether the page itself scrolls sideways (content cut off
without a scroll container of its own). :func:`screenshot` writes a PNG of
a page at a width, for looking at it.
"""

from __future__ import annotations

import base64
import json
import re
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .browser import CHROMIUM, BrowserError, _Pipe, chromium_page

__all__ = ["AXE_JS", "PageAudit", "audit_pages", "screenshot", "chromium_page", "serious"]

#: axe-core as installed by ``npm ci`` from the repository's package-lock.json.
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)
_OVERFLOW_JS = """(() => {
  const w = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll('.bd-article table, .bd-article img, .bd-article svg, .bd-article pre')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    let p = el.parentElement, scrolls = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p).overflowX;
      if ((s === 'auto' || s === 'scroll') && p.getBoundingClientRect().right <= w + 1) { scrolls = true; break; }
      p = p.parentElement;
    }
    if (!scrolls) cut.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
  }
  return {pageScrollsSideways: document.documentElement.scrollWidth > w + 1, cutOff: cut.slice(0, 20)};
})()"""


@dataclass
class PageAudit:
    """axe's violations on one page at one width, and what is cut off there."""

    page: str
    width: int
    violations: list[dict] = field(default_factory=list)
    page_scrolls_sideways: bool = False
    cut_off: list[str] = field(default_factory=list)

    def serious(self) -> list[dict]:
        return serious(self.violations)

    def summary(self) -> list[str]:
        out = [f"{self.page} @{self.width}px: {v['impact']} {v['id']} ({len(v['nodes'])}): "
               f"{'; '.join(n['target'] for n in v['nodes'][:3])}" for v in self.serious()]
        if self.cut_off:
            out.append(f"{self.page} @{self.width}px: cut off without a scroll container: {', '.join(self.cut_off)}")
        return out


def serious(violations: Iterable[dict]) -> list[dict]:
    """The critical and serious violations among ``violations``."""
    return [v for v in violations if v.get("impact") in ("critical", "serious")]


def _open(pipe: _Pipe, session: str, page: Path, width: int, timeout: float) -> None:
    pipe.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": 900 if width > 600 else 844, "deviceScaleFactor": 1, "mobile": width <= 600},
              session=session, timeout=timeout)
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": Path(page).resolve().as_uri()}, session=session, timeout=timeout)
    if not pipe.wait_for("Page.loadEventFired", timeout):
        raise BrowserError(f"{Path(page).name} did not finish loading within {timeout} s")


def _evaluate(pipe: _Pipe, session: str, expression: str, timeout: float, *, await_promise: bool = False):
    reply = pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": await_promise}, session=session, timeout=timeout)
    if "exceptionDetails" in reply:
        d = reply["exceptionDetails"]
        raise BrowserError(f"script failed: {(d.get('exception') or {}).get('description') or d.get('text')}")
    return reply.get("result", {}).get("value")


_REDIRECT = re.compile(r'<meta[^>]+http-equiv=["\']?refresh', re.IGNORECASE)


def audit_pages(pages: Iterable[str | os.PathLike], *, root: str | os.PathLike | None = None,
                widths: Iterable[int] = WIDTHS, axe_js: Path = AXE_JS, chromium: str = CHROMIUM,
                timeout: float = 120) -> list[PageAudit]:
    """Run axe-core on every page at every width; return one :class:`PageAudit` per page and width."""
    axe_js = Path(axe_js)
    if not axe_js.is_file():
        raise FileNotFoundError(f"{axe_js} is missing; run `npm ci` in the repository (make install does)")
    source = axe_js.read_text(encoding="utf-8")
    results = []
    with chromium_page(chromium=chromium, timeout=timeout) as (pipe, session):
        for page in pages:
            page = Path(page)
            name = page.relative_to(root).as_posix() if root else page.name
            if _REDIRECT.search(page.read_text(encoding="utf-8", errors="replace")[:4000]):
                continue  # a page that only forwards to another (index.html): the tab navigates away under axe
            for width in widths:
                for attempt in range(3):
                    try:
                        raw, layout = _audit_one(pipe, session, page, width, source, timeout)
                        break
                    except BrowserError as exc:
                        # A load event left over from the page before can end the wait for this one while the
                        # tab is still navigating ("Inspected target navigated or closed", seen about once in
                        # ten runs of the axe test): the page is opened and audited again, at most three times.
                        if "navigated or closed" not in str(exc) or attempt == 2:
                            raise BrowserError(f"{name} @{width}px: {exc}") from exc
                        pipe.drain(0.5)
                results.append(PageAudit(name, width, json.loads(raw), bool(layout["pageScrollsSideways"]),
                                         list(layout["cutOff"])))
    return results


def _audit_one(pipe: _Pipe, session: str, page: Path, width: int, source: str, timeout: float):
    """Open ``page`` at ``width``, run axe-core and the overflow check: (violations JSON, layout)."""
    _open(pipe, session, page, width, timeout)
    _evaluate(pipe, session, source + "\n;true", timeout)
    raw = _evaluate(pipe, session,
                    "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
                    "r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
                    "nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}))))",
                    timeout, await_promise=True)
    return raw, _evaluate(pipe, session, _OVERFLOW_JS, timeout)


def screenshot(page: str | os.PathLike, png: str | os.PathLike, *, width: int = 1400, full_page: bool = False,
               chromium: str = CHROMIUM, timeout: float = 60) -> Path:
    """Write a PNG of ``page`` at ``width`` pixels (the first screen, or the whole page)."""
    with chromium_page(chromium=chromium, timeout=timeout) as (pipe, session):
        _open(pipe, session, Path(page), width, timeout)
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = _evaluate(pipe, session, "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
                             timeout)
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 12000), "scale": 1}
        data = pipe.send("Page.captureScreenshot", params, session=session, timeout=timeout)["data"]
    png = Path(png)
    png.write_bytes(base64.b64decode(data))
    return png
