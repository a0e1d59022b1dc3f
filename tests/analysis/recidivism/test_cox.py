import numpy as np
import pandas as pd
import pytest

from analysis.recidivism.cox import cox_model, score_residuals, wild_cluster_score_bootstrap
from analysis.recidivism.phcheck import ph_test

# Tolerances against R's coxph: coefficients and SEs 1e-6 relative (lifelines / statsmodels stop their
# Newton iterations at a slightly different point than coxph); cox.zph chi-squares 1e-5 relative.
RTOL = 1e-6
ROSSI_COVS = ("age", "race", "wexp", "mar", "paro", "prio")
SYN_COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


def r_name(term):
    return "fin" if term == "fin[1]" else term.replace("[", "").replace("]", "")


def check(res, ref, dataset, analysis, stats=("coef", "se")):
    names = [r_name(t) for t in res.summary.index]
    for stat in stats:
        col = {"coef": "coef", "se": "se", "robust_se": "se_robust"}[stat]
        r = ref(dataset, analysis, stat).set_index("key")["value"]
        np.testing.assert_allclose(res.summary[col].to_numpy(), r.loc[names].to_numpy(), rtol=RTOL,
                                   err_msg=f"{analysis} {stat}")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_cox_against_R(rossi, ref, ties):
    res = cox_model(rossi, duration="week", event="arrest", group="fin", covariates=ROSSI_COVS, ties=ties,
                    site_as=None)
    # R: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, rossi, ties=ties)
    check(res, ref, "rossi", f"cox_{ties}")
    # R: fit$loglik[2]
    assert res.loglik == pytest.approx(ref("rossi", f"cox_{ties}", "loglik")["value"].iloc[0], rel=1e-9)
    # R: cox.zph(fit)$table[, "chisq"]   (transform = "km", terms = TRUE)
    zph = ref("rossi", f"zph_{ties}", "chisq").set_index("key")["value"]
    got = res.ph_test.rename(index={"fin": "fin"})["chisq"]
    np.testing.assert_allclose(got.to_numpy(), zph.loc[got.index].to_numpy(), rtol=1e-5)
    assert any("effect of age changes with time" in r for r in res.remarks)
    assert "cause-specific" in res.title


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_robust_se_against_R(rossi, ref, ties):
    data = rossi.assign(id=np.arange(len(rossi)))
    res = cox_model(data, duration="week", event="arrest", group="fin", covariates=ROSSI_COVS, ties=ties,
                    site_as=None, cluster="id")
    # R: coxph(Surv(week, arrest) ~ ..., rossi, ties=ties, robust=TRUE); summary(fit)$coefficients[, "robust se"]
    check(res, ref, "rossi", f"cox_robust_{ties}", stats=("coef", "se", "robust_se"))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_synthetic_cox_strata_and_clusters_against_R(synthetic, ref, ties):
    plain = cox_model(synthetic, covariates=SYN_COVS, ties=ties, site_as=None)
    # R: coxph(Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations + sentence_months
    #          + primary_substance, syn, ties=ties)
    check(plain, ref, "synthetic", f"cox_{ties}")
    strat = cox_model(synthetic, covariates=SYN_COVS, ties=ties, site_as="strata")
    # R: coxph(... + strata(site), syn, ties=ties)
    check(strat, ref, "synthetic", f"cox_strata_{ties}")
    # R: cox.zph(coxph(... + strata(site), ties=ties))$table[, "chisq"]
    zph = ref("synthetic", f"zph_strata_{ties}", "chisq").set_index("key")["value"]
    np.testing.assert_allclose(strat.ph_test["chisq"].to_numpy(), zph.loc[strat.ph_test.index].to_numpy(),
                               rtol=1e-5)
    zph = ref("synthetic", f"zph_{ties}", "chisq").set_index("key")["value"]
    np.testing.assert_allclose(plain.ph_test["chisq"].to_numpy(), zph.loc[plain.ph_test.index].to_numpy(),
                               rtol=1e-5)
    clus = cox_model(synthetic, covariates=SYN_COVS, ties=ties, site_as="cluster", n_boot=999)
    # R: coxph(..., syn, ties=ties, cluster=site); summary(fit)$coefficients[, "robust se"]
    check(clus, ref, "synthetic", f"cox_cluster_{ties}", stats=("coef", "se", "robust_se"))
    s = clus.summary
    np.testing.assert_allclose(s["se_cr"], s["se_robust"] * np.sqrt(10 / 9))
    assert clus.n_clusters == 10


