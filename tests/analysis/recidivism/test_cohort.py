import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recidivism.cohort import PROBLEM_CODES, build_cohort

from .conftest import episode, frame


def test_first_eligible_release_is_the_unit_and_all_episodes_are_labelled():
    df = frame(
        episode(pid="A", release_date="2021-01-01", entry_date="2020-06-01"),
        episode(pid="A", release_date="2020-03-01", entry_date="2019-06-01"),
        episode(pid="A", release_date="2019-03-01", entry_date="2018-06-01", eligible=False),
        episode(pid="B"),
    )
    first = build_cohort(df)
    assert sorted(first.data.index.tolist()) == [1, 3]
    assert (first.data["episode"] == 1).all()
    assert "SENSITIVITY" not in first.title
    every = build_cohort(df, episodes="all")
    assert sorted(every.data.index.tolist()) == [0, 1, 3]
    assert every.data.loc[0, "episode"] == 2
    assert "SENSITIVITY" in every.title and "not independent" in every.remarks[0]


def test_event_is_dated_by_offence_and_pre_release_offences_are_not_events():
    df = frame(
        episode(pid="A", offence_date="2020-07-01", conviction_date="2021-01-01", reoffence_kind="reconviction"),
        episode(pid="B", offence_date="2020-05-01", conviction_date="2020-09-01", reoffence_kind="reconviction"),
    )
    res = build_cohort(df, pre_release="censor").data
    assert res.loc[0, "event"] == 1 and res.loc[0, "duration"] == 30.0
    assert res.loc[1, "event"] == 0 and res.loc[1, "status"] == 0
    # censored at followup_end (before extract - 6 months)
    assert res.loc[1, "duration"] == (pd.Timestamp("2023-06-01") - pd.Timestamp("2020-06-01")).days
    assert any("before release" in r for r in build_cohort(df, pre_release="censor").remarks)
    # default: the episode with a pre-release first offence leaves the analysis and is counted
    excl = build_cohort(df)
    assert list(excl.data["pid"]) == ["A"]
    assert excl.counts["first offence dated before release (excluded)"] == 1
    assert any("dated before release were excluded" in r for r in excl.remarks)


def test_reimprisonment_counts_only_reimprisonments():
    df = frame(
        episode(pid="A", offence_date="2020-07-01", conviction_date="2021-01-01", reoffence_kind="reconviction"),
        episode(pid="B", offence_date="2020-08-01", conviction_date="2021-01-01", reoffence_kind="reimprisonment"),
    )
    assert build_cohort(df, kind="reconviction").data["event"].tolist() == [1, 1]
    assert build_cohort(df, kind="reimprisonment").data["event"].tolist() == [0, 1]


def test_competing_events_and_ties():
    df = frame(
        episode(pid="A", offence_date="2021-01-01", conviction_date="2021-03-01", reoffence_kind="reconviction",
                death_date="2021-01-01"),
        episode(pid="B", death_date="2020-12-01"),
        episode(pid="C", deportation_date="2020-08-01", offence_date="2020-09-01", conviction_date="2020-10-01",
                reoffence_kind="reconviction"),
    )
    res = build_cohort(df).data
    assert res["status"].tolist() == [1, 2, 3]
    assert res["event"].tolist() == [1, 0, 0]
    assert res.loc[2, "duration"] == 61.0


def test_censoring_closes_follow_up_a_court_lag_before_the_extract():
    # follow-up would run to 2024-06-01 but the extract is 2024-06-30: lag of 6 months closes it at 2023-12-30
    df = frame(
        episode(pid="A", release_date="2022-01-01", followup_end="2024-06-01", offence_date="2024-02-01",
                conviction_date="2024-05-01", reoffence_kind="reconviction"),
    )
    res = build_cohort(df).data
    assert res.loc[0, "event"] == 0
    assert res.loc[0, "end_date"] == pd.Timestamp("2023-12-30")
    res0 = build_cohort(df, lag_months=0).data
    assert res0.loc[0, "event"] == 1


