"""What R's summary(coxph) prints, from cox_model (issue 12, part 8); R values in r_summary.csv.

Written by tests/reference/recidivism/reference_summary.R; the R call is above each assertion.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.recidivism.cox import cox_model

from .conftest import REF_DIR

ROSSI_COVS = ("age", "race", "wexp", "mar", "paro", "prio")
SYN_COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


@pytest.fixture(scope="module")
def rsum():
    table = pd.read_csv(REF_DIR / "r_summary.csv", dtype={"key": str}, keep_default_na=False)

    def get(model, stat, key=""):
        sel = (table["model"] == model) & (table["stat"] == stat) & (table["key"] == key)
        assert sel.sum() == 1, (model, stat, key)
        return float(table.loc[sel, "value"].iloc[0])

    return get


def r_name(term):
    return "fin" if term == "fin[1]" else term.replace("[", "").replace("]", "")


def check_summary(res, rsum, model, *, robust=False):
    # R: fit$loglik[1], fit$loglik[2]
    assert res.loglik_null == pytest.approx(rsum(model, "loglik_null"), rel=1e-10)
    assert res.loglik == pytest.approx(rsum(model, "loglik"), rel=1e-9)
    # R: summary(fit)$logtest; fit$wald.test (summary() rounds it); summary(fit)$sctest
    for test, tol in (("likelihood_ratio", 1e-6), ("wald", 1e-6), ("score", 1e-9)):
        row = res.tests.loc[test]
        assert row["chisq"] == pytest.approx(rsum(model, "chisq", test), rel=tol), test
        assert row["df"] == rsum(model, "df", test)
        assert row["p"] == pytest.approx(rsum(model, "p", test), rel=1e-5), test
    if robust:
        # R: coxph(..., cluster = site)$wald.test (the robust Wald test summary() prints)
        assert res.tests.loc["wald_robust", "chisq"] == pytest.approx(rsum(model, "chisq", "wald_robust"), rel=1e-5)
    # R: fit$concordance[c("concordance", "std", "concordant", "discordant", "tied.x")]
    assert res.concordance == pytest.approx(rsum(model, "concordance"), rel=1e-12)
    assert res.concordance_se == pytest.approx(rsum(model, "concordance_se"), rel=1e-9)
    counts = res.concordance_counts
    assert [counts["concordant"], counts["discordant"], counts["tied_x"]] == \
        [rsum(model, "concordant"), rsum(model, "discordant"), rsum(model, "tied_x")]
    # R: exp(coef(fit)) * sqrt(diag(fit$var))   (naive.var with clusters)
    names = [r_name(t) for t in res.summary.index]
    np.testing.assert_allclose(res.summary["se_hr"], [rsum(model, "se_hr", k) for k in names], rtol=1e-6)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_summary_against_R(rossi, rsum, ties):
    res = cox_model(rossi, duration="week", event="arrest", group="fin", covariates=ROSSI_COVS, ties=ties,
                    site_as=None)
    # R: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, rossi, ties = ties)
    check_summary(res, rsum, f"rossi_{ties}")


@pytest.mark.parametrize("site_as", [None, "strata", "cluster"])
def test_synthetic_summary_against_R(synthetic, rsum, site_as):
    res = cox_model(synthetic, covariates=SYN_COVS, site_as=site_as, n_boot=99)
    # R: coxph(Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations + sentence_months
    #          + primary_substance [+ strata(site)], syn [, cluster = site])
    model = {None: "synthetic", "strata": "synthetic_strata", "cluster": "synthetic_cluster"}[site_as]
    check_summary(res, rsum, model, robust=site_as == "cluster")


@pytest.mark.parametrize("site_as", [None, "strata"])
def test_covariate_only_model_against_R(synthetic, rsum, site_as):
    res = cox_model(synthetic, group=None, covariates=SYN_COVS, site_as=site_as)
    model = "covariates_only" + ("_strata" if site_as else "")
    # R: coxph(Surv(duration, event) ~ age_at_release + sex + prior_incarcerations + sentence_months
    #          + primary_substance [+ strata(site)], syn)
    names = [r_name(t) for t in res.summary.index]
    np.testing.assert_allclose(res.summary["coef"], [rsum(model, "coef", k) for k in names], rtol=1e-6)
    np.testing.assert_allclose(res.summary["se"], [rsum(model, "se", k) for k in names], rtol=1e-6)
    check_summary(res, rsum, model)
    assert "group" not in res.ph_test.index and res.detectable is None
    assert res.remarks[0].startswith("Covariate-only Cox model")


def test_missing_site_column_names_the_fix(synthetic):
    with pytest.raises(KeyError, match=r"site_as=None to fit without sites"):
        cox_model(synthetic.drop(columns="site"), covariates=SYN_COVS)
    res = cox_model(synthetic.drop(columns="site"), covariates=SYN_COVS, site_as=None)
    assert res.site_as is None and res.n_clusters is None


def test_nothing_to_fit_is_refused(synthetic):
    with pytest.raises(ValueError, match="nothing to fit"):
        cox_model(synthetic, group=None, covariates=())


def test_an_infinite_coefficient_is_reported_not_a_traceback_from_linear_algebra():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"duration": rng.integers(1, 100, 200),
                      "group": np.where(rng.random(200) < 0.5, "participant", "non-participant")})
    d["event"] = (d["group"] == "participant").astype(int)  # only participants reoffend: HR infinite
    with pytest.raises(RuntimeError, match="heads to infinity"):
        cox_model(d, covariates=(), site_as=None)
