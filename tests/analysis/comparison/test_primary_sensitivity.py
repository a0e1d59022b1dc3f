"""Timing covariates, the exposure-based eligibility rule and the sensitivity table of the primary result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.comparison import (DEFAULT_PS_COVARIATES, TIMING_COVARIATES, add_timing_covariates,
                                 comparison_eligibility, e_value_rr)
from analysis.comparison.primary_sensitivity import primary_sensitivity
from analysis.recidivism import build_cohort, derive_participation, simulate_outcomes


@pytest.fixture(scope="module")
def sim():
    return simulate_outcomes(2500, seed=11, extract_date="2023-12-31")


def test_timing_covariates():
    d = pd.DataFrame({"entry_date": pd.to_datetime(["2024-01-01", "2024-06-01", "2023-01-01"]),
                      "release_date": pd.to_datetime(["2024-03-01", "2024-07-01", "2024-01-10"])})
    out = add_timing_covariates(d, project_start="2024-02-01")
    assert out["days_exposed"].tolist() == [29.0, 30.0, 0.0]
    assert out["release_quarter"].tolist() == ["2024Q1", "2024Q3", "2024Q1"]
    assert out["log_days_exposed"].iloc[0] == pytest.approx(np.log(30))
    with pytest.raises(ValueError, match="project_start"):
        add_timing_covariates(d)


def test_exposure_rule_excludes_people_who_could_not_have_taken_part(sim):
    ep, con = sim
    part = derive_participation(build_cohort(ep).data, con)
    start = pd.to_datetime(con["date"]).min() + pd.Timedelta(days=200)
    timed = add_timing_covariates(part.data, project_start=start)
    el = comparison_eligibility(timed, con, exposure="days_exposed")
    assert el.min_days == timed.loc[timed["group"] == "participant", "days_exposed"].min()
    kept = el.data.loc[el.data["group"] == "non-participant", "days_exposed"]
    assert (kept >= el.min_days).all()
    assert (el.excluded["days_exposed"] < el.min_days).all()
    assert "while the project ran" in el.rule
    # a rule that excludes nobody says so
    none = comparison_eligibility(timed, con, exposure="days_exposed", min_days=0)
    assert any("excludes nobody" in r for r in none.remarks)


def test_primary_sensitivity_rows(sim):
    ep, con = sim
    covs = DEFAULT_PS_COVARIATES + ("index_offence",) + TIMING_COVARIATES
    res = primary_sensitivity(ep, con, covariates=covs, lags=(6, 12, 60), min_at_risk=10)
    t = res.table
    assert list(t.index) == ["court lag 6 months (primary)", "court lag 12 months", "court lag 60 months",
                             "excluding deaths and removals", "without the eligibility rule"]
    assert np.isfinite(t.loc["court lag 6 months (primary)", "risk_difference"])
    # five years of lag leave no follow-up: said, not shown
    assert np.isnan(t.loc["court lag 60 months", "risk_difference"])
    assert t.loc["court lag 60 months", "note"].startswith("not estimated")
    assert t.loc["excluding deaths and removals", "n"] < t.loc["court lag 6 months (primary)", "n"]


def test_e_value_of_a_risk_ratio():
    # VanderWeele & Ding (2017): RR 0.77 -> 1/0.77 = 1.299, E = 1.299 + sqrt(1.299 * 0.299) = 1.922
    ev = e_value_rr(0.77, 0.69, 0.86)
    assert ev.e_point == pytest.approx(1.2987 + np.sqrt(1.2987 * 0.2987), abs=1e-3)
    assert ev.e_limit == pytest.approx(1 / 0.86 + np.sqrt(1 / 0.86 * (1 / 0.86 - 1)), abs=1e-6)
    assert e_value_rr(0.9, 0.8, 1.1).e_limit == 1.0
