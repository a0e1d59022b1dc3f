"""The one-year rate of the people with a complete year, with a propensity model fitted on them.

The Justice Data Lab's one-year proven reoffending rate counts, among the
people whose year after release (plus the court-processing lag) ended before
the records extract, those who committed a new offence within the year. In
this evaluation that subgroup is the *early* releases only, so weights fitted
on the whole cohort do not balance it (issue 12: weighted standardised
differences up to 0.41 within it). :func:`complete_year_risk` therefore

1. keeps the people with a complete year (``eligible``),
2. **refits the propensity model on them** (same covariates, prison fixed
   effects; covariates constant within the subgroup are left out by
   :func:`.propensity.propensity_score`, and said so),
3. shows balance, overlap and effective sample size **on that subgroup**
   (:func:`.balance.balance`), and
4. estimates the weighted rates with :func:`.primary.primary_risk` - within
   the subgroup everybody is followed for the whole year, so the weighted
   Aalen-Johansen risk at day 365 *is* the weighted share who reoffended
   within the year (a death or removal within the year is a competing event,
   not a reoffence), and its influence-function interval includes the
   estimation of the subgroup's own propensity model.

The result is labelled *exploratory*: the primary result uses everybody's
follow-up. Its interval is calibrated in the ten-prison simulation
(:mod:`.calibration`, interval ``complete-year weighted rate difference``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ..recidivism._checks import require_columns, require_frame
from ..results import Result
from .balance import BalanceResult, balance
from .primary import LABEL_EXPLORATORY, PrimaryRisk, primary_risk
from .propensity import PropensityResult, propensity_score

__all__ = ["CompleteYearRisk", "complete_year_risk"]


@dataclass(frozen=True, eq=False)
class CompleteYearRisk(Result):
    """Weighted one-year rates among the people with a complete year (exploratory).

    Attributes
    ----------
    propensity : PropensityResult
        The propensity model refitted on the subgroup.
    balance : BalanceResult
        Balance, overlap and effective sample size on the subgroup.
    risk : PrimaryRisk
        Rates per 100, their difference and ratio with influence-function
        intervals (``label`` ``EXPLORATORY``).
    n_cohort, n_subgroup : int
        People in the cohort given, and with a complete year.
    """

    propensity: PropensityResult
    balance: BalanceResult
    risk: PrimaryRisk
    n_cohort: int
    n_subgroup: int

    @property
    def title(self) -> str:
        return ("[EXPLORATORY] Reoffended within one year per 100, people with a complete year, participants vs "
                "comparison weighted by a propensity model fitted on them")

    @property
    def estimates(self) -> pd.DataFrame:
        return self.risk.estimates

    def interval(self, quantity: str = "risk difference") -> tuple[float, float, float]:
        return self.risk.interval(quantity)

    def to_frame(self) -> pd.DataFrame:
        return self.risk.estimates

    def plot(self, ax=None):
        """Love plot of the subgroup's balance."""
        return self.balance.plot(ax=ax)


def complete_year_risk(
    data: pd.DataFrame,
    *,
    covariates,
    eligible: str = "eligible_1y",
    group: str = "group",
    site: str | None = "site",
    time: float = 365.0,
    min_at_risk: int = 10,
    n_boot: int = 0,
    seed: int = 20240611,
    conf_level: float = 0.95,
    **propensity_options,
) -> CompleteYearRisk:
    """Refit the propensity model on the people with a complete year and compare their weighted one-year rates.

    Parameters
    ----------
    data : DataFrame
        The cohort (e.g. the comparison-eligible episodes) with ``group``,
        ``duration``, ``status``, the covariates and the completeness flag.
    covariates : sequence of str
        Propensity covariates (as for the primary result).
    eligible : str
        True where the year after release and the court-processing lag ended before the extract.
    site : str, optional
        Prison column (fixed effects in the propensity model).
    min_at_risk, n_boot, seed, conf_level
        Passed to :func:`.primary.primary_risk`.
    **propensity_options
        Other keywords of :func:`.propensity.propensity_score` (``treated``, ``missing``, ...).
    """
    require_frame(data)
    require_columns(data, eligible=eligible, group=group, site=site)
    keep = data[eligible].fillna(False).astype(bool)
    sub = data.loc[keep].reset_index(drop=True)
    if sub[group].nunique() < 2:
        raise ValueError(f"fewer than two groups among the people with a complete year ({eligible!r} true): "
                         "the complete-year rate cannot be compared")
    ps = propensity_score(sub, covariates=tuple(covariates), group=group, site=site, **propensity_options)
    bal = balance(ps, site=site)
    risk = primary_risk(ps, site=site, time=time, min_at_risk=min_at_risk, n_boot=n_boot, seed=seed,
                        conf_level=conf_level)
    est = risk.estimates.copy()
    est["label"] = LABEL_EXPLORATORY
    risk = replace(risk, estimates=est, label=LABEL_EXPLORATORY)
    remarks = [
        f"People with a complete year: {len(sub)} of {len(data)}; the propensity model was refitted on them "
        "(balance and effective sample size shown for them), not carried over from the whole cohort.",
        f"{LABEL_EXPLORATORY}: weighted ({ps.spec.estimand}) share who committed a new offence within {time:g} days "
        "per 100 among them (everyone is followed for the whole year; death or removal within it competes).",
        *ps.remarks, *bal.remarks, *risk.remarks[1:],
    ]
    return CompleteYearRisk(propensity=ps, balance=bal, risk=risk, n_cohort=len(data), n_subgroup=len(sub),
                            remarks=tuple(remarks))
