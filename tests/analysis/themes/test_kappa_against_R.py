"""Kappa family against R: irr's kappam.fleiss / kappa2 (reproduced in base R,
irr cannot be installed here) and psych::cohen.kappa.

Reference transcript: tests/reference/themes/kappa.R, its printed output
kappa_R_output.txt and the values in kappa_R.json (R 4.2.2, psych 2.2.9).
R wrote 15+ significant digits; the tolerance is 1e-9.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.themes import AgreementStatistic, cohen_kappa, conger_kappa, fleiss_kappa

from .test_reliability import DIAGNOSES, KRIPP

REF = Path(__file__).parents[2] / "reference" / "themes"
R = json.loads((REF / "kappa_R.json").read_text())
A23 = pd.read_csv(REF / "bfi_a2_a3.csv")
TOL = 1e-9


def test_fleiss_se_z_and_categories_against_irr():
    res = fleiss_kappa(DIAGNOSES)
    ref = R["fleiss_diagnoses"]
    # R: kappam.fleiss(diagnoses, detail = TRUE)$value
    assert res.estimate == pytest.approx(ref["value"], abs=TOL)
    # R: kappam.fleiss(diagnoses)  -- SEkappa (Fleiss, Nee & Landis), statistic, p.value
    assert res.se0 == pytest.approx(ref["se"], abs=TOL)
    assert res.z == pytest.approx(ref["z"], abs=1e-7)
    assert res.p_val == pytest.approx(ref["p.value"], abs=TOL)
    assert np.isnan(res.ci_lower)  # the null SE gives no interval
    # R: kappam.fleiss(diagnoses, detail = TRUE)$detail  (Kappa, z, p.value per category; pj)
    cats = res.categories
    np.testing.assert_allclose(cats["proportion"], ref["detail"]["proportion"], atol=TOL)
    np.testing.assert_allclose(cats["kappa"], ref["detail"]["kappa"], atol=TOL)
    np.testing.assert_allclose(cats["z"], ref["detail"]["z"], atol=1e-7)
    np.testing.assert_allclose(cats["p_val"], ref["detail"]["p.value"], atol=TOL)
    # irr's documented output for this data set, 3 decimals
    assert cats["kappa"].round(3).tolist() == [0.245, 0.245, 0.520, 0.471, 0.566]
    frame = res.to_frame()
    assert frame["category"].tolist() == ["(all)", 1, 2, 3, 4, 5]
    assert isinstance(res, AgreementStatistic) and res.remarks and "<ol" in res._repr_html_()


def test_fleiss_with_varying_coders_gives_no_se():
    res = fleiss_kappa(KRIPP)
    assert np.isnan(res.se0) and res.categories.empty
    assert any("not given" in r for r in res.remarks)


def test_conger_against_irr_exact():
    # R: kappam.fleiss(diagnoses, exact = TRUE)$value   (irr documents 0.442)
    res = conger_kappa(DIAGNOSES)
    assert res.estimate == pytest.approx(R["conger_diagnoses"]["value"], abs=TOL)
    assert round(res.estimate, 3) == 0.442


@pytest.mark.parametrize(("weights", "key"), [
    # R: kappa2(a23, "unweighted")
    ("unweighted", "unweighted"),
    # R: kappa2(a23, "equal")
    ("linear", "equal"),
    # R: kappa2(a23, "squared")
    ("quadratic", "squared"),
])
def test_cohen_weighted_against_irr(weights, key):
    res = cohen_kappa(A23, weights=weights)
    ref = R["bfi_a2_a3"][key]
    assert res.n_units == ref["subjects"] == 2751
    assert res.estimate == pytest.approx(ref["value"], abs=TOL)
    # irr's z uses the SE under kappa = 0
    assert res.se0 == pytest.approx(ref["se0"], abs=TOL)
    assert res.z == pytest.approx(ref["z"], abs=1e-7)
    # R: fce_var(ttab, weighttab)  -- Fleiss, Cohen & Everitt (1969) large-sample variance
    assert res.se**2 == pytest.approx(ref["fce_var"], abs=1e-12)


def test_cohen_custom_weights_against_irr():
    # R: kappa2(a23, c(0, 1, 3, 6, 10, 15))  -- agreement weight 1 - d/15 by category distance
    dist = np.array([0, 1, 3, 6, 10, 15]) / 15
    i, j = np.meshgrid(range(6), range(6), indexing="ij")
    w = 1 - dist[np.abs(i - j)]
    res = cohen_kappa(A23, weights=w)
    ref = R["bfi_a2_a3"]["custom_0_1_3_6_10_15"]
    assert res.weights == "custom"
    assert res.estimate == pytest.approx(ref["value"], abs=TOL)
    assert res.z == pytest.approx(ref["z"], abs=1e-7)
    assert res.se**2 == pytest.approx(ref["fce_var"], abs=1e-12)


def test_cohen_against_psych():
    res = cohen_kappa(A23)
    ref = R["bfi_a2_a3"]
    # R: cohen.kappa(a23)$kappa, $var.kappa, $confid[1, ]
    assert res.estimate == pytest.approx(ref["psych_kappa"], abs=TOL)
    assert res.se**2 == pytest.approx(ref["psych_var_kappa"], abs=1e-12)
    assert (res.ci_lower, res.ci_upper) == pytest.approx((ref["psych_confid"][0], ref["psych_confid"][2]), abs=TOL)
    # R: cohen.kappa(a23)$weighted.kappa  (quadratic weights)
    assert cohen_kappa(A23, weights="quadratic").estimate == pytest.approx(ref["psych_weighted_kappa"], abs=TOL)


def test_weights_follow_observed_levels_unless_categories_given():
    small = np.column_stack([[1, 2, 2, 4, 4, 5, 1, 2, 5, 4, 1, 2], [1, 2, 4, 4, 5, 5, 2, 2, 4, 4, 1, 1]])
    # R: kappa2(small, "equal")  -- levels 1, 2, 4, 5 (3 unused) at positions 0..3, as irr does
    assert cohen_kappa(small, weights="linear").z == pytest.approx(R["small"]["equal_observed_levels"]["z"], abs=1e-7)
    # R: kappa2(small, "squared")
    assert cohen_kappa(small, weights="quadratic").estimate == pytest.approx(
        R["small"]["squared_observed_levels"]["value"], abs=TOL)
    # with the full scale the unused category widens the distances: a different (documented) kappa
    full = cohen_kappa(small, weights="linear", categories=[1, 2, 3, 4, 5])
    assert full.estimate != pytest.approx(cohen_kappa(small, weights="linear").estimate)


def test_custom_weights_are_checked():
    with pytest.raises(ValueError, match="agreement weights"):
        cohen_kappa(A23, weights=np.zeros((6, 6)))
    with pytest.raises(ValueError, match="6 × 6"):
        cohen_kappa(A23, weights=np.eye(3))
    with pytest.raises(ValueError, match="weights must be one of"):
        cohen_kappa(A23, weights="cubic")


@pytest.mark.parametrize(("name", "data"), [("conger_gwet_diagnoses", "diagnoses"), ("conger_gwet_bfi", "bfi")])
def test_conger_se_against_gwets_formula_in_R(name, data):
    # R: conger_gwet(diagnoses) / conger_gwet(a23)   (Gwet's variance written out in base R, kappa.R section 4)
    ratings = DIAGNOSES if data == "diagnoses" else A23
    res = conger_kappa(ratings)
    ref = R[name]
    assert res.estimate == pytest.approx(ref["value"], abs=TOL)
    assert res.se == pytest.approx(ref["se"], abs=TOL)
    assert res.ci_lower == pytest.approx(ref["lower"], abs=TOL)
    assert res.ci_upper == pytest.approx(ref["upper"], abs=TOL)
    assert any("Gwet" in r for r in res.remarks)


def test_conger_se_is_close_to_a_bootstrap_over_units():
    # an independent check of the linearisation: 2,000 resamples of the 30 diagnoses units
    rng = np.random.default_rng(13)
    values = np.asarray(DIAGNOSES)
    boot = [conger_kappa(values[rng.integers(0, len(values), len(values))]).estimate for _ in range(2000)]
    assert conger_kappa(DIAGNOSES).se == pytest.approx(np.std(boot, ddof=1), rel=0.15)
