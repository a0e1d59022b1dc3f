"""The page check scans built HTML tables for person counts under the threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.disclosure import DisclosurePolicy, protect_table
from evaluation.build.pagecheck import SmallCountError, check_built_pages, scan_tables

STAFF = pd.DataFrame({"site": ["P01"] * 14 + ["P02"] * 3, "role_clear": [1, 2] * 7 + [1, 1, 2]})


def test_a_raw_crosstab_on_a_page_is_found_without_repeating_the_count():
    html = pd.crosstab(STAFF["site"], STAFF["role_clear"]).to_html()
    found = scan_tables(html, threshold=10, page="staff.html")
    assert [(f.row, f.column) for f in found] == [("P01", "1"), ("P01", "2"), ("P02", "1"), ("P02", "2")]
    assert all("7" not in str(f) and "3" not in str(f) for f in found)


def test_count_columns_are_found_by_their_header():
    html = ("<table><caption>Releases</caption><thead><tr><th>prison</th><th>n</th><th>mean age</th></tr></thead>"
            "<tbody><tr><th>P01</th><td>1 204</td><td>4</td></tr><tr><th>P02</th><td>6</td><td>3</td></tr></tbody>"
            "</table>")
    found = scan_tables(html, threshold=10)
    assert [(f.table, f.row, f.column) for f in found] == [("Releases", "P02", "n")]


def test_protected_tables_percentages_and_p_values_pass():
    long = pd.crosstab(STAFF["site"], STAFF["role_clear"]).stack().rename("n").reset_index()
    table = protect_table(long, row="site", col="role_clear", count="n", policy=DisclosurePolicy(threshold=10))
    assert "[c]" in table._repr_html_()
    assert scan_tables(table._repr_html_(), threshold=10) == []
    html = ("<table><tr><th></th><th>%</th><th>95% CI low (%)</th><th>p</th><th>days</th></tr>"
            "<tr><th>deteriorated</th><td>4</td><td>2</td><td>0.001</td><td>7</td></tr></table>")
    assert scan_tables(html, threshold=10) == []


def test_check_built_pages_fails_on_a_small_count(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><p>Welcome</p></body></html>", encoding="utf-8")
    assert check_built_pages(tmp_path, threshold=10) == 1
    (tmp_path / "staff.html").write_text(pd.crosstab(STAFF["site"], STAFF["role_clear"]).to_html(), encoding="utf-8")
    with pytest.raises(SmallCountError, match=r"4 table cell\(s\) show fewer than 10 persons"):
        check_built_pages(tmp_path, threshold=10)
    with pytest.raises(SmallCountError, match=r"1 table cell"):  # the one person of P02 with answer 2
        check_built_pages(tmp_path, threshold=2)
    assert check_built_pages(tmp_path, threshold=1) == 2


def test_counts_of_files_are_not_counts_of_persons():
    html = ("<table><thead><tr><th>instrument</th><th>responses</th><th>submissions</th></tr></thead>"
            "<tbody><tr><th>staff</th><td>40</td><td>2</td></tr></tbody></table>")
    assert scan_tables(html, threshold=10) == []
