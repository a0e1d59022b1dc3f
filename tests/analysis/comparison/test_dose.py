import numpy as np
import pandas as pd
import pytest

from analysis.comparison import dose_categories, dose_response

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


def r_name(term):
    return {"log_days_in_custody": "log_days", "log2(1 + dose)": "I(log2(1 + dose))"}.get(
        term, term.replace("dose[", "dose_cat").replace("[", "").replace("]", ""))


def test_dose_models_against_R(synthetic, ref):
    d = synthetic.dropna(subset=["age_at_release"])
    res = dose_response(d)
    for model, analysis in (("categorised", "dose_cat"), ("continuous", "dose_log2")):
        fit = res.models[model]
        names = [r_name(t) for t in fit.index]
        # R: coxph(Surv(duration, event) ~ dose_cat + log_days + <covariates>, data = dd, cluster = site)
        #    and ~ I(log2(1 + dose)) + ...; tolerance: relative 1e-6 (coef, se, robust se)
        np.testing.assert_allclose(fit["coef"], ref(analysis, "coef").loc[names], rtol=1e-6)
        np.testing.assert_allclose(fit["se"], ref(analysis, "se").loc[names], rtol=1e-6)
        np.testing.assert_allclose(fit["se_robust"], ref(analysis, "robust_se").loc[names], rtol=1e-6)
    assert res.categories.index.tolist() == ["0", "1-2", "3-5", "6+"]
    assert res.categories.loc["0", "hr"] == 1.0
    assert res.categories["n"].sum() == len(d)
    assert res.plot() is not None


def test_categories_and_options(synthetic):
    assert dose_categories([0, 1, 2, 3, 5, 6, 40]).tolist() == ["0", "1-2", "1-2", "3-5", "3-5", "6+", "6+"]
    assert dose_categories([0, 1, 2], bins=(0, 1, 2)).tolist() == ["0", "1", "2+"]
    d = synthetic.dropna(subset=["age_at_release"])
    part = dose_response(d, participants_only=True, form="rate")
    assert part.categories.index[0] == "1-2" and (part.categories["n"].sum() == (d["dose"] > 0).sum())
    assert part.continuous.index[0] == "contacts per 30 days in custody"
    lin = dose_response(d, form="per_contact", custody="days_in_custody")
    assert "log_days_in_custody" in lin.models["continuous"].index
    with pytest.raises(ValueError, match="impute them or drop those rows"):
        dose_response(synthetic)
    with pytest.raises(ValueError, match="form="):
        dose_response(d, form="cubic")


def test_time_in_custody_confounding_is_removed():
    # dose grows with time served and only time served raises the hazard: the adjusted dose HR is ~1
    rng = np.random.default_rng(5)
    n = 3000
    days = rng.uniform(30, 720, n)
    dose = rng.poisson(days / 60)
    t = rng.exponential(365 / (0.5 * np.exp(0.8 * np.log(days / 200))))
    d = pd.DataFrame({"dose": dose, "duration": np.ceil(np.minimum(t, 900)), "event": (t < 900).astype(int),
                      "days": days, "site": rng.choice(list("ABCDEFGHIJ"), n), "age": rng.normal(35, 8, n)})
    adj = dose_response(d, custody="days", covariates=("age",), outcome=None, form="per_contact")
    lo, hi = adj.continuous[["hr_lower", "hr_upper"]].iloc[0]
    assert lo < 1 < hi
    assert any("dose can grow with time" in r for r in adj.remarks)
