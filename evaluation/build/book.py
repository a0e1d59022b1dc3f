"""The whole build: execute what changed, settle the suppression ledger, build and check the HTML.

1. Discover the chapters (``book/_toc.yml``); chapters not written yet are
   left out of this build (a note says so).
2. For each chapter, compute its cache key (:mod:`.cache`); execute it
   (:mod:`.execute`) only when the key changed, else reuse the executed
   notebook kept in ``<workspace>/book-cache``. A chapter that loads data it
   does not declare in ``peer_eval.loads`` fails the build (its cache key
   would miss that data).
3. Chapters are executed two at a time (``jobs``). They share the book's
   suppression ledger (``<workspace>/book-cache/ledger.json``, through
   ``ctx.ledger``): in a pass, each chapter works on its own copy of the
   ledger as it stood when the pass began, and the copies are merged in
   the order of the table of contents (:mod:`.ledger`), so the result never
   depends on which chapter finished first. When a chapter hides a cell of
   a family another chapter shows, the other chapter's key changes and it
   is executed again; passes repeat until a pass executes nothing (hiding
   only grows, so this ends) and no conflict remains.
4. Assemble the generated book, run ``jupyter-book build`` on a fresh
   ``_build`` (:mod:`.sphinx`), check every page (:mod:`.pagecheck`), and
   put the site in ``<workspace>/book/_build/html`` (or ``output``). When
   the assembled sources are exactly those of the last build and its site
   is untouched (both hashed in ``book-cache/site.json``), the site is kept
   as it is: a fresh build of the same sources would give the same files.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.book.context import LEDGER_ENV
from evaluation.book.provenance import git_commit
from evaluation.instruments import Catalogue
from evaluation.store import Workspace

from .cache import ChapterCache, chapter_key, code_hash
from .chapters import BOOK_DIR, discover, read_toc
from .ledger import ledger_tables, merge_ledgers
from .pagecheck import check_built_pages
from .sphinx import assemble, install_html, run_sphinx

# .execute (nbclient, jupytext, nbformat) is imported where a chapter is executed: a no-change build does
# not need it (issue 18: under 1.5 s as a process).

__all__ = ["BuildResult", "UndeclaredLoad", "LedgerUnsettled", "build_book", "ledger_conflicts", "default_jobs",
           "JOBS_ENV", "snapshot_date"]

#: Environment variable: how many chapters ``peer-eval build`` executes at a time.
JOBS_ENV = "PEER_EVAL_BUILD_JOBS"


def default_jobs() -> int:
    """``$PEER_EVAL_BUILD_JOBS`` if set, else 2 (1 on a single core): kernels wait on each other's I/O."""
    value = os.environ.get(JOBS_ENV)
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"${JOBS_ENV}={value!r} is not a whole number; set it to e.g. 2") from None
    return 2 if (os.cpu_count() or 1) > 1 else 1


def snapshot_date(ws: Workspace, locale: str = "en") -> str | None:
    """The data snapshot's date for the footer: when the last accepted file arrived (``None`` before any)."""
    import pandas as pd
    from babel.dates import format_date

    from evaluation.store import submissions

    subs = submissions(ws)
    if not len(subs):
        return None
    received = pd.to_datetime(subs.loc[subs["status"] == "accepted", "received_at"], utc=True, errors="coerce")
    if received.notna().sum() == 0:
        return None
    return format_date(received.max().date(), "d MMMM y", locale=locale)


def _print_pdf(html: Path, book_dir: Path, ws: Workspace, say) -> None:
    """The whole report as ``report.pdf`` (:mod:`.pdf`); without Chromium, a note and no PDF."""
    import yaml

    from .browser import BrowserError
    from .chapters import toc_entries
    from .pdf import print_report
    from .sphinx import SYNTHETIC_NOTICE

    config = yaml.safe_load((Path(book_dir) / "_config.yml").read_text(encoding="utf-8")) or {}
    pages = [f"{name}.html" for name in toc_entries(read_toc(book_dir)) if (html / f"{name}.html").is_file()]
    t0 = time.perf_counter()
    try:
        print_report(html, pages, title=str(config.get("title", "Report")),
                     notice=SYNTHETIC_NOTICE if ws.demo else None, snapshot=snapshot_date(ws))
    except (BrowserError, FileNotFoundError) as exc:
        say(f"  PDF: not printed ({exc})")
        return
    say(f"  PDF: {len(pages)} pages printed to report.pdf in {time.perf_counter() - t0:.1f} s")


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


