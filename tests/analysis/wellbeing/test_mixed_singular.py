"""Convergence by the gradient and the boundary, and the step-down rule for a
singular random slope, against lme4 (tests/reference/wellbeing/reference_extra.R,
r_results_extra.json; R 4.2.2, lme4 with bobyqa).

Seed 1: (1 + t | site) is singular (correlation -1), (1 + t || site) is not.
Seed 4: both are singular (slope variance 0); the rule ends at (1 | site).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.wellbeing.mixed import mixed_model

from .conftest import REF

R = json.loads((REF / "r_results_extra.json").read_text())


def data(seed):
    d = pd.read_csv(REF / f"singular_seed{seed}.csv")
    return d.rename(columns={"t": "wave"})


def vc(ref):
    return dict(zip(ref["vc_names"], ref["vcov"]))


@pytest.mark.parametrize(("seed", "expected"), [(1, "uncorrelated"), (4, "intercept")])
def test_step_down_rule_against_lmer(seed, expected):
    res = mixed_model(data(seed))
    full = R[f"singular_seed{seed}"]["full"]
    # R: isSingular(lmer(score ~ t + (1 + t | site) + (1 | site:pid)))  -- TRUE: the rule steps down
    assert full["singular"] is True
    assert res.random_structure == expected
    ref = R[f"singular_seed{seed}"][expected]
    # R: isSingular(<the model the rule ends at>)  -- FALSE for both seeds
    assert res.singular is ref["singular"] is False
    fx = res.fixed.set_index("term")
    # R: fixef(m); sqrt(diag(vcov(m)))   (m: (1 + t || site) for seed 1, (1 | site) for seed 4)
    assert fx.loc["wave", "estimate"] == pytest.approx(ref["fixef"][1], abs=1e-3 * ref["se"][1])
    assert fx.loc["wave", "se"] == pytest.approx(ref["se"][1], rel=5e-4)
    assert fx.loc["(Intercept)", "se"] == pytest.approx(ref["se"][0], rel=5e-4)
    # R: logLik(m)  (REML)
    assert res.reml_llf == pytest.approx(ref["reml"], abs=1e-3)
    comps = res.variance_components.set_index("component")["estimate"]
    v = vc(ref)
    # R: as.data.frame(VarCorr(m))$vcov
    assert comps["residual variance"] == pytest.approx(v["Residual NA NA"], rel=5e-3)
    assert comps["site intercept variance"] == pytest.approx(
        v.get("site (Intercept) NA", v.get("site.1 (Intercept) NA")), rel=5e-3)
    if expected == "uncorrelated":
        assert comps["site wave-slope variance"] == pytest.approx(v["site t NA"], rel=5e-3)
    assert "site intercept–slope correlation" not in comps.index
    # no false warning: converged by the gradient, and the remarks say why the simpler model
    assert res.converged
    text = " ".join(res.remarks)
    assert "did not converge" not in text and "Singular fit" not in text
    assert "stated rule" in text


def test_forced_full_structure_is_singular_like_lmer_and_still_converged():
    res = mixed_model(data(1), random_slope="full")
    ref = R["singular_seed1"]["full"]
    # R: logLik(lmer(score ~ t + (1 + t | site) + (1 | site:pid)))  -- the boundary optimum
    assert res.reml_llf == pytest.approx(ref["reml"], abs=1e-3)
    # R: fixef(m)
    assert res.fixed.set_index("term").loc["wave", "estimate"] == pytest.approx(ref["fixef"][1], abs=1e-3)
    assert res.singular and res.converged  # at the boundary, yet converged by the gradient
    assert any("Singular fit" in r for r in res.remarks)
    assert not any("did not converge" in r for r in res.remarks)
    corr = res.variance_components.set_index("component").loc["site intercept–slope correlation", "estimate"]
    assert abs(corr) == pytest.approx(1, abs=1e-3)


def test_non_singular_model_is_kept(prepost):
    res = mixed_model(prepost)
    assert res.random_structure == "full" and not res.singular and res.converged
    assert np.isfinite(res.max_gradient) and res.max_gradient < 0.002


def test_bad_random_slope_names_the_options(prepost):
    with pytest.raises(ValueError, match="random_slope"):
        mixed_model(prepost, random_slope="none")
    with pytest.raises(ValueError, match="statsmodels"):
        mixed_model(prepost, engine="statsmodels", random_slope="intercept")
