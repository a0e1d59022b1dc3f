"""End to end: the whole book (every chapter written so far) built from the demo workspace.

The book is built once per session (``demo_book`` in conftest.py).
"""

from __future__ import annotations

import pytest

from analysis.disclosure import find_suppressed_counts
from evaluation.book import context
from evaluation.build import SYNTHETIC_NOTICE, build_book
from evaluation.build.chapters import discover


@pytest.mark.slow
def test_whole_book_from_the_demo(demo_book):
    ws, result = demo_book
    html = result.html
    written = [c.name for c in discover() if c.exists]
    assert {"intro", "data", "methods", "assumptions", "provenance"} <= set(written)
    for name in written:  # every chapter present
        assert f"{name}.html" in result.pages, name
    # figures present (the analysis chapters draw them)
    images = list((html / "_images").glob("*.png")) + list((html / "_images").glob("*.svg"))
    if {"reoffending", "wellbeing", "themes"} & set(written):
        assert images, "no figure in the built book"
    prov = (html / "provenance.html").read_text(encoding="utf-8")
    assert "Data snapshot" in prov and "lifelines" in prov and "demo data" in prov
    for page in result.pages:
        if page not in ("index.html", "genindex.html", "search.html"):
            assert SYNTHETIC_NOTICE.split(":")[0] in (html / page).read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_no_suppressed_count_on_any_page(demo_book):
    ws, result = demo_book
    ctx = context(ws.root)
    status = ctx.status()
    threshold = ws.disclosure_threshold
    small = status[(status["responses"] > 0) & (status["responses"] < threshold)]
    cells = [((r.site, r.wave_name), int(r.responses)) for r in small.itertuples()]
    for page in result.pages:
        text = (result.html / page).read_text(encoding="utf-8")
        assert find_suppressed_counts(text, cells, path=page) == [], page
