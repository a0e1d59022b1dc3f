import pandas as pd
import pytest

from analysis.wellbeing.attrition import attrition


def test_attrition_against_R(prepost, r_results):
    res = attrition(prepost, characteristics=["age", "sex", "group"])
    ref = r_results["attrition"]
    c = res.counts.set_index("status")["n"]
    assert c["completed"] == ref["n_completed"] and c["refused"] == ref["n_refused"]
    assert res.n_baseline - c["completed"] == ref["n_lost"]
    t = res.to_frame().set_index(["comparison", "variable", "level"])
    row = t.loc[("refused vs completed", "baseline score", "")]
    # R: (mean(refused) - mean(completed)) / sqrt((var(refused) + var(completed)) / 2); tolerance 1e-10
    assert row["smd"] == pytest.approx(ref["refused_score_smd"], abs=1e-10)
    # R: t.test(refused$score, completed$score, var.equal = FALSE)$p.value; rel. tolerance 1e-8
    assert row["p_val"] == pytest.approx(ref["refused_score_welch_p"], rel=1e-8)
    # R: t.test(lost$age, completed$age, var.equal = FALSE)$p.value; rel. tolerance 1e-8
    assert t.loc[("all lost vs completed", "age", ""), "p_val"] == pytest.approx(ref["lost_age_welch_p"], rel=1e-8)
    # R: chisq.test(table(sex, completed), correct = FALSE)$p.value; rel. tolerance 1e-8
    assert t.loc[("all lost vs completed", "sex", "male"), "p_val"] == pytest.approx(ref["lost_sex_chisq_p"],
                                                                                      rel=1e-8)
    # R: fisher.test(2 x 2 table of sex by refused / completed)$p.value; rel. tolerance 1e-8
    fisher = t.loc[("refused vs completed", "sex", "male")]
    assert fisher["test"] == "Fisher exact"
    assert fisher["p_val"] == pytest.approx(ref["refused_sex_fisher_p"], rel=1e-8)


def test_plain_language_remarks(prepost):
    res = attrition(prepost, characteristics=["age"])
    text = " ".join(res.remarks)
    assert "Of 341 respondents with a baseline score, 89 (26%) have no follow-up score" in text
    assert "Those who refused differ noticeably from completers on baseline score: lower" in text
    assert "Release and transfer are decided by the justice system" in text
    assert "fewer than 10" in text  # 9 lost for other reasons


def test_reason_mapping_and_no_reason_column():
    d = pd.DataFrame({
        "pid": ["a", "a", "b", "c", "d", "e"],
        "wave": ["T0", "T1", "T0", "T0", "T0", "T0"],
        "score": [50, 55, 40, 60, 45, None],
        "reason": [None, None, "Transferred", "refused", "deceased", None],
    })
    res = attrition(d)
    c = res.counts.set_index("status")["n"].to_dict()
    # e has no valid baseline score and is not counted
    assert c == {"completed": 1, "released or transferred": 1, "refused": 1, "other or unknown": 1}
    res2 = attrition(d, reason=None)
    assert res2.counts.set_index("status")["n"]["other or unknown"] == 3
    assert res.plot().get_xlabel().startswith("mean baseline score")


def test_characteristic_errors(prepost):
    with pytest.raises(KeyError, match="not found in data"):
        attrition(prepost, characteristics=["height"])
    with pytest.raises(ValueError, match="must not include"):
        attrition(prepost, characteristics=["score"])


# --- reasons derived from the release records ------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis.wellbeing.attrition import NOT_KNOWN, RELEASE_STATUSES, RELEASED, release_reasons  # noqa: E402


def _responses():
    return pd.DataFrame({
        "pid": ["a", "a", "b", "c", "d", "e", "f"],
        "wave": [1, 2, 1, 1, 1, 1, 1],
        "date": ["2025-01-01", "2025-04-01", "2025-01-01", "2025-01-01", "2025-01-01", None, "2025-01-01"],
    })


