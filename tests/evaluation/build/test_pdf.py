"""The whole report as one PDF, printed by the system Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluation.build.browser import CHROMIUM
from evaluation.build.pdf import compose_print_page, normalise_pdf_dates, print_report


def _site(tmp_path: Path) -> Path:
    for name, heading in (("intro.html", "Welcome"), ("reoffending.html", "Reoffending")):
        (tmp_path / name).write_text(
            f'<html><head><link rel="stylesheet" href="_static/x.css"/><script src="a.js"></script></head><body>'
            f'<nav>menu</nav><article class="bd-article"><h1>{heading}<a class="headerlink" href="#">#</a></h1>'
            f'<p>See <a href="reoffending.html#km">the curves</a>.</p></article></body></html>', encoding="utf-8")
    return tmp_path


def test_the_print_page_holds_every_chapter_in_order_without_navigation(tmp_path):
    page = compose_print_page(_site(tmp_path), ["intro.html", "reoffending.html", "missing.html"],
                              title="The report", notice="Synthetic data", snapshot="2 December 2026")
    assert page.index("Welcome") < page.index("Reoffending")
    assert "menu" not in page and "a.js" not in page and "headerlink" not in page
    assert '_static/x.css' in page and 'href="#km"' in page
    assert "Data snapshot: 2 December 2026." in page and "Synthetic data" in page


def test_pdf_dates_are_those_of_the_source_date_epoch():
    data = b"<< /CreationDate (D:20261202041501+00'00') /ModDate (D:20261202041502Z) >>"
    out = normalise_pdf_dates(data, 1735689600)
    assert out == b"<< /CreationDate (D:20250101000000+00'00') /ModDate (D:20250101000000Z) >>"
    assert len(out) == len(data)


def test_chromium_prints_the_report_the_same_twice(tmp_path, monkeypatch):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI")
        pytest.skip("chromium not installed")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    site = _site(tmp_path)
    first = print_report(site, ["intro.html", "reoffending.html"], title="The report").read_bytes()
    assert first.startswith(b"%PDF") and b"(D:20250101000000" in first
    assert print_report(site, ["intro.html", "reoffending.html"], title="The report").read_bytes() == first
    assert not (site / "_report-print.html").exists()
