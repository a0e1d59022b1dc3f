"""Sensitivity of the primary result, as the Justice Data Lab reports it (issue 12 part 5).

Each row re-runs the whole primary pipeline - cohort, participation, the
comparison-eligibility rule, the propensity model (refitted on the cohort of
that row) and :func:`.primary.primary_risk` (influence-function interval) -
with one choice changed:

* the court-processing lag: 6 (primary), 12 and 18 months before the extract
  (a longer lag leaves fewer recent offences unrecorded but less follow-up:
  a row whose horizon is not reached by enough people says so instead of
  showing a number);
* excluding the people whose follow-up ended in death or removal from the
  country (instead of treating those as competing events);
* without the comparison-eligibility rule (when the rule excluded nobody,
  the row says so and repeats the primary analysis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..recidivism import build_cohort, derive_participation
from ..results import Result
from .balance import balance
from .eligibility import comparison_eligibility
from .primary import LABEL_PRIMARY, primary_risk
from .propensity import propensity_score
from .timing import add_timing_covariates

__all__ = ["PrimarySensitivity", "primary_sensitivity"]


@dataclass(frozen=True, eq=False)
class PrimarySensitivity(Result):
    """One row per analysis: ``n``, ``at_risk`` (fewest still followed at the horizon in a group),
    ``max_abs_smd_weighted`` and ``ess_comparison`` (balance and effective sample size on that row's cohort),
    ``risk_difference``, ``rd_lower``, ``rd_upper`` (per 100), ``risk_ratio``, ``rr_lower``, ``rr_upper``,
    ``note``."""

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Sensitivity of the primary result (influence-function 95% intervals)"

    def to_frame(self) -> pd.DataFrame:
        return self.table


def _run(cohort_data, contacts, **kw):
    try:
        return _run1(cohort_data, contacts, **kw)
    except ValueError as exc:  # e.g. a lag that leaves a prison without one of the groups
        row = dict.fromkeys(("risk_difference", "rd_lower", "rd_upper", "risk_ratio", "rr_lower", "rr_upper"),
                            np.nan)
        return dict(row, n=len(cohort_data), at_risk=0, max_abs_smd_weighted=np.nan, ess_comparison=np.nan,
                    note=f"not estimated: {exc}"), None


def _run1(cohort_data, contacts, *, covariates, exposure, rule, site, time, min_at_risk, project_start):
    part = derive_participation(cohort_data, contacts)
    timed = add_timing_covariates(part.data, contacts, project_start=project_start)
    el = comparison_eligibility(timed, contacts, exposure=exposure)
    data = el.data if rule else el.all_data
    ps = propensity_score(data, covariates=covariates, site=site)
    pr = primary_risk(ps, n_boot=0, time=time, min_at_risk=min_at_risk, site=site)
    e = pr.estimates
    bal = balance(ps, site=site)
    row = {"n": len(data), "at_risk": int(pr.at_risk["at_risk"].min()),
           "max_abs_smd_weighted": float(bal.table["smd_w"].abs().max()),
           "ess_comparison": float(ps.effective_n["comparison"]),
           "risk_difference": e.loc["risk difference", "estimate"], "rd_lower": e.loc["risk difference", "lower"],
           "rd_upper": e.loc["risk difference", "upper"], "risk_ratio": e.loc["risk ratio", "estimate"],
           "rr_lower": e.loc["risk ratio", "lower"], "rr_upper": e.loc["risk ratio", "upper"],
           "note": "" if pr.published else f"not estimated: fewer than {min_at_risk} of a group followed to day "
                                            f"{time:g}"}
    return row, el


def primary_sensitivity(outcomes: pd.DataFrame, contacts: pd.DataFrame, *, covariates, lags=(6, 12, 18),
                        exposure: str | None = "days_exposed", site: str = "site", time: float = 365.0,
                        min_at_risk: int = 10, project_start=None, kind: str = "reconviction") -> PrimarySensitivity:
    """The primary result under the Justice Data Lab's sensitivity analyses (see module notes).

    Parameters
    ----------
    outcomes, contacts : DataFrame
        The ``outcomes()`` and ``contacts()`` frames.
    covariates : sequence of str
        The propensity model's covariates (as in the primary analysis).
    lags : sequence of int
        Court-processing lags in months; the first is the primary analysis.
    """
    rows, remarks = {}, []
    kw = dict(covariates=tuple(covariates), exposure=exposure, site=site, time=time, min_at_risk=min_at_risk,
              project_start=project_start)
    base = None
    for k, lag in enumerate(lags):
        coh = build_cohort(outcomes, kind=kind, lag_months=int(lag))
        label = f"court lag {lag} months" + (f" ({LABEL_PRIMARY.lower()})" if k == 0 else "")
        rows[label], el = _run(coh.data, contacts, rule=True, **kw)
        if k == 0:
            base, base_el = coh, el
    d = base.data
    keep = ~d["status"].isin([2, 3])
    rows["excluding deaths and removals"], _ = _run(d.loc[keep], contacts, rule=True, **kw)
    # the number left out is not written here: with the deaths and removals published separately (and
    # small ones suppressed), it could be used to recover a suppressed count by difference
    rows["excluding deaths and removals"]["note"] = (rows["excluding deaths and removals"]["note"]
                                                     or "people whose follow-up ended in death or removal left out")
    if base_el is not None and len(base_el.excluded):
        rows["without the eligibility rule"], _ = _run(d, contacts, rule=False, **kw)
    else:
        rows["without the eligibility rule"] = dict(rows[next(iter(rows))], note="the rule excluded nobody: same "
                                                                                 "analysis as the primary")
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("analysis")
    remarks.append(f"Each row refits the propensity model on its own cohort; influence-function 95% intervals; "
                   f"horizon {time:g} days" + (f"; eligibility rule: {base_el.rule}." if base_el is not None else "."))
    remarks.append("A longer court lag leaves fewer unrecorded recent offences but shortens follow-up; where too "
                   "few people are followed to the horizon, no number is shown.")
    return PrimarySensitivity(table=table, remarks=tuple(remarks))
