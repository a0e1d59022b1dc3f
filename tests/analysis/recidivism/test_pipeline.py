"""End to end on simulated data: from the outcomes/contacts frames to every result."""

import matplotlib.pyplot as plt

import analysis.recidivism as rec
from analysis.results import Result


def test_whole_analysis_on_simulated_episodes(simulated):
    outcomes, contacts = simulated
    cohort = rec.build_cohort(outcomes)
    part = rec.derive_participation(cohort.data, contacts)
    data = part.data
    results = [
        cohort, part,
        rec.kaplan_meier(data, group="group"),
        rec.logrank_test(data, strata="site"),
        rec.cox_model(data, site_as="cluster", n_boot=199),
        rec.cox_model(data, site_as="strata", ties="breslow"),
        rec.cumulative_incidence(data),
        rec.one_year_rate(data),
        rec.detectable_effect(events=int(data["event"].sum()),
                              participant_share=float((data["group"] == "participant").mean())),
        rec.events_needed(0.8, participant_share=0.4),
    ]
    for res in results:
        assert isinstance(res, Result)
        assert len(res.to_frame()) > 0
        assert res.remarks, type(res).__name__
        assert res._repr_html_().startswith("<div>")
    for res in results[:-1]:
        _, ax = plt.subplots()
        assert res.plot(ax=ax) is ax
        plt.close("all")
    # one detectable-effect convention in the report: no comparison prints its own (issue 12)
    for res in results[2:5] + results[7:8]:
        assert not any("detect a hazard ratio" in r for r in res.remarks)
    assert sorted(rec.__all__) == sorted(set(rec.__all__))
