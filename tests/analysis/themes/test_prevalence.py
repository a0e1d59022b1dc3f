import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.themes import theme_prevalence

PARENTS = {
    "trust.credibility": "trust",
    "trust": "service",
    "hope": "service",
    "supervision": "integration",
    "supervision.lack": "supervision",
}
INTERVIEWS = pd.DataFrame({
    "pid": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
    "respondent_group": ["detainee"] * 4 + ["peer_worker"] * 2 + ["staff"],
    "site": ["A", "A", "B", "B", "A", "B", "A"],
})
SEGMENTS = pd.DataFrame(
    [
        ("s1", "P1", "trust.credibility"), ("s2", "P1", "hope"), ("s3", "P1", "supervision"),
        ("s4", "P2", "trust.credibility"), ("s5", "P2", "trust.credibility"),
        ("s6", "P3", "stigma"),
        ("s7", "P5", "supervision"), ("s8", "P5", "supervision.lack"),
        ("s8", "P5", "supervision"),  # one segment carrying a code and its sub-code: counted once
        ("s9", "P6", "stigma"),
    ],
    columns=["segment_id", "pid", "code"],
).assign(transcript_id=lambda d: "T" + d["pid"], coder="C1")


def test_framework_matrix_by_group():
    result = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS)
    table = result.to_frame().set_index(["theme", "respondent_group"])
    assert list(result.to_frame().columns) == [
        "theme", "respondent_group", "n_participants", "n_interviewed", "share", "n_segments"]
    assert table.loc[("service", "detainee")].tolist() == [2, 4, 0.5, 4]
    assert table.loc[("integration", "detainee")].tolist() == [1, 4, 0.25, 1]
    assert table.loc[("integration", "peer_worker")].tolist() == [1, 2, 0.5, 2]
    assert table.loc[("service", "staff")].tolist() == [0, 1, 0.0, 0]
    labels = result.matrix("label")
    assert list(labels.index) == ["service", "integration", "stigma"]  # codebook order, then others
    assert labels.loc["stigma"].tolist() == ["1/4", "1/2", "0/1"]


def test_by_site_uses_interview_cells():
    result = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS, site="site")
    table = result.to_frame()
    cells = table[["respondent_group", "site"]].drop_duplicates().values.tolist()
    assert cells == [["detainee", "A"], ["detainee", "B"], ["peer_worker", "A"], ["peer_worker", "B"], ["staff", "A"]]
    row = table.set_index(["theme", "respondent_group", "site"]).loc[("stigma", "detainee", "B")]
    assert row[["n_participants", "n_interviewed", "share"]].tolist() == [1, 2, 0.5]
    assert result.matrix("share").shape == (3, 5)


def test_themes_argument_adds_unmentioned_theme():
    result = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS, themes=["pay"])
    pay = result.to_frame().query("theme == 'pay'")
    assert pay["n_participants"].tolist() == [0, 0, 0]
    assert result.matrix().index[0] == "pay"


def test_remarks_warn_about_several_coders():
    two = pd.concat([SEGMENTS, SEGMENTS.assign(coder="C2", segment_id=lambda d: d["segment_id"] + "b")])
    result = theme_prevalence(two, interviews=INTERVIEWS, parents=PARENTS)
    assert any("several coders" in r for r in result.remarks)
    # distinct participants do not double with a second coder
    assert result.to_frame()["n_participants"].sum() == theme_prevalence(
        SEGMENTS, interviews=INTERVIEWS, parents=PARENTS).to_frame()["n_participants"].sum()


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="not in interviews"):
        theme_prevalence(SEGMENTS, interviews=INTERVIEWS.iloc[1:])
    with pytest.raises(KeyError, match="pass site="):
        theme_prevalence(SEGMENTS, interviews=INTERVIEWS, site="prison")
    with pytest.raises(ValueError, match="more than one"):
        theme_prevalence(SEGMENTS, interviews=pd.concat([INTERVIEWS, INTERVIEWS.iloc[:1].assign(site="B")]),
                         site="site")
    with pytest.raises(ValueError, match="cycle"):
        theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents={"a": "b", "b": "a"})
    with pytest.raises(TypeError, match="interviews must be a pandas DataFrame"):
        theme_prevalence(SEGMENTS, interviews=None)


def test_plot_is_a_heat_map():
    result = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS)
    ax = result.plot()
    assert ax.images[0].get_array().shape == (3, 3)
    assert "1/4" in [t.get_text() for t in ax.texts]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(sorted(PARENTS) + ["stigma"])), max_size=30))
def test_counts_match_a_direct_count(rows):
    data = pd.DataFrame(
        [(f"s{i}", INTERVIEWS["pid"][p], c) for i, (p, c) in enumerate(rows)], columns=["segment_id", "pid", "code"]
    )
    table = theme_prevalence(data, interviews=INTERVIEWS, parents=PARENTS).to_frame()
    roots = {"trust.credibility": "service", "trust": "service", "hope": "service",
             "supervision": "integration", "supervision.lack": "integration", "stigma": "stigma"}
    groups = dict(zip(INTERVIEWS["pid"], INTERVIEWS["respondent_group"]))
    for row in table.itertuples():
        mine = data.loc[data["code"].map(roots).eq(row.theme) & data["pid"].map(groups).eq(row.respondent_group)]
        assert row.n_participants == mine["pid"].nunique()
        assert row.n_segments == len(mine)
        assert row.n_interviewed == (INTERVIEWS["respondent_group"] == row.respondent_group).sum()
    assert table["share"].between(0, 1).all()


def test_hand_off_to_disclosure_control():
    from analysis.disclosure import protect_table

    result = theme_prevalence(SEGMENTS, interviews=INTERVIEWS, parents=PARENTS)
    table = protect_table(result.to_frame(), row="theme", col="respondent_group", count="n_participants",
                          values=["share"], margins=False, policy={"threshold": 2})
    shown = table.to_frame()
    assert shown.loc["service", ("n_participants", "detainee")] == 2
    assert shown.loc["stigma", ("n_participants", "detainee")] == "[c]"   # one person
