from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.themes import code_cooccurrence

COLUMNS = ["segment_id", "transcript_id", "pid", "coder", "code", "start", "end"]
SEGMENTS = pd.DataFrame(
    [
        ("a", "T1", "P1", "C1", "X", 0, 10),
        ("b", "T1", "P1", "C1", "Y", 5, 15),
        ("c", "T1", "P1", "C1", "X", 20, 30),
        ("d", "T1", "P1", "C1", "Z", 25, 28),
        ("e", "T1", "P1", "C1", "Y", 40, 50),
        ("e", "T1", "P1", "C1", "X", 40, 50),   # one segment, two codes
        ("f", "T1", "P1", "C2", "Y", 0, 10),    # another coder: never pairs with C1's segments
        ("g", "T2", "P2", "C1", "X", 0, 10),
        ("h", "T3", "P3", "C1", "Y", 0, 10),
        ("i", "T3", "P3", "C1", "Z", 5, 8),
    ],
    columns=COLUMNS,
)


def test_segment_counts_and_character_jaccard():
    result = code_cooccurrence(SEGMENTS.query("coder == 'C1'"))
    table = result.to_frame().set_index(["code_a", "code_b"])
    assert table.loc[("X", "Y"), ["n", "n_a", "n_b"]].tolist() == [2, 4, 3]
    assert table.loc[("X", "Z"), "n"] == 1
    assert table.loc[("Y", "Z"), "n"] == 1
    # characters: X 40, Y 30, Z 6; X∩Y = 5 + 10; X∩Z = 3; Y∩Z = 3
    assert table.loc[("X", "Y"), "jaccard"] == pytest.approx(15 / (40 + 30 - 15))
    assert table.loc[("X", "Z"), "jaccard"] == pytest.approx(3 / (40 + 6 - 3))
    assert table.loc[("Y", "Z"), "jaccard"] == pytest.approx(3 / (30 + 6 - 3))


def test_other_coders_overlaps_count_only_when_asked():
    within_coder = code_cooccurrence(SEGMENTS).to_frame().set_index(["code_a", "code_b"])
    assert within_coder.loc[("X", "Y"), "n"] == 2
    pooled = code_cooccurrence(SEGMENTS, coder=None).to_frame().set_index(["code_a", "code_b"])
    assert pooled.loc[("X", "Y"), "n"] == 3  # f overlaps a
    assert any("several coders" in r for r in code_cooccurrence(SEGMENTS).remarks)


def test_participant_cooccurrence():
    result = code_cooccurrence(SEGMENTS, within="participant")
    matrix = result.matrix("n")
    assert matrix.loc["X", "X"] == 2 and matrix.loc["Y", "Y"] == 2 and matrix.loc["Z", "Z"] == 2
    assert matrix.loc["Y", "Z"] == matrix.loc["Z", "Y"] == 2
    jaccard = result.matrix("jaccard")
    assert jaccard.loc["X", "Y"] == pytest.approx(1 / 3)
    assert jaccard.loc["Y", "Z"] == pytest.approx(1.0)
    assert np.isnan(jaccard.loc["X", "X"])


def test_roll_up_merges_sub_codes():
    result = code_cooccurrence(SEGMENTS.query("coder == 'C1'"), parents={"X": "XY", "Y": "XY"})
    assert result.codes == ("XY", "Z")
    row = result.to_frame().iloc[0]
    # 'e' carries X and Y: once for XY; XY segments a, b, c, e, g, h
    assert (row["n_a"], row["n_b"], row["n"]) == (6, 2, 2)


def test_codes_argument_orders_and_filters():
    result = code_cooccurrence(SEGMENTS, codes=["Z", "X"])
    assert result.codes == ("Z", "X")
    assert result.to_frame()[["code_a", "code_b"]].values.tolist() == [["Z", "X"]]


def test_errors_and_plot():
    with pytest.raises(ValueError, match="within must be"):
        code_cooccurrence(SEGMENTS, within="transcript")
    with pytest.raises(KeyError, match="pass start="):
        code_cooccurrence(SEGMENTS.drop(columns="start"))
    ax = code_cooccurrence(SEGMENTS).plot()
    assert {t.get_text() for t in ax.texts} == {"2", "1"}


spans = st.tuples(st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 40), st.integers(1, 15))


@settings(max_examples=60, deadline=None)
@given(st.lists(spans, min_size=1, max_size=25))
def test_counts_match_brute_force(rows):
    data = pd.DataFrame(
        [(f"s{i}", f"T{t}", f"P{t}", "C1", c, s, s + n) for i, (t, c, s, n) in enumerate(rows)], columns=COLUMNS
    )
    table = code_cooccurrence(data).to_frame().set_index(["code_a", "code_b"])
    for (a, b), row in table.iterrows():
        expected = sum(
            1 for (_, x), (_, y) in combinations(data.iterrows(), 2)
            if {x["code"], y["code"]} == {a, b} and x["transcript_id"] == y["transcript_id"]
            and x["start"] < y["end"] and y["start"] < x["end"]
        )
        assert row["n"] == expected
        assert 0 <= row["jaccard"] <= 1 or np.isnan(row["jaccard"])
