"""After the build: no pseudonym, national register number or identifier on any page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["check_built_pages"]


def check_built_pages(html_dir: Path, *, forbidden: Iterable[str] = ()) -> int:
    """Run ``analysis.disclosure.check_pages`` on every HTML page; return how many were checked.

    Raises ``analysis.disclosure.PageCheckError`` (listing every finding,
    redacted) when a page contains a pseudonym-like string or a forbidden one.
    """
    # The one place where ``evaluation`` uses ``analysis``: the build joins the
    # two (it publishes what the chapters computed), and the page check is the
    # disclosure rule the build enforces. Imported here, inside the function,
    # so that importing ``evaluation`` never imports ``analysis``.
    from analysis.disclosure import check_pages

    pages = sorted(Path(html_dir).rglob("*.html"))
    if not pages:
        raise FileNotFoundError(f"no HTML pages under {html_dir}; build the book first")
    return check_pages(pages, forbidden=list(forbidden))
