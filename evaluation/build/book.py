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
4. Three editions from the one execution (English, Dutch, French): for each, assemble the generated
   book with the executed notebooks prepared for readers in its language (:mod:`.readers`,
   ``analysis.editions``) and Sphinx's ``language`` set (the gettext catalogues of ``book/locales``),
   run ``jupyter-book build`` on a fresh ``_build`` (:mod:`.sphinx`; the three at once), print its PDF
   (:mod:`.pdf`), check every page (:mod:`.pagecheck`); the site is ``<workspace>/book/_build/html``
   (or ``output``) with English at its root and the others in ``nl/`` and ``fr/``. What is untranslated
   is listed, and a heading, caption or labelled value without its translation fails the build
   (:mod:`.untranslated`).
5. Nothing is built again that would come out the same: when the book folder, the chapters' cache
   keys and the code are those of the last build and the site is as it was left (``book-cache/site.json``:
   an inputs key, and the site's file sizes and times), nothing is even assembled; otherwise each
   edition whose assembled sources hash differently is built again, the others are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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
from .sphinx import EDITION_TEXTS, EDITIONS, assemble, install_html, run_sphinx
from .untranslated import UNTRANSLATED_FILE, UntranslatedError, untranslated_report

# .execute (nbclient, jupytext, nbformat) is imported where a chapter is executed: a no-change build does
# not need it (issue 18: under 1.5 s as a process).

__all__ = ["BuildResult", "UndeclaredLoad", "LedgerUnsettled", "UntranslatedError", "build_book", "ledger_conflicts",
           "default_jobs", "JOBS_ENV", "UNTRANSLATED_ENV", "snapshot_date"]

#: Environment variable: how many chapters ``peer-eval build`` executes at a time.
JOBS_ENV = "PEER_EVAL_BUILD_JOBS"
#: Environment variable: ``report`` lists missing translations of headings and labels without failing.
UNTRANSLATED_ENV = "PEER_EVAL_UNTRANSLATED"


def default_jobs() -> int:
    """``$PEER_EVAL_BUILD_JOBS`` if set, else 2 (1 on a single core): kernels wait on each other's I/O."""
    value = os.environ.get(JOBS_ENV)
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"${JOBS_ENV}={value!r} is not a whole number; set it to e.g. 2") from None
    return 2 if (os.cpu_count() or 1) > 1 else 1


def _snapshot_day(ws: Workspace):
    """When the last accepted file arrived (a date; ``None`` before any)."""
    import pandas as pd

    from evaluation.store import submissions

    subs = submissions(ws)
    if not len(subs):
        return None
    received = pd.to_datetime(subs.loc[subs["status"] == "accepted", "received_at"], utc=True, errors="coerce")
    if received.notna().sum() == 0:
        return None
    return received.max().date()


def _format_day(day, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, "d MMMM y", locale=locale)


def snapshot_date(ws: Workspace, locale: str = "en") -> str | None:
    """The data snapshot's date for the footer, written for ``locale``: when the last accepted file arrived
    (``None`` before any)."""
    day = _snapshot_day(ws)
    return _format_day(day, locale) if day else None


def _print_pdf(html: Path, book_dir: Path, ws: Workspace, say, language: str = "en") -> None:
    """The edition's whole report as its ``report.pdf`` (:mod:`.pdf`); without Chromium, a note and no PDF."""
    import yaml

    from .browser import BrowserError
    from .chapters import toc_entries
    from .pdf import print_report

    words = EDITION_TEXTS[language]
    config = yaml.safe_load((Path(book_dir) / "_config.yml").read_text(encoding="utf-8")) or {}
    title = str(config.get("title") or words["title"]) if language == "en" else words["title"]
    pages = [f"{name}.html" for name in toc_entries(read_toc(book_dir)) if (html / f"{name}.html").is_file()]
    t0 = time.perf_counter()
    try:
        print_report(html, pages, title=title, notice=words["notice"] if ws.demo else None,
                     snapshot=snapshot_date(ws, words["locale"]), language=language,
                     snapshot_label=words["snapshot"])
    except (BrowserError, FileNotFoundError) as exc:
        say(f"  PDF ({language}): not printed ({exc})")
        return
    say(f"  PDF ({language}): {len(pages)} pages printed to report.pdf in {time.perf_counter() - t0:.1f} s")


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
    #: every edition's pages, relative to ``html`` (``index.html``, ``nl/index.html`` …)
    editions: dict[str, list[str]] = field(default_factory=dict)

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


