"""The landing page's key findings and the generated assumptions page, in the demo book (``demo_book``,
built once per session in conftest.py): the numbers are those the chapters publish."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

NUM = r"([-−]?\d+(?:[.,]\d+)?)"


def _text(node) -> str:
    return " ".join(htmllib.unescape(node.get_text("")).split())


def _page_text(path: Path) -> str:
    return _text(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))


def _num(s: str) -> float:
    return float(s.replace("−", "-").replace(",", "."))


def _bound(x: float, below: str, above: str, none: str = "no difference") -> str:
    return none if round(x, 1) == 0 else f"{abs(x):.1f} {below if x < 0 else above}"


def _findings(html: Path) -> dict:
    soup = BeautifulSoup((html / "intro.html").read_text(encoding="utf-8"), "html.parser")
    return {d["data-question"]: d for d in soup.select("div.key-finding")}


@pytest.mark.slow
def test_landing_page_answers_the_three_questions_with_the_chapters_numbers(demo_book):
    ws, result = demo_book
    html = result.html
    findings = _findings(html)
    assert set(findings) == {"reoffending", "wellbeing", "perspectives"}
    # the demo workspace names one-year reoffending and the WHO-5 change its primary outcomes
    assert _text(findings["reoffending"]).startswith("Primary result")
    assert _text(findings["wellbeing"]).startswith("Primary result")
    assert _text(findings["perspectives"]).startswith("Exploratory result")
    for question, node in findings.items():  # each links to its chapter's section
        page, anchor = node.select_one("p.key-finding-link a")["href"].split("#")
        assert f'id="{anchor}"' in (html / page).read_text(encoding="utf-8"), question
        assert "What it does not show" in _text(node)

    # reoffending: the primary weighted Aalen-Johansen result as the chapter publishes it
    chapter = _page_text(html / "reoffending.html")
    m = re.search(rf"Within a year of release, {NUM} of every 100 participants committed a new offence, against "
                  rf"{NUM} of every 100 similar non-participants: a difference of {NUM} per 100 \(95% CI {NUM} to {NUM}",
                  chapter)
    assert m, "the reoffending chapter's primary sentence changed"
    part, comp, rd, lo, hi = (_num(g) for g in m.groups())
    finding = _text(findings["reoffending"])
    assert f"{part:.1f} of every 100 participants" in finding and f"{comp:.1f} of every 100 similar" in finding
    if lo > 0 or hi < 0:
        assert f"{abs(rd):.1f} {'fewer' if rd < 0 else 'more'} per 100" in finding
    else:
        assert "no clear difference" in finding
    assert f"between {_bound(lo, 'fewer', 'more')} and {_bound(hi, 'fewer', 'more')} per 100" in finding

    # wellbeing: the propensity-weighted ANCOVA
    chapter = _page_text(html / "wellbeing.html")
    m = re.search(rf"WHO-5 changed by {NUM} points more than that of comparable non-participants \(95% CI {NUM} to "
                  rf"{NUM}, propensity-weighted ANCOVA", chapter)
    assert m, "the wellbeing chapter's participation sentence changed"
    est, lo, hi = (_num(g) for g in m.groups())
    finding = _text(findings["wellbeing"])
    if lo > 0 or hi < 0:
        assert f"{abs(est):.1f} points {'lower' if est < 0 else 'higher'}" in finding
    else:
        assert "no clear difference" in finding
    assert (f"between {_bound(lo, 'points lower', 'points higher')} and "
            f"{_bound(hi, 'points lower', 'points higher')}") in finding

    # staff and peer workers: the role-clarity odds ratio of the perspectives chapter
    chapter = _page_text(html / "perspectives.html")
    m = re.search(rf"The odds of a higher answer were {NUM} times as high among peer workers as among staff "
                  rf"\(95% CI {NUM} to {NUM}\)", chapter)
    assert m, "the perspectives chapter's role-clarity sentence changed"
    ratio, lo, hi = m.groups()
    finding = _text(findings["perspectives"])
    assert f"{ratio} times" in finding and f"between {lo} and {hi} times" in finding


@pytest.mark.slow
def test_assumptions_page_rates_the_diagnostics_and_no_theme_below_threshold_is_green(demo_book):
    ws, result = demo_book
    soup = BeautifulSoup((result.html / "assumptions.html").read_text(encoding="utf-8"), "html.parser")
    tables = soup.select("table.assumptions")
    assert len(tables) == 3  # reoffending, measurement, coding: all pasted from the chapters
    rows = [tr for t in tables for tr in t.select("tbody tr")]
    for tr in rows:  # a word (and a shape) for every rating, and the rule beside it
        level = tr["data-level"]
        cells = tr.find_all("td")
        assert level in _text(cells[1]) and _text(cells[3]).startswith(("Green", "Never green"))
    text = " ".join(_text(tr) for tr in rows)
    for needle in ("standardised mean difference", "propensity score", "count as", "court-processing lag",
                   "death or removal", "immortal time", "spillover", "E-value", "not yet verified",
                   "Project translation", "Krippendorff's alpha"):
        assert needle.lower() in text.lower(), needle
    coding = [tr for tr in tables[2].select("tbody tr")]
    below = 0
    for tr in coding:
        m = re.search(rf"Krippendorff's alpha {NUM} \(threshold {NUM}\)", _text(tr))
        if m and _num(m.group(1)) < _num(m.group(2)):
            below += 1
            assert tr["data-level"] == "red", _text(tr)
        if tr["data-level"] == "green":
            assert m and _num(m.group(1)) >= _num(m.group(2))
    # as many themes below the threshold as the interviews chapter reports
    themes = _page_text(result.html / "themes.html")
    n_flagged = int(re.search(r"(\d+) themes fall below the threshold", themes).group(1))
    assert coding and sum(tr["data-level"] == "red" for tr in coding) >= n_flagged >= below
