"""protect_table: the publishable table, its note and its views."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import ProtectedTable, SuppressionLedger, protect_table
from analysis.results import Result


@pytest.fixture
def staff():
    """Synthetic peer workers per (fictional) prison and sex, with a mean score."""
    return pd.DataFrame(
        {
            "site": ["P01", "P01", "P02", "P02", "P03", "P03"],
            "sex": ["F", "M", "F", "M", "F", "M"],
            "n_persons": [2, 30, 25, 40, 12, 18],
            "mean_score": [55.0, 61.5, 48.2, 50.0, 70.1, 66.6],
        }
    )


def test_result_shape_and_note(staff):
    res = protect_table(staff, row="site", col="sex")
    assert isinstance(res, ProtectedTable) and isinstance(res, Result)
    assert res.n_primary == 1 and res.n_secondary == 3
    assert res.remarks[0] == (
        "1 cell with fewer than 10 persons suppressed; 3 further cells suppressed so that "
        "they cannot be derived from the totals"
    )
    assert res.remarks[1] == "[c] = suppressed to protect the people counted"
    wide = res.to_frame()
    assert wide.loc["P01", ("n_persons", "F")] == "[c]"
    assert wide.loc["P01", ("mean_score", "F")] == "[c]", "statistics of a hidden cell are hidden"
    assert wide.loc["Total", ("n_persons", "Total")] == 127
    assert list(wide.index) == ["P01", "P02", "P03", "Total"]


def test_no_value_of_a_hidden_cell_is_anywhere_in_the_result(staff):
    res = protect_table(staff, row="site", col="sex")
    text = str(res) + res._repr_html_() + res.to_frame("long").to_string()
    assert "55.0" not in text and "55" not in text.replace("[c]", "")
    assert res.to_frame("long").loc[0, "n_persons"] == "[c]"


def test_html_repr_has_the_note_under_the_table_and_a_stable_id(staff):
    res = protect_table(staff, row="site", col="sex", name="Peer workers by prison")
    html = res._repr_html_()
    assert html.index("</table>") < html.index("disclosure-note")
    assert "1 cell with fewer than 10 persons suppressed" in html
    assert html == protect_table(staff, row="site", col="sex", name="Peer workers by prison")._repr_html_()


def test_percentages_with_a_hidden_denominator_are_hidden():
    cells = pd.DataFrame(
        {
            "site": ["P01", "P01", "P01", "P02", "P02", "P02"],
            "outcome": ["yes", "no", "unknown", "yes", "no", "unknown"],
            "n_persons": [3, 50, 0, 30, 40, 11],
        }
    )
    cells["pct"] = 100 * cells["n_persons"] / cells.groupby("site")["n_persons"].transform("sum")
    res = protect_table(cells, row="site", col="outcome", percent_of={"pct": "row"})
    long = res.to_frame("long").set_index(["site", "outcome"])
    status = res.suppression.set_index(["site", "outcome"])["status"]
    for (site, outcome), st in status.items():
        if outcome == "Total" or site == "Total":
            continue
        row_total_hidden = status[(site, "Total")] != "published"
        if st != "published" or row_total_hidden:
            assert long.loc[(site, outcome), "pct"] == "[c]"
    # a published percentage and its published count never reveal a hidden denominator
    assert res.suppression["percent_hidden"].sum() == (
        sum(1 for (s, o), st in status.items() if st == "published" and o != "Total" and s != "Total"
            and status[(s, "Total")] != "published" and not np.isnan(cells.set_index(["site", "outcome"]).loc[(s, o), "pct"]))
    )


def test_given_margins_of_distinct_persons_are_used():
    # persons can appear at both waves: the margin is smaller than the sum
    cells = pd.DataFrame(
        {
            "site": ["P01", "P01", "P01", "P02", "P02", "P02", "Total", "Total", "Total"],
            "wave": ["1", "2", "Total", "1", "2", "Total", "1", "2", "Total"],
            "n_persons": [20, 15, 25, 30, 22, 40, 50, 37, 65],
        }
    )
    res = protect_table(cells, row="site", col="wave")
    assert res.to_frame().loc["P01", "Total"] == 25
    assert res.n_primary == 0 and res.n_secondary == 0


def test_small_margin_is_itself_suppressed():
    cells = pd.DataFrame({"site": ["P01", "P01", "P02", "P02"], "sex": ["F", "M", "F", "M"], "n_persons": [0, 4, 30, 40]})
    res = protect_table(cells, row="site", col="sex")
    wide = res.to_frame()
    assert wide.loc["P01", "Total"] == "[c]"
    assert wide.loc["P01", "F"] == 0, "an empty cell is published by default"


def test_protect_zeros_hides_empty_cells_and_says_so():
    cells = pd.DataFrame({"site": ["P01", "P01", "P02", "P02"], "sex": ["F", "M", "F", "M"], "n_persons": [0, 40, 30, 40]})
    res = protect_table(cells, row="site", col="sex", policy={"protect_zeros": True})
    assert res.to_frame().loc["P01", "F"] == "[c]"
    assert "(empty cells included)" in res.remarks[0]


def test_small_symbol_distinguishes_primary_cells(staff):
    res = protect_table(staff, row="site", col="sex", policy={"small_symbol": "<{threshold}"})
    long = res.to_frame("long")
    assert long.loc[0, "n_persons"] == "<10"
    assert set(long.loc[res.hidden.to_numpy() & (res.suppression["status"] == "secondary").to_numpy(), "n_persons"]) == {"[c]"}
    assert res.remarks[1] == "<10 = fewer than 10 persons"


def test_missing_combinations_are_empty_cells():
    cells = pd.DataFrame({"site": ["P01", "P02", "P02"], "sex": ["M", "F", "M"], "n_persons": [30, 25, 40]})
    res = protect_table(cells, row="site", col="sex")
    assert res.to_frame().loc["P01", "F"] == 0


def test_categorical_order_is_kept():
    cells = pd.DataFrame({"wave": pd.Categorical(["post", "pre"], categories=["pre", "post"]), "n_persons": [20, 30]})
    res = protect_table(cells, row="wave")
    assert list(res.to_frame().index) == ["pre", "post", "Total"]


def test_one_way_table_and_show_count_false():
    cells = pd.DataFrame({"site": ["P01", "P02", "P03"], "n_persons": [4, 20, 30], "mean": [1.0, 2.0, 3.0]})
    res = protect_table(cells, row="site", show_count=False)
    wide = res.to_frame()
    assert list(wide.columns) == ["mean"]
    assert wide.loc["P01", "mean"] == "[c]" and wide.loc["P02", "mean"] == "[c]"
    assert wide.loc["P03", "mean"] == 3.0


def test_display_formats_and_plot_frame(staff):
    res = protect_table(staff, row="site", col="sex", formats={"mean_score": "{:.0f}"})
    disp = res.display_frame()
    assert disp.loc["P02", ("mean_score", "F")] == "48"
    pf = res.plot_frame()
    assert np.isnan(pf.loc[0, "n_persons"]) and pf.loc[3, "n_persons"] == 25


def test_plot_returns_axes(staff):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert protect_table(staff, row="site", col="sex").plot(ax=ax) is ax
    plt.close(fig)


def test_suppressed_cells_lists_keys_without_totals(staff):
    res = protect_table(staff, row="site", col="sex")
    assert {"site": "P01", "sex": "F"} in res.suppressed_cells()
    assert all("Total" not in d.values() for d in res.suppressed_cells())


def test_nl_note():
    cells = pd.DataFrame({"site": ["P01", "P02", "P03"], "n_persons": [4, 20, 30]})
    res = protect_table(cells, row="site", policy={"language": "nl"})
    assert res.remarks[0].startswith("1 cel met minder dan 10 personen onderdrukt; 1 andere cel onderdrukt")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"row": "prison"}, "pass row="),
        ({"row": "site", "count": "n"}, "pass count="),
        ({"row": "site", "percent_of": {"pct": "row"}}, "not a shown statistic"),
        ({"row": "site", "ledger": SuppressionLedger()}, "family="),
    ],
)
def test_errors_name_the_argument(staff, kwargs, match):
    with pytest.raises((KeyError, ValueError), match=match):
        protect_table(staff, **kwargs)


def test_duplicate_cells_are_an_error(staff):
    with pytest.raises(ValueError, match="aggregate"):
        protect_table(pd.concat([staff, staff]), row="site", col="sex")


def test_result_is_frozen(staff):
    res = protect_table(staff, row="site", col="sex")
    with pytest.raises(AttributeError):
        res.name = "x"  # type: ignore[misc]


def test_peer_workers_per_prison_one_to_three_each():
    """The issue's hardest case: 1-3 peer workers per prison (synthetic)."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(1, 11):
        for k in range(int(rng.integers(1, 4))):
            rows.append({"pid": f"pw{i}-{k}", "site": f"P{i:02d}", "sex": "F" if (i + k) % 4 == 0 else "M"})
    from analysis.disclosure import person_counts

    cells = person_counts(pd.DataFrame(rows), by=["site", "sex"])
    res = protect_table(cells, row="site", col="sex")
    wide = res.to_frame()
    body = wide.drop(index="Total")
    assert (body == "[c]").all().all() or ((body == "[c]") | (body == 0)).all().all()
    # nothing about any single prison is published; the grand total is
    assert wide.loc["Total", "Total"] == len(rows)
    assert "suppressed" in res.remarks[0]


