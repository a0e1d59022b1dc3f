import numpy as np
import pandas as pd
import pytest

from analysis.recidivism.cohort import build_cohort
from analysis.recidivism.participation import derive_participation, fit_time_varying_cox, start_stop
from analysis.recidivism.simulate import simulate_outcomes

COVS = ("prior_incarcerations", "age_at_release", "sex", "primary_substance")


def _cohort(pid, release, duration, event, entry="2020-01-01"):
    return pd.DataFrame(
        {
            "pid": pid,
            "entry_date": pd.to_datetime([entry] * len(pid)),
            "release_date": pd.to_datetime(release),
            "duration": duration,
            "event": event,
        }
    )


def _contacts(pairs):
    return pd.DataFrame({"pid": [p for p, _ in pairs], "date": pd.to_datetime([d for _, d in pairs])})


def test_only_contacts_on_or_before_release_define_the_group():
    cohort = _cohort(["A", "B", "C", "D"], ["2020-06-01"] * 4, [100.0, 200.0, 300.0, 50.0], [1, 0, 1, 1])
    contacts = _contacts([
        ("A", "2020-03-01"), ("A", "2020-06-01"),  # on release day counts
        ("B", "2020-06-02"),  # after release: not a participant
        ("C", "2019-12-31"),  # before this detention started: not this episode
    ])
    res = derive_participation(cohort, contacts)
    assert res.data["group"].tolist() == ["participant", "non-participant", "non-participant", "non-participant"]
    assert res.data["dose"].tolist() == [2, 0, 0, 0]
    naive = derive_participation(cohort, contacts, definition="naive")
    assert naive.data["group"].tolist() == ["participant", "participant", "non-participant", "non-participant"]
    assert naive.data["dose"].tolist() == [2, 0, 0, 0]
    assert "NAIVE" in naive.title and "immortal time" in naive.remarks[0]
    assert res.to_frame().loc["participant", "n"] == 1


def test_start_stop_splits_at_after_release_contact_days():
    cohort = _cohort(["A", "B", "C"], ["2020-06-01"] * 3, [100.0, 30.0, 0.0], [1, 0, 1])
    contacts = _contacts([
        ("A", "2020-06-01"),  # release day: pre-release dose, no split
        ("A", "2020-06-11"), ("A", "2020-06-11"), ("A", "2020-07-01"),
        ("A", "2020-12-01"),  # after the event: ignored
        ("B", "2020-08-01"),  # after censoring: ignored
    ])
    ss = start_stop(cohort, contacts)
    assert ss[["id", "start", "stop", "event", "post_release_contacts"]].values.tolist() == [
        [0, 0.0, 10.0, 0, 0],
        [0, 10.0, 30.0, 0, 2],
        [0, 30.0, 100.0, 1, 3],
        [1, 0.0, 30.0, 0, 0],
        [2, 0.0, 0.5, 1, 0],
    ]
    # total time at risk and events are preserved
    assert ss.groupby("id")["stop"].max().tolist() == [100.0, 30.0, 0.5]
    assert ss["event"].sum() == cohort["event"].sum()


@pytest.fixture(scope="module")
def null_effect():
    # participation has NO effect (hr_participation=1) but is confounded by prior incarcerations,
    # and after-release contacts happen only while people are at large
    outcomes, contacts = simulate_outcomes(3000, seed=2024, hr_participation=1.0)
    cohort = build_cohort(outcomes).data
    return cohort, contacts


def test_no_effect_gives_an_interval_covering_one(null_effect):
    cohort, contacts = null_effect
    part = derive_participation(cohort, contacts)
    ss = start_stop(part.data, contacts, keep=("group",) + COVS)
    res = fit_time_varying_cox(ss, covariates=("group", "post_release_contact") + COVS)
    s = res.to_frame()
    for term in ("group[participant]", "post_release_contact"):
        assert s.loc[term, "hr_lower"] < 1 < s.loc[term, "hr_upper"], s.loc[term]
    assert res.n_subjects == len(cohort)
    assert res.n_events == int(cohort["event"].sum())
    assert "cause-specific" in res.remarks[0]
    assert len(res.plot().get_yticklabels()) == len(s)


def test_naive_ever_contact_definition_is_biased(null_effect):
    """Why the group is defined before release: the naive group looks protective with no true effect."""
    cohort, contacts = null_effect
    naive = derive_participation(cohort, contacts, definition="naive")
    ss = start_stop(naive.data, contacts, keep=("group",) + COVS)
    s = fit_time_varying_cox(ss, covariates=("group",) + COVS).to_frame()
    assert s.loc["group[participant]", "hr_upper"] < 0.8


def test_errors_name_the_argument():
    cohort = _cohort(["A"], ["2020-06-01"], [10.0], [1])
    with pytest.raises(KeyError, match="pass contact_date="):
        derive_participation(cohort, pd.DataFrame({"pid": ["A"], "when": [pd.Timestamp("2020-01-02")]}))
    with pytest.raises(ValueError, match="definition="):
        derive_participation(cohort, _contacts([]), definition="ever")
    bad = pd.DataFrame({"id": [1, 2], "start": [5.0, 0.0], "stop": [5.0, 3.0], "event": [1, 0],
                        "post_release_contact": [0, 1]})
    with pytest.raises(ValueError, match="start_stop"):
        fit_time_varying_cox(bad)


def test_time_varying_cox_against_R(ref):
    from .conftest import REF_DIR

    ss = pd.read_csv(REF_DIR / "synthetic_startstop.csv")
    res = fit_time_varying_cox(ss, covariates=("group", "post_release_contact", "age_at_release",
                                               "prior_incarcerations"))
    names = [t.replace("[", "").replace("]", "") for t in res.summary.index]
    for stat in ("coef", "se"):
        # R: coxph(Surv(start, stop, event) ~ group + post_release_contact + age_at_release + prior_incarcerations,
        #          data=ss, ties="efron")    -- tolerance 1e-5 relative (lifelines' convergence criterion)
        want = ref("synthetic", "cox_tv_efron", stat).set_index("key")["value"].loc[names]
        np.testing.assert_allclose(res.summary[stat].to_numpy(), want.to_numpy(), rtol=1e-5)
