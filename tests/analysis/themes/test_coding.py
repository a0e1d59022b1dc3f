"""one_coding_per_transcript: one coder per transcript, chosen independently of row order."""

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from analysis.themes.coding import one_coding_per_transcript


def frame(rows):
    return pd.DataFrame(rows, columns=["transcript_id", "coder", "code"])


def test_prefers_consensus_then_most_segments_then_name():
    data = frame([
        ("T1", "C2", "a"), ("T1", "consensus", "a"), ("T1", "C2", "b"),
        ("T2", "C1", "a"), ("T2", "C2", "a"), ("T2", "C2", "b"),
        ("T3", "C2", "a"), ("T3", "C1", "b"),
    ])
    kept = one_coding_per_transcript(data)
    assert kept.groupby("transcript_id")["coder"].unique().map(list).to_dict() == {
        "T1": ["consensus"], "T2": ["C2"], "T3": ["C1"]}
    assert list(kept.index) == [1, 4, 5, 7]


def test_named_primary_coder():
    data = frame([("T1", "C1", "a"), ("T1", "C2", "a"), ("T1", "C2", "b")])
    assert set(one_coding_per_transcript(data, prefer=("C1",))["coder"]) == {"C1"}


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="prefer"):
        one_coding_per_transcript(frame([("T1", "C1", "a")]), prefer="C1")
    with pytest.raises(KeyError, match="coder="):
        one_coding_per_transcript(frame([("T1", "C1", "a")]).rename(columns={"coder": "who"}))


rows = st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3"]), st.sampled_from(["A", "B", "C"]),
                          st.sampled_from(["x", "y"])), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_one_coder_per_transcript_whatever_the_row_order(data, rnd):
    data = frame(data)
    kept = one_coding_per_transcript(data)
    assert (kept.groupby("transcript_id")["coder"].nunique() == 1).all()
    assert set(kept["transcript_id"]) == set(data["transcript_id"])
    # every segment of the chosen coder in that transcript is kept
    chosen = kept[["transcript_id", "coder"]].drop_duplicates()
    assert len(kept) == len(data.merge(chosen))
    order = list(range(len(data)))
    rnd.shuffle(order)
    again = one_coding_per_transcript(data.iloc[order])
    assert again[["transcript_id", "coder"]].drop_duplicates().sort_values("transcript_id").values.tolist() == \
        chosen.sort_values("transcript_id").values.tolist()
