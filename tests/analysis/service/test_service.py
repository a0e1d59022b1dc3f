"""Reach, dose and use outcomes on small frames whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.service import dose, reach, use_outcomes

EPISODES = pd.DataFrame({
    "pid": ["a", "b", "c", "d", "e"], "site": ["P1", "P1", "P1", "P2", "P2"],
    "eligible": [1, 1, 1, 1, 0], "release_date": pd.to_datetime(["2025-06-01"] * 5),
})
CONTACTS = pd.DataFrame({
    "pid": ["a", "a", "b", "c", "e"], "site": ["P1", "P1", "P1", "P1", "P2"],
    "date": pd.to_datetime(["2025-05-01", "2025-05-10", "2025-07-01", "2025-05-20", "2025-05-01"]),
    "setting": ["in custody", "in custody", "in custody", "after release", "in custody"],
    "kind": ["individual talk", "group session", "individual talk", "practical help", "individual talk"],
})


def test_reach_counts_contacts_in_custody_before_release_only():
    t = reach(EPISODES, CONTACTS).to_frame().set_index("site")
    # a: reached; b: contact after release date; c: contact after release (setting); d: none; e: not eligible
    assert t.loc["P1", "n_eligible"] == 3 and t.loc["P1", "n_reached"] == 1
    assert t.loc["P2", "n_eligible"] == 1 and t.loc["P2", "n_reached"] == 0
    lo, hi = proportion_confint(1, 3, method="wilson")
    assert (t.loc["P1", "ci_low"], t.loc["P1", "ci_high"]) == pytest.approx((lo, hi))
    overall = reach(EPISODES, CONTACTS, group=None).to_frame().iloc[0]
    assert (overall["n_eligible"], overall["n_reached"]) == (4, 1)


def test_dose_per_person_and_kinds():
    d = dose(CONTACTS)
    pp = d.per_person.iloc[0]
    assert (pp["n_persons"], pp["n_contacts"], pp["median"]) == (4, 5, 1.0)
    k = d.by_kind.set_index(["kind", "setting"])["n_persons"]
    assert k[("individual talk", "in custody")] == 3


def test_use_outcomes_non_users_zero_and_nonresponse_missing():
    f = pd.DataFrame({"used_30d": [0, 1, 1, 1, np.nan], "use_days_30d": [np.nan, 12, -7, 30, np.nan],
                      "injected_30d": [np.nan, 1, 0, -8, np.nan]})
    out = use_outcomes(f)
    assert out["days_used"].tolist()[:4] == [0.0, 12.0, pytest.approx(np.nan, nan_ok=True), 30.0]
    assert np.isnan(out["days_used"].iloc[2]) and np.isnan(out["days_used"].iloc[4])
    assert out["injecting"].tolist()[:3] == [0.0, 1.0, 0.0] and np.isnan(out["injecting"].iloc[3])


def test_survey_participation_log_first_cut_at_questionnaire_or_release():
    from analysis.service import survey_participation
    eps = pd.DataFrame({"pid": ["a", "b", "c", "d"],
                        "release_date": pd.to_datetime(["2025-06-01", "2025-09-01", "2025-06-01", "2025-06-01"])})
    con = pd.DataFrame({"pid": ["a", "b", "c", "x"],
                        "date": pd.to_datetime(["2025-05-01", "2025-08-01", "2025-06-15", "2025-05-01"])})
    resp = pd.DataFrame({"pid": ["a", "b", "c", "d", "e", "f", "x"],
                         "date": pd.to_datetime(["2025-07-01"] * 7),
                         "peer_contact": [0, 1, 1, 1, 1, -1, 0]})
    sp = survey_participation(resp, con, eps)
    d = sp.data.set_index("pid")
    # a: logged contact before release (said no): log wins
    assert (d.loc["a", "group"], d.loc["a", "source"]) == ("had contact", "contact log")
    # b: not yet released, the contact is after the questionnaire: no contact
    assert d.loc["b", "group"] == "no contact" and d.loc["b", "cutoff"] == pd.Timestamp("2025-07-01")
    # c: released 1 June, the contact is after release (before the questionnaire): does not count
    assert d.loc["c", "group"] == "no contact" and d.loc["c", "cutoff"] == pd.Timestamp("2025-06-01")
    # d: in the release records, nothing logged: no contact, whatever they say
    assert (d.loc["d", "group"], d.loc["d", "source"]) == ("no contact", "contact log")
    # e, f: the log is silent: self-report; a nonresponse code leaves the group missing
    assert (d.loc["e", "group"], d.loc["e", "source"]) == ("had contact", "self-report")
    assert d.loc["f", "group"] is None and d.loc["f", "source"] == "self-report"
    # x: only in the contact log (no release record): the log speaks
    assert d.loc["x", "group"] == "had contact"
    assert sp.n_by_source() == {"contact log": 5, "self-report": 1}
    assert int(sp.agreement.to_numpy().sum()) == 5
    assert any("disagree for 5 row(s)" in r for r in sp.remarks)


def test_reach_by_period_pools_small_months_within_a_prison():
    from analysis.service import pooled_periods, reach_by_period

    months = ["2025-01-05"] * 3 + ["2025-02-05"] * 4 + ["2025-04-05"] * 5 + ["2025-05-05"] * 2 + ["2025-06-05"] * 1
    ep = pd.DataFrame({"pid": [f"p{i}" for i in range(len(months))] + ["q0", "q1"],
                       "site": ["P1"] * len(months) + ["P2", "P2"], "eligible": 1,
                       "release_date": pd.to_datetime(months + ["2025-01-01", "2025-03-01"])})
    con = pd.DataFrame({"pid": ["p0", "p3", "p7", "q0"], "date": pd.to_datetime(["2024-12-01"] * 4),
                        "setting": "in custody"})
    pooled = pooled_periods(ep, min_count=5)
    p1 = pooled[pooled["site"] == "P1"].drop_duplicates("period")[["period", "months"]].values.tolist()
    # Jan+Feb = 7 >= 5; Apr = 5; May + Jun = 3 < 5 joins April's period
    assert p1 == [["2025-01 to 2025-02", 2], ["2025-04 to 2025-06", 3]]
    t = reach_by_period(ep, con, min_count=5).to_frame()
    assert t[["site", "period", "n_eligible", "n_reached"]].values.tolist() == [
        ["P1", "2025-01 to 2025-02", 7, 2], ["P1", "2025-04 to 2025-06", 8, 1],
        ["P2", "2025-01 to 2025-03", 2, 1]]  # a prison short in all keeps one short period (withheld downstream)
    assert (t["n_eligible"].sum(), t["n_reached"].sum()) == (17, 4)
