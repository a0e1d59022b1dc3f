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

from .book import BuildResult, UndeclaredLoad, build_book
from .chapters import Chapter, discover
from .execute import ChapterFailed, execute_chapter, read_chapter
from .sphinx import SYNTHETIC_NOTICE, SphinxFailed

__all__ = ["build_book", "BuildResult", "execute_chapter", "read_chapter", "ChapterFailed", "SphinxFailed",
           "UndeclaredLoad", "Chapter", "discover", "SYNTHETIC_NOTICE"]
