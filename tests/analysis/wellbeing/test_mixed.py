import numpy as np
import pandas as pd
import pytest

from analysis.wellbeing.compare import completers_vs_all
from analysis.wellbeing.mixed import mixed_model

from .conftest import REF

# Tolerances against lme4 (different optimisers reach the REML optimum to ~1e-5):
#   fixed effects: 1e-3 × their SE; SEs: relative 5e-4; variances and the
#   correlation: relative 5e-3; REML log-likelihood: 1e-3 absolute.
VC_ORDER = {  # our component name -> position in as.data.frame(VarCorr(m))
    "respondent-in-site variance": 0,
    "site intercept variance": 1,
    "site wave-slope variance": 2,
    "residual variance": 4,
}


def check_against_lmer(res, ref, names):
    fx = res.fixed.set_index("term")
    for ours, theirs in names.items():
        # R: fixef(lmer(..., REML = TRUE))
        assert fx.loc[ours, "estimate"] == pytest.approx(ref["fixef"][theirs], abs=1e-3 * ref["se"][theirs])
        # R: sqrt(diag(vcov(m)))
        assert fx.loc[ours, "se"] == pytest.approx(ref["se"][theirs], rel=5e-4)
    vc = res.variance_components.set_index("component")["estimate"]
    for ours, pos in VC_ORDER.items():
        # R: as.data.frame(VarCorr(m))$vcov
        assert vc[ours] == pytest.approx(ref["vcov"][pos], rel=5e-3)
    # R: as.data.frame(VarCorr(m))$sdcor[4] (intercept–slope correlation by site)
    assert vc["site intercept–slope correlation"] == pytest.approx(ref["sdcor"][3], abs=5e-3)
    # R: logLik(m) (REML)
    assert res.reml_llf == pytest.approx(ref["reml"], abs=1e-3)


@pytest.fixture(scope="module")
def fitted(prepost):
    return mixed_model(prepost)


def test_synthetic_against_lmer(fitted, r_results):
    # R: lmer(score ~ t + (1 + t | site) + (1 | site:pid), REML = TRUE)
    res = fitted
    check_against_lmer(res, r_results["lmer_synthetic"], {"(Intercept)": "(Intercept)", "wave": "t"})
    assert res.n_sites == 10 and res.n_obs == 593 and res.n_subjects == 341
    # known truth: 5 + 0.6 * 3 = 6.8 average change; the interval covers it
    fx = res.fixed.set_index("term").loc["wave"]
    assert fx["ci_low"] < 6.8 < fx["ci_high"]
    assert fx["df"] == 9
    assert any("9 df" in r for r in res.remarks)


@pytest.mark.parametrize("engine", ["reml", "statsmodels"])
def test_synthetic_with_group_against_lmer(prepost, r_results, engine):
    # R: lmer(score ~ t * part + (1 + t | site) + (1 | site:pid), REML = TRUE)
    res = mixed_model(prepost, group="group", engine=engine)
    check_against_lmer(res, r_results["lmer_synthetic_group"], {
        "(Intercept)": "(Intercept)", "wave": "t", "group[participant]": "part",
        "wave:group[participant]": "t:part"})
    assert res.groups == ("comparison", "participant")
    # known truth: the extra change for participants is 3
    fx = res.fixed.set_index("term").loc["wave:group[participant]"]
    assert fx["ci_low"] < 3 < fx["ci_high"]


@pytest.mark.parametrize("engine", ["reml", "statsmodels"])
def test_pixel_against_lmer(r_results, engine):
    # public data nlme::Pixel; R: lmer(pixel ~ t + (1 + t | Dog) + (1 | Dog:Side), REML = TRUE),
    # t = position of the day (0..8)
    px = pd.read_csv(REF / "pixel.csv")
    res = mixed_model(px, subject="Side", wave="day", outcome="pixel", site="Dog", engine=engine)
    check_against_lmer(res, r_results["lmer_pixel"], {"(Intercept)": "(Intercept)", "wave": "t"})
    assert res.waves == (0, 1, 2, 4, 6, 8, 10, 14, 21)


def test_wald_z_is_narrower_than_wald_t(prepost, fitted):
    t = fitted.fixed.set_index("term").loc["wave"]
    z = mixed_model(prepost, ci_method="wald-z").fixed.set_index("term").loc["wave"]
    assert z["estimate"] == pytest.approx(t["estimate"])
    assert (z["ci_high"] - z["ci_low"]) < (t["ci_high"] - t["ci_low"])
    assert np.isinf(z["df"])


def test_parametric_bootstrap_is_seeded(prepost):
    a = mixed_model(prepost, ci_method="bootstrap", n_boot=15, seed=11)
    b = mixed_model(prepost, ci_method="bootstrap", n_boot=15, seed=11)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    vc = a.variance_components
    assert vc["ci_low"].notna().all() and (vc["ci_low"] <= vc["ci_high"]).all()
    assert any("parametric-bootstrap percentiles from 15 refits" in r for r in a.remarks)
    fx = a.fixed.set_index("term").loc["wave"]
    assert fx["ci_low"] < fx["estimate"] < fx["ci_high"]


def test_completers_vs_all_side_by_side(prepost):
    res = completers_vs_all(prepost, group="group")
    t = res.to_frame()
    assert list(t["analysis"].unique()) == ["completers", "mixed model, all data"]
    assert t.loc[t["analysis"] == "completers", "n_subjects"].iloc[:2].sum() == 252
    assert (t.loc[t["analysis"] == "mixed model, all data", "n_subjects"] == 341).all()
    mm = res.mixed.fixed.set_index("term")
    row = t[(t["analysis"] == "mixed model, all data") & (t["quantity"] == "mean change, participant")].iloc[0]
    assert row["estimate"] == pytest.approx(mm.loc["wave", "estimate"] + mm.loc["wave:group[participant]",
                                                                               "estimate"])
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    # completers: mean change per group equals the paired mean change
    comp = t[(t["analysis"] == "completers") & (t["quantity"] == "mean change, comparison")].iloc[0]
    wide = prepost.pivot(index="pid", columns="wave", values="score").dropna()
    grp = prepost.drop_duplicates("pid").set_index("pid")["group"]
    assert comp["estimate"] == pytest.approx((wide["T1"] - wide["T0"])[grp[wide.index] == "comparison"].mean())
    ax = res.plot()
    assert len(ax.get_yticklabels()) == len(t)
    assert any("With 252 complete pairs" in r for r in res.remarks)


def test_one_group_table_and_plot(prepost):
    res = completers_vs_all(prepost)
    assert res.to_frame()["quantity"].tolist() == ["mean change", "mean change (wave effect)"]
    pm = res.mixed.predicted_means()
    assert pm["mean"].diff().iloc[1] == pytest.approx(res.mixed.fixed.set_index("term").loc["wave", "estimate"])
    assert res.mixed.plot().get_xlabel() == "wave"
    assert "Mixed model" in res.mixed._repr_html_()


def test_errors(prepost):
    with pytest.raises(ValueError, match="engine must be"):
        mixed_model(prepost, engine="lme4")
    with pytest.raises(ValueError, match="ci_method"):
        mixed_model(prepost, ci_method="profile")
    with pytest.raises(ValueError, match="at least 3"):
        mixed_model(prepost[prepost["site"].isin(["site01", "site02"])])
    with pytest.raises(ValueError, match="single level"):
        mixed_model(prepost.assign(group="x"), group="group")
    with pytest.raises(KeyError, match="pass site=<your column name>"):
        mixed_model(prepost, site="prison")