def test_efron_and_breslow_differ_with_ties_but_agree_without(rossi):
    kw = dict(duration="week", event="arrest", group="fin", covariates=ROSSI_COVS, site_as=None)
    e, b = cox_model(rossi, ties="efron", **kw), cox_model(rossi, ties="breslow", **kw)
    assert not np.allclose(e.summary["coef"], b.summary["coef"], rtol=1e-3)
    jitter = rossi.assign(week=rossi["week"] + np.arange(len(rossi)) * 1e-4)
    e, b = cox_model(jitter, ties="efron", **kw), cox_model(jitter, ties="breslow", **kw)
    np.testing.assert_allclose(e.summary["coef"], b.summary["coef"], rtol=1e-5)


def test_cluster_inference_for_few_sites(synthetic):
    res = cox_model(synthetic, covariates=SYN_COVS, site_as="cluster", n_boot=1999, seed=1)
    s = res.summary.loc["group[participant]"]
    assert s["hr_lower_cr"] < s["hr"] < s["hr_upper_cr"]
    assert s["hr_lower_boot"] < s["hr"] < s["hr_upper_boot"]
    # t(9) with G/(G-1) is wider than a normal interval with the same robust SE
    assert s["hr_upper_cr"] / s["hr_lower_cr"] > np.exp(2 * 1.959964 * s["se_robust"])
    again = cox_model(synthetic, covariates=SYN_COVS, site_as="cluster", n_boot=1999, seed=1)
    pd.testing.assert_frame_equal(res.summary, again.summary)  # seeded
    assert any("Only 10 sites" in r for r in res.remarks)
    assert any("webb weights" in r for r in res.remarks)
    assert res.detectable.design_effect >= 1


def test_rademacher_bootstrap_matches_full_enumeration():
    rng = np.random.default_rng(3)
    G, p = 6, 2
    S = rng.normal(size=(G, p))
    S -= S.mean(axis=0)
    V = np.array([[0.5, 0.1], [0.1, 0.3]])
    q = wild_cluster_score_bootstrap(S, V, n_boot=200_000, weights="rademacher", seed=2)
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * G)).reshape(G, -1).T
    A = S @ V
    se = np.sqrt((A**2).sum(axis=0) * G / (G - 1))
    exact = np.quantile(np.abs(signs @ A) / se, 0.95, axis=0)
    np.testing.assert_allclose(q, exact, rtol=0.05)


def test_score_residuals_sum_to_zero_at_the_estimate(synthetic):
    res = cox_model(synthetic, covariates=SYN_COVS, site_as="strata")
    from analysis.recidivism._design import design_matrix

    x = pd.concat([(synthetic["group"] == "participant").astype(float), design_matrix(synthetic, SYN_COVS)], axis=1)
    sc = score_residuals(synthetic["duration"], synthetic["event"], x, res.summary["coef"], strata=synthetic["site"])
    np.testing.assert_allclose(sc.sum(axis=0), 0, atol=1e-4)


def test_stratification_refused_when_a_site_lacks_a_group(synthetic):
    data = synthetic.loc[~((synthetic["site"] == "S03") & (synthetic["group"] == "participant"))]
    with pytest.raises(ValueError, match=r"cannot stratify by 'site': site\(s\) \['S03'\] have no participant"):
        cox_model(data, covariates=SYN_COVS)
    assert cox_model(data, covariates=SYN_COVS, site_as="cluster", n_boot=99).n_clusters == 10


def test_result_presentation(synthetic):
    res = cox_model(synthetic, covariates=SYN_COVS, site_as="cluster", n_boot=99)
    assert res.remarks[0].startswith("Cause-specific hazard ratio of reoffending, participant vs non-participant")
    assert not any("detect a hazard ratio" in r for r in res.remarks)  # one MDE convention: not per model
    assert "<ol" in res._repr_html_()
    ax = res.plot()
    assert ax.get_xscale() == "log" and len(ax.get_yticklabels()) == len(res.summary)


def test_ph_test_flags_a_time_varying_effect():
    rng = np.random.default_rng(5)
    n = 600
    x = rng.integers(0, 2, n).astype(float)
    # hazard ratio 4 during the first 0.3 time units, 1/4 afterwards: non-proportional
    t1 = rng.exponential(1 / np.where(x == 1, 4.0, 1.0))
    late = t1 > 0.3
    t = np.where(late, 0.3 + rng.exponential(1 / np.where(x == 1, 0.25, 1.0)), t1)
    out = ph_test(t, np.ones(n, dtype=int), pd.DataFrame({"x": x}), [0.0])
    assert out.loc["x", "p"] < 1e-6


def test_errors(synthetic):
    with pytest.raises(ValueError, match="ties="):
        cox_model(synthetic, ties="exact")
    with pytest.raises(KeyError, match="pass covariates"):
        cox_model(synthetic, covariates=("age",))
    with pytest.raises(ValueError, match="exactly two levels"):
        cox_model(synthetic.assign(group=synthetic["site"]), covariates=SYN_COVS)
    with pytest.raises(ValueError, match="already clusters"):
        cox_model(synthetic, site_as="cluster", cluster="pid")