def _tree_hash(root: Path) -> str:
    """SHA-256 over every file under ``root`` (relative path and content)."""
    h = hashlib.sha256()
    for p in sorted(Path(root).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def build_book(workspace, *, output=None, progress: Callable[[str], None] | None = print, force: bool = False,
               book_dir: Path = BOOK_DIR, timeout: int = 900, max_passes: int = 5,
               check_pages: bool = True, jobs: int | None = None) -> BuildResult:
    """Build the book from ``workspace`` (a folder or :class:`~evaluation.store.Workspace`).

    ``force=True`` executes every chapter and starts a fresh suppression
    ledger. ``jobs`` chapters are executed at a time (default
    :func:`default_jobs`: ``$PEER_EVAL_BUILD_JOBS``, else 2, or 1 on a
    single core); the result does not depend on it.

    Raises :class:`~evaluation.build.ChapterFailed` (the failing cell and
    its error), :class:`UndeclaredLoad`, :class:`LedgerUnsettled`,
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
    index = {c.name: i for i, c in enumerate(present, start=1)}
    jobs = max(1, int(jobs or default_jobs()))

    def key_of(ch, own, ledger_text):
        return chapter_key(ch, workspace_root=ws.root, config=ws.config, instruments_root=catalogue.root,
                           all_instruments=all_instruments, ledger_text=ledger_text, own_tables=own, commit=commit)

    def execute(ch, base_text):
        """Run one chapter on its own copy of the ledger as it stood when the pass began."""
        copy = cache.root / f"ledger-{ch.name.replace('/', '__')}.json"
        if base_text is None:
            copy.unlink(missing_ok=True)
        else:
            copy.write_text(base_text, encoding="utf-8")
        from .execute import ChapterFailed, run_chapter

        t0 = time.perf_counter()
        try:
            nb, loaded = run_chapter(ch.path, ws.root, timeout=timeout, extra_env={LEDGER_ENV: str(copy)})
            text = copy.read_text(encoding="utf-8") if copy.is_file() else None
        except ChapterFailed:
            # (issue 17) a chapter that fails while data it declares have not arrived yet says what is missing
            missing = _missing_data(ws, ch)
            if not missing:
                raise
            say(f"  {ch.name}: no {', '.join(missing)} data yet — the chapter says so instead of its results")
            nb, loaded, text = _waiting_page(ch, missing), [], base_text
        finally:
            copy.unlink(missing_ok=True)
        return nb, loaded, text, time.perf_counter() - t0

    for pass_no in range(1, max_passes + 1):
        base_text = cache.ledger_text()
        todo = []
        for ch in present:
            own = cache.meta(ch.name).get("tables", [])
            nb = None if ch.name in forced else cache.path(ch.name, key_of(ch, own, base_text))
            if nb is not None:
                notebooks[ch.name] = nb
                if pass_no == 1:
                    result.skipped.append(ch.name)
                    say(f"[{index[ch.name]}/{n}] {ch.name} … unchanged, skipped")
            else:
                todo.append(ch)
        if not todo:
            break
        forced.difference_update(c.name for c in todo)
        done = {}
        again = f" (pass {pass_no}: another chapter hid a cell it shows)" if pass_no > 1 else ""
        with ThreadPoolExecutor(max_workers=min(jobs, len(todo)), thread_name_prefix="chapter") as pool:
            # the longest chapters first (timings of the last build), so two workers finish together
            order = sorted(todo, key=lambda c: -float(cache.meta(c.name).get("seconds", 0)))
            futures = {pool.submit(execute, ch, base_text): ch for ch in order}
            try:
                for fut in as_completed(futures):
                    ch = futures[fut]
                    done[ch.name] = fut.result()
                    say(f"[{index[ch.name]}/{n}] {ch.name} … executed in {done[ch.name][3]:.1f} s{again}")
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        updates = []
        before = ledger_tables(base_text)
        for ch in todo:  # in the order of the table of contents: the merge does not depend on timing
            nb, loaded, text, seconds = done[ch.name]
            if not ch.loads_all:
                allowed = set(ch.loads)
                extra = sorted(set(loaded) - allowed)
                if extra:
                    raise UndeclaredLoad(
                        f"chapter {ch.name!r} loaded {extra} but its front matter declares loads: {sorted(allowed)}; "
                        f"add them to peer_eval.loads in {ch.path.name} so the build knows when to re-execute it")
            own = cache.meta(ch.name).get("tables", [])
            after = ledger_tables(text)
            own_now = sorted((after - before) | (set(own) & after))
            # the key under the ledger the chapter saw: if another chapter hid a cell of its families
            # in this pass, the merged ledger gives another key and the next pass executes it again
            cache.put(ch.name, key_of(ch, own_now, text), nb, tables=own_now, loaded=loaded, seconds=seconds)
            updates.append((sorted(set(own_now) | set(own)), text))
            notebooks[ch.name] = nb
            result.timings[ch.name] = result.timings.get(ch.name, 0.0) + seconds
            if ch.name in result.skipped:
                result.skipped.remove(ch.name)
            if ch.name not in result.executed:
                result.executed.append(ch.name)
        merged = merge_ledgers(base_text, updates)
        if merged is not None and merged != base_text:
            tmp = cache.ledger_path.with_suffix(".tmp")
            tmp.write_text(merged, encoding="utf-8")
            os.replace(tmp, cache.ledger_path)
        result.passes = pass_no
    conflicts = ledger_conflicts(cache.ledger_text())
    if conflicts:
        raise LedgerUnsettled(
            f"after {result.passes} passes, {len(conflicts)} cell(s) are hidden in one table and shown in "
            f"another: {', '.join(conflicts[:10])}. Give the tables that show them the book's ledger "
            "(ledger=ctx.ledger(SuppressionLedger)) so they hide them too.")
    t0 = time.perf_counter()
    src = assemble(book_dir, cache.root / "src", notebooks, read_toc(book_dir), demo=ws.demo,
                   snapshot=snapshot_date(ws))
    html = ws.root / "book" / "_build" / "html"
    site_key = _tree_hash(src) + ":" + os.environ.get("SOURCE_DATE_EPOCH", "") + ":" + code_hash()
    site = cache.root / "site.json"
    before = json.loads(site.read_text(encoding="utf-8")) if site.is_file() else {}
    reuse = (not force and before.get("key") == site_key and (html / "index.html").is_file()
             and before.get("html") == _tree_hash(html))
    if reuse:  # the same sources give the same site: it was built (and checked) from exactly these
        say("  jupyter-book: the sources are unchanged, the site built from them is kept")
    else:
        site.unlink(missing_ok=True)
        html = run_sphinx(src, ws.root / "book")
    result.timings["jupyter-book"] = time.perf_counter() - t0
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).parts[0].startswith("_"))
    if not reuse:
        _print_pdf(html, book_dir, ws, say)
    if check_pages and not reuse:
        check_built_pages(html, threshold=ws.disclosure_threshold)
        say(f"  page check: {len(pages)} pages, no pseudonym, identifier or small count in a table")
    if not reuse and check_pages:  # only a checked site is ever kept
        site.write_text(json.dumps({"key": site_key, "html": _tree_hash(html)}, indent=1) + "\n", encoding="utf-8")
    if output:
        install_html(html, Path(output))
    result.pages = pages
    result.timings["total"] = time.perf_counter() - t_start
    say(f"Built {len(present)} chapters ({len(result.executed)} executed, {len(result.skipped)} unchanged) "
        f"in {result.timings['total']:.1f} s: {result.index}")
    return result


def _missing_data(ws: Workspace, ch) -> list[str]:
    """The data ``ch`` declares (``peer_eval.loads``) of which no accepted submission exists yet."""
    with ws.store() as st:
        have = {r[0] for r in st.con.execute("SELECT DISTINCT instrument FROM submissions WHERE status = 'accepted'")}
    if "codebook" in have:
        have.add("segments")
    return [name for name in ch.loads if name != "*" and name not in have]


def _waiting_page(ch, missing: list[str]):
    """A one-cell notebook in place of a chapter whose data have not arrived: its title and what is missing."""
    import nbformat

    title = next((line[2:].strip() for line in ch.path.read_text(encoding="utf-8").splitlines()
                  if line.startswith("# ")), ch.name)
    text = (f"# {title}\n\nThis chapter cannot be computed yet: no "
            f"{' and no '.join(missing)} data have been submitted and accepted. It will appear once they "
            "are (see the data chapter for what has arrived).")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb
