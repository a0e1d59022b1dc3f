import numpy as np
import pandas as pd
import pytest

from analysis.comparison import balance, comparison_eligibility, propensity_score, smd_table


def _episodes():
    d = pd.DataFrame({
        "pid": ["a", "b", "c", "d", "e", "f"],
        "site": ["S1", "S1", "S2", "S2", "S3", "S3"],
        "group": ["participant", "participant", "non-participant", "non-participant", "non-participant",
                  "participant"],
        "entry_date": pd.to_datetime(["2020-01-01"] * 6),
        "release_date": pd.to_datetime(["2020-03-01", "2020-05-01", "2020-01-20", "2020-06-01", "2020-02-15",
                                        "2020-04-01"]),
    })
    contacts = pd.DataFrame({"pid": ["a", "a", "b", "f", "c"],
                             "date": pd.to_datetime(["2020-01-31", "2020-02-10", "2020-03-01", "2020-02-20",
                                                     "2020-02-01"])})  # c's contact is after release
    return d, contacts


def test_rule_from_contacts():
    d, contacts = _episodes()
    res = comparison_eligibility(d, contacts)
    # first contacts: a 30 days, b 60, f 50 -> threshold 30; c (19 days) excluded, e (45) and d kept
    assert res.min_days == 30
    assert res.excluded["pid"].tolist() == ["c"]
    assert res.counts.loc["non-participant"].tolist() == [3, 1, 2]
    assert res.counts.loc["participant"].tolist() == [3, 0, 3]
    assert len(res.all_data) == 6
    q = comparison_eligibility(d, contacts, quantile=1.0)  # the slowest participant: 60 days
    assert sorted(q.excluded["pid"]) == ["c", "e"]
    s = comparison_eligibility(d, contacts, min_days=0, sites=["S1", "S2"])
    assert s.excluded["pid"].tolist() == ["e"] and s.excluded["reason"].iloc[0] == "not a comparable prison"
    assert "no participant" in res.remarks[0]
    assert res.plot() is not None


def test_rule_from_first_contact_column_ignores_after_release():
    d, _ = _episodes()
    d["first_contact_date"] = pd.to_datetime(["2020-01-11", "2020-07-01", None, None, None, "2020-02-20"])
    res = comparison_eligibility(d)
    assert res.min_days == 10  # b's contact is after release and does not count
    assert any("no dated pre-release contact" in r for r in res.remarks)
    with pytest.raises(KeyError, match="pass group=<your column name>"):
        comparison_eligibility(d, group="arm")


def test_smd_by_hand():
    d = pd.DataFrame({"x": [1.0, 2.0, 3.0, 2.0, 4.0, 6.0], "k": list("aabbbb")})
    z = np.array([True, True, True, False, False, False])
    t = smd_table(d, treated=z, covariates=("x", "k"), weights=np.array([1, 1, 1, 3, 1, 1.0]))
    sd = np.sqrt((1.0 + 4.0) / 2)
    assert t.loc["x", "smd"] == pytest.approx((2 - 4) / sd)
    assert t.loc["x", "smd_w"] == pytest.approx((2 - (6 + 4 + 6) / 5) / sd)
    assert t.loc["k[a]", "mean_treated"] == pytest.approx(2 / 3)


def test_balance_reached_and_not(cohort_and_contacts):
    data, _ = cohort_and_contacts
    ps = propensity_score(data)
    bal = balance(ps)
    assert bal.balanced and bal.table["smd_w"].abs().max() < bal.table["smd"].abs().max()
    assert any(r.startswith("Balance reached") for r in bal.remarks)
    ov = bal.overlap
    assert ov.loc[("all", "participant"), "ess"] == pytest.approx(ps.effective_n["participant"])
    assert set(ov.index.get_level_values("site")) == {"all"} | set(data["site"])
    # a covariate left out of the model stays unbalanced when it drives participation
    skew = data.assign(z=np.where(data["group"] == "participant", 1.0, 0.0) + np.linspace(0, 0.1, len(data)))
    ps2 = propensity_score(skew, covariates=("age_at_release",))
    bal2 = balance(ps2, covariates=("age_at_release", "z"))
    assert not bal2.balanced and any("NOT reached" in r and "z" in r for r in bal2.remarks)
    assert bal.plot() is not None and bal.plot_overlap(by_site=True) is not None
