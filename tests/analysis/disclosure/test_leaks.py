"""find_suppressed_counts: a hidden value must not be visible as its cell."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.disclosure import SuppressedValue, find_suppressed_counts, protect_table

from .sphinx_page import SPHINX_PAGE


@pytest.fixture
def cells():
    return pd.DataFrame(
        {"site": ["P01", "P01", "P02", "P02"], "sex": ["F", "M", "F", "M"], "n_persons": [2, 30, 25, 40]}
    )


def _hidden_values(res, cells):
    truth = cells.set_index(["site", "sex"])["n_persons"]
    return [SuppressedValue.of(d, truth[(d["site"], d["sex"])]) for d in res.suppressed_cells() if len(d) == 2]


def test_protected_table_html_shows_no_hidden_value(cells):
    res = protect_table(cells, row="site", col="sex")
    hidden = _hidden_values(res, cells)
    assert len(hidden) == 4
    assert find_suppressed_counts(res._repr_html_(), hidden) == []
    assert find_suppressed_counts(str(res), hidden) == []


def test_raw_table_html_leaks_are_found(cells):
    res = protect_table(cells, row="site", col="sex")
    hidden = _hidden_values(res, cells)
    raw = cells.pivot(index="site", columns="sex", values="n_persons").to_html()
    found = find_suppressed_counts(raw, hidden)
    assert len(found) == 4 and {f.kind for f in found} == {"suppressed-count"}
    styled = cells.pivot(index="site", columns="sex", values="n_persons").style.to_html()
    assert len(find_suppressed_counts(styled, hidden)) == 4


def test_multiindex_headers_with_colspan():
    wide = pd.DataFrame([[2, 30, 1.5, 9.0]], index=pd.Index(["P01"], name="site"),
                        columns=pd.MultiIndex.from_tuples([("n", "F"), ("n", "M"), ("pct", "F"), ("pct", "M")]))
    found = find_suppressed_counts(wide.to_html(), [(("P01", "F"), 2)])
    assert len(found) == 1


def test_prose_in_a_sphinx_page():
    leaky = SPHINX_PAGE.replace("fewer than 10 of them work in Noordhaven", "3 of them work in Noordhaven")
    cell = [(["Noordhaven"], 3)]
    assert find_suppressed_counts(SPHINX_PAGE, cell) == []
    found = find_suppressed_counts(leaky, cell)
    assert len(found) == 1 and found[0].line > 1
    # the number alone elsewhere, or in another sentence, is not a finding
    assert find_suppressed_counts("<p>Noordhaven is small.</p><p>There were 3 waves.</p>", cell) == []
    # percentages and decimals are not counts
    assert find_suppressed_counts("<p>In Noordhaven 3% and 3.5 and 13.</p>", cell) == []


def test_plain_text_lines():
    text = "site  F   M\nP01   2  30\nP02  25  40"
    assert len(find_suppressed_counts(text, [(["P01"], 2)])) == 1
    assert find_suppressed_counts(text, [(["P02"], 2)]) == []
