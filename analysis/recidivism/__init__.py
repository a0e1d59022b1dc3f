"""Survival analysis of reoffending after release (issue 5).

A typical sequence, all times in days from release::

    cohort = build_cohort(outcomes)                       # first eligible release per person
    part = derive_participation(cohort.data, contacts)    # group from pre-release contacts only
    km = kaplan_meier(part.data, group="group")           # curves, numbers at risk, medians
    lr = logrank_test(part.data, strata="site")
    cox = cox_model(part.data, site_as="cluster")         # cause-specific hazard ratios
    cif = cumulative_incidence(part.data)                 # death and deportation competing
    head = one_year_rate(part.data)                       # Justice-Data-Lab-style headline
    mde = detectable_effect(events=..., participant_share=...)

Every function takes a tidy frame plus keyword-only column names and returns
a frozen result (``to_frame()``, ``plot(ax=None)``, ``remarks``).
"""

from .cohort import PROBLEM_CODES, STATUS_LABELS, Cohort, build_cohort
from .competing import CumulativeIncidenceResult, aalen_johansen, cumulative_incidence
from .cox import DEFAULT_COVARIATES, CoxResult, cox_model, score_residuals, wild_cluster_score_bootstrap
from .headline import HeadlineResult, newcombe_interval, one_year_rate, wilson_interval
from .km import KaplanMeierResult, confidence_band, kaplan_meier, km_table, survfit_quantile
from .logrank import LogRankResult, logrank_test
from .participation import (
    Participation,
    TimeVaryingCoxResult,
    derive_participation,
    fit_time_varying_cox,
    start_stop,
)
from .phcheck import ph_test
from .power import DetectableEffect, EventsNeeded, detectable_effect, events_needed, kish_effective_n
from .simulate import simulate_outcomes

__all__ = [
    "Cohort", "build_cohort", "PROBLEM_CODES", "STATUS_LABELS",
    "Participation", "derive_participation", "start_stop", "fit_time_varying_cox", "TimeVaryingCoxResult",
    "KaplanMeierResult", "kaplan_meier", "km_table", "confidence_band", "survfit_quantile",
    "LogRankResult", "logrank_test",
    "CoxResult", "cox_model", "score_residuals", "wild_cluster_score_bootstrap", "DEFAULT_COVARIATES",
    "ph_test",
    "CumulativeIncidenceResult", "cumulative_incidence", "aalen_johansen",
    "HeadlineResult", "one_year_rate", "wilson_interval", "newcombe_interval",
    "DetectableEffect", "EventsNeeded", "detectable_effect", "events_needed", "kish_effective_n",
    "simulate_outcomes",
]
