"""The whole build: execute what changed, settle the suppression ledger, build and check the HTML.

1. Discover the chapters (``book/_toc.yml``); chapters not written yet are
   left out of this build (a note says so).
2. For each chapter, compute its cache key (:mod:`.cache`); execute it
   (:mod:`.execute`) only when the key changed, else reuse the executed
   notebook kept in ``<workspace>/book-cache``. A chapter that loads data it
   does not declare in ``peer_eval.loads`` fails the build (its cache key
   would miss that data).
3. The chapters share the book's suppression ledger
   (``<workspace>/book-cache/ledger.json``, through ``ctx.ledger``). When a
   chapter hides a cell another chapter shows, the other chapter's key
   changes and it is executed again; passes repeat until a pass executes
   nothing (hiding only grows, so this ends) and no conflict remains.
4. Assemble the generated book, run ``jupyter-book build`` on a fresh
   ``_build`` (:mod:`.sphinx`), check every page (:mod:`.pagecheck`), and
   put the site in ``<workspace>/book/_build/html`` (or ``output``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.book.context import LEDGER_ENV
from evaluation.book.provenance import git_commit
from evaluation.instruments import Catalogue
from evaluation.store import Workspace

from .cache import ChapterCache, chapter_key
from .chapters import BOOK_DIR, discover, read_toc
from .execute import run_chapter
from .pagecheck import check_built_pages
from .sphinx import assemble, install_html, run_sphinx

__all__ = ["BuildResult", "UndeclaredLoad", "LedgerUnsettled", "build_book", "ledger_conflicts"]


class UndeclaredLoad(RuntimeError):
    """A chapter loaded data its front matter does not declare."""


class LedgerUnsettled(RuntimeError):
    """Cells are still hidden in one chapter and shown in another after the last pass."""


@dataclass
class BuildResult:
    """What a build did: ``html`` (the site's folder), ``pages``, ``executed``, ``skipped``, ``timings``."""

    html: Path
    pages: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    passes: int = 1

    @property
    def index(self) -> Path:
        return self.html / "index.html"


def ledger_conflicts(ledger_text: str | None) -> list[str]:
    """Cells hidden in one table and shown in another (read from the ledger's JSON)."""
    if not ledger_text:
        return []
    out = []
    for cell in json.loads(ledger_text).get("cells", []):
        tables = cell.get("tables", {})
        if any(tables.values()) and not all(tables.values()):
            dims = ", ".join(f"{k}={v}" for k, v in sorted(cell.get("dims", {}).items())) or "total"
            out.append(f"{cell['family']}[{dims}]")
    return out


def _tables(ledger_text: str | None) -> set[str]:
    if not ledger_text:
        return set()
    return {t for c in json.loads(ledger_text).get("cells", []) for t in c.get("tables", {})}


def build_book(workspace, *, output=None, progress: Callable[[str], None] | None = print, force: bool = False,
               book_dir: Path = BOOK_DIR, timeout: int = 900, max_passes: int = 5,
               check_pages: bool = True) -> BuildResult:
    """Build the book from ``workspace`` (a folder or :class:`~evaluation.store.Workspace`).

    ``force=True`` executes every chapter and starts a fresh suppression
    ledger. Raises :class:`~evaluation.build.ChapterFailed` (the failing
    cell and its error), :class:`UndeclaredLoad`, :class:`LedgerUnsettled`,
    :class:`~evaluation.build.SphinxFailed`, or
    ``analysis.disclosure.PageCheckError``.
    """
    say = progress or (lambda _msg: None)
    t_start = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace, create=False)
    book_dir = Path(book_dir)
    chapters = discover(book_dir)
    present = [c for c in chapters if c.exists and c.has_code]
    pages_only = [c.name for c in chapters if c.exists and not c.has_code]
    result = BuildResult(html=Path(output) if output else ws.root / "book" / "_build" / "html",
                         missing=[c.name for c in chapters if not c.exists])
    for name in pages_only:
        say(f"  {name}: no code, a plain page")
    for name in result.missing:
        say(f"  {name}: not written yet, left out of this build")
    cache = ChapterCache.of(ws.root)
    if force:
        cache.ledger_path.unlink(missing_ok=True)
    catalogue = Catalogue()
    all_instruments = catalogue.instrument_ids()
    commit = git_commit()[0] if any(c.commit for c in present) else None
    notebooks = {}
    forced = set(c.name for c in present) if force else set()
    n = len(present)
    for pass_no in range(1, max_passes + 1):
        ran = 0
        for i, ch in enumerate(present, start=1):
            def key_now(own):
                return chapter_key(ch, workspace_root=ws.root, config=ws.config, instruments_root=catalogue.root,
                                   all_instruments=all_instruments, ledger_text=cache.ledger_text(),
                                   own_tables=own, commit=commit)

            own = cache.meta(ch.name).get("tables", [])
            key = key_now(own)
            nb = None if ch.name in forced else cache.get(ch.name, key)
            if nb is not None:
                notebooks[ch.name] = nb
                if pass_no == 1:
                    result.skipped.append(ch.name)
                    say(f"[{i}/{n}] {ch.name} … unchanged, skipped")
                continue
            forced.discard(ch.name)
            before = _tables(cache.ledger_text())
            t0 = time.perf_counter()
            nb, loaded = run_chapter(ch.path, ws.root, timeout=timeout,
                                     extra_env={LEDGER_ENV: str(cache.ledger_path)})
            seconds = time.perf_counter() - t0
            if not ch.loads_all:
                allowed = set(ch.loads)
                extra = sorted(set(loaded) - allowed)
                if extra:
                    raise UndeclaredLoad(
                        f"chapter {ch.name!r} loaded {extra} but its front matter declares loads: {sorted(allowed)}; "
                        f"add them to peer_eval.loads in {ch.path.name} so the build knows when to re-execute it")
            after = _tables(cache.ledger_text())
            own_now = sorted((after - before) | (set(own) & after))
            cache.put(ch.name, key_now(own_now), nb, tables=own_now, loaded=loaded, seconds=seconds)
            notebooks[ch.name] = nb
            ran += 1
            result.timings[ch.name] = result.timings.get(ch.name, 0.0) + seconds
            if ch.name in result.skipped:
                result.skipped.remove(ch.name)
            if ch.name not in result.executed:
                result.executed.append(ch.name)
            again = f" (pass {pass_no}: another chapter hid a cell it shows)" if pass_no > 1 else ""
            say(f"[{i}/{n}] {ch.name} … executed in {seconds:.1f} s{again}")
        result.passes = pass_no
        if ran == 0:
            break
    conflicts = ledger_conflicts(cache.ledger_text())
    if conflicts:
        raise LedgerUnsettled(
            f"after {result.passes} passes, {len(conflicts)} cell(s) are hidden in one table and shown in "
            f"another: {', '.join(conflicts[:10])}. Give the tables that show them the book's ledger "
            "(ledger=ctx.ledger(SuppressionLedger)) so they hide them too.")
    t0 = time.perf_counter()
    src = assemble(book_dir, cache.root / "src", notebooks, read_toc(book_dir), demo=ws.demo)
    html = run_sphinx(src, ws.root / "book")
    result.timings["jupyter-book"] = time.perf_counter() - t0
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).parts[0].startswith("_"))
    if check_pages:
        check_built_pages(html)
        say(f"  page check: {len(pages)} pages, no pseudonym or identifier")
    if output:
        install_html(html, Path(output))
    result.pages = pages
    result.timings["total"] = time.perf_counter() - t_start
    say(f"Built {len(present)} chapters ({len(result.executed)} executed, {len(result.skipped)} unchanged) "
        f"in {result.timings['total']:.1f} s: {result.index}")
    return result
