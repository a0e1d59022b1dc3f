"""The complete-year rate with a propensity model refitted on the people with a complete year (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.comparison import balance, primary_risk, propensity_score
from analysis.comparison.calibration import COVARIATES, simulate_cohort, structure
from analysis.comparison.complete_year import CompleteYearRisk, complete_year_risk


@pytest.fixture(scope="module")
def cohort():
    d = simulate_cohort(np.random.default_rng(21), hr=0.7, ps=structure())
    # make the subgroup differ from the cohort: the complete year is more often missing for participants
    rng = np.random.default_rng(5)
    drop = (d["group"] == "participant") & (d["prior_incarcerations"] >= 2) & (rng.random(len(d)) < 0.6)
    return d.assign(eligible_1y=d["eligible_1y"] & ~drop)


def test_propensity_model_is_refitted_on_the_subgroup(cohort):
    res = complete_year_risk(cohort, covariates=COVARIATES, min_at_risk=10)
    assert isinstance(res, CompleteYearRisk)
    sub = cohort.loc[cohort["eligible_1y"]].reset_index(drop=True)
    assert res.n_subgroup == len(sub) == len(res.propensity.data) and res.n_cohort == len(cohort)
    # the same fit as propensity_score on the subgroup, not the whole cohort's weights
    ps_sub = propensity_score(sub, covariates=COVARIATES, site="site")
    np.testing.assert_allclose(res.propensity.data["weight"], ps_sub.data["weight"], rtol=1e-10)
    ps_all = propensity_score(cohort, covariates=COVARIATES, site="site")
    w_all = ps_all.data.loc[cohort["eligible_1y"].to_numpy(), "weight"].to_numpy()
    assert not np.allclose(res.propensity.data["weight"], w_all)
    # balance is that of the subgroup's own weighting (shown for the subgroup)
    pd.testing.assert_frame_equal(res.balance.table, balance(ps_sub).table)
    assert res.balance.table["smd_w"].abs().max() < 0.1
    # the rates are primary_risk on the refitted subgroup, relabelled exploratory
    ref = primary_risk(ps_sub, n_boot=0, min_at_risk=10).estimates
    np.testing.assert_allclose(res.estimates["estimate"], ref["estimate"], rtol=1e-12)
    np.testing.assert_allclose(res.estimates["lower"], ref["lower"], rtol=1e-12)
    assert (res.estimates["label"] == "EXPLORATORY").all() and res.risk.label == "EXPLORATORY"
    assert "[EXPLORATORY]" in res.title
    assert any("refitted on them" in r for r in res.remarks)
    assert not any(r.startswith("PRIMARY") for r in res.remarks)


def test_everyone_followed_a_year_so_the_risk_is_the_weighted_share(cohort):
    res = complete_year_risk(cohort, covariates=COVARIATES, min_at_risk=10)
    d = res.propensity.data
    y = ((d["status"] == 1) & (d["duration"] <= 365)).to_numpy(float)
    w, z = d["weight"].to_numpy(), d["treated"].to_numpy(bool)
    share = [100 * np.sum(w[s] * y[s]) / np.sum(w[s]) for s in (z, ~z)]
    np.testing.assert_allclose(res.estimates.loc[["risk participants", "risk comparison"], "estimate"], share,
                               rtol=1e-10)


def test_one_group_only_is_refused(cohort):
    d = cohort.assign(eligible_1y=cohort["eligible_1y"] & (cohort["group"] == "participant"))
    with pytest.raises(ValueError, match="fewer than two groups among the people with a complete year"):
        complete_year_risk(d, covariates=COVARIATES)
