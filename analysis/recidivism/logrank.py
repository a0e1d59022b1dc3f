"""Log-rank test, plain or stratified by site (as R's ``survival::survdiff``).

For every distinct event time ``t`` (within a stratum) with ``n`` at risk and
``d`` events, group ``g`` contributes observed ``O_g``, expected
``E_g = n_g d / n`` and the hypergeometric covariance
``V_gh = d (n - d) / (n - 1) * n_g / n * (1{g=h} - n_h / n)``. Stratified:
sums over strata. The statistic is ``(O - E)' V^- (O - E)`` on ``k - 1``
degrees of freedom (the first ``k - 1`` groups, sorted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result
from ._checks import durations_events, require_columns, require_frame
from .power import DetectableEffect, detectable_effect

__all__ = ["LogRankResult", "logrank_test"]


def _one_stratum(t, e, g_idx, k):
    order = np.argsort(t, kind="stable")
    t, e, g_idx = t[order], e[order], g_idx[order]
    times, inv = np.unique(t, return_inverse=True)
    m = len(times)
    n_at = np.zeros((m, k))
    d_at = np.zeros((m, k))
    np.add.at(n_at, (inv, g_idx), 1.0)
    np.add.at(d_at, (inv, g_idx), e)
    risk = n_at[::-1].cumsum(axis=0)[::-1]  # n_g at risk at each time
    d = d_at.sum(axis=1)
    n = risk.sum(axis=1)
    keep = d > 0
    risk, d_at, d, n = risk[keep], d_at[keep], d[keep], n[keep]
    obs = d_at.sum(axis=0)
    exp = (risk * (d / n)[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(n > 1, d * (n - d) / (n - 1), 0.0) / n
    frac = risk / n[:, None]
    var = np.diag((f[:, None] * risk).sum(axis=0)) - np.einsum("t,tg,th->gh", f * n, frac, frac)
    return obs, exp, var


@dataclass(frozen=True, eq=False)
class LogRankResult(Result):
    """Log-rank comparison of groups (``survdiff``)."""

    table: pd.DataFrame
    chisq: float
    df: int
    p_val: float
    strata: str | None
    detectable: DetectableEffect | None

    @property
    def title(self) -> str:
        by = f", stratified by {self.strata}" if self.strata else ""
        return f"Log-rank test{by}: chi2 = {self.chisq:.3f} on {self.df} df, p = {self.p_val:.4g}"

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def plot(self, ax=None):
        from ._plots import axes

        ax = axes(ax)
        x = np.arange(len(self.table))
        ax.bar(x - 0.2, self.table["observed"], 0.4, label="observed")
        ax.bar(x + 0.2, self.table["expected"], 0.4, label="expected")
        ax.set_xticks(x)
        ax.set_xticklabels(self.table.index.astype(str))
        ax.set_ylabel("reoffences")
        ax.legend(frameon=False)
        return ax


def logrank_test(
    data: pd.DataFrame,
    *,
    duration: str = "duration",
    event: str = "event",
    group: str = "group",
    strata: str | None = None,
    treated=None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> LogRankResult:
    """Log-rank test of equal hazards across ``group``, optionally within ``strata`` (e.g. ``"site"``).

    Returns
    -------
    LogRankResult
        ``table`` indexed by group with ``n``, ``observed``, ``expected``,
        ``oe2_e`` ((O-E)^2/E), ``oe2_v`` ((O-E)^2/V); ``chisq``, ``df``,
        ``p_val``; for two groups, ``detectable`` (minimum detectable hazard
        ratio, also the first remark).
    """
    require_frame(data)
    require_columns(data, group=group, strata=strata)
    t, e = durations_events(data, duration, event)
    gval = data[group]
    if gval.isna().any():
        raise ValueError(f"column {group!r} (group=) has missing values; drop or label them first")
    levels = sorted(pd.unique(gval), key=str)
    k = len(levels)
    if k < 2:
        raise ValueError(f"column {group!r} (group=) has a single level; a comparison needs two or more")
    g_idx = pd.Categorical(gval, categories=levels).codes
    if strata is None:
        s_codes = np.zeros(len(data), dtype=int)
    else:
        if data[strata].isna().any():
            raise ValueError(f"column {strata!r} (strata=) has missing values")
        s_codes = pd.factorize(data[strata], sort=True)[0]
    obs, exp, var = np.zeros(k), np.zeros(k), np.zeros((k, k))
    for s in np.unique(s_codes):
        sel = s_codes == s
        o, x, v = _one_stratum(t[sel], e[sel], g_idx[sel], k)
        obs, exp, var = obs + o, exp + x, var + v
    diff = obs - exp
    vv = var[: k - 1, : k - 1]
    chisq = float(diff[: k - 1] @ np.linalg.solve(vv, diff[: k - 1])) if k > 1 else np.nan
    df = k - 1
    p = float(stats.chi2.sf(chisq, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame(
            {
                "n": np.bincount(g_idx, minlength=k),
                "observed": obs,
                "expected": exp,
                "oe2_e": diff**2 / exp,
                "oe2_v": diff**2 / np.diag(var),
            },
            index=pd.Index(levels, name="group"),
        )
    remarks = []
    detectable = None
    if k == 2:
        tr = treated if treated is not None else ("participant" if "participant" in levels else levels[1])
        share = float((gval == tr).mean())
        detectable = detectable_effect(events=float(e.sum()), participant_share=share, alpha=alpha, power=power)
    if strata is not None:
        remarks.append(f"Stratified by {strata}: groups are compared within each {strata} and the evidence summed.")
    remarks.append("The log-rank test has most power when hazards are proportional; it gives no effect size "
                   "(see cox_model for a hazard ratio with its interval).")
    return LogRankResult(table=table, chisq=chisq, df=df, p_val=p, strata=strata, detectable=detectable,
                         remarks=tuple(remarks))
