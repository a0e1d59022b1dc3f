"""Holm and Benjamini–Hochberg against R's p.adjust (tests/reference/multiplicity/)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from analysis.multiplicity import adjust_pvalues, benjamini_hochberg, holm

REF = json.loads((Path(__file__).parents[1] / "reference" / "multiplicity" / "r_results.json").read_text())
TOL = 1e-12


def _nan(xs):
    return np.array([np.nan if x is None else x for x in xs], dtype=float)


@pytest.mark.parametrize("name", sorted(REF))
def test_holm_against_R(name):
    # R: p.adjust(p, "holm")   (tests/reference/multiplicity/reference.R)
    np.testing.assert_allclose(holm(_nan(REF[name]["p"])), _nan(REF[name]["holm"]), rtol=0, atol=TOL)


@pytest.mark.parametrize("name", sorted(REF))
def test_bh_against_R(name):
    # R: p.adjust(p, "BH")
    np.testing.assert_allclose(benjamini_hochberg(_nan(REF[name]["p"])), _nan(REF[name]["BH"]), rtol=0, atol=TOL)


def test_result_object_ten_sites():
    p = REF["ten_sites"]["p"]
    res = adjust_pvalues(p, method="holm", labels=[f"P{i:02d}" for i in range(1, 11)])
    frame = res.to_frame()
    assert list(frame.columns) == ["label", "p", "p_adjusted", "significant"]
    # R: p.adjust(p, "holm")[1:2] == c(0.01, 0.072)
    assert frame["significant"].tolist() == [True] + [False] * 9
    assert res.n_tests == 10 and "Holm" in res.title and res.remarks
    assert "<li>" in res._repr_html_()
    bh = adjust_pvalues(p, method="BH")
    assert bh.to_frame()["significant"].sum() == 2 and "Benjamini" in bh.title
    ax = res.plot()
    assert len(ax.get_yticks()) == 10


def test_missing_values_are_kept_and_named():
    res = adjust_pvalues(_nan(REF["with_na"]["p"]), method="holm")
    assert res.n_tests == 5 and "2 comparison(s) without a p-value" in res.remarks[0]


@pytest.mark.parametrize("bad, match", [
    (dict(p=[0.1, 1.2]), "between 0 and 1"),
    (dict(p=[0.1], method="bonferroni"), "method='holm' or method='BH'"),
    (dict(p=[0.1, 0.2], labels=["a"]), "one label per p-value"),
    (dict(p=[0.1], alpha=5), "alpha"),
])
def test_errors_say_what_to_do(bad, match):
    with pytest.raises(ValueError, match=match):
        adjust_pvalues(**bad)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjusted_values_are_ordered_bounded_and_monotone(ps):
    p = np.array(ps)
    for adj in (holm(p), benjamini_hochberg(p)):
        assert np.all(adj >= p - 1e-15) and np.all(adj <= 1)
        order = np.argsort(p, kind="mergesort")
        assert np.all(np.diff(adj[order]) >= -1e-15)  # adjustment keeps the order of the p-values
    assert np.all(benjamini_hochberg(p) <= holm(p) + 1e-15)  # BH is never stricter than Holm


def test_agrees_with_statsmodels():
    # statsmodels multipletests(p, method="holm" / "fdr_bh"), which the module does not call (gc.collect per call)
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    for m in (1, 2, 5, 30):
        p = rng.uniform(size=m) ** 3
        np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=0, atol=1e-15)
        np.testing.assert_allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], rtol=0, atol=1e-15)
