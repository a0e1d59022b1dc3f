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
