"""kaplan_meier: the time unit is explicit, no default time points, nothing past follow-up (issue 12, part 8)."""

import numpy as np
import pytest

from analysis.recidivism.km import kaplan_meier


def test_no_default_time_points(synthetic):
    res = kaplan_meier(synthetic, group="group")
    assert res.survival_at.empty and res.time_unit == "days"


def test_weekly_data_in_weeks_against_R(rossi, ref):
    res = kaplan_meier(rossi, duration="week", event="arrest", group="fin", times=(10, 20, 52), time_unit="weeks")
    got = res.survival_at.set_index(["group", "time"])
    # R: summary(survfit(Surv(week, arrest) ~ fin, rossi), times = c(10, 20, 52))$surv
    r = ref("rossi", "at_log", "surv")
    for _, row in r.iterrows():
        assert got.loc[(int(row["group"]), float(row["key"])), "surv"] == pytest.approx(row["value"], rel=1e-10)
    assert (got["note"] == "").all()
    # numbers at risk every 52 weeks by default (every 365 days for daily data)
    assert list(res.at_risk.columns) == [0.0, 52.0]
    assert res.plot().get_xlabel() == "weeks since release"


def test_days_on_weekly_data_are_refused(rossi):
    with pytest.raises(ValueError, match=r"past the end of follow-up \(52 weeks\).*time_unit="):
        kaplan_meier(rossi, duration="week", event="arrest", times=(365, 730), time_unit="weeks")
    with pytest.raises(ValueError, match="time_unit='fortnights' is not supported"):
        kaplan_meier(rossi, duration="week", event="arrest", time_unit="fortnights")


def test_a_time_past_a_groups_follow_up_is_flagged_never_carried_forward(synthetic):
    last = synthetic.groupby("group")["duration"].max()
    short = last.idxmin()
    when = float(last.min()) + 1  # within the other group's follow-up, past this one's
    res = kaplan_meier(synthetic, group="group", times=(30, when), min_at_risk=1)
    row = res.survival_at.set_index(["group", "time"]).loc[(short, when)]
    # R: summary(survfit(...), times = when, extend = FALSE) drops the row; survfit never extends the curve
    assert np.isnan(row["surv"]) and row["note"].startswith("past the end of follow-up")
    assert any("never carried forward" in r and f"{short} at {when:g} days" in r for r in res.remarks)
    early = res.survival_at.set_index(["group", "time"]).xs(30.0, level="time")
    assert early["surv"].notna().all() and (early["note"] == "").all()


def test_suppressed_rows_say_so(synthetic):
    res = kaplan_meier(synthetic, group="group", times=(30,), min_at_risk=10_000)
    assert res.survival_at["surv"].isna().all()
    assert res.survival_at["note"].str.startswith("fewer than 10000 at risk").all()
