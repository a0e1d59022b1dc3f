"""Reliability coefficients against published values, R and statsmodels.

Reference transcript: tests/reference/themes/agreement.R and its printed
output agreement_R_output.txt (R 4.2.2, psych 2.2.9).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from analysis.themes import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement

# Fleiss (1971): 30 subjects, 6 raters, 5 diagnoses (subject × rater form, as irr's `diagnoses`)
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers
# (columns A-D), 12 units, missing values.
nan = np.nan
KRIPP = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]).T

CODER1 = [1, 2, 3, 1, 1, 2, 2, 3, 3, 1, 2, 1, 3, 2, 2, 1, 1, 3, 2, 1]
CODER2 = [1, 2, 3, 1, 2, 2, 3, 3, 1, 1, 2, 1, 3, 2, 1, 1, 2, 3, 2, 1]


def test_fleiss_kappa_published_fleiss_1971():
    # Fleiss (1971), p. 381: kappa = .430 (published to 3 decimals)
    assert round(fleiss_kappa(DIAGNOSES).estimate, 3) == 0.430


def test_fleiss_kappa_against_R():
    # R: fleiss_kappa(diagnoses)   (formula written in agreement.R)
    assert fleiss_kappa(DIAGNOSES).estimate == pytest.approx(0.4302445201, abs=1e-9)
    # R: percent_agreement(diagnoses)
    assert percent_agreement(DIAGNOSES).estimate == pytest.approx(55.55555556, abs=1e-7)


def test_fleiss_kappa_against_statsmodels():
    table, _ = aggregate_raters(DIAGNOSES)
    assert fleiss_kappa(DIAGNOSES).estimate == pytest.approx(sm_fleiss_kappa(table, method="fleiss"), abs=1e-12)


@pytest.mark.parametrize(
    ("level", "published", "from_r"),
    [
        # R: krippendorff_alpha(kripp, 'nominal')
        ("nominal", 0.743, 0.7434210526),
        # R: krippendorff_alpha(kripp, 'ordinal')
        ("ordinal", 0.815, 0.8153875038),
        # R: krippendorff_alpha(kripp, 'interval')
        ("interval", 0.849, 0.8491071429),
        # R: krippendorff_alpha(kripp, 'ratio')
        ("ratio", 0.797, 0.7974027747),
    ],
)
def test_krippendorff_alpha_published_and_against_R(level, published, from_r):
    alpha = krippendorff_alpha(KRIPP, level=level).estimate
    # published to 3 decimals (Krippendorff 2011)
    assert round(alpha, 3) == published
    # tolerance 1e-9: R printed 10 significant digits
    assert alpha == pytest.approx(from_r, abs=1e-9)


def test_krippendorff_nominal_on_fleiss_data_against_R():
    # R: krippendorff_alpha(diagnoses, 'nominal')
    assert krippendorff_alpha(DIAGNOSES).estimate == pytest.approx(0.4334098283, abs=1e-9)


def test_fleiss_and_agreement_with_missing_against_R():
    # R: fleiss_kappa(kripp)  (units use their own number of raters)
    assert fleiss_kappa(KRIPP).estimate == pytest.approx(0.7607655502, abs=1e-9)
    # R: percent_agreement(kripp)
    assert percent_agreement(KRIPP).estimate == pytest.approx(81.81818182, abs=1e-7)


def test_cohen_kappa_against_R_psych():
    k = cohen_kappa(np.column_stack([CODER1, CODER2]))
    # R: cohen.kappa(cbind(coder1, coder2))$kappa
    assert k.estimate == pytest.approx(0.6183206107, abs=1e-9)
    # R: cohen.kappa(cbind(coder1, coder2))$var.kappa
    assert k.se**2 == pytest.approx(0.02227632177, abs=1e-10)
    # R: cohen.kappa(cbind(coder1, coder2))$confid[1, c(1, 3)]
    assert (k.ci_lower, k.ci_upper) == pytest.approx((0.3257910007, 0.9108502207), abs=1e-9)
    assert k.n_units == 20


def test_cohen_kappa_against_statsmodels():
    table = pd.crosstab(pd.Series(CODER1), pd.Series(CODER2)).to_numpy()
    sm = sm_cohens_kappa(table)
    k = cohen_kappa(np.column_stack([CODER1, CODER2]))
    assert k.estimate == pytest.approx(sm.kappa, abs=1e-12)
    assert k.se == pytest.approx(sm.std_kappa, abs=1e-12)


def test_string_categories_and_missing_rows():
    ratings = pd.DataFrame({"a": ["x", "y", "x", None, "y"], "b": ["x", "y", "y", "x", None]})
    k = cohen_kappa(ratings)
    assert k.n_units == 3
    # 2 of 3 agree; p_e = (2/3 * 1/3) + (1/3 * 2/3) = 4/9
    assert k.estimate == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))
    numbers = ratings.apply(lambda c: c.map({"x": 0, "y": 1}))
    assert krippendorff_alpha(ratings).estimate == pytest.approx(krippendorff_alpha(numbers).estimate)


def test_undefined_when_one_category():
    ratings = np.ones((5, 3))
    assert np.isnan(krippendorff_alpha(ratings).estimate)
    assert np.isnan(fleiss_kappa(ratings).estimate)
    assert np.isnan(cohen_kappa(ratings[:, :2]).estimate)
    assert percent_agreement(ratings).estimate == 100


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match="exactly two coders"):
        cohen_kappa(np.ones((4, 3)))
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(KRIPP, level="metric")
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], level="interval")
    with pytest.raises(ValueError, match="2-D"):
        fleiss_kappa([1, 2, 3])


ratings_matrix = st.integers(2, 4).flatmap(
    lambda k: st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=k, max_size=k), min_size=3, max_size=25
    )
)


@settings(max_examples=60, deadline=None)
@given(ratings_matrix, st.randoms(use_true_random=False))
def test_coefficients_ignore_coder_order(rows, rnd):
    data = np.array(rows, dtype=float)
    order = list(range(data.shape[1]))
    rnd.shuffle(order)
    shuffled = data[:, order]
    for f in (fleiss_kappa, percent_agreement, krippendorff_alpha):
        np.testing.assert_allclose(f(shuffled).estimate, f(data).estimate, equal_nan=True, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(ratings_matrix)
def test_perfect_agreement_gives_one(rows):
    data = np.array(rows, dtype=float)
    first = np.nanmax(np.nan_to_num(data, nan=-1), axis=1)
    perfect = np.where(np.isnan(data), np.nan, first[:, None])
    alpha = krippendorff_alpha(perfect, level="interval").estimate
    assert np.isnan(alpha) or alpha == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=3, max_size=3), min_size=4, max_size=30))
def test_fleiss_matches_statsmodels_on_complete_data(rows):
    data = np.array(rows)
    table, _ = aggregate_raters(data)
    expected = sm_fleiss_kappa(table, method="fleiss") if len(np.unique(data)) > 1 else np.nan
    np.testing.assert_allclose(fleiss_kappa(data).estimate, expected, equal_nan=True, atol=1e-10)
