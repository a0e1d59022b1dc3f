"""Remarks that reach the book: small counts of people are rewritten, nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from analysis.disclosure import DisclosurePolicy
from analysis.recidivism import build_cohort, one_year_rate, simulate_outcomes
from analysis.recidivism.published import publishable_remarks


def test_small_counts_become_prose_and_large_stay():
    out = publishable_remarks([
        "3 episode(s) were left out because of impossible dates; see .problems.",
        "2 death(s) and 14 deportation(s) end follow-up as competing events.",
        "Follow-up is closed 6 months before the extract date.",
        "With 312 effective events and 40% participants, a hazard ratio of 0.72 or lower.",
    ])
    assert out == (
        "fewer than 10 episode(s) were left out because of impossible dates; see .problems.",
        "fewer than 10 death(s) and 14 deportation(s) end follow-up as competing events.",
        "Follow-up is closed 6 months before the extract date.",
        "With 312 effective events and 40% participants, a hazard ratio of 0.72 or lower.",
    )


def test_rate_counts_hidden_when_any_part_is_small():
    out = publishable_remarks(["Rates: participant 40.0% (12/30), non-participant 50.0% (30/60); x (5/40) y (35/40)"])
    assert out == ("Rates: participant 40.0% (12/30), non-participant 50.0% (30/60); "
                   "x (counts not shown) y (counts not shown)",)


def test_policy_threshold_and_bands_are_used():
    pol = DisclosurePolicy.from_mapping({"threshold": 5, "bands": [3]})
    assert publishable_remarks(["4 person(s) moved", "2 people", "7 participants"], pol) == (
        "3 to 4 person(s) moved", "fewer than 3 people", "7 participants")
    assert publishable_remarks(["4 person(s)"], {"threshold": 3}) == ("4 person(s)",)


def test_accepts_a_result_and_refuses_a_bare_string():
    cohort = build_cohort(simulate_outcomes(80, seed=1)[0])
    assert len(publishable_remarks(cohort)) == len(cohort.remarks)
    with pytest.raises(TypeError, match="list of strings"):
        publishable_remarks("3 episodes")


def test_headline_remarks_of_a_small_group_show_no_small_count():
    out, _ = simulate_outcomes(60, seed=3)
    cohort = build_cohort(out)
    data = cohort.data.assign(group=["participant" if i % 9 == 0 else "non-participant" for i in range(len(cohort.data))])
    head = one_year_rate(data)
    text = " ".join(publishable_remarks(head))
    small = head.rates.loc["participant", ["n", "reoffended"]].tolist()
    assert f"({small[1]}/{small[0]})" not in text and "(counts not shown)" in text


@given(st.integers(0, 200), st.sampled_from(["episode(s)", "deaths", "people", "reoffences"]))
def test_property_no_count_below_threshold_survives(n, word):
    text = publishable_remarks([f"In all {n} {word} were seen."])[0]
    assert (f" {n} {word}" in text) == (n == 0 or n >= 10)
