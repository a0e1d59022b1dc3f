import numpy as np
import pandas as pd
import pytest

from analysis.comparison import propensity_score, weighted_comparison, weighted_cox, weighted_km
from analysis.comparison import weighted_rate_difference
from analysis.comparison._cox import cox_one_term

from .conftest import confounded

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


@pytest.fixture(scope="module")
def rdata(synthetic, ref):
    """The synthetic data with R's own ATT and ATE weights."""
    return synthetic.assign(w_att=ref("ps", "w_att").to_numpy(), w_ate=ref("ps", "w_ate").to_numpy(),
                            treated=(synthetic["group"] == "participant").astype(float))


@pytest.mark.parametrize("weights, analysis", [("w_att", "cox_att_cluster"), ("w_ate", "cox_ate_cluster")])
def test_weighted_cox_against_R(rdata, ref, weights, analysis):
    res = weighted_cox(rdata, weights=weights)
    s = res.summary.loc["group[participant]"]
    # R: coxph(Surv(duration, event) ~ treated, weights = w, cluster = site)  (Efron)
    # tolerance: relative 1e-6 (lifelines and coxph stop their Newton iterations at slightly different points)
    assert s["coef"] == pytest.approx(ref(analysis, "coef")["treated"], rel=1e-6)
    assert s["se"] == pytest.approx(ref(analysis, "se")["treated"], rel=1e-6)
    assert s["se_robust"] == pytest.approx(ref(analysis, "robust_se")["treated"], rel=1e-6)
    assert s["se_cr"] == pytest.approx(s["se_robust"] * np.sqrt(10 / 9))
    assert res.n_clusters == 10


def test_weighted_cox_robust_and_covariates_against_R(rdata, ref):
    res = weighted_cox(rdata, weights="w_att", site=None)
    # R: coxph(Surv(duration, event) ~ treated, weights = w_att, robust = TRUE)$coefficients[, "robust se"]
    assert res.summary["se_robust"].iloc[0] == pytest.approx(ref("cox_att_robust", "robust_se")["treated"], rel=1e-6)
    cov = weighted_cox(rdata, weights="w_att", covariates=("prior_incarcerations", "sex"))
    names = ["treated", "prior_incarcerations", "sexmale"]
    # R: coxph(Surv(duration, event) ~ treated + prior_incarcerations + sex, weights = w_att, cluster = site)
    np.testing.assert_allclose(cov.summary["coef"], ref("cox_att_cluster_cov", "coef").loc[names], rtol=1e-6)
    np.testing.assert_allclose(cov.summary["se_robust"], ref("cox_att_cluster_cov", "robust_se").loc[names],
                               rtol=1e-6)


def test_fast_one_term_cox_against_R(rdata, ref):
    beta, var = cox_one_term(rdata["duration"], rdata["event"], rdata["treated"], rdata["w_att"])
    # R: coxph(Surv(duration, event) ~ treated, weights = w_att)   tolerance: relative 1e-9
    assert beta == pytest.approx(ref("cox_att_cluster", "coef")["treated"], rel=1e-9)
    assert np.sqrt(var) == pytest.approx(ref("cox_att_cluster", "se")["treated"], rel=1e-9)


def test_weighted_km_against_R(rdata, ref):
    km = weighted_km(rdata, weights="w_att")
    for g in ("participant", "non-participant"):
        got = km.loc[km["group"] == g].set_index("time")
        surv = ref("km_att", "surv", g)
        # R: survfit(Surv(duration, event) ~ group, weights = w_att)$surv, $n.risk   tolerance: relative 1e-10
        np.testing.assert_allclose(got["surv"], surv.to_numpy(), rtol=1e-10)
        np.testing.assert_array_equal(got.index.to_numpy(), surv.index.astype(float).to_numpy())
        np.testing.assert_allclose(got["n_risk"], ref("km_att", "n_risk", g).to_numpy(), rtol=1e-10)
        at = weighted_km(rdata, weights="w_att", grid=[180, 365, 730])
        # R: summary(fit, times = c(180, 365, 730))$surv
        np.testing.assert_allclose(at.loc[at["group"] == g, "surv"], ref("km_att_at", "surv", g).to_numpy(),
                                   rtol=1e-10)


def test_weighted_rate_against_R(rdata, ref):
    rd = weighted_rate_difference(rdata, weights="w_att")
    for g in ("participant", "non-participant"):
        # R: weighted.mean(reoffended_1y, w_att) among eligible_1y, per group   tolerance 1e-12
        assert rd.loc[g, "rate"] == pytest.approx(ref("rate_1y_att", "rate", g).iloc[0], rel=1e-12)
    assert rd.loc["difference", "rate"] == pytest.approx(rd.loc["participant", "rate"]
                                                         - rd.loc["non-participant", "rate"])