def test_one_year_rate_needs_window_plus_lag_before_extract():
    df = frame(
        episode(pid="A", release_date="2022-12-30", followup_end="2025-01-01"),  # 2023-12-30 + 6m = 2024-06-30 ok
        episode(pid="B", release_date="2023-01-02", followup_end="2025-01-01"),  # too late
        episode(pid="C", release_date="2021-01-01", followup_end="2021-06-01"),  # follow-up shorter than a year
    )
    res = build_cohort(df).data
    assert res["eligible_1y"].tolist() == [True, False, False]
    assert res["eligible_2y"].tolist() == [False, False, False]


def test_impossible_dates_are_reported_with_stable_codes_not_dropped_silently():
    df = frame(
        episode(pid="A"),
        episode(pid="B", entry_date="2020-07-01"),
        episode(pid="C", offence_date="2020-09-01", conviction_date="2020-08-01", reoffence_kind="reconviction"),
        episode(pid="D", death_date="2020-01-01"),
        episode(pid="E", offence_date="2020-09-01", conviction_date="2020-10-01", reoffence_kind="parole"),
        episode(pid="F", release_date=None),
    )
    res = build_cohort(df)
    assert res.flatten() == [
        [1, "release_date", "release-before-entry"],
        [2, "conviction_date", "conviction-before-offence"],
        [3, "death_date", "death-before-release"],
        [4, "reoffence_kind", "unknown-kind"],
        [5, "release_date", "missing-date"],
    ]
    assert set(res.problems["code"]) <= set(PROBLEM_CODES)
    assert res.data.index.tolist() == [0]
    assert res.counts["with impossible dates (excluded)"] == 5
    assert any(".problems" in r for r in res.remarks)


def test_errors_name_the_argument_to_fix():
    df = frame(episode()).rename(columns={"release_date": "released"})
    msg = r"column 'release_date' not found in data; pass release_date=<your column name>"
    with pytest.raises(KeyError, match=msg):
        build_cohort(df)
    assert len(build_cohort(df, release_date="released").data) == 1
    with pytest.raises(ValueError, match="kind="):
        build_cohort(frame(episode()), kind="arrest")


def test_simulated_cohort_summary_and_plot(simulated):
    outcomes, _ = simulated
    res = build_cohort(outcomes)
    frame_ = res.to_frame()
    assert frame_.loc["analysed", "count"] == len(res.data)
    assert res.data["pid"].is_unique
    assert "Cohort" in res._repr_html_()
    assert res.plot().get_title() == "How follow-up ended"


dates = st.dates(min_value=pd.Timestamp("2018-01-01").date(), max_value=pd.Timestamp("2026-01-01").date())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(dates, dates, st.one_of(st.none(), dates), st.one_of(st.none(), dates)), min_size=1,
                max_size=12))
def test_every_episode_is_analysed_or_reported(rows):
    df = frame(*[
        episode(pid=f"P{i}", release_date=str(r), followup_end=str(f),
                offence_date=None if o is None else str(o),
                conviction_date=None if o is None else str(o),
                reoffence_kind=None if o is None else "reconviction",
                death_date=None if d is None else str(d), entry_date="2017-01-01")
        for i, (r, f, o, d) in enumerate(rows)
    ])
    res = build_cohort(df)
    reported = set(res.problems["row"])
    analysed = set(res.data.index)
    assert not reported & analysed
    short = [r for r in df.index if r not in reported | analysed]
    # the only other ways out: released too close to the extract to have follow-up, or a first offence dated
    # before release (excluded and counted)
    pre = [r for r in short if df.loc[r, "offence_date"] < df.loc[r, "release_date"]]
    assert all(df.loc[r, "release_date"] > pd.Timestamp("2023-12-30") for r in short if r not in pre)
    assert res.counts["first offence dated before release (excluded)"] >= len(pre)
    assert (res.data["duration"] >= 0).all()
    assert np.isin(res.data["status"], [0, 1, 2, 3]).all()
    assert (res.data["end_date"] <= pd.Timestamp("2023-12-30")).all()
