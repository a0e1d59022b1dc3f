"""A comparison group of similar non-participants (issue 6).

A typical sequence, after :mod:`analysis.recidivism` built the cohort and the group::

    el = comparison_eligibility(part.data, contacts)       # who can be compared; counts excluded
    d = add_timing_covariates(el.data, contacts)           # days exposed to the project, release quarter
    ps = propensity_score(d, covariates=..., site="site")  # prison as fixed effects
    pr = primary_risk(ps, n_boot=1000)                     # PRIMARY: one-year risk per 100, RD and RR
    ps = propensity_score(el.data)                         # logistic model, ATT weights
    bal = balance(ps)                                      # SMDs before/after, Love plot, overlap, ESS
    wc = weighted_comparison(ps, n_boot=500)               # weighted KM, Cox HR, one-year rate difference
    ev = e_value(*wc.hazard_ratio, outcome_share=...)      # unmeasured confounding needed to explain it away
    m = caliper_match(ps); mc = matched_comparison(m)      # nearest-neighbour match beside the weighting
    rule = without_rule(el, ps)                            # with and without the rule, and a caliper match
    dr = dose_response(el.data)                            # contacts before release, time in custody adjusted

Every function takes a tidy frame (or a previous result) plus keyword-only
column names and returns a frozen result (``to_frame()``, ``plot(ax=None)``,
``remarks``).
"""

from .balance import BalanceResult, balance, smd_table
from .dose import DoseResponseResult, dose_categories, dose_response
from .eligibility import EligibilityResult, comparison_eligibility
from .propensity import DEFAULT_PS_COVARIATES, PropensityResult, PropensitySpec, propensity_score
from .sensitivity import (
    EValueResult,
    MatchResult,
    SensitivityResult,
    caliper_match,
    e_value,
    e_value_rr,
    hr_to_rr,
    matched_comparison,
    without_rule,
)
from .primary import LABEL_EXPLORATORY, LABEL_PRIMARY, PrimaryRisk, primary_risk
from .timing import TIMING_COVARIATES, add_timing_covariates
from .weighted import (
    WeightedComparison,
    WeightedCoxResult,
    cox_table,
    weighted_comparison,
    weighted_cox,
    weighted_km,
    weighted_rate_difference,
)

__all__ = [
    "EligibilityResult", "comparison_eligibility",
    "PropensitySpec", "PropensityResult", "propensity_score", "DEFAULT_PS_COVARIATES",
    "BalanceResult", "balance", "smd_table",
    "WeightedComparison", "WeightedCoxResult", "weighted_comparison", "weighted_cox", "weighted_km",
    "weighted_rate_difference", "cox_table",
    "PrimaryRisk", "primary_risk", "LABEL_PRIMARY", "LABEL_EXPLORATORY",
    "add_timing_covariates", "TIMING_COVARIATES",
    "EValueResult", "e_value", "e_value_rr", "hr_to_rr", "MatchResult", "caliper_match", "matched_comparison",
    "SensitivityResult", "without_rule",
    "DoseResponseResult", "dose_response", "dose_categories",
]