def _releases():
    return pd.DataFrame({
        # b: on the last day of the 16-week window (inclusive); c: the day after; d: an earlier stay's release
        # and one in the window; e: no baseline date; f: no release record; a: completer, released later
        "pid": ["b", "c", "d", "d", "e", "a", "zz"],
        "release_date": ["2025-04-23", "2025-04-24", "2024-06-01", "2025-02-10", "2025-02-01", "2025-09-01",
                         "2025-02-01"],
    })


def test_release_reasons_window_bounds_and_episodes():
    r = release_reasons(_responses(), _releases(), window_weeks=16).set_index("pid")
    assert list(r.index) == ["a", "b", "c", "d", "f", "e"]  # one row per baseline respondent, undated last
    assert r["reason"].to_dict() == {"a": NOT_KNOWN, "b": RELEASED, "c": NOT_KNOWN, "d": RELEASED,
                                     "f": NOT_KNOWN, "e": NOT_KNOWN}
    assert r.loc["b", "window_end"] == pd.Timestamp("2025-04-23")  # 1 January + 112 days
    assert r.loc["d", "release_date"] == pd.Timestamp("2025-02-10")  # the earlier stay's release is not counted
    assert pd.isna(r.loc["c", "release_date"])
    # a shorter window: b's release falls outside it
    assert release_reasons(_responses(), _releases(), window_weeks=10).set_index("pid").loc["b", "reason"] == NOT_KNOWN


def test_attrition_by_release_reason():
    scores = pd.DataFrame({
        "pid": ["a", "a", "b", "c", "d", "f"],
        "wave": [1, 2, 1, 1, 1, 1],
        "score": [40.0, 52.0, 60.0, 44.0, 56.0, 48.0],
    })
    reasons = release_reasons(_responses(), _releases(), window_weeks=16)
    res = attrition(scores.merge(reasons[["pid", "reason"]], on="pid", how="left"),
                    statuses=RELEASE_STATUSES, other=NOT_KNOWN)
    assert res.counts.set_index("status")["n"].to_dict() == {"completed": 1, RELEASED: 2, NOT_KNOWN: 2}
    assert list(res.counts["status"]) == ["completed", RELEASED, NOT_KNOWN]
    assert res.remarks[0].endswith("4 (80%) have no follow-up score: 2 released, "
                                   "2 for reasons not known (refusal, transfer or other).")
    assert set(res.comparisons["comparison"]) == {"all lost vs completed", f"{RELEASED} vs completed",
                                                  f"{NOT_KNOWN} vs completed"}
    assert res.plot().get_yticklabels()[1].get_text() == "released (n=2)"


def test_release_reasons_errors():
    with pytest.raises(KeyError, match="responses has no column 'when'"):
        release_reasons(_responses(), _releases(), window_weeks=16, date="when")
    with pytest.raises(KeyError, match="releases has no column 'release_date'"):
        release_reasons(_responses(), _releases().rename(columns={"release_date": "out"}), window_weeks=16)
    with pytest.raises(ValueError, match="window_weeks must be a positive number"):
        release_reasons(_responses(), _releases(), window_weeks=0)
    with pytest.raises(ValueError, match="baseline=3 is not a value"):
        release_reasons(_responses(), _releases(), window_weeks=16, baseline=3)
    with pytest.raises(ValueError, match="must not use 'completed'"):
        attrition(pd.DataFrame({"pid": ["a"], "wave": [1], "score": [1.0]}), pre=1, post=2,
                  statuses={"x": "completed"})


@settings(max_examples=60, deadline=None)
@given(baseline_day=st.integers(0, 60), weeks=st.integers(1, 20),
       release_days=st.lists(st.integers(-100, 300), max_size=4))
def test_release_reasons_match_a_plain_check(baseline_day, weeks, release_days):
    start = pd.Timestamp("2025-01-01")
    responses = pd.DataFrame({"pid": ["p"], "wave": [1], "date": [start + pd.Timedelta(days=baseline_day)]})
    releases = pd.DataFrame({"pid": ["p"] * len(release_days),
                             "release_date": [start + pd.Timedelta(days=d) for d in release_days]})
    got = release_reasons(responses, releases, window_weeks=weeks)["reason"].iloc[0]
    inside = [d for d in release_days if baseline_day <= d <= baseline_day + 7 * weeks]
    assert got == (RELEASED if inside else NOT_KNOWN)
