"""Unitized alpha against Krippendorff's published worked examples.

No R package or maintained library computes uα (see the module docstring), so
the reference values are the published ones, committed with their sources in
tests/reference/themes/unitized_examples.json.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.themes import onto_deidentified
from analysis.themes.unitized import ALL_CATEGORIES, unitized_alpha, unitized_alpha_continuum

REFERENCE = Path(__file__).parents[2] / "reference" / "themes"
EXAMPLES = json.loads((REFERENCE / "unitized_examples.json").read_text())


def _frame(rows):
    return pd.DataFrame(rows, columns=["coder", "category", "start", "end"])


def test_krippendorff_2004_worked_example():
    ex = EXAMPLES["krippendorff_2004"]
    table = unitized_alpha_continuum(_frame(ex["units"]), begin=ex["begin"], length=ex["length"]).to_frame()
    table = table.set_index("code")
    for category in ("c", "k"):
        for column, value in ex["expected"][category].items():
            # published to 4 decimals
            assert table.loc[category, column] == pytest.approx(value, abs=5e-5), (category, column)
    # the book divides the rounded sums (.0144 / (.0532 + .0490)); unrounded: 0.85866
    assert table.loc[ALL_CATEGORIES, "alpha_u"] == pytest.approx(ex["expected"][ALL_CATEGORIES]["alpha_u"], abs=5e-4)
    d_o = table.loc[["c", "k"], "disagreement_observed"].sum()
    assert table.loc[ALL_CATEGORIES, "disagreement_observed"] == pytest.approx(d_o)


@pytest.mark.parametrize("pair", EXAMPLES["krippendorff_2004"]["distances"]["pairs"])
def test_krippendorff_2004_distances(pair):
    (b1, l1, c1), (b2, l2, c2), distance = pair
    begin, stop = min(b1, b2), max(b1 + l1, b2 + l2)
    rows = [["i", "x", b1, b1 + l1]] if c1 else []
    rows += [["j", "x", b2, b2 + l2]] if c2 else []
    table = unitized_alpha_continuum(_frame(rows), begin=begin, length=stop - begin, coders=["i", "j"]).to_frame()
    # D_o = Σ_i Σ_j≠i δ² / (m(m-1)L²): with only these two sections, 2δ² / (2 L²)
    assert table.loc[0, "disagreement_observed"] * (stop - begin) ** 2 == pytest.approx(distance)


@pytest.mark.parametrize("name", ["A", "B", "C", "D"])
def test_krippendorff_1995_examples(name):
    ex = EXAMPLES["krippendorff_1995"]
    rows = [[coder, name, b, b + n] for coder, b, n in ex["units"][name]]
    plain = unitized_alpha_continuum(_frame(rows), begin=0, length=ex["length"], coders=[0, 1]).to_frame()
    assert plain.loc[0, "disagreement_observed"] == pytest.approx(ex["observed"][name], abs=1e-5)
    s = ex["stretch"]
    fine = unitized_alpha_continuum(_frame([[c, k, b * s, e * s] for c, k, b, e in rows]), begin=0,
                                    length=ex["length"] * s, coders=[0, 1]).to_frame()
    assert fine.loc[0, "disagreement_observed"] == pytest.approx(ex["observed"][name], abs=1e-5)   # D_o is scale-free
    assert fine.loc[0, "alpha_u"] == pytest.approx(ex["alpha_u"][name], abs=0.02)


def test_identical_coders_agree_perfectly_and_disjoint_ones_do_not():
    same = _frame([["a", "x", 10, 40], ["b", "x", 10, 40], ["a", "x", 60, 70], ["b", "x", 60, 70]])
    assert unitized_alpha_continuum(same, begin=0, length=100).to_frame().loc[0, "alpha_u"] == 1.0
    apart = _frame([["a", "x", 10, 40], ["b", "x", 60, 90]])
    assert unitized_alpha_continuum(apart, begin=0, length=100).to_frame().loc[0, "alpha_u"] < 0


def test_overlapping_passages_of_one_coder_are_merged():
    merged = _frame([["a", "x", 10, 40], ["b", "x", 10, 40]])
    split = _frame([["a", "x", 10, 30], ["a", "x", 20, 40], ["b", "x", 10, 40]])
    one = unitized_alpha_continuum(merged, begin=0, length=100).to_frame()
    two = unitized_alpha_continuum(split, begin=0, length=100).to_frame()
    pd.testing.assert_frame_equal(one, two)


def test_units_outside_the_continuum_are_refused():
    with pytest.raises(ValueError, match="within the continuum"):
        unitized_alpha_continuum(_frame([["a", "x", 10, 140], ["b", "x", 10, 40]]), begin=0, length=100)
    with pytest.raises(ValueError, match="two or more coders"):
        unitized_alpha_continuum(_frame([["a", "x", 10, 40]]), begin=0, length=100)


def _segments():
    return pd.DataFrame({
        "transcript_id": ["t1", "t1", "t1", "t1", "t2", "t2", "t3", "t1", "t1", "t2", "t2"],
        "coder": ["A", "B", "A", "B", "A", "B", "A", "A", "B", "A", "B"],
        "code": ["sub1", "sub1", "sub2", "other", "sub1", "sub1", "sub1", "sub2", "sub2", "sub1", "sub1"],
        "start": [0, 2, 50, 50, 5, 5, 0, 90, 90, 0, 0],
        "end": [20, 20, 60, 60, 15, 30, 10, 100, 100, 3, 3],
    })


def test_transcripts_lie_end_to_end_and_roll_up_to_themes():
    texts = pd.DataFrame({"transcript_id": ["t1", "t2", "t3"], "text": ["x" * 100, "y" * 40, "z" * 30]})
    coded = _segments()[["transcript_id", "coder"]].drop_duplicates()
    result = unitized_alpha(_segments(), coded=coded, transcripts=texts, parents={"sub1": "theme", "sub2": "theme"})
    table = result.to_frame().set_index("code")
    assert result.transcripts == ("t1", "t2")           # t3 was coded by one coder only
    assert result.length == 140
    # by hand: the theme's units, transcript t1 then t2 shifted by 100; both coders marked the text on
    # either side of the boundary, so no gap touches it and one continuum of 140 gives the same values
    by_hand = unitized_alpha_continuum(_frame([
        ["A", "theme", 0, 20], ["A", "theme", 50, 60], ["B", "theme", 2, 20], ["A", "theme", 90, 100],
        ["B", "theme", 90, 100], ["A", "theme", 100, 103], ["B", "theme", 100, 103],
        ["A", "theme", 105, 115], ["B", "theme", 105, 130]]), begin=0, length=140, coders=["A", "B"]).to_frame()
    assert table.loc["theme", "alpha_u"] == pytest.approx(by_hand.loc[0, "alpha_u"])
    assert table.loc["theme", "disagreement_observed"] == pytest.approx(by_hand.loc[0, "disagreement_observed"])
    assert table.loc["other", "n_passages"] == 1
    assert any("§11.6" in r for r in result.remarks)
    # where a gap does reach the boundary it ends there: t1 ends uncoded for "other"; joined with t2's
    # uncoded start it would be one longer gap, and D_e would differ
    joined = unitized_alpha_continuum(_frame([["B", "other", 50, 60]]), begin=0, length=140,
                                      coders=["A", "B"]).to_frame()
    assert table.loc["other", "disagreement_observed"] == pytest.approx(joined.loc[0, "disagreement_observed"])
    assert table.loc["other", "disagreement_expected"] != pytest.approx(joined.loc[0, "disagreement_expected"])


def test_a_coder_who_marked_nothing_left_the_whole_transcript_uncoded():
    segs = pd.DataFrame({"transcript_id": ["t1"], "coder": ["A"], "code": ["x"], "start": [10], "end": [30]})
    coded = pd.DataFrame({"transcript_id": ["t1", "t1"], "coder": ["A", "B"]})
    texts = pd.DataFrame({"transcript_id": ["t1"], "text": ["w" * 100]})
    table = unitized_alpha(segs, coded=coded, transcripts=texts).to_frame()
    # A's unit lies in B's only gap (the whole text): δ² = 20² each way
    assert table.loc[0, "disagreement_observed"] == pytest.approx(2 * 400 / (2 * 100**2))
    assert table.loc[0, "alpha_u"] < 0.5


def test_reference_interviews_run_end_to_end():
    transcripts = pd.read_csv(REFERENCE / "transcripts.csv")
    segments = pd.read_csv(REFERENCE / "segments.csv")
    coded = pd.read_csv(REFERENCE / "coded.csv")
    result = unitized_alpha(segments, coded=coded, transcripts=transcripts)
    table = result.to_frame()
    assert table["alpha_u"].between(-5, 1).all()
    assert np.isfinite(table["disagreement_expected"]).all() and (table["disagreement_expected"] > 0).all()
