"""Publication helpers of the comparison: remarks, balance frame, figure guards, designs, headline sentence."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.comparison import (
    balance, comparison_eligibility, dose_response, propensity_score, weighted_comparison,
)
from analysis.comparison.designs import design_sensitivity
from analysis.comparison.published import (
    balance_frame, design_frame, publishable_balance, publishable_comparison_remarks, publishable_dose,
    weighted_sentence,
)
from analysis.disclosure import DisclosurePolicy

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")
P10 = DisclosurePolicy(threshold=10)


@pytest.fixture(scope="module")
def fitted(cohort_and_contacts):
    data, contacts = cohort_and_contacts
    data = data.copy()
    # one small site (4 people, all in one group) and a rare substance level (3 people)
    data.loc[data.index[:4], "site"] = "SX"
    data.loc[data.index[:4], "group"] = "participant"
    data["primary_substance"] = data["primary_substance"].astype(object)
    data.loc[data.index[4:7], "primary_substance"] = "rare"
    el = comparison_eligibility(data, contacts)
    ps = propensity_score(el.data, covariates=COVS)
    return el, ps, balance(ps)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 500), x=st.integers(0, 500))
def test_x_of_n_never_reveals_a_small_count(n, x):
    x = min(x, n)
    (out,) = publishable_comparison_remarks([f"{x} of {n} participants matched."], P10)
    for k in (x, n, n - x):
        if 0 < k < 10:
            assert f"{k} of" not in out.replace("fewer than 10", "")
            assert not any(tok == str(k) for tok in out.replace("(", " ").split())
    if min(x, n - x) >= 10 or (x == 0 and n >= 10) or (x == n and n >= 10):
        assert out == f"{x} of {n} participants matched."


def test_other_count_patterns():
    out = publishable_comparison_remarks([
        "Eligibility rule: at least 30 days; it excluded 4 comparison episode(s).",
        "Missing covariates handled by the missing-indicator rule: age_at_release (3), sex (40).",
        "Categories with fewer than 10 people (6+): suppress before publication or merge categories (bins=).",
        "2 participant(s) have a propensity score above every comparison episode's.",
    ], P10)
    assert out[0].endswith("excluded fewer than 10 comparison episode(s).")
    assert out[1].endswith("age_at_release (fewer than 10), sex (40).")
    assert len(out) == 3  # the analyst's "suppress before publication" remark is dropped
    assert out[2].startswith("fewer than 10 participant(s)")
    with pytest.raises(TypeError, match="list of strings"):
        publishable_comparison_remarks("one string")


def test_balance_frame_counts_persons(fitted):
    _, ps, bal = fitted
    f = balance_frame(bal, ps)
    assert list(f["term"]) == list(bal.table.index)
    by = f.set_index("term")["persons"]
    d, z = ps.data, ps.data["treated"].to_numpy()
    assert by["age_at_release"] == min(z.sum(), (~z).sum())
    # every level of a covariate carries the smallest count of any of its levels
    levels = [t for t in by.index if t.startswith("primary_substance[")]
    rare = d["primary_substance"] == "rare"
    expect = min(int((rare & z).sum()), int((rare & ~z).sum()))
    assert expect < 10 and (by[levels] == expect).all()
    with pytest.raises(TypeError, match="balance"):
        balance_frame(ps, ps)


def test_publishable_balance_hides_small_terms_and_sites(fitted):
    _, ps, bal = fitted
    pub = publishable_balance(bal, ps, P10)
    assert not any(t.startswith("primary_substance[") for t in pub.table.index)
    assert "age_at_release" in pub.table.index
    assert "SX" in set(bal.ps["site"]) and "SX" not in set(pub.ps["site"])
    sizes = pub.ps.groupby(["site", "treated"]).size().unstack(fill_value=0)
    assert (sizes >= 10).all().all()
    assert any("prison(s) not shown" in r for r in pub.remarks)
    assert pub.plot() is not None and pub.plot_overlap(by_site=True) is not None


def test_publishable_dose(fitted):
    el, _, _ = fitted
    dr = dose_response(el.data, covariates=("age_at_release",), bins=(0, 1, 3))
    high = DisclosurePolicy(threshold=int(dr.categories["n"].min()) + 1)
    pub = publishable_dose(dr, high)
    assert len(pub.categories) == len(dr.categories) - 1 and pub.remarks
    assert len(publishable_dose(dr, P10).categories) == len(dr.categories)


@pytest.fixture(scope="module")
def compared(cohort_and_contacts):
    data, contacts = cohort_and_contacts
    el = comparison_eligibility(data, contacts, min_days=60)
    ps = propensity_score(el.data, covariates=COVS)
    wc = weighted_comparison(ps, n_boot=20)
    return el, ps, wc


def test_design_sensitivity_reuses_the_weighted_result(compared, cohort_and_contacts):
    el, ps, wc = compared
    contacts = cohort_and_contacts[1]
    assert len(el.excluded) > 0
    res = design_sensitivity(el, ps, wc, n_boot_without=20)
    t = res.table
    assert list(t.index) == ["weighted, with the eligibility rule", "weighted, without the rule", "matched (caliper)"]
    assert t.loc["weighted, with the eligibility rule", "hr"] == pytest.approx(wc.hazard_ratio[0])
    assert t.loc["weighted, without the rule", "n"] == len(el.data) + len(el.excluded)
    assert t.loc["weighted, without the rule", "hr"] != pytest.approx(wc.hazard_ratio[0])
    assert t["unmatched"].iloc[:2].eq(0).all()
    # the rule excluding nobody: the same analysis, not a second bootstrap
    el0 = comparison_eligibility(el.data, contacts, min_days=0)
    res0 = design_sensitivity(el0, ps, wc)
    assert res0.table.iloc[1]["hr"] == res0.table.iloc[0]["hr"]
    assert any("same analysis" in r for r in res0.remarks)
    with pytest.raises(TypeError, match="weighted"):
        design_sensitivity(el, ps, ps)


def test_design_frame_hides_the_unmatched_count(compared):
    el, ps, wc = compared
    res = design_sensitivity(el, ps, wc, n_boot_without=5)
    n_part = int(ps.data["treated"].sum())
    un = int(res.table.loc["matched (caliper)", "unmatched"])
    pol = DisclosurePolicy(threshold=max(un + 1, 2))
    f = design_frame(res, n_part, pol).set_index("design")
    matched = f.loc["matched (caliper)", "people"]
    assert matched.startswith("all but fewer than") and str(n_part - un) not in matched
    assert f.loc["weighted, with the eligibility rule", "people"] == str(len(ps.data))
    # nothing small: the count itself is shown
    big = DisclosurePolicy(threshold=2) if un == 0 or un >= 2 else None
    if big is not None:
        assert design_frame(res, n_part, big).set_index("design").loc["matched (caliper)", "people"] == str(
            int(res.table.loc["matched (caliper)", "n"]))


def test_weighted_sentence(compared):
    _, _, wc = compared
    r = wc.estimates.loc["one-year rate difference"]
    s = weighted_sentence(wc)
    assert s.startswith("For every 100 participants")
    if r["upper"] < 0:
        assert "fewer reoffended" in s
    elif r["lower"] > 0:
        assert "more reoffended" in s
    else:
        assert "cannot tell" in s
    assert f"{abs(100 * r['lower']):.0f}" in s
    with pytest.raises(TypeError):
        weighted_sentence(r)
