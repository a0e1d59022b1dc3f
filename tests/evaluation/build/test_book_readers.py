"""The demo book as readers get it: no program output, accessible (axe-core: 0 critical, 0 serious).

Both run on the session's demo build (``demo_book`` in conftest.py). The
axe test needs Chromium (scripts/system-deps.sh, CI or BROWSER_CHECK=1) and
axe-core (``npm ci`` from package-lock.json, done by ``make install``): it is
skipped locally without them and FAILS in CI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from evaluation.build.accessibility import AXE_JS, audit_pages, serious
from evaluation.build.browser import CHROMIUM

import analysis

FORBIDDEN = ("p = 0.000", "p=0.000", "p = 0,000", "p=0,000", "object at 0x", "<IPython.", "&lt;IPython.", "Last updated on")


def _result_column_names() -> set[str]:
    """The code names of the result objects' columns (the label catalogue's keys written as identifiers)."""
    keys = yaml.safe_load((Path(analysis.__file__).parent / "labels.yaml").read_text(encoding="utf-8"))
    return {k for k in keys if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", k)}


def _reader_text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    article = soup.find("article") or soup
    for tag in article(["script", "style"]):
        tag.decompose()
    return article.get_text(" ")


def _pages(html: Path) -> list[Path]:
    """Every page of every edition (English at the root, Dutch nl/, French fr/)."""
    return sorted(p for edition in (html, html / "nl", html / "fr") for p in edition.glob("*.html"))


SNAPSHOT = {"en": "Data snapshot:", "nl": "Momentopname van de gegevens:", "fr": "Instantané des données:"}


def _edition(html: Path, page: Path) -> str:
    rel = page.relative_to(html).parts
    return rel[0] if len(rel) > 1 else "en"


@pytest.mark.slow
def test_no_page_shows_program_output_or_code_names(demo_book):
    _, result = demo_book
    names = _result_column_names()
    assert {"hr_lower", "rate_1y", "below_threshold", "n_pairs"} <= names
    problems = []
    for page in _pages(result.html):
        raw = page.read_text(encoding="utf-8")
        where = page.relative_to(result.html).as_posix()
        problems += [f"{where}: {s!r}" for s in FORBIDDEN if s in raw]
        problems += [f"{page.name}: <pre> output" for _ in re.finditer(r'class="output (?:stream|text_plain)[^"]*"><div class="highlight"><pre', raw)]
        text = _reader_text(page)
        flat = " ".join(text.split())  # a glued p-value ("p = <span>0.000</span>") reads as the reader sees it
        problems += [f"{where}: {s!r} (as read)" for s in ("p = 0.000", "p = 0,000") if s in flat]
        found = sorted({w for w in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text) if w in names})
        problems += [f"{page.name}: code name {w!r}" for w in found]
        if page.name != "index.html":  # index.html only redirects to the first page
            # the footer's date is the data's, in the edition's language
            assert SNAPSHOT[_edition(result.html, page)] in raw, where
    assert problems == [], "\n".join(problems)
    assert any(p.parts[-2] == "nl" for p in _pages(result.html)) and any(p.parts[-2] == "fr" for p in _pages(result.html))
    # the whole report as a PDF, linked from every page's footer (printed when Chromium is there)
    if Path(CHROMIUM).exists():  # one PDF per edition, linked from that edition's pages
        for edition, link in ((result.html, "The whole report as a PDF"), (result.html / "nl", "als pdf"),
                              (result.html / "fr", "en PDF")):
            assert (edition / "report.pdf").read_bytes().startswith(b"%PDF")
            footer = (edition / "reoffending.html").read_text(encoding="utf-8")
            assert 'href="report.pdf"' in footer and link in footer, edition
    # figures are SVG with an alt text that describes them (not the file's name)
    for page in _pages(result.html):
        for img in BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").select("div.cell_output img"):
            assert img["src"].endswith(".svg"), (page.name, img["src"])
            alt = img.get("alt", "")  # words that describe the figure, not its file name
            assert len(alt.split()) >= 4 and not alt.rstrip(".").endswith(("svg", "png")), (page.name, alt)


def _need_browser():
    missing = [str(p) for p in (Path(CHROMIUM), AXE_JS) if not p.exists()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing in CI: {missing} (scripts/system-deps.sh and `npm ci` install them)")
        pytest.skip(f"missing: {missing} (BROWSER_CHECK=1 bash scripts/system-deps.sh; npm ci)")


def test_axe_sees_a_serious_violation(tmp_path):
    _need_browser()
    page = tmp_path / "bad.html"
    page.write_text('<html lang="en"><head><title>t</title></head><body><main><h1>x</h1>'
                    '<img src="a.png"><table><tr><th></th><th>n</th></tr><tr><td>a</td><td>1</td></tr></table>'
                    "</main></body></html>", encoding="utf-8")
    (audit,) = audit_pages([page], widths=(1400,))
    assert "image-alt" in {v["id"] for v in serious(audit.violations)}


@pytest.mark.slow
def test_every_page_passes_axe_at_desktop_and_phone_width(demo_book):
    """axe-core on every page at 1400 px and 390 px: no critical or serious violation, nothing cut off."""
    _need_browser()
    _, result = demo_book
    audits = audit_pages(_pages(result.html), root=result.html)
    # (index.html only forwards to the first chapter: not audited)
    assert len(audits) == 2 * len([p for p in _pages(result.html) if p.name != "index.html"])
    problems = [line for a in audits for line in a.summary()]
    assert problems == [], "\n".join(problems)
