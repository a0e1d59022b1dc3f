"""Participants against non-participants: the groups rule, and the comparison against R
(tests/reference/wellbeing/reference_extra.R, section 5: lm and a written-out HC1 sandwich)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.wellbeing.participation import (NON_PARTICIPANT, PARTICIPANT, participation_change,
                                              participation_groups)

from .conftest import REF

R = json.loads((REF / "r_results_extra.json").read_text())["participation"]


@pytest.fixture(scope="module")
def synthetic():
    sp = pd.read_csv(REF / "synthetic_prepost.csv")
    groups = sp[sp["wave"] == "T0"][["pid", "group", "age"]].copy()
    groups["group"] = np.where(groups["group"] == "participant", PARTICIPANT, NON_PARTICIPANT)
    return sp.drop(columns=["group"]), groups


def test_ancova_and_weighted_ancova_against_R(synthetic):
    scores, groups = synthetic
    res = participation_change(scores, groups, covariates=("age",), pre="T0", post="T1", mixed=False)
    t = res.to_frame().set_index("analysis")
    assert t["n_participants"].iloc[0] == R["n_participants"] and t["n_comparison"].iloc[0] == R["n_comparison"]
    # R: mean(ch[part == 1]) - mean(ch[part == 0]); t.test(...)$p.value (Welch)
    assert t.loc["difference in mean change (unadjusted)", "estimate"] == pytest.approx(R["diff_change"], abs=1e-10)
    assert t.loc["difference in mean change (unadjusted)", "p_val"] == pytest.approx(R["welch_p"], rel=1e-8)
    # R: coef(lm(post ~ part + pre + site))["part"], and its SE
    assert t.loc["ANCOVA (baseline score, prison)", "estimate"] == pytest.approx(R["ancova"], abs=1e-10)
    assert t.loc["ANCOVA (baseline score, prison)", "se"] == pytest.approx(R["ancova_se"], abs=1e-10)
    # R: coef(lm(..., weights = w))["part"], w = ATT weights from glm(part ~ pre + age + site, binomial)
    assert t.loc["ANCOVA, propensity-weighted (ATT)", "estimate"] == pytest.approx(R["ancova_w"], abs=1e-6)
    # R: sqrt(diag(bread %*% meat %*% bread * n / (n - p)))[2]  (HC1)
    assert t.loc["ANCOVA, propensity-weighted (ATT)", "se"] == pytest.approx(R["ancova_w_hc1_se"], abs=1e-6)
    assert any("level 3 of the Maryland" in r for r in res.remarks)
    assert res.balance.loc["baseline_score", "smd_w"] == pytest.approx(0, abs=0.1)


def test_group_by_wave_mixed_model_row(synthetic):
    scores, groups = synthetic
    res = participation_change(scores, groups, covariates=("age",), pre="T0", post="T1")
    row = res.to_frame().set_index("analysis").loc["mixed model, wave × group (all data)"]
    # R: fixef(lmer(score ~ t * part + (1 + t | site) + (1 | site:pid)))["t:part"] (r_results.json)
    ref = json.loads((REF / "r_results.json").read_text())["lmer_synthetic_group"]
    assert row["estimate"] == pytest.approx(ref["fixef"]["t:part"], abs=1e-3 * ref["se"]["t:part"])


def test_groups_from_log_then_self_report():
    resp = pd.DataFrame({
        "pid": ["a", "a", "b", "c", "c", "d"], "site": "P01", "wave": [1, 2, 1, 1, 2, 1],
        "date": pd.to_datetime(["2025-03-01", "2025-06-01", "2025-03-01", "2025-03-01", "2025-06-01", "2025-03-01"]),
        "peer_contact": [0, 0, 1, 0, np.nan, np.nan]})
    log = pd.DataFrame({"pid": ["a", "c", "d"], "date": pd.to_datetime(["2025-04-01", "2025-07-01", "2024-10-01"]),
                        "setting": ["in custody", "in custody", "in custody"]})
    g = participation_groups(resp, log, window_weeks=16).persons.set_index("pid")
    # a: logged contact between baseline and follow-up beats the self-reported "no"
    assert (g.loc["a", "group"], g.loc["a", "source"]) == (PARTICIPANT, "contact log")
    # b: log silent, says yes
    assert (g.loc["b", "group"], g.loc["b", "source"]) == (PARTICIPANT, "self-report")
    # c: contact after the follow-up does not count; says no
    assert (g.loc["c", "group"], g.loc["c", "source"]) == (NON_PARTICIPANT, "self-report")
    # d: contact long before baseline; no answer
    assert (g.loc["d", "group"], g.loc["d", "source"]) == (NON_PARTICIPANT, "neither")
