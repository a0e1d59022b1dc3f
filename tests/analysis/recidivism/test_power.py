import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recidivism.power import detectable_effect, events_needed, kish_effective_n


def test_minimum_detectable_hr_formula():
    res = detectable_effect(events=100, participant_share=0.5)
    # exp(-(qnorm(.975) + qnorm(.8)) / sqrt(100 * .25)) = exp(-2.801585 / 5)
    assert res.mde_hr == pytest.approx(np.exp(-2.8015852 / 5), rel=1e-7)
    # R: exp(-(qnorm(.975) + qnorm(.8)) / 5)  -> 0.5710279944
    assert res.mde_hr == pytest.approx(0.5710279944, abs=1e-9)
    frame = res.to_frame()["value"]
    for name in ("events (D)", "participant share (p)", "alpha (two-sided)", "power", "design effect (sites)",
                 "effective events", "z(1 - alpha/2)", "z(power)"):
        assert name in frame.index  # every input is printed
    assert frame["minimum detectable HR (> 1)"] == pytest.approx(1 / res.mde_hr)
    assert "not observed power" in res.title
    assert "0.57 or lower" in res.remarks[0]


def test_deflation_by_weights_and_design_effect():
    w = np.r_[np.ones(50), np.full(50, 3.0)]
    assert kish_effective_n(w) == pytest.approx(200**2 / 500)
    base = detectable_effect(events=200, participant_share=0.3)
    res = detectable_effect(events=200, participant_share=0.3, weights=w, design_effect=2.0)
    assert res.effective_events == pytest.approx(200 * (80 / 100) / 2)
    assert res.mde_hr < base.mde_hr < 1


def test_events_needed_schoenfeld():
    # the classical figure: HR 0.8, 1:1 allocation, 80% power, two-sided 5% -> 631 events
    assert events_needed(0.8, participant_share=0.5).events == 631
    assert events_needed(1.25, participant_share=0.5).events == 631
    assert "631 reoffences" in events_needed(0.8, participant_share=0.5).remarks[0]


@settings(max_examples=50, deadline=None)
@given(st.floats(20, 5000), st.floats(0.05, 0.95))
def test_events_needed_inverts_the_detectable_effect(events, share):
    mde = detectable_effect(events=events, participant_share=share).mde_hr
    assert events_needed(mde, participant_share=share).events == pytest.approx(np.ceil(events - 1e-6), abs=1)


def test_errors():
    with pytest.raises(ValueError, match="participant_share"):
        detectable_effect(events=10, participant_share=1.0)
    with pytest.raises(ValueError, match="target_hr"):
        events_needed(1.0, participant_share=0.5)
