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
