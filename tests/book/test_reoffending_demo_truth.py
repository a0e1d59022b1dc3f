"""The demo's true primary effect lies within the primary interval the reoffending chapter publishes.

The demo writes the sample ATT one-year risk difference of its generated participants
(``demo_truth.yaml``: ``sample.reoffending_primary``, computed exactly from the generating model).
The chapter's calls are repeated here on the demo workspace (the chapter itself is executed on it by
the book tests); both the full and the small demo are checked.
"""

from __future__ import annotations

import pytest

from analysis.comparison import (DEFAULT_PS_COVARIATES, TIMING_COVARIATES, add_timing_covariates,
                                 comparison_eligibility, primary_risk, propensity_score)
from analysis.recidivism import build_cohort, derive_participation
from evaluation.book import context
from evaluation.demo import run_demo
from evaluation.demo.truth import load_truth


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["small", "full"])
def test_demo_truth_within_the_primary_interval(tmp_path, scale):
    demo = run_demo(tmp_path / "ws", scale=scale, out=lambda _m: None)
    ctx = context(demo.workspace.root)
    outcomes, contacts = ctx.outcomes(), ctx.contacts()
    part = derive_participation(build_cohort(outcomes, kind="reconviction", lag_months=6).data, contacts)
    release = tuple(c for c in ("release_type", "residence_status", "opioid_substitution")
                    if c in part.data and part.data[c].notna().any())
    assert release == ("release_type", "residence_status", "opioid_substitution")  # the demo records 1.1
    el = comparison_eligibility(add_timing_covariates(part.data, contacts), contacts, exposure="days_exposed")
    covs = DEFAULT_PS_COVARIATES + ("index_offence",) + release + TIMING_COVARIATES
    ps = propensity_score(el.data, covariates=covs, site="site")
    prim = primary_risk(ps, n_boot=0, min_at_risk=demo.workspace.disclosure_threshold)
    truth = load_truth(demo.workspace.root)["sample"]["reoffending_primary"]
    rd, lo, hi = prim.interval("risk difference")
    assert lo <= truth["risk_difference_per_100"] <= hi, (rd, lo, hi, truth)
    rr, rlo, rhi = prim.interval("risk ratio")
    assert rlo <= truth["risk_ratio"] <= rhi
