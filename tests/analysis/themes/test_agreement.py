"""coder_agreement: end to end against R, and small hand-checked cases.

The synthetic reference interviews (transcripts.csv, segments.csv, coded.csv)
are made by tests/reference/themes/make_synthetic.py; agreement_R.csv holds the
values of tests/reference/themes/agreement.R, which splits paragraphs, maps
segments to them and computes the coefficients on its own (psych::cohen.kappa
for Cohen's kappa).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.themes import OVERALL, coder_agreement

REFERENCE = Path(__file__).parents[2] / "reference" / "themes"
TRANSCRIPTS = pd.read_csv(REFERENCE / "transcripts.csv")
SEGMENTS = pd.read_csv(REFERENCE / "segments.csv")
CODED = pd.read_csv(REFERENCE / "coded.csv")
R_VALUES = pd.read_csv(REFERENCE / "agreement_R.csv")
COLUMNS = ["n_units", "percent_agreement", "fleiss_kappa", "krippendorff_alpha",
           "cohen_kappa", "cohen_ci_lower", "cohen_ci_upper"]


def run(unit, coders, **kwargs):
    segs = SEGMENTS.loc[SEGMENTS["coder"].isin(coders)]
    coded = CODED.loc[CODED["coder"].isin(coders)]
    return coder_agreement(segs, coded=coded, unit=unit, transcripts=TRANSCRIPTS, **kwargs)


@pytest.mark.parametrize(
    ("scenario", "unit", "coders", "kwargs"),
    [
        # R: scenario("paragraph_all", "paragraph", c("C1", "C2", "C3"))
        ("paragraph_all", "paragraph", ["C1", "C2", "C3"], {}),
        # R: scenario("paragraph_all_excluded", "paragraph", c("C1", "C2", "C3"), exclude_uncoded = TRUE)
        ("paragraph_all_excluded", "paragraph", ["C1", "C2", "C3"], {"exclude_uncoded_units": True}),
        # R: scenario("paragraph_C1_C2", "paragraph", c("C1", "C2"))  -- Cohen's kappa by psych::cohen.kappa
        ("paragraph_C1_C2", "paragraph", ["C1", "C2"], {}),
        # R: scenario("transcript_all", "transcript", c("C1", "C2", "C3"))
        ("transcript_all", "transcript", ["C1", "C2", "C3"], {}),
    ],
)
def test_agreement_against_R(scenario, unit, coders, kwargs):
    ours = run(unit, coders, **kwargs).to_frame().set_index("code")
    ref = R_VALUES.loc[R_VALUES["scenario"] == scenario].set_index("code")
    assert set(ours.index) == set(ref.index)
    # tolerance 1e-9 (R wrote 15 significant digits; both compute in double precision)
    np.testing.assert_allclose(
        ours.loc[ref.index, COLUMNS].to_numpy(float), ref[COLUMNS].to_numpy(float), atol=1e-9, equal_nan=True
    )


def test_single_coded_transcript_does_not_count():
    result = run("paragraph", ["C1", "C2", "C3"])
    assert "T9" not in result.transcripts  # coded by C1 only
    assert set(result.transcripts) == {f"T{i}" for i in range(1, 9)}
    assert result.coders == ("C1", "C2", "C3")


def test_mismatching_segment_text_is_reported():
    result = run("paragraph", ["C1", "C2", "C3"])
    assert result.problems[["segment_id", "problem"]].values.tolist() == [["S0004", "text-mismatch"]]
    assert any("text-mismatch" in r for r in result.remarks)


def test_threshold_flags_and_remark():
    result = run("paragraph", ["C1", "C2"], threshold=0.5)
    table = result.to_frame().set_index("code")
    flagged = set(result.flagged()["code"])
    assert flagged == set(table.index[table["krippendorff_alpha"] < 0.5]) - {OVERALL}
    assert "trust" not in flagged  # alpha 0.529 in R
    assert any("below 0.5" in r for r in result.remarks)


# A hand-checked case: two transcripts, each three paragraphs, coders A and B.
TEXT = "Para one here.\nPara two here.\nPara three here."
HAND_TRANSCRIPTS = pd.DataFrame({"transcript_id": ["T1", "T2"], "text": [TEXT, TEXT]})


def segment(sid, tid, coder, code, paragraph):
    start = TEXT.index(f"Para {paragraph}")
    end = TEXT.index(".", start) + 1
    return {"segment_id": sid, "transcript_id": tid, "pid": "P" + tid, "coder": coder, "code": code,
            "start": start, "end": end, "text": TEXT[start:end]}


HAND = pd.DataFrame([
    segment("s1", "T1", "A", "hope", "one"),
    segment("s2", "T1", "B", "hope", "one"),
    segment("s3", "T1", "A", "hope", "two"),
    segment("s4", "T2", "B", "stigma.sub", "three"),
])
HAND_CODED = pd.DataFrame({"transcript_id": ["T1", "T1", "T2", "T2"], "coder": ["A", "B", "A", "B"]})


def test_hand_checked_paragraph_agreement():
    result = coder_agreement(HAND, coded=HAND_CODED, unit="paragraph", transcripts=HAND_TRANSCRIPTS)
    table = result.to_frame().set_index("code")
    # hope: 6 paragraphs; A = 1,1,0,0,0,0 ; B = 1,0,0,0,0,0 -> 5/6 agree
    assert table.loc["hope", "n_units"] == 6
    assert table.loc["hope", "percent_agreement"] == pytest.approx(100 * 5 / 6)
    assert table.loc["hope", "prevalence"] == pytest.approx(3 / 12)
    # Cohen: p_o = 5/6, p_e = (4/6)(5/6) + (2/6)(1/6) = 22/36
    assert table.loc["hope", "cohen_kappa"] == pytest.approx((5 / 6 - 22 / 36) / (1 - 22 / 36))
    assert table.loc[OVERALL, "n_units"] == 12


def test_excluding_uncoded_units_and_rolling_up():
    result = coder_agreement(HAND, coded=HAND_CODED, unit="paragraph", transcripts=HAND_TRANSCRIPTS,
                             parents={"stigma.sub": "stigma"}, exclude_uncoded_units=True)
    table = result.to_frame().set_index("code")
    assert "stigma" in table.index and "stigma.sub" not in table.index
    # units with any code: T1 p1, T1 p2, T2 p3
    assert table.loc["hope", "n_units"] == 3
    assert table.loc["hope", "percent_agreement"] == pytest.approx(100 * 2 / 3)


def test_transcript_units_and_coders_who_applied_nothing():
    coded = pd.concat([HAND_CODED, pd.DataFrame({"transcript_id": ["T1"], "coder": ["C"]})])
    result = coder_agreement(HAND, coded=coded, unit="transcript", codes=["security"])
    table = result.to_frame().set_index("code")
    # hope on T1: A 1, B 1, C 0 (coded, applied nothing); T2: A 0, B 0
    assert table.loc["hope", "percent_agreement"] == pytest.approx(100 * (1 / 3 + 1) / 2)
    assert np.isnan(table.loc["security", "krippendorff_alpha"])
    assert table.loc["security", "below_threshold"]
    assert np.isnan(table.loc["hope", "cohen_kappa"])  # three coders
    assert any("undefined" in r for r in result.remarks)


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="missing from coded"):
        coder_agreement(HAND, coded=HAND_CODED.iloc[:2], unit="transcript")
    with pytest.raises(ValueError, match="two or more coders"):
        coder_agreement(HAND.iloc[:1], coded=HAND_CODED.iloc[:1], unit="transcript")
    with pytest.raises(ValueError, match="pass transcripts="):
        coder_agreement(HAND, coded=HAND_CODED, unit="paragraph")
    with pytest.raises(ValueError, match="no text in transcripts"):
        coder_agreement(HAND, coded=HAND_CODED, unit="paragraph", transcripts=HAND_TRANSCRIPTS.iloc[:1])
    with pytest.raises(KeyError, match="pass coder="):
        coder_agreement(HAND.rename(columns={"coder": "rater"}), coded=HAND_CODED)
    with pytest.raises(ValueError, match="unit must be"):
        coder_agreement(HAND, coded=HAND_CODED, unit="page")
    with pytest.raises(ValueError, match="pass codes="):
        coder_agreement(HAND.iloc[:0], coded=HAND_CODED, unit="transcript")


def test_plot_and_html():
    result = run("paragraph", ["C1", "C2"])
    ax = result.plot()
    assert len(ax.get_yticklabels()) == len(result.to_frame())
    assert "<ol class=\"remarks\">" in result._repr_html_()


@pytest.mark.parametrize("level", ["ordinal", "interval"])
def test_ratings_with_ordinal_and_interval_levels(level):
    from analysis.themes import krippendorff_alpha

    rated = HAND.assign(intensity=[3, 2, 1, 2])
    result = coder_agreement(rated, coded=HAND_CODED, unit="paragraph", transcripts=HAND_TRANSCRIPTS,
                             value="intensity", level=level)
    hope = result.to_frame().set_index("code").loc["hope"]
    # units T1 p1..p3, T2 p1..p3; coders A, B; 0 = coded the transcript, did not apply the code
    expected = krippendorff_alpha(np.array([[3, 2], [1, 0], [0, 0], [0, 0], [0, 0], [0, 0]]), level=level).estimate
    assert hope["krippendorff_alpha"] == pytest.approx(expected)
    assert hope["krippendorff_alpha"] != pytest.approx(
        krippendorff_alpha(np.array([[3, 2], [1, 0], [0, 0], [0, 0], [0, 0], [0, 0]]), level="nominal").estimate)
    assert result.level == level


def test_bootstrap_interval_resamples_transcripts_and_keeps_the_estimates():
    wald = run("paragraph", ["C1", "C2"]).to_frame()
    boot = run("paragraph", ["C1", "C2"], interval="bootstrap", n_boot=500, seed=5)
    table = boot.to_frame()
    pd.testing.assert_series_equal(table["cohen_kappa"], wald["cohen_kappa"])
    pd.testing.assert_series_equal(table["krippendorff_alpha"], wald["krippendorff_alpha"])
    assert not np.allclose(table["cohen_ci_lower"], wald["cohen_ci_lower"], equal_nan=True)
    assert any("resamples of whole transcripts" in r for r in boot.remarks)
    again = run("paragraph", ["C1", "C2"], interval="bootstrap", n_boot=500, seed=5).to_frame()
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(ValueError, match="interval must be"):
        run("paragraph", ["C1", "C2"], interval="exact")


def test_plot_names_codes_in_words_with_their_prevalence():
    from analysis.reader import label

    segments = SEGMENTS.replace({"code": {"stigma": "pathways_into_role"}})
    result = coder_agreement(segments, coded=CODED, unit="transcript", transcripts=TRANSCRIPTS)
    table = result.to_frame().set_index("code")
    ticks = [t.get_text() for t in result.plot().get_yticklabels()]
    share = table.loc["pathways_into_role", "prevalence"]
    assert f"{label('pathways_into_role')}  ({share:.0%} mention it)" in ticks
    assert f"{OVERALL}  ({table.loc[OVERALL, 'prevalence']:.0%} mention it)" in ticks
    assert not any("pathways_into_role" in t or "prev." in t for t in ticks)
