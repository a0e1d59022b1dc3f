"""The whole report as one PDF, printed by the system Chromium from the built pages.

After the HTML build, the chapters' articles (in the order of the table of
contents) are put one after the other into a single print page that uses
the site's own style sheets and images, and headless Chromium prints it
(``Page.printToPDF``, A4) to ``report.pdf`` at the edition's root (one PDF
per language: ``report.pdf``, ``nl/report.pdf``, ``fr/report.pdf``); the
footer of every page of the edition links to it, in its language. Nothing is downloaded: Chromium is Debian's and
the page reads only the built site's files.

Chromium writes the time of printing into the PDF's information dictionary
(``/CreationDate``, ``/ModDate``); those dates are replaced, digit for digit
(the byte offsets of the PDF do not move), by ``SOURCE_DATE_EPOCH``, so two
builds of the same sources give the same PDF.
"""

from __future__ import annotations

import base64
import html as _html
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PDF_NAME", "compose_print_page", "print_report", "normalise_pdf_dates"]

PDF_NAME = "report.pdf"
_PRINT_PAGE = "_report-print.html"
_PDF_DATE = re.compile(rb"\(D:(\d{14})")


def compose_print_page(html_dir: Path, pages: Iterable[str], *, title: str, notice: str | None = None,
                       snapshot: str | None = None, language: str = "en", snapshot_label: str = "Data snapshot") -> str:
    """One HTML document holding the articles of ``pages`` (file names, in order) and the site's styles."""
    from bs4 import BeautifulSoup

    html_dir = Path(html_dir)
    pages = [p for p in pages if (html_dir / p).is_file()]
    if not pages:
        raise FileNotFoundError(f"none of the pages to print exists under {html_dir}")
    first = BeautifulSoup((html_dir / pages[0]).read_text(encoding="utf-8"), "lxml")
    head = "".join(str(t) for t in first.head.find_all(["link", "style"])
                   if t.name == "style" or "stylesheet" in (t.get("rel") or []))
    sections = []
    for page in pages:
        soup = BeautifulSoup((html_dir / page).read_text(encoding="utf-8"), "lxml")
        article = soup.find("article", class_="bd-article")
        if article is None:
            continue
        for link in article.select("a.headerlink"):
            link.decompose()
        for a in article.find_all("a", href=True):  # links between chapters point inside the one document
            target = a["href"]
            if "#" in target and target.split("#", 1)[0] in pages:
                a["href"] = "#" + target.split("#", 1)[1]
            elif target in pages:
                a["href"] = "#" + Path(target).stem
        sections.append(f'<section class="print-chapter" id="{Path(page).stem}">{article.decode_contents()}</section>')
    cover = [f"<h1>{_html.escape(title)}</h1>"]
    if snapshot:
        cover.append(f"<p>{_html.escape(snapshot_label)}: {_html.escape(snapshot)}.</p>")
    if notice:
        cover.append(f'<p class="print-notice"><strong>{_html.escape(notice)}</strong></p>')
    style = ("<style>@page { size: A4; margin: 18mm 16mm; } body { margin: 0; } "
             "section.print-chapter { break-before: page; } .print-cover { padding-top: 30vh; } "
             "div.reader-figure img { width: 100% !important; max-width: 100% !important; } "
             "div.reader-scroll, div.reader-figure { overflow: visible !important; }</style>")
    return (f'<!DOCTYPE html><html lang="{_html.escape(language)}"><head><meta charset="utf-8"><title>{_html.escape(title)}</title>'
            f'{head}{style}</head><body><main class="bd-content"><section class="print-cover">{"".join(cover)}'
            f'</section>{"".join(sections)}</main></body></html>')


def normalise_pdf_dates(data: bytes, epoch: int) -> bytes:
    """Replace the 14 digits of every PDF date by those of ``epoch`` (UTC); the length never changes."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch))).encode()
    return _PDF_DATE.sub(lambda m: b"(D:" + stamp, data)


def print_report(html_dir: Path, pages: Iterable[str], *, title: str, notice: str | None = None,
                 snapshot: str | None = None, timeout: float = 180, language: str = "en",
                 snapshot_label: str = "Data snapshot") -> Path:
    """Print the report to ``html_dir/report.pdf`` (see the module docstring) and return its path."""
    from .accessibility import _evaluate, _open, chromium_page

    html_dir = Path(html_dir)
    source = html_dir / _PRINT_PAGE
    source.write_text(compose_print_page(html_dir, pages, title=title, notice=notice, snapshot=snapshot,
                                         language=language, snapshot_label=snapshot_label),
                      encoding="utf-8")
    try:
        with chromium_page(timeout=timeout) as (pipe, session):
            _open(pipe, session, source, 1400, timeout)
            _evaluate(pipe, session, "document.fonts.ready.then(() => true)", timeout, await_promise=True)
            reply = pipe.send("Page.printToPDF", {
                "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
                "generateTaggedPDF": True, "generateDocumentOutline": True,
            }, session=session, timeout=timeout)
    finally:
        source.unlink(missing_ok=True)
    from .execute import SOURCE_DATE_EPOCH

    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or SOURCE_DATE_EPOCH)
    out = html_dir / PDF_NAME
    out.write_bytes(normalise_pdf_dates(base64.b64decode(reply["data"]), epoch))
    return out
