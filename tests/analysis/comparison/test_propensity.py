import numpy as np
import pandas as pd
import pytest

from analysis.comparison import propensity_score
from analysis.comparison.propensity import weights_from_ps

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")
NAMES = {"const": "(Intercept)", "age_at_release": "age_filled", "age_at_release[missing]": "age_missing"}


def r_name(term):
    return NAMES.get(term, term.replace("[", "").replace("]", ""))


def test_logistic_model_and_weights_against_R(synthetic, ref):
    res = propensity_score(synthetic, covariates=COVS)
    coef = res.coefficients
    # R: glm(treated ~ age_filled + age_missing + sex + prior_incarcerations + sentence_months + primary_substance,
    #        family = binomial)   (age: mean of observed + missing indicator)    tolerance: relative 1e-7
    r = ref("ps_glm", "coef")
    np.testing.assert_allclose(coef["coef"], r.loc[[r_name(t) for t in coef.index]], rtol=1e-7, atol=1e-10)
    r = ref("ps_glm", "se")
    np.testing.assert_allclose(coef["se"], r.loc[[r_name(t) for t in coef.index]], rtol=1e-6)
    # R: fitted(ps_fit); ifelse(treated == 1, 1, e / (1 - e))     tolerance: relative 1e-7
    np.testing.assert_allclose(res.data["ps"], ref("ps", "ps").to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(res.data["weight"], ref("ps", "w_att").to_numpy(), rtol=1e-7)
    ate = propensity_score(synthetic, covariates=COVS, estimand="ATE")
    # R: ifelse(treated == 1, 1 / e, 1 / (1 - e))
    np.testing.assert_allclose(ate.data["weight"], ref("ps", "w_ate").to_numpy(), rtol=1e-7)
    assert any("missing-indicator" in r and "age_at_release (" in r for r in res.remarks)


def test_missing_covariates_are_never_dropped_silently(synthetic):
    res = propensity_score(synthetic, covariates=COVS)
    assert len(res.data) == len(synthetic)
    with pytest.raises(ValueError, match="age_at_release.*missing='indicator'"):
        propensity_score(synthetic, covariates=COVS, missing="error")
    # a missing text value becomes its own level "(missing)" (it sorts first, so it is the reference)
    d = synthetic.assign(primary_substance=synthetic["primary_substance"].where(synthetic.index % 20 != 0))
    res = propensity_score(d, covariates=COVS)
    assert len(res.data) == len(d)
    assert "primary_substance[alcohol]" in res.coefficients.index
    assert any("primary_substance (30)" in r for r in res.remarks)


def test_weight_options():
    ps = np.array([0.2, 0.5, 0.8, 0.25, 0.5, 0.75])
    z = np.array([True, True, True, False, False, False])
    np.testing.assert_allclose(weights_from_ps(ps, z), [1, 1, 1, 1 / 3, 1, 3])
    st = weights_from_ps(ps, z, stabilize=True)
    assert st[~z].sum() == pytest.approx(3) and np.allclose(st[z], 1)
    ate = weights_from_ps(ps, z, estimand="ATE", stabilize=True)
    np.testing.assert_allclose(ate, 0.5 * np.array([5, 2, 1.25, 1 / 0.75, 2, 4]))


def test_trim_and_cap(synthetic):
    full = propensity_score(synthetic, covariates=COVS)
    lo, hi = full.data["ps"].quantile([0.1, 0.9])
    trim = round(float(min(lo, 1 - hi)), 3) + 0.001
    res = propensity_score(synthetic, covariates=COVS, trim=trim)
    assert len(res.data) + len(res.trimmed) == len(synthetic) and len(res.trimmed) > 0
    assert res.data["ps"].between(trim, 1 - trim).all()
    assert any("trimmed" in r for r in res.remarks)
    cap = propensity_score(synthetic, covariates=COVS, cap=0.9)
    comp = ~cap.data["treated"]
    assert cap.data.loc[comp, "weight"].max() == pytest.approx(full.data.loc[comp, "weight"].quantile(0.9))


def test_errors_name_the_argument(synthetic):
    with pytest.raises(KeyError, match="pass covariates\\[0\\]=<your column name>"):
        propensity_score(synthetic, covariates=("nope",))
    with pytest.raises(ValueError, match="estimand='ATT'"):
        propensity_score(synthetic, covariates=COVS, estimand="ATC")
    with pytest.raises(ValueError, match="exactly two levels"):
        propensity_score(synthetic.assign(group="participant"), covariates=COVS)


def test_plot_and_repr(synthetic):
    res = propensity_score(synthetic, covariates=COVS, site="site")
    assert any(t.startswith("site[") for t in res.coefficients.index)
    assert res.plot() is not None
    assert "ATT weights" in res._repr_html_()
    assert isinstance(res.to_frame(), pd.DataFrame)