def _stat_hash(root: Path) -> str:
    """SHA-256 over every file's relative path, size and modification time under ``root``: whether a built
    site is as the build left it, without reading its 40-odd MB (any write changes a file's mtime)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            st = os.stat(os.path.join(dirpath, name))
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _tree_hash_filtered(book_dir: Path) -> str:
    """:func:`_tree_hash` of the book folder without what the build ignores (``_build``, checkpoints, caches)."""
    from .sphinx import _SKIP

    h = hashlib.sha256()
    for p in sorted(Path(book_dir).rglob("*")):
        rel = p.relative_to(book_dir)
        if p.is_file() and not any(part in _SKIP for part in rel.parts) and p.suffix != ".mo":
            h.update(rel.as_posix().encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


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
               check_pages: bool = True, jobs: int | None = None, untranslated: str | None = None,
               editions: tuple[str, ...] = EDITIONS) -> BuildResult:
    """Build the book from ``workspace`` (a folder or :class:`~evaluation.store.Workspace`).

    ``force=True`` executes every chapter and starts a fresh suppression
    ledger. ``jobs`` chapters are executed at a time (default
    :func:`default_jobs`: ``$PEER_EVAL_BUILD_JOBS``, else 2, or 1 on a
    single core); the result does not depend on it; as many editions are built by Sphinx at a time.
    ``untranslated="report"`` (or ``$PEER_EVAL_UNTRANSLATED=report``) lists missing translations of
    headings, captions and labelled values without failing (default ``"fail"``). ``editions`` (default
    all three) is for measuring: ``("en",)`` builds the English edition alone.

    Raises :class:`~evaluation.build.ChapterFailed` (the failing cell and
    its error), :class:`UndeclaredLoad`, :class:`LedgerUnsettled`,
    :class:`~evaluation.build.SphinxFailed`, :class:`UntranslatedError`, or
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
    editions = tuple(lang for lang in EDITIONS if lang in editions)
    if "en" not in editions:
        raise ValueError("the English edition is the site's root: editions must include 'en'")
    sites = _build_editions(ws, cache, book_dir, notebooks, force=force, jobs=jobs, say=say,
                            check_pages=check_pages, strict=_strict(untranslated), editions=editions)
    html = sites["en"]
    result.timings["jupyter-book"] = time.perf_counter() - t0
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).parts[0].startswith("_") and p.relative_to(html).parts[0] not in EDITIONS)
    result.editions = {lang: sorted((f"{lang}/" if lang != "en" else "") + p for p in pages
                                    if (sites[lang] / p).is_file()) for lang in editions}
    if output:
        install_html(html, Path(output))
    result.pages = pages
    result.timings["total"] = time.perf_counter() - t_start
    say(f"Built {len(present)} chapters ({len(result.executed)} executed, {len(result.skipped)} unchanged) "
        f"in {result.timings['total']:.1f} s: {result.index}")
    return result


def _strict(untranslated: str | None) -> bool:
    """Whether a missing translation of a heading, caption or labelled value fails the build."""
    mode = untranslated or os.environ.get(UNTRANSLATED_ENV) or "fail"
    if mode not in ("fail", "report"):
        raise ValueError(f"untranslated={mode!r}: say 'fail' or 'report' (${UNTRANSLATED_ENV})")
    return mode == "fail"


def _edition_root(ws: Workspace, cache: ChapterCache, lang: str) -> Path:
    """Where Sphinx builds the edition ``lang`` (``<root>/_build/html``): English where the site is."""
    return ws.root / "book" if lang == "en" else cache.root / f"build-{lang}"


