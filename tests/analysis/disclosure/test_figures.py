"""Figure data guards and survival-curve truncation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import (
    CellKey,
    DisclosureError,
    SuppressionLedger,
    check_at_risk,
    guard_figure_data,
    truncate_at_risk,
)


@pytest.fixture
def bars():
    return pd.DataFrame({"site": ["P01", "P02", "P03"], "n_persons": [3, 25, 40], "mean": [50.0, 60.0, 55.0]})


def test_drop_small_groups_with_note(bars):
    res = guard_figure_data(bars, count_col="n_persons")
    assert res.to_frame()["site"].tolist() == ["P02", "P03"]
    assert res.remarks == ("1 group with fewer than 10 persons not shown",)


def test_mask_keeps_the_category(bars):
    res = guard_figure_data(bars, count_col="n_persons", action="mask")
    out = res.to_frame()
    assert out["site"].tolist() == ["P01", "P02", "P03"]
    assert np.isnan(out.loc[0, "mean"]) and np.isnan(out.loc[0, "n_persons"]) and out.loc[1, "mean"] == 60.0


def test_a_line_with_one_small_point_is_hidden_whole():
    lines = pd.DataFrame(
        {"site": ["P01", "P01", "P02", "P02"], "wave": [1, 2, 1, 2], "n_persons": [12, 8, 20, 22], "score": [1.0, 2, 3, 4]}
    )
    res = guard_figure_data(lines, count_col="n_persons", group="site")
    assert res.to_frame()["site"].unique().tolist() == ["P02"]
    assert res.n_hidden == 1


def test_ledger_hidden_cells_are_hidden_in_figures(bars):
    led = SuppressionLedger()
    led.record_table("table", {CellKey.of("pw", {"site": "P02"}): True})
    res = guard_figure_data(bars, count_col="n_persons", ledger=led, family="pw", dims="site")
    assert res.to_frame()["site"].tolist() == ["P03"]
    assert "suppressed elsewhere" in res.remarks[1]
    assert led.decisions("figure:pw:site")[CellKey.of("pw", {"site": "P03"})] is False


def test_errors(bars):
    with pytest.raises(KeyError, match="pass count_col="):
        guard_figure_data(bars, count_col="n")
    with pytest.raises(ValueError, match="action"):
        guard_figure_data(bars, count_col="n_persons", action="blur")


@pytest.fixture
def km():
    # synthetic KM table for two groups: time, survival, number at risk
    return pd.DataFrame(
        {
            "group": ["pw"] * 5 + ["cmp"] * 4,
            "time": [0, 30, 60, 90, 120, 0, 30, 60, 90],
            "survival": [1, 0.9, 0.8, 0.7, 0.6, 1, 0.95, 0.9, 0.85],
            "at_risk": [40, 20, 11, 9, 12, 60, 45, 30, 15],
        }
    )


def test_truncate_stops_each_curve_at_first_small_risk_set(km):
    res = truncate_at_risk(km, at_risk_col="at_risk", time_col="time", group="group")
    out = res.to_frame()
    assert out[out.group == "pw"]["time"].tolist() == [0, 30, 60], "stays stopped after a late rise to 12"
    assert out[out.group == "cmp"]["time"].tolist() == [0, 30, 60, 90]
    assert res.stopped == (("pw",),)
    assert res.remarks == ("curves stop where fewer than 10 persons remain at risk",)
    check_at_risk(out, at_risk_col="at_risk", time_col="time", group="group")


def test_check_at_risk_raises_on_a_curve_that_continues(km):
    with pytest.raises(DisclosureError, match="truncate_at_risk"):
        check_at_risk(km, at_risk_col="at_risk", time_col="time", group="group")


def test_truncate_against_lifelines_event_table():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(3)
    t = rng.exponential(200, 60).round()
    e = rng.random(60) < 0.7
    kmf = KaplanMeierFitter().fit(t, e)
    frame = kmf.survival_function_.join(kmf.event_table["at_risk"]).reset_index()
    res = truncate_at_risk(frame, at_risk_col="at_risk", time_col="timeline")
    assert res.to_frame()["at_risk"].min() >= 10
    assert len(res.to_frame()) < len(frame)
    check_at_risk(res.to_frame(), at_risk_col="at_risk", time_col="timeline")