def test_weighted_comparison_point_estimates_and_bootstrap(synthetic, ref):
    ps = propensity_score(synthetic, covariates=COVS)
    wc = weighted_comparison(ps, n_boot=30, seed=1)
    est = wc.estimates
    # the point estimates are R's: coxph(..., weights = w_att)
    assert np.log(est.loc["hazard ratio", "estimate"]) == pytest.approx(ref("cox_att_cluster", "coef")["treated"],
                                                                        rel=1e-6)
    assert est.loc["hazard ratio", "lower"] < est.loc["hazard ratio", "estimate"] < est.loc["hazard ratio", "upper"]
    assert len(wc.boot) + wc.n_failed == 30
    cur = wc.curves
    assert (cur["lower"] <= cur["surv"] + 1e-12).all() and (cur["surv"] <= cur["upper"] + 1e-12).all()
    assert (cur["n_risk"] >= 10).all()
    again = weighted_comparison(ps, n_boot=30, seed=1)
    pd.testing.assert_frame_equal(wc.estimates, again.estimates)  # seeded
    # the bootstrap refits the propensity model: with fixed weights the replicates would differ
    assert any("refitted" in r for r in wc.remarks)
    assert wc.plot() is not None
    ind = weighted_comparison(ps, n_boot=20, cluster=None, seed=2)
    assert "within groups" in ind.remarks[1]


def _coverage(hr, *, reps, n, n_boot, truth):
    covered, naive_err, weighted_err = 0, [], []
    for rep in range(reps):
        d = confounded(n, hr=hr, seed=int(1000 * hr) + rep)
        ps = propensity_score(d, covariates=("x", "c"))
        wc = weighted_comparison(ps, site=None, cluster=None, n_boot=n_boot, seed=rep, times=(365,))
        est, lo, hi = wc.hazard_ratio
        covered += lo <= truth <= hi
        weighted_err.append(np.log(est) - np.log(truth))
        naive, _ = cox_one_term(d["duration"], d["event"], (d["group"] == "participant").astype(float))
        naive_err.append(naive - np.log(truth))
    return covered, np.mean(np.abs(weighted_err)), np.mean(np.abs(naive_err))


def test_simulation_no_effect_is_recovered():
    # true hazard ratio 1 for everyone, so the marginal (ATT) hazard ratio is 1; confounding biases the naive HR
    covered, werr, nerr = _coverage(1.0, reps=8, n=400, n_boot=200, truth=1.0)
    assert covered >= 6  # 95% intervals: P(<= 5 of 8 covered) < 0.01 if the coverage is right
    assert werr < nerr


def _true_att_hr(hr, n=60000, seed=99):
    """Marginal hazard ratio among participants: potential outcomes of the same people under both arms."""
    d = confounded(n, hr=1.0, seed=seed)
    sel = d["group"] == "participant"
    rng = np.random.default_rng(seed + 1)
    x, c = d.loc[sel, "x"].to_numpy(), (d.loc[sel, "c"] == "yes").to_numpy(float)
    rate = 0.6 * np.exp(0.5 * x + 0.4 * c) / 365.25
    e = rng.exponential(size=(2, len(x)))
    t1, t0 = e[0] / (rate * hr), e[1] / rate
    cens = rng.uniform(1.0, 3.0, (2, len(x))) * 365.25
    t = np.concatenate([np.minimum(t1, cens[0]), np.minimum(t0, cens[1])])
    ev = np.concatenate([t1 <= cens[0], t0 <= cens[1]])
    z = np.repeat([1.0, 0.0], len(x))
    beta, _ = cox_one_term(t, ev, z)
    return float(np.exp(beta))


def test_simulation_known_effect_is_recovered():
    truth = _true_att_hr(0.6)
    assert 0.6 < truth < 0.75  # non-collapsibility pulls the marginal HR towards 1
    covered, werr, nerr = _coverage(0.6, reps=8, n=400, n_boot=200, truth=truth)
    assert covered >= 6
    assert werr < nerr


def test_errors(synthetic):
    with pytest.raises(TypeError, match="propensity_score"):
        weighted_comparison(synthetic)
    with pytest.raises(KeyError, match="pass weights=<your column name>"):
        weighted_cox(synthetic, weights="w")


def test_nothing_carried_forward_past_follow_up():
    d = confounded(600, hr=1.0, seed=4)  # follow-up of one to three years
    ps = propensity_score(d, covariates=("x", "c"))
    wc = weighted_comparison(ps, site=None, cluster=None, n_boot=30, seed=1, times=(365, 5000), outcome=None,
                             eligible=None)
    far = wc.estimates.loc["survival difference at 5000"]
    assert far[["estimate", "lower", "upper"]].isna().all()
    assert wc.survival_at.loc[wc.survival_at["time"] == 5000, "surv"].isna().all()
    assert wc.survival_at.loc[wc.survival_at["time"] == 365, "surv"].notna().all()
    assert any("Not estimated at day(s) 5000" in r for r in wc.remarks)
    # the same seed gives the same bootstrap (fast array path)
    again = weighted_comparison(ps, site=None, cluster=None, n_boot=30, seed=1, times=(365, 5000), outcome=None,
                                eligible=None)
    pd.testing.assert_frame_equal(wc.boot, again.boot)
