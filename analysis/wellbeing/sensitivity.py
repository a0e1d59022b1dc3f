"""The estimand of the wellbeing comparison and its sensitivity to data missing not at random.

Estimand (ICH E9(R1))
---------------------
* **Population**: detainees in the D&D prisons with a baseline score.
* **Treatment**: peer support (participant, see
  :mod:`analysis.wellbeing.participation`) against none.
* **Variable**: the follow-up score (baseline-adjusted), i.e. the change.
* **Intercurrent event**: release before the follow-up questionnaire. The
  strategy is **while detained** (a *while-on-treatment* strategy): the
  question is how detainees' wellbeing develops while they are inside, so a
  follow-up after release is not part of the estimand. Released detainees
  are not imputed; they leave the estimand population at release (their
  baseline score still informs the propensity model).
* **Summary**: the difference in mean follow-up score between participants
  and comparable non-participants (ATT), adjusted for baseline and prison.

Other missing follow-ups (refusal, transfer, not known) are missing data,
not intercurrent events. The main analysis assumes them missing at random
(MAR). :func:`delta_adjustment` asks how far from MAR they would have to be
to change the conclusion: it multiply imputes them under MAR, shifts the
imputed follow-up scores of **participants** by δ (a negative δ: participants
who were lost felt worse than MAR predicts), re-estimates, and pools with
Rubin's rules. The **tipping point** is the first δ (in the order given) at
which the interval includes zero (or, if it already did, where the estimate
changes sign).

Imputation: for each of ``n_imputations`` data sets, a proper Bayesian
draw from the normal linear model ``post ~ participant + pre + site`` fitted
to the completers of the estimand population (σ² from its scaled-χ² posterior,
β from its normal posterior), then ``y = Xβ* + ε``, ``ε ~ N(0, σ²*)``; the
analysis is the propensity-weighted ANCOVA of
:func:`~analysis.wellbeing.participation.participation_change` (HC1), pooled
by Rubin's rules with Barnard–Rubin-free large-sample normal intervals.
Seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, wide
from analysis.wellbeing.participation import PARTICIPANT, ParticipationGroups, _design, _ols

__all__ = ["ESTIMAND", "DeltaAdjustmentResult", "delta_adjustment"]

ESTIMAND = {
    "population": "detainees in the D&D prisons with a baseline score",
    "treatment": "peer support (contact log, else self-report) against none",
    "variable": "follow-up score adjusted for the baseline score (the change)",
    "intercurrent event": "release before the follow-up questionnaire: 'while detained' strategy "
                          "(no follow-up after release is part of the estimand; released detainees are not imputed)",
    "summary": "difference in mean follow-up score, participants minus comparable non-participants (ATT)",
}


@dataclass(frozen=True)
class DeltaAdjustmentResult(Result):
    """Pooled estimates per δ. ``table``: ``delta``, ``estimate``, ``se``,
    ``ci_low``, ``ci_high``, ``p_val``, ``n_imputed`` (participants' and others'
    imputed follow-ups), ``n_imputations``."""

    outcome: str
    table: pd.DataFrame
    tipping_point: float | None
    n_released: int
    n_missing: int
    n_imputations: int
    seed: int

    @property
    def title(self) -> str:
        return f"Sensitivity of the {self.outcome} comparison to data missing not at random (δ-adjustment)"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Pooled estimate and interval against δ, with zero and the tipping point."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        t = self.table
        ax.fill_between(t["delta"], t["ci_low"], t["ci_high"], alpha=0.25)
        ax.plot(t["delta"], t["estimate"], marker="o")
        ax.axhline(0, color="grey", lw=0.8)
        if self.tipping_point is not None:
            ax.axvline(self.tipping_point, color="tab:red", ls="--", lw=0.8)
        ax.set_xlabel("δ added to participants' imputed follow-up scores (points)")
        ax.set_ylabel(f"difference in {self.outcome} (95% CI)")
        return ax


def _rubin(est: np.ndarray, var: np.ndarray, ci: float) -> tuple[float, float, float, float, float]:
    m = len(est)
    qbar = float(est.mean())
    w = float(var.mean())
    b = float(est.var(ddof=1)) if m > 1 else 0.0
    t = w + (1 + 1 / m) * b
    if b > 0:
        r = (1 + 1 / m) * b / w
        df = (m - 1) * (1 + 1 / r) ** 2
        q = stats.t.ppf(0.5 + ci / 2, df)
        p = float(2 * stats.t.sf(abs(qbar) / np.sqrt(t), df))
    else:
        q = stats.norm.ppf(0.5 + ci / 2)
        p = float(2 * stats.norm.sf(abs(qbar) / np.sqrt(t)))
    se = float(np.sqrt(t))
    return qbar, se, qbar - q * se, qbar + q * se, p


def delta_adjustment(
    scores: pd.DataFrame,
    groups: ParticipationGroups | pd.DataFrame,
    *,
    released,
    deltas=(0, -2, -4, -6, -8, -10, -15, -20),
    covariates=(),
    n_imputations: int = 20,
    seed: int = 20250306,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    site: str | None = "site",
    pre=None,
    post=None,
    ci: float = 0.95,
) -> DeltaAdjustmentResult:
    """δ-adjusted multiple imputation and tipping point (module notes).

    Parameters
    ----------
    scores, groups
        As for :func:`~analysis.wellbeing.participation.participation_change`.
    released : collection
        Subjects released before their follow-up (the intercurrent event):
        left out, never imputed.
    deltas : sequence of float
        Shifts of participants' imputed follow-up scores, in score points,
        from MAR (0) outwards.
    n_imputations, seed : int

    Returns
    -------
    DeltaAdjustmentResult
    """
    from analysis.comparison import propensity_score

    persons = groups.persons if isinstance(groups, ParticipationGroups) else groups
    pre, post = resolve_waves(scores, wave, pre, post)
    w = wide(scores, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post, site=site)
    d = w.merge(persons[[subject, "group", *covariates]], on=subject, how="inner")
    d = d[d["pre"].notna()].reset_index(drop=True)
    gone = d[subject].isin(set(released)) & d["post"].isna()
    n_released = int(gone.sum())
    d = d[~gone].reset_index(drop=True)
    ps = propensity_score(d.assign(baseline_score=d["pre"]), group="group",
                          covariates=("baseline_score", *covariates), treated=PARTICIPANT, site=site)
    d = ps.data.reset_index(drop=True)
    x, _ = _design(d, site)
    miss = d["post"].isna().to_numpy()
    part = (d["group"] == PARTICIPANT).to_numpy()
    xo, yo = x[~miss], d.loc[~miss, "post"].to_numpy(float)
    xtx_inv = np.linalg.inv(xo.T @ xo)
    beta_hat = xtx_inv @ xo.T @ yo
    resid = yo - xo @ beta_hat
    df = len(yo) - x.shape[1]
    chol = np.linalg.cholesky(xtx_inv)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_imputations):
        sigma2 = float(resid @ resid / rng.chisquare(df))
        beta = beta_hat + np.sqrt(sigma2) * chol @ rng.normal(size=x.shape[1])
        draws.append(x[miss] @ beta + rng.normal(0, np.sqrt(sigma2), int(miss.sum())))
    weights = d["weight"].to_numpy(float)
    rows = []
    for delta in deltas:
        est, var = [], []
        for imp in draws:
            y = d["post"].to_numpy(float).copy()
            y[miss] = imp + delta * part[miss]
            b, se, _ = _ols(y, x, w=weights, robust=True)
            est.append(b)
            var.append(se**2)
        q, se, lo, hi, p = _rubin(np.array(est), np.array(var), ci)
        rows.append({"delta": float(delta), "estimate": q, "se": se, "ci_low": lo, "ci_high": hi, "p_val": p})
    table = pd.DataFrame(rows)
    table["n_imputed_participants"] = int((miss & part).sum())
    table["n_imputed_comparison"] = int((miss & ~part).sum())
    table["n_imputations"] = n_imputations
    base = table.iloc[0]
    tip = None
    excludes_zero = base["ci_low"] > 0 or base["ci_high"] < 0
    for r in table.itertuples(index=False):
        if excludes_zero and r.ci_low <= 0 <= r.ci_high:
            tip = r.delta
            break
        if not excludes_zero and np.sign(r.estimate) != np.sign(base["estimate"]):
            tip = r.delta
            break
    remarks = [
        "Estimand: " + "; ".join(f"{k}: {v}" for k, v in ESTIMAND.items()) + ".",
        f"{n_released} detainee(s) released before their follow-up are outside the estimand (not imputed); "
        f"{int(miss.sum())} other missing follow-up(s) are imputed {n_imputations} times, under MAR (δ = 0) and "
        "with participants' imputed scores shifted by δ.",
        (f"Tipping point: at δ = {tip:g} points the conclusion changes." if tip is not None else
         f"No tipping point within δ = {min(deltas):g} to {max(deltas):g} points: the conclusion holds "
         "throughout."),
    ]
    return DeltaAdjustmentResult(outcome=outcome, table=table, tipping_point=tip, n_released=n_released,
                                 n_missing=int(miss.sum()), n_imputations=n_imputations, seed=seed,
                                 remarks=tuple(remarks))
