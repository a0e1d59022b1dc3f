"""The weighted hazard ratio's influence function includes the propensity model (issue 12): each person's
influence is the derivative of the whole procedure (propensity fit, ATT weights, weighted Cox) with
respect to that person's case weight."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.comparison import propensity_score, weighted_cox
from analysis.comparison._cox import cox_one_term
from analysis.comparison.calibration import COVARIATES, simulate_cohort, structure
from analysis.comparison.propensity import _design
from analysis.comparison.weighted import weighted_hr_influence


@pytest.fixture(scope="module")
def fitted():
    d = simulate_cohort(np.random.default_rng(4), hr=0.8, ps=structure())
    return propensity_score(d, covariates=COVARIATES, site="site")


def _log_hr(ps, case):
    """The whole procedure with case weights ``case``: logistic fit (statsmodels), ATT weights, weighted Cox."""
    d = ps.data.reset_index(drop=True)
    X = sm.add_constant(_design(d, ps.spec)[0].to_numpy(float), has_constant="add")
    z = d["treated"].to_numpy(bool)
    fit = sm.GLM(z.astype(float), X, family=sm.families.Binomial(), freq_weights=case).fit(tol=1e-13)
    e = fit.fittedvalues
    w = case * np.where(z, 1.0, e / (1 - e))
    return cox_one_term(d["duration"], d["event"], z.astype(float), w, tol=1e-13)[0]


def test_influence_is_the_derivative_of_the_whole_procedure(fitted):
    n = len(fitted.data)
    res = weighted_hr_influence(fitted)
    # the influence of a few people, by central differences of the whole procedure
    rng = np.random.default_rng(0)
    who = rng.choice(n, 4, replace=False)
    h = 1e-4
    infl = []
    for i in who:
        up, dn = np.ones(n), np.ones(n)
        up[i], dn[i] = 1 + h, 1 - h
        infl.append((_log_hr(fitted, up) - _log_hr(fitted, dn)) / (2 * h))
    np.testing.assert_allclose(res["influence"][who], infl, rtol=2e-4, atol=1e-9)
    assert res["se_log_hr"] == pytest.approx(np.sqrt(np.sum(res["influence"] ** 2)))
    # (1) with weights taken as known the SE is R's coxph(weights=, robust=TRUE) robust SE
    wc = weighted_cox(fitted.data, site=None).summary.iloc[0]
    assert res["se_log_hr_weights_known"] == pytest.approx(wc["se_robust"], rel=1e-8)
    assert res["hr"] == pytest.approx(wc["hr"], rel=1e-8)
    # (2) the correction changes the SE, and the interval is a Wald interval on the log scale
    assert res["se_log_hr"] != pytest.approx(res["se_log_hr_weights_known"], rel=1e-3)
    assert np.log(res["upper"]) - np.log(res["hr"]) == pytest.approx(1.959963984540054 * res["se_log_hr"])


def test_weighted_comparison_with_influence_intervals(fitted):
    from analysis.comparison import weighted_comparison

    opts = dict(cluster=None, site=None, outcome=None, eligible=None, times=(365,), min_at_risk=10)
    a = weighted_comparison(fitted, n_boot=0, intervals="influence", **opts)
    b = weighted_comparison(fitted, n_boot=20, **opts)
    # the same point estimates as the bootstrap version, no bootstrap run
    pd.testing.assert_series_equal(a.survival_at["surv"], b.survival_at["surv"], rtol=1e-9)
    assert a.estimates.loc["hazard ratio", "estimate"] == pytest.approx(b.estimates.loc["hazard ratio", "estimate"])
    assert a.n_boot == 0 and a.boot.empty
    h = weighted_hr_influence(fitted)
    assert a.estimates.loc["hazard ratio", "lower"] == pytest.approx(h["lower"])
    # the KM band is the weighted Aalen-Johansen influence with one cause (1 - KM), propensity included
    from analysis.comparison.primary import influence
    d = fitted.data.reset_index(drop=True)
    X = sm.add_constant(_design(d, fitted.spec)[0].to_numpy(float), has_constant="add")
    z = d["treated"].to_numpy(bool)
    e = d["ps"].to_numpy(float)
    w = np.where(z, 1.0, e / (1 - e))
    F1, F0, psi1, psi0 = influence(X, z, e, w, d["duration"].to_numpy(float), d["event"].to_numpy(int), [365.0])
    row = a.survival_at.set_index("group").loc["non-participant"]
    assert row["surv"] == pytest.approx(1 - F0[0], rel=1e-6)
    se0 = np.sqrt((psi0[:, 0] ** 2).sum())
    assert row["upper"] - row["surv"] == pytest.approx(1.959963984540054 * se0, rel=1e-4)
    assert any("influence function" in r for r in a.remarks)
    with pytest.raises(ValueError, match="outcome=None"):
        weighted_comparison(fitted, n_boot=0, intervals="influence", **{**opts, "outcome": "reoffended_1y",
                                                                         "eligible": "eligible_1y"})
    with pytest.raises(ValueError, match="'bootstrap' or 'influence'"):
        weighted_comparison(fitted, intervals="wild", **opts)