def test_margins_larger_than_the_cells_persons_without_a_category():
    # 5 persons have no recorded sex: the site totals exceed the sum of the cells
    cells = pd.DataFrame(
        {
            "site": ["P01", "P01", "P01", "P02", "P02", "P02", "Total", "Total", "Total"],
            "sex": ["F", "M", "Total", "F", "M", "Total", "F", "M", "Total"],
            "n_persons": [3, 30, 36, 25, 40, 67, 28, 70, 103],
        }
    )
    res = protect_table(cells, row="site", col="sex")
    assert res.to_frame().loc["P01", "F"] == "[c]"
    assert res.n_secondary >= 1


def test_styler_has_the_name_as_caption_and_the_note_under_the_table(staff):
    styler = protect_table(staff, row="site", col="sex", name="Staff by prison").to_styler()
    html = styler.to_html()
    assert "<caption>Staff by prison</caption>" in html
    table_end = html.index("</table>")
    assert html.index("1 cell with fewer than 10 persons suppressed") > table_end
    assert styler._repr_html_() == html
    assert ">prison</th>" in html  # the key column "site" labelled in words


def test_empty_table_with_a_ledger_is_published_empty():
    # a chapter whose filter leaves no site with enough people must not crash
    from analysis.disclosure import DisclosurePolicy, SuppressionLedger, protect_table

    empty = pd.DataFrame({"site": pd.Series([], dtype=object), "theme": pd.Series([], dtype=object),
                          "n_persons": pd.Series([], dtype=int)})
    table = protect_table(empty, row="site", col="theme", policy=DisclosurePolicy(), ledger=SuppressionLedger(),
                          family="empty", name="empty")
    assert table.to_styler().to_html()
