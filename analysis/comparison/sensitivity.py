"""Sensitivity: E-value, the analysis without the eligibility rule, and a caliper match.

E-value (VanderWeele & Ding 2017, Ann Intern Med 167:268)
---------------------------------------------------------
For a risk ratio ``RR`` (use ``1/RR`` when ``RR < 1``)::

    E = RR + sqrt(RR (RR - 1))

the minimum strength of association, on the risk-ratio scale, that an
unmeasured confounder would need with both participation and reoffending,
above the measured covariates, to move the estimate to 1. For the interval,
the same formula is applied to the limit closer to 1 (``E = 1`` when the
interval contains 1).

A **hazard ratio** is first converted to a risk ratio (VanderWeele 2020,
*Biometrics* 76:746):

* rare outcome (under about 15% by the end of follow-up): ``RR ~ HR``;
* common outcome (reoffending usually is): ``RR ~ (1 - 0.5^sqrt(HR)) /
  (1 - 0.5^sqrt(1/HR))``.

``outcome_share`` (the share who reoffended by the end of follow-up) decides
which applies, unless ``rare=`` is given.

Matching
--------
:func:`caliper_match`: greedy nearest-neighbour matching on the logit of
the propensity score, without replacement (or with), ``ratio`` comparison
episodes per participant, within a caliper of ``caliper`` standard
deviations of the logit (0.2, Austin 2011); participants are taken from the
highest score down (the hardest to match first). Participants without a
match leave the matched analysis and are counted. Matched comparison
episodes get weight ``1 / ratio`` per use; :func:`matched_comparison` fits
the weighted Cox model (site-robust SEs) and the one-year rate difference on
the matched sample.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ..recidivism._plots import axes, forest
from .balance import smd_table
from .eligibility import EligibilityResult
from .propensity import PropensityResult, propensity_score
from .weighted import weighted_comparison, weighted_cox, weighted_rate_difference

__all__ = ["EValueResult", "e_value", "e_value_rr", "hr_to_rr", "MatchResult", "caliper_match",
           "matched_comparison", "SensitivityResult", "without_rule"]


def hr_to_rr(hr: float, *, rare: bool) -> float:
    """Hazard ratio to approximate risk ratio (VanderWeele 2020); unchanged when ``rare``."""
    hr = float(hr)
    if rare:
        return hr
    return (1 - 0.5 ** np.sqrt(hr)) / (1 - 0.5 ** np.sqrt(1 / hr))


def _e(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return float(rr + np.sqrt(rr * (rr - 1)))


@dataclass(frozen=True, eq=False)
class EValueResult(Result):
    """E-values of a hazard ratio and of its confidence limit closer to 1."""

    hr: float
    lower: float | None
    upper: float | None
    rare: bool
    rr: float
    e_point: float
    e_limit: float | None

    @property
    def title(self) -> str:
        return "E-value: unmeasured confounding needed to explain the hazard ratio away"

    def to_frame(self) -> pd.DataFrame:
        rows = {"hazard ratio": self.hr, "approximate risk ratio": self.rr, "E-value (estimate)": self.e_point,
                "E-value (confidence limit)": self.e_limit}
        return pd.DataFrame({"value": pd.Series(rows, dtype=float)}).rename_axis("quantity")

    def plot(self, ax=None):
        """The curve of (RR_UD, RR_EU) pairs that would just explain the estimate away."""
        ax = axes(ax)
        rr = 1 / self.rr if self.rr < 1 else self.rr
        a = np.linspace(self.e_point * 1.0001, max(4 * self.e_point, 6), 200)
        b = rr * (1 - a) / (rr - a) if rr > 1 else np.full_like(a, np.nan)
        ax.plot(a, b)
        ax.scatter([self.e_point], [self.e_point], color="black", zorder=3)
        ax.set_xlabel("confounder - reoffending risk ratio")
        ax.set_ylabel("confounder - participation risk ratio")
        return ax


def e_value(hr: float, lower: float | None = None, upper: float | None = None, *, outcome_share: float | None = None,
            rare: bool | None = None) -> EValueResult:
    """E-value for a hazard ratio (see module notes).

    Parameters
    ----------
    hr, lower, upper : float
        The hazard ratio and, optionally, its confidence limits.
    outcome_share : float, optional
        Share with the outcome by the end of follow-up; ``< 0.15`` counts as rare.
    rare : bool, optional
        Override the rare-outcome decision.
    """
    if not hr > 0:
        raise ValueError(f"hr must be positive, got {hr!r}")
    if rare is None:
        if outcome_share is None:
            raise ValueError("pass outcome_share=<share reoffending by the end of follow-up> or rare=True/False; "
                             "the HR-to-RR conversion depends on it")
        rare = outcome_share < 0.15
    if (lower is None) != (upper is None):
        raise ValueError("pass both lower= and upper= or neither")
    if lower is not None and not (0 < lower <= hr <= upper):
        raise ValueError(f"need 0 < lower <= hr <= upper, got {lower!r}, {hr!r}, {upper!r}")
    rr = hr_to_rr(hr, rare=rare)
    e_point = _e(rr)
    e_limit = None
    if lower is not None:
        if lower <= 1 <= upper:
            e_limit = 1.0
        else:
            e_limit = _e(hr_to_rr(lower if hr > 1 else upper, rare=rare))
    conv = ("rare outcome: RR taken as HR" if rare else
            "common outcome: RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (VanderWeele 2020)")
    remarks = [
        f"E-value {e_point:.2f}: an unmeasured confounder associated with both participation and reoffending by a "
        f"risk ratio of {e_point:.2f} each, above the measured covariates, could explain away the hazard ratio of "
        f"{hr:.2f}; weaker confounding could not." + ("" if e_limit is None else
        f" To move the confidence limit to 1 needs {e_limit:.2f}" + (" (the interval already contains 1)."
                                                                     if e_limit == 1 else ".")),
        f"Hazard ratio converted to a risk ratio ({conv}); VanderWeele & Ding (2017).",
    ]
    return EValueResult(hr=float(hr), lower=lower, upper=upper, rare=bool(rare), rr=float(rr), e_point=e_point,
                        e_limit=e_limit, remarks=tuple(remarks))


def e_value_rr(rr: float, lower: float, upper: float) -> EValueResult:
    """E-value of a *risk ratio* and of its confidence limit nearest to 1 (no conversion; VanderWeele & Ding 2017).

    For the primary result, whose estimand is already a risk ratio (the one-year cumulative incidence ratio),
    the E-value is computed on the published interval itself.
    """
    if not (0 < lower <= rr <= upper):
        raise ValueError(f"need 0 < lower <= rr <= upper, got {lower!r}, {rr!r}, {upper!r}")
    e_point = _e(rr)
    e_limit = 1.0 if lower <= 1 <= upper else _e(upper if rr < 1 else lower)
    remarks = [
        f"E-value {e_point:.2f}: an unmeasured confounder associated with both participation and reoffending by a "
        f"risk ratio of {e_point:.2f} each, above the measured covariates, could explain away the risk ratio of "
        f"{rr:.2f}; weaker confounding could not. To move the confidence limit to 1 needs {e_limit:.2f}"
        + (" (the interval already contains 1)." if e_limit == 1 else "."),
        "Computed on the published interval of the primary risk ratio (VanderWeele & Ding 2017); no hazard-ratio "
        "conversion is involved.",
    ]
    return EValueResult(hr=float(rr), lower=lower, upper=upper, rare=True, rr=float(rr), e_point=e_point,
                        e_limit=e_limit, remarks=tuple(remarks))


@dataclass(frozen=True, eq=False)
class MatchResult(Result):
    """A nearest-neighbour caliper match.

    Attributes
    ----------
    data : DataFrame
        Matched participants and comparison episodes with ``weight`` (match weights) and ``match_id``.
    pairs : DataFrame
        ``treated_row``, ``control_row`` (labels in the propensity data), ``distance`` (logit PS).
    balance : DataFrame
        SMDs before and after matching (``smd``, ``smd_w``).
    """

    data: pd.DataFrame
    pairs: pd.DataFrame
    balance: pd.DataFrame
    caliper: float
    ratio: int
    n_treated: int
    n_unmatched: int
    group: str
    treated_level: object

    @property
    def title(self) -> str:
        return f"Nearest-neighbour match, 1:{self.ratio}, caliper {self.caliper} SD of the logit propensity score"

    def to_frame(self) -> pd.DataFrame:
        return self.balance

    def plot(self, ax=None):
        ax = axes(ax)
        t = self.balance
        y = np.arange(len(t))[::-1]
        ax.scatter(t["smd"].abs(), y, facecolors="none", edgecolors="grey", label="before matching")
        ax.scatter(t["smd_w"].abs(), y, color="black", label="after matching")
        ax.axvline(0.1, color="red", linestyle="--", linewidth=1)
        ax.set_yticks(y)
        ax.set_yticklabels(t.index)
        ax.set_xlabel("absolute standardised mean difference")
        ax.legend(frameon=False)
        return ax


def caliper_match(propensity: PropensityResult, *, caliper: float = 0.2, ratio: int = 1,
                  replace: bool = False) -> MatchResult:
    """Greedy nearest-neighbour matching on the logit propensity score within a caliper (see module notes)."""
    if not isinstance(propensity, PropensityResult):
        raise TypeError("propensity must be the result of propensity_score(...)")
    if not caliper > 0:
        raise ValueError(f"caliper must be positive (in SDs of the logit score, e.g. 0.2), got {caliper!r}")
    if int(ratio) != ratio or ratio < 1:
        raise ValueError(f"ratio must be a whole number >= 1, got {ratio!r}")
    d = propensity.data
    ps = d["ps"].to_numpy()
    logit = np.log(ps / (1 - ps))
    width = caliper * float(np.std(logit, ddof=1))
    z = d["treated"].to_numpy(dtype=bool)
    ti = np.flatnonzero(z)[np.argsort(-ps[z], kind="stable")]
    ci = np.flatnonzero(~z)
    free = np.ones(len(ci), dtype=bool)
    pairs = []
    for _ in range(int(ratio)):
        for i in ti:
            dist = np.abs(logit[ci] - logit[i])
            if not replace:
                dist = np.where(free, dist, np.inf)
            j = int(np.argmin(dist)) if len(dist) else -1
            if j < 0 or dist[j] > width:
                continue
            pairs.append((i, ci[j], float(dist[j])))
            free[j] = False
    pr = pd.DataFrame(pairs, columns=["_t", "_c", "distance"])
    matched_t = np.unique(pr["_t"]) if len(pr) else np.array([], dtype=int)
    w = np.zeros(len(d))
    w[matched_t] = 1.0
    # each participant's controls share weight 1
    k = pr.groupby("_t")["_c"].transform("size") if len(pr) else pd.Series(dtype=float)
    np.add.at(w, pr["_c"].to_numpy(dtype=int), 1.0 / k.to_numpy(dtype=float))
    keep = w > 0
    out = d.loc[keep].assign(weight=w[keep])
    bal = smd_table(d, treated=z, covariates=propensity.spec.covariates, weights=w)
    n_un = int(z.sum() - len(matched_t))
    labels = d.index.to_numpy()
    pairs_df = pd.DataFrame({"treated_row": labels[pr["_t"].to_numpy(dtype=int)],
                             "control_row": labels[pr["_c"].to_numpy(dtype=int)], "distance": pr["distance"]})
    remarks = [f"{len(matched_t)} of {int(z.sum())} participants matched (1:{ratio}, "
               + ("with" if replace else "without") + f" replacement, caliper {caliper} SD = {width:.3f} on the "
               "logit scale); the matched estimate refers to the matched participants only."]
    if n_un:
        remarks.append(f"{n_un} participant(s) had no comparison episode within the caliper and are left out.")
    bad = bal.index[bal["smd_w"].abs() > 0.1].tolist()
    if bad:
        remarks.append(f"Balance not reached after matching (|SMD| > 0.1): {', '.join(bad)}.")
    return MatchResult(data=out, pairs=pairs_df, balance=bal, caliper=float(caliper), ratio=int(ratio),
                       n_treated=int(z.sum()), n_unmatched=n_un, group=propensity.spec.group,
                       treated_level=propensity.treated_level, remarks=tuple(remarks))


@dataclass(frozen=True, eq=False)
class SensitivityResult(Result):
    """The same estimates under several designs, side by side.

    ``table`` indexed by design: ``n``, ``hr``, ``hr_lower``, ``hr_upper``, ``rate_difference``,
    ``rd_lower``, ``rd_upper``, ``interval`` (how the intervals were made).
    """

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Sensitivity of the weighted comparison to the design"

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def plot(self, ax=None):
        t = self.table
        return forest(ax, t.index, t["hr"], t["hr_lower"], t["hr_upper"])


def _row(wc, n, label):
    r = wc.estimates
    hr = r.loc["hazard ratio"]
    row = {"n": n, "hr": hr["estimate"], "hr_lower": hr["lower"], "hr_upper": hr["upper"], "interval": label}
    if "one-year rate difference" in r.index:
        rd = r.loc["one-year rate difference"]
        row.update(rate_difference=rd["estimate"], rd_lower=rd["lower"], rd_upper=rd["upper"])
    return row


def matched_comparison(match: MatchResult, *, duration="duration", event="event", outcome="reoffended_1y",
                       eligible="eligible_1y", site="site", conf_level=0.95) -> SensitivityResult:
    """Cox HR and one-year rate difference on the matched sample.

    ``site="site"``: sandwich clustered on the sites with ``t(G-1)`` (with ten sites it rejects a true null
    too often: issue 12's simulation); ``site=None``: the robust sandwich per person, normal interval (what
    the reoffending chapter publishes, calibrated in :mod:`.calibration`).
    """
    d = match.data
    cox = weighted_cox(d, duration=duration, event=event, group=match.group, treated=match.treated_level,
                       site=site, conf_level=conf_level)
    s = cox.summary.iloc[0]
    row = {"n": len(d), "hr": s["hr"], "hr_lower": s["hr_lower"], "hr_upper": s["hr_upper"],
           "interval": "site-robust t(G-1)" if site is not None else "robust (per person)"}
    if outcome is not None:
        rd = weighted_rate_difference(d, outcome=outcome, eligible=eligible, group=match.group,
                                      treated=match.treated_level)
        row["rate_difference"] = rd.loc["difference", "rate"]
    table = pd.DataFrame([row], index=pd.Index(["matched (caliper)"], name="design"))
    return SensitivityResult(table=table, remarks=match.remarks + cox.remarks)


def without_rule(eligibility: EligibilityResult, propensity: PropensityResult, *, match: bool = True,
                 **comparison) -> SensitivityResult:
    """The weighted comparison with and without the eligibility rule, and (``match=True``) a caliper match.

    ``propensity`` is the fit on ``eligibility.data``; its specification is refitted on all episodes.
    ``comparison`` keywords go to :func:`.weighted.weighted_comparison` (e.g. ``n_boot``, ``cluster``).
    """
    if not isinstance(eligibility, EligibilityResult):
        raise TypeError("eligibility must be the result of comparison_eligibility(...)")
    spec = asdict(propensity.spec)
    wc_with = weighted_comparison(propensity, **comparison)
    ps_all = propensity_score(eligibility.all_data, **spec)
    wc_all = weighted_comparison(ps_all, **comparison)
    rows = {"weighted, with the eligibility rule": _row(wc_with, len(propensity.data), "bootstrap"),
            "weighted, without the rule": _row(wc_all, len(ps_all.data), "bootstrap")}
    table = pd.DataFrame.from_dict(rows, orient="index")
    remarks = [f"Eligibility rule: {eligibility.rule}; it excluded {len(eligibility.excluded)} comparison episode(s)."]
    if match:
        keys = {k: comparison[k] for k in ("duration", "event", "outcome", "eligible", "site") if k in comparison}
        mres = matched_comparison(caliper_match(propensity), **keys)
        table = pd.concat([table, mres.table])
        remarks += list(mres.remarks[:2])
    table.index.name = "design"
    return SensitivityResult(table=table, remarks=tuple(remarks))
