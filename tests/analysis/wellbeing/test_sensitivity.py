"""δ-adjusted multiple imputation, the tipping point and the 'while detained' estimand."""

import numpy as np
import pandas as pd
import pytest

from analysis.wellbeing.participation import NON_PARTICIPANT, PARTICIPANT, participation_change
from analysis.wellbeing.sensitivity import ESTIMAND, _rubin, delta_adjustment

from .conftest import REF


@pytest.fixture(scope="module")
def synthetic():
    sp = pd.read_csv(REF / "synthetic_prepost.csv")
    groups = sp[sp["wave"] == "T0"][["pid", "group", "age", "reason"]].copy()
    groups["group"] = np.where(groups["group"] == "participant", PARTICIPANT, NON_PARTICIPANT)
    return sp.drop(columns=["group"]), groups


@pytest.fixture(scope="module")
def adjusted(synthetic):
    scores, groups = synthetic
    released = groups.loc[groups["reason"] == "released", "pid"]
    return delta_adjustment(scores, groups, released=released, covariates=("age",), pre="T0", post="T1",
                            deltas=(0, -5, -10, -20, -40), n_imputations=10, seed=3)


def test_released_are_outside_the_estimand_and_others_imputed(synthetic, adjusted):
    scores, groups = synthetic
    n_released = int((groups["reason"] == "released").sum())
    assert adjusted.n_released == n_released > 0
    followed = set(scores.loc[scores["wave"] == "T1", "pid"])
    lost_other = groups[(groups["reason"] != "released") & ~groups["pid"].isin(followed)]
    assert adjusted.n_missing == len(lost_other) > 0
    assert "while detained" in ESTIMAND["intercurrent event"] and "while detained" in adjusted.remarks[0]


def test_estimates_fall_with_delta_and_the_tipping_point_is_found(synthetic, adjusted):
    t = adjusted.to_frame()
    assert np.all(np.diff(t["estimate"]) < 0)  # shifting participants' imputed scores down lowers the difference
    # MAR (δ = 0) close to the complete-case weighted ANCOVA
    scores, groups = synthetic
    cc = participation_change(scores, groups, covariates=("age",), pre="T0", post="T1", mixed=False).estimate()[0]
    assert t.loc[0, "estimate"] == pytest.approx(cc, abs=1.0)
    assert t.loc[0, "ci_low"] > 0  # significant under MAR here
    tip = adjusted.tipping_point
    assert tip is not None and tip < 0
    row = t.set_index("delta").loc[tip]
    assert row["ci_low"] <= 0 <= row["ci_high"]
    assert any(f"δ = {tip:g}" in r for r in adjusted.remarks)


def test_seeded(synthetic, adjusted):
    scores, groups = synthetic
    again = delta_adjustment(scores, groups, released=groups.loc[groups["reason"] == "released", "pid"],
                             covariates=("age",), pre="T0", post="T1", deltas=(0, -5, -10, -20, -40),
                             n_imputations=10, seed=3)
    pd.testing.assert_frame_equal(again.to_frame(), adjusted.to_frame())


def test_rubins_rules_by_hand():
    est, var = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, 0.5])
    q, se, lo, hi, p = _rubin(est, var, 0.95)
    # T = W + (1 + 1/m) B = 0.5 + 4/3 * 1
    assert q == 2.0 and se == pytest.approx(np.sqrt(0.5 + 4 / 3))
    assert lo < q < hi and 0 < p < 1
