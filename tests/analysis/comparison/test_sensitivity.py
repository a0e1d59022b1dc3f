import numpy as np
import pytest

from analysis.comparison import (
    caliper_match, comparison_eligibility, e_value, hr_to_rr, matched_comparison, propensity_score, without_rule,
)

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


@pytest.mark.parametrize("hr", [0.5, 0.75, 0.9, 1.3, 2.5])
def test_e_value_against_R(ref, hr):
    key = f"{hr:g}"
    # R: evalue(hr) with evalue <- function(rr) {rr <- ifelse(rr < 1, 1/rr, rr); rr + sqrt(rr * (rr - 1))}
    #    (VanderWeele & Ding 2017; the published formula, transcribed)      tolerance 1e-12
    assert e_value(hr, rare=True).e_point == pytest.approx(ref("evalue", "e", "rare")[key], rel=1e-12)
    # R: common <- function(hr) (1 - 0.5^sqrt(hr)) / (1 - 0.5^sqrt(1/hr)); evalue(common(hr))
    assert hr_to_rr(hr, rare=False) == pytest.approx(ref("evalue", "rr", "common")[key], rel=1e-12)
    assert e_value(hr, outcome_share=0.4).e_point == pytest.approx(ref("evalue", "e", "common")[key], rel=1e-12)


def test_e_value_interval_and_textbook_value():
    # VanderWeele & Ding (2017): RR 3.9 gives E = 7.26
    assert e_value(3.9, rare=True).e_point == pytest.approx(3.9 + np.sqrt(3.9 * 2.9))
    assert round(e_value(3.9, rare=True).e_point, 2) == 7.26
    res = e_value(0.7, 0.55, 0.9, outcome_share=0.05)
    assert res.rare and res.e_limit == pytest.approx(1 / 0.9 + np.sqrt(1 / 0.9 * (1 / 0.9 - 1)))
    assert e_value(0.8, 0.6, 1.1, outcome_share=0.5).e_limit == 1.0
    assert "rare outcome" in e_value(1.5, outcome_share=0.1).remarks[1]
    with pytest.raises(ValueError, match="outcome_share="):
        e_value(0.7)
    assert e_value(0.7, rare=False).plot() is not None


def test_caliper_match(synthetic):
    ps = propensity_score(synthetic, covariates=COVS)
    m = caliper_match(ps, caliper=0.2)
    logit = np.log(ps.data["ps"] / (1 - ps.data["ps"]))
    width = 0.2 * logit.std(ddof=1)
    assert (m.pairs["distance"] <= width).all()
    assert m.pairs["control_row"].is_unique and m.pairs["treated_row"].is_unique  # without replacement
    assert len(m.pairs) + m.n_unmatched == m.n_treated
    assert not ps.data.loc[m.pairs["control_row"], "treated"].any()
    # the distance is to the nearest comparison episode still free at that point: recompute for the first pair
    first = m.pairs.iloc[0]
    comp = logit[~ps.data["treated"]]
    assert first["distance"] == pytest.approx((comp - logit[first["treated_row"]]).abs().min())
    assert m.balance["smd_w"].abs().max() < m.balance["smd"].abs().max()
    narrow = caliper_match(ps, caliper=0.001)
    assert narrow.n_unmatched > m.n_unmatched and any("within the caliper" in r for r in narrow.remarks)
    two = caliper_match(ps, ratio=2, replace=True)
    assert two.data.loc[~two.data["treated"], "weight"].sum() == pytest.approx(len(two.pairs["treated_row"].unique()))
    res = matched_comparison(m)
    assert 0 < res.table.loc["matched (caliper)", "hr_lower"] < res.table.loc["matched (caliper)", "hr_upper"]
    assert m.plot() is not None


def test_with_and_without_rule(cohort_and_contacts):
    data, contacts = cohort_and_contacts
    el = comparison_eligibility(data, contacts, min_days=90)
    ps = propensity_score(el.data, covariates=COVS)
    res = without_rule(el, ps, n_boot=10)
    t = res.table
    assert list(t.index) == ["weighted, with the eligibility rule", "weighted, without the rule", "matched (caliper)"]
    assert t.loc["weighted, without the rule", "n"] == len(data)
    assert t.loc["weighted, with the eligibility rule", "n"] == len(data) - len(el.excluded)
    assert (t["hr_lower"] < t["hr"]).all() and (t["hr"] < t["hr_upper"]).all()
    assert res.plot() is not None
