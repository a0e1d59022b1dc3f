"""``peer-eval build``: execute the book's chapters against a workspace, then build the HTML.

::

    from evaluation.build import build_book, execute_chapter
    result = build_book("demo-workspace")          # -> BuildResult
    nb = execute_chapter("book/data.md", ws)       # for chapter authors' tests

Modules: :mod:`.chapters` (the toc and front matter), :mod:`.execute`
(jupytext -> nbclient, reproducibly), :mod:`.cache` (skip unchanged
chapters), :mod:`.ledger` (the chapters' copies of the suppression ledger,
merged), :mod:`.sphinx` (assemble and run jupyter-book), :mod:`.pagecheck`
(disclosure check of the pages), :mod:`.browser` (console errors of a
page in headless Chromium), :mod:`.book` (the whole build).
"""

import importlib

# Imported on first use (PEP 562): a no-change ``peer-eval build`` must not pay for nbclient, jupytext and
# nbformat (nbformat -> jsonschema -> rfc3987_syntax alone took 1.2-1.6 s), which only executing a chapter
# or running jupyter-book needs.
_EXPORTS = {
    "BuildResult": ".book", "UndeclaredLoad": ".book", "build_book": ".book",
    "Chapter": ".chapters", "discover": ".chapters",
    "ChapterFailed": ".execute", "execute_chapter": ".execute", "read_chapter": ".execute",
    "SYNTHETIC_NOTICE": ".sphinx", "SphinxFailed": ".sphinx",
}


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = ["build_book", "BuildResult", "execute_chapter", "read_chapter", "ChapterFailed", "SphinxFailed",
           "UndeclaredLoad", "Chapter", "discover", "SYNTHETIC_NOTICE"]
