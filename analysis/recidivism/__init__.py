"""Survival analysis of reoffending after release (issue 5).

Cohort construction (:func:`build_cohort`), participation without immortal
time (:func:`derive_participation`), Kaplan-Meier, log-rank, Cox models,
competing risks, the Justice-Data-Lab-style headline and what the sample can
detect. All time is measured in days from release.
"""

from .cohort import Cohort, build_cohort
from .simulate import simulate_outcomes

__all__ = ["Cohort", "build_cohort", "simulate_outcomes"]
