"""The primary result: weighted Aalen-Johansen risk at one year, its influence-function and bootstrap intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.comparison import propensity_score
from analysis.comparison._fast import cif_at, cif_influence, irls_logit
from analysis.comparison.calibration import COVARIATES, calibrate, simulate_cohort, structure, true_effect
from analysis.comparison.primary import LABEL_PRIMARY, primary_risk
from analysis.recidivism.competing import aalen_johansen

REF = Path(__file__).resolve().parents[2] / "reference" / "comparison"


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF / "primary_data.csv")


@pytest.fixture(scope="module")
def ref():
    r = pd.read_csv(REF / "primary_reference.csv", keep_default_na=False)
    return {(q, g): v for q, g, v in r.itertuples(index=False)}


@pytest.fixture(scope="module")
def fitted(data):
    return propensity_score(data, covariates=COVARIATES, site="site")


def test_propensity_with_prison_fixed_effects_against_R(fitted, ref):
    # R: glm(treated ~ age_at_release + sex + prior_incarcerations + primary_substance + site, family = binomial)
    coef = fitted.coefficients["coef"]
    assert coef["const"] == pytest.approx(ref[("coef:(Intercept)", "")], abs=1e-7)
    assert coef["site[P10]"] == pytest.approx(ref[("coef:siteP10", "")], abs=1e-7)
    assert coef["primary_substance[opioids]"] == pytest.approx(ref[("coef:primary_substanceopioids", "")], abs=1e-7)


def test_irls_equals_statsmodels(fitted):
    from analysis.comparison.propensity import _design

    X = np.column_stack([np.ones(len(fitted.data)), _design(fitted.data, fitted.spec)[0].to_numpy(float)])
    z = fitted.data["treated"].to_numpy()
    beta, mu, ok = irls_logit(X, z)
    glm = sm.GLM(z.astype(float), X, family=sm.families.Binomial()).fit()
    assert ok
    np.testing.assert_allclose(beta, glm.params, atol=1e-8)
    # warm start from the solution: converges at once to the same point
    beta2, _, ok2 = irls_logit(X, z, beta)
    assert ok2 and np.allclose(beta2, beta, atol=1e-10)


@pytest.mark.parametrize("tt", [100, 365])
def test_weighted_cif_and_ij_se_against_R(data, fitted, ref, tt):
    d = fitted.data
    for g in ("participant", "non-participant"):
        s = (d["group"] == g).to_numpy()
        w = d["weight"].to_numpy()[s]
        F, phi = cif_influence(d["duration"].to_numpy()[s], d["status"].to_numpy()[s], w, [tt])
        se = np.sqrt(((w * phi[:, 0] / w.sum()) ** 2).sum())
        # R: summary(survfit(Surv(duration, state) ~ group, weights = w, id = id), times = tt)$pstate[, "reoffence"]
        assert F[0] == pytest.approx(ref[(f"cif{tt}", g)], abs=1e-10)
        # R: the same summary's std.err (infinitesimal jackknife, weights as known)
        assert se == pytest.approx(ref[(f"se{tt}", g)], rel=1e-6)
        assert cif_at(d["duration"].to_numpy()[s], d["status"].to_numpy()[s], w, tt) == pytest.approx(F[0], abs=1e-12)


def test_unweighted_cif_equals_aalen_johansen_and_influence_is_the_derivative():
    rng = np.random.default_rng(3)
    t = rng.integers(1, 400, 300).astype(float)
    st = rng.choice([0, 1, 2, 3], 300, p=[0.4, 0.4, 0.1, 0.1])
    F, _ = cif_influence(t, st, np.ones(300), [365])
    aj = aalen_johansen(t, st)
    assert F[0] == pytest.approx(aj.loc[aj["time"] <= 365, "cif_1"].iloc[-1], abs=1e-12)
    w = rng.uniform(0.5, 2, 300)
    F0, phi = cif_influence(t, st, w, [365])
    w2 = w.copy()
    w2[11] += 1e-6
    F1, _ = cif_influence(t, st, w2, [365])
    assert (F1[0] - F0[0]) / 1e-6 == pytest.approx(phi[11, 0] / w.sum(), rel=1e-4)


def test_primary_risk_influence_interval_agrees_with_bootstrap(fitted):
    r = primary_risk(fitted, n_boot=400, seed=1)
    est = r.estimates
    assert set(est["label"]) == {LABEL_PRIMARY}
    assert "PRIMARY" in r.title and r.remarks[0].startswith("PRIMARY")
    rd = est.loc["risk difference"]
    # the influence-function SE (propensity estimated) and the bootstrap interval agree to about 10%
    boot_half = (rd["boot_upper"] - rd["boot_lower"]) / 2
    assert boot_half / (1.96 * rd["se"]) == pytest.approx(1.0, abs=0.15)
    assert rd["estimate"] == pytest.approx(est.loc["risk participants", "estimate"]
                                           - est.loc["risk comparison", "estimate"])
    # the same seed gives the same draws
    r2 = primary_risk(fitted, n_boot=50, seed=1)
    r3 = primary_risk(fitted, n_boot=50, seed=1)
    pd.testing.assert_frame_equal(r2.boot, r3.boot)


def test_nothing_is_published_past_follow_up(fitted):
    r = primary_risk(fitted, n_boot=0, time=900, min_at_risk=10)
    assert not r.published and r.estimates["estimate"].isna().all()
    assert "Not estimated" in " ".join(r.remarks)
    last = r.curves.groupby("group")["n_risk"].min()
    assert (last >= 10).all()
    r = primary_risk(fitted, n_boot=0, time=365, min_at_risk=10)
    assert r.curves["time"].max() < 800


def test_plain_weights_required(data):
    ps = propensity_score(data, covariates=COVARIATES, site="site", trim=0.05)
    with pytest.raises(ValueError, match="without trim"):
        primary_risk(ps)


def test_calibration_runs_and_truth_is_exact_under_the_null():
    st = structure()
    assert true_effect(1.0, st)["risk_difference"] == 0.0
    d = simulate_cohort(np.random.default_rng(0), hr=0.7, ps=st)
    assert d["site"].nunique() == 10 and d.groupby("site").size().nunique() == 10
    res = calibrate(2, hrs=(1.0, 0.7), n_boot=50, n_boot_reps=1, seed=5, exploratory_reps=1, n_boot_weighted=20)
    s = res.summary
    from analysis.comparison import calibration as cal
    assert set(s.index.get_level_values("interval")) == {
        "influence function", "bootstrap (50)", cal.COX_STRATA, cal.KM_GREENWOOD, cal.WCOX_ROBUST, cal.WCOX_BOOT,
        cal.WKM_BAND, cal.MATCHED, cal.GRAY, cal.WILSON, cal.NEWCOMBE, cal.COMPLETE_YEAR, cal.LOGRANK}
    # the marginal weighted HR has a known truth only under the null
    assert np.isnan(s.loc[(0.7, "hazard ratio", cal.WCOX_ROBUST), "coverage"])
    assert s.loc[(1.0, "hazard ratio", cal.WCOX_BOOT), "coverage"] in (0.0, 1.0)
    assert (s.loc[(1.0, "risk difference", "influence function"), "replicates"]) == 2
    assert (s.loc[(1.0, "risk difference", cal.COMPLETE_YEAR), "replicates"]) == 1
    assert s["coverage"].dropna().between(0, 1).all()


def test_propensity_corrected_se_against_R_stacked_sandwich(fitted):
    """The published SE against an independent R computation: the infinitesimal jackknife of the whole
    procedure (propensity glm refitted with perturbed case weights, ATT weights, survfit), i.e. the
    sandwich of the stacked estimating equations (tests/reference/comparison/primary_if.R)."""
    r = pd.read_csv(REF / "primary_if_reference.csv").set_index("quantity")["value"]
    est = primary_risk(fitted, n_boot=0, time=365, min_at_risk=10).estimates
    # R: 100 * summary(survfit(Surv(duration, state) ~ group, weights = w, id = id), times = 365)$pstate
    assert est.loc["risk participants", "estimate"] == pytest.approx(r["estimate:participant"], rel=1e-9)
    assert est.loc["risk comparison", "estimate"] == pytest.approx(r["estimate:comparison"], rel=1e-9)
    assert est.loc["risk difference", "estimate"] == pytest.approx(r["estimate:rd"], rel=1e-9)
    # R: sqrt(colSums(infl^2)), infl = central differences (step 1e-4) of risks(case weights) per person
    assert est.loc["risk participants", "se"] == pytest.approx(r["se:participant"], rel=1e-7)
    assert est.loc["risk comparison", "se"] == pytest.approx(r["se:comparison"], rel=1e-7)
    assert est.loc["risk difference", "se"] == pytest.approx(r["se:rd"], rel=1e-7)
    assert est.loc["risk ratio", "se"] == pytest.approx(r["se:log_rr"], rel=1e-7)
    # the propensity correction matters: R's survfit std.err (weights taken as known) differs
    assert abs(est.loc["risk comparison", "se"] / r["se_weights_known:comparison"] - 1) > 1e-3