def _build_editions(ws: Workspace, cache: ChapterCache, book_dir: Path, notebooks: dict, *, force: bool, jobs: int,
                    say, check_pages: bool, strict: bool, editions: tuple[str, ...] = EDITIONS) -> dict[str, Path]:
    """Assemble, build (Sphinx), print and check each edition whose sources changed; put the site together.

    English is the site's root (``<workspace>/book/_build/html``), the other editions are copied into
    ``nl/`` and ``fr/`` from where they were built (``book-cache/build-<lang>``). Each edition is kept,
    and not built again, while its assembled sources hash the same (``book-cache/site.json``) and the
    site is untouched. Returns each edition's folder in the site.
    """
    html = ws.root / "book" / "_build" / "html"
    site = cache.root / "site.json"
    before = json.loads(site.read_text(encoding="utf-8")) if site.is_file() else {}
    salt = os.environ.get("SOURCE_DATE_EPOCH", "") + ":" + code_hash()
    # What the editions are made from, without assembling them: the book folder, each chapter's cache key
    # (its executed notebook is a function of it; a new submission changes the key of every chapter that
    # loads it, and of the provenance chapter, which loads everything: so the snapshot date too), the
    # editions and the code. Unchanged, with the site as it was left, nothing is assembled or built.
    inputs = hashlib.sha256("\0".join([
        _tree_hash_filtered(book_dir), salt, str(ws.demo), ",".join(editions),
        *[f"{name}={cache.meta(name).get('key') if isinstance(nb, Path) else 'executed'}"
          for name, nb in sorted(notebooks.items())]]).encode()).hexdigest()
    if (not force and before.get("inputs") == inputs and all(isinstance(nb, Path) for nb in notebooks.values())
            and (html / "index.html").is_file() and before.get("html") == _stat_hash(html)):
        say("  jupyter-book: the sources of the editions are unchanged, the site built from them is kept")
        return {lang: html if lang == "en" else html / lang for lang in editions}
    toc = read_toc(book_dir)
    day = _snapshot_day(ws)
    sources, keys = {}, {}
    for lang in editions:
        snapshot = _format_day(day, EDITION_TEXTS[lang]["locale"]) if day else None
        sources[lang] = assemble(book_dir, cache.root / ("src" if lang == "en" else f"src-{lang}"), notebooks, toc,
                                 demo=ws.demo, snapshot=snapshot, language=lang, editions=editions)
        keys[lang] = _tree_hash(sources[lang]) + ":" + salt
    sites = {lang: html if lang == "en" else html / lang for lang in editions}
    intact = (not force and (html / "index.html").is_file() and before.get("html") == _stat_hash(html))
    old = before.get("editions", {}) if intact else {}
    todo = [lang for lang in editions if old.get(lang) != keys[lang] or not (sites[lang] / "index.html").is_file()]
    if not todo:  # the same sources give the same site: it was built (and checked) from exactly these
        say("  jupyter-book: the sources of the editions are unchanged, the site built from them is kept")
        if check_pages:
            site.write_text(json.dumps({"inputs": inputs, "editions": keys, "html": _stat_hash(html)}, indent=1)
                            + "\n", encoding="utf-8")
        return sites
    kept = [lang for lang in editions if lang not in todo]
    if kept:
        say(f"  jupyter-book: edition(s) {', '.join(kept)} unchanged, kept")
    site.unlink(missing_ok=True)
    if "en" in todo:  # Sphinx empties the English build folder: the other editions are copied back after
        for lang in kept:
            built = _edition_root(ws, cache, lang) / "_build" / "html"
            if not (built / "index.html").is_file():
                todo.append(lang)

    def one(lang):
        t0 = time.perf_counter()
        out = run_sphinx(sources[lang], _edition_root(ws, cache, lang))
        seconds = time.perf_counter() - t0
        _print_pdf(out, book_dir, ws, say, lang)
        if check_pages:
            check_built_pages(out, threshold=ws.disclosure_threshold)
        return out, seconds

    # every edition at once: Sphinx and Chromium wait on files and on each other often enough that three
    # processes on two cores finish sooner than two then one (measured: benchmarks/book_bench.py)
    workers = len(todo)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="edition") as pool:
        futures = {lang: pool.submit(one, lang) for lang in sorted(todo, key=EDITIONS.index)}
        done = {lang: fut.result() for lang, fut in futures.items()}
    for lang in editions:
        if lang in done:
            say(f"  jupyter-book ({lang}): built in {done[lang][1]:.1f} s")
    for lang in editions[1:]:
        if lang in todo or "en" in todo:
            if sites[lang].exists():
                shutil.rmtree(sites[lang])
            shutil.copytree(_edition_root(ws, cache, lang) / "_build" / "html", sites[lang])
    if check_pages:
        say(f"  page check: {', '.join(sorted(done, key=EDITIONS.index))}: no pseudonym, identifier or small "
            "count in a table")
    report = untranslated_report(ws, cache, sources)
    (ws.root / "book" / "_build").mkdir(parents=True, exist_ok=True)
    (ws.root / "book" / "_build" / UNTRANSLATED_FILE).write_text(report.text(), encoding="utf-8")
    for line in report.summary():
        say(line)
    if report.blocking and strict:
        raise UntranslatedError(report.blocking_text())
    if check_pages:  # only a checked site is ever kept
        site.write_text(json.dumps({"inputs": inputs, "editions": keys, "html": _stat_hash(html)}, indent=1) + "\n",
                        encoding="utf-8")
    return sites


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
