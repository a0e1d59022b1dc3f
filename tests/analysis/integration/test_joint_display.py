"""Joint displays from frames (synthetic prevalence and survey results)."""

import numpy as np
import pandas as pd
import pytest

from analysis.integration import joint_display
from analysis.themes import theme_prevalence

INTERVIEWS = pd.DataFrame({
    "pid": ["W1", "W2", "W3", "W4", "D1", "D2"],
    "respondent_group": ["peer_worker"] * 4 + ["detainee"] * 2,
    "site": ["A", "A", "B", "C", "A", "B"],
})
SEGMENTS = pd.DataFrame({
    "segment_id": ["s1", "s2", "s3", "s4"],
    "pid": ["W1", "W2", "W3", "D1"],
    "code": ["supervision.lack", "supervision.lack", "stigma", "supervision.lack"],
})
PARENTS = {"supervision.lack": "supervision"}
PREVALENCE = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS, site="site").to_frame()
WELLBEING = pd.DataFrame({"site": ["A", "B", "D"], "mean_change": [4.0, -1.5, 2.0],
                          "ci_lower": [1.0, -4.0, -1.0], "ci_upper": [7.0, 1.0, 5.0], "label": ["x", "y", "z"]})
TRUST = pd.DataFrame({"site": ["A", "B", "C"], "trust": [3.9, 3.1, 2.5]})


def peer_workers():
    return PREVALENCE.query("respondent_group == 'peer_worker'")


def test_themes_beside_numbers_per_site():
    display = joint_display(peer_workers(), {"wellbeing": WELLBEING, "trust": TRUST}, on="site")
    table = display.to_frame().set_index("site")
    assert list(table.columns) == ["supervision", "stigma", "wellbeing: mean_change", "wellbeing: ci_lower",
                                   "wellbeing: ci_upper", "trust: trust"]
    assert table.loc["A", "supervision"] == 1.0       # 2 of 2 peer workers in A
    assert table.loc["B", "stigma"] == 1.0
    assert table.loc["C", "supervision"] == 0.0
    assert table.loc["B", "wellbeing: mean_change"] == -1.5
    assert table.loc["C", "trust: trust"] == 2.5
    assert np.isnan(table.loc["C", "wellbeing: mean_change"])   # no survey result for C
    assert np.isnan(table.loc["D", "supervision"])               # no interviews in D
    assert any("C, D" in r for r in display.remarks)
    assert display.blocks[0] == ("themes", ("supervision", "stigma"))


def test_across_groups_and_chosen_columns():
    display = joint_display(PREVALENCE, [TRUST], on="site", across="respondent_group",
                            value="n_participants", columns={"results 1": ["trust"]}, how="inner")
    table = display.to_frame().set_index("site")
    assert "supervision (peer_worker)" in table.columns and "supervision (detainee)" in table.columns
    assert table.loc["A", "supervision (peer_worker)"] == 2
    assert table.loc["A", "supervision (detainee)"] == 1
    assert list(table.index) == ["A", "B", "C"]
    assert np.isnan(table.loc["C", "supervision (detainee)"])  # no detainee interviewed in C


def test_by_group_key():
    by_group = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS).to_frame()
    survey = pd.DataFrame({"respondent_group": ["detainee", "peer_worker"], "n": [40, 9]})
    table = joint_display(by_group, survey, on="respondent_group").to_frame()
    assert table.columns.tolist() == ["respondent_group", "supervision", "stigma", "results: n"]
    assert table["results: n"].tolist() == [40, 9]


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="pass across=.*respondent_group"):
        joint_display(PREVALENCE, TRUST)
    with pytest.raises(ValueError, match="several rows per site"):
        joint_display(peer_workers(), pd.concat([TRUST, TRUST]))
    with pytest.raises(KeyError, match="pass on="):
        joint_display(peer_workers(), TRUST.rename(columns={"site": "prison"}))
    with pytest.raises(KeyError, match="pass value="):
        joint_display(peer_workers(), TRUST, value="percent")
    with pytest.raises(TypeError, match="to_frame"):
        joint_display(peer_workers(), {"trust": object()})
    with pytest.raises(KeyError, match="fix columns"):
        joint_display(peer_workers(), {"trust": TRUST}, columns={"trust": ["mean"]})


def test_plot_draws_one_cell_per_value():
    display = joint_display(peer_workers(), {"wellbeing": WELLBEING, "trust": TRUST})
    ax = display.plot()
    n_rows, n_cols = display.to_frame().shape[0], display.to_frame().shape[1] - 1
    assert len(ax.patches) == n_rows * n_cols
    labels = [t.get_text() for t in ax.texts]
    assert "100%" in labels and "-1.5" in labels and "–" in labels
    assert {"themes", "wellbeing", "trust"} <= set(labels)
