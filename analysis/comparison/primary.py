"""The primary result: one-year risk of reoffending, participants vs their weighted comparison group.

Estimand (the target trial in ``book/methods.md``)
-------------------------------------------------
Among the participants (ATT), the risk of a first new offence within
``time`` days of release (default 365) had they taken part, minus (and
divided by) the risk had they not taken part; death and removal from the
country are *competing events* (after them nobody can reoffend here), so the
risk is a cumulative incidence, not one minus a Kaplan-Meier survival.

Estimator
---------
The whole cohort's time-to-event data, not only the people with a complete
year: in each group the weighted Aalen-Johansen cumulative incidence at
``time`` (participants weight 1, comparison episodes the odds of their
propensity score, ATT). Censoring (the end of follow-up at the extract minus
the court lag) is handled by the estimator, so people released late still
contribute the time they were followed. No estimate is given at a time at
which fewer than ``min_at_risk`` people of either group remain at risk.

Intervals
---------
* **Primary: influence function, propensity model estimated.** The
  estimator is an M-estimator stacked on the logistic propensity model; every
  person's contribution is ``1(Z=g) w_i phi_i / W_g`` (the Aalen-Johansen
  influence, :func:`._fast.cif_influence`) plus the propensity score's
  influence ``D' H^{-1} x_i (z_i - e_i)`` with ``D`` the derivative of the
  weighted estimate with respect to the propensity coefficients and ``H``
  the logistic information. Prison enters the propensity model as fixed
  effects; inference is at the level of the person, conditional on the ten
  prisons (Belgium funds exactly these ten projects, they are not a sample of
  prisons). Wald interval for the difference, on the log scale for the ratio.
* **Check: bootstrap** stratified by prison x group (each cell keeps its
  size), refitting the propensity model in every draw (warm-started IRLS on a
  design built once, :func:`._fast.irls_logit`); percentile intervals.

Both intervals are calibrated by the seeded simulation of
:mod:`analysis.comparison.calibration` (``benchmarks/primary_simulation.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..recidivism._checks import require_columns
from ..recidivism._plots import axes
from ..results import Result
from ._fast import cif_at, cif_influence, irls_logit
from .propensity import PropensityResult, _design

__all__ = ["PrimaryRisk", "primary_risk", "LABEL_PRIMARY", "LABEL_EXPLORATORY"]

LABEL_PRIMARY = "PRIMARY"
LABEL_EXPLORATORY = "EXPLORATORY"


def _threads(n: int = 1):
    """One BLAS thread in the bootstrap loop (chapters run two at a time on two cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is pinned
        from contextlib import nullcontext
        return nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def _weight_derivative(e: np.ndarray, z: np.ndarray, w: np.ndarray, estimand: str) -> np.ndarray:
    """d w_i / d(eta_i) for the ATT (comparison: odds) or ATE (1/e, 1/(1-e)) weights."""
    if estimand == "ATT":
        return np.where(z, 0.0, w)            # w = exp(eta) for the comparison
    return np.where(z, -(w - 1.0), w - 1.0)   # 1/e = 1 + exp(-eta); 1/(1-e) = 1 + exp(eta)


def influence(X, z, e, w, t, status, taus, *, estimand="ATT", event_code=1):
    """Risks per group at ``taus`` and every person's influence on them (propensity estimation included).

    Returns ``(F1, F0, psi1, psi0)``: the risks (``(K,)``) and the
    contributions (``(n, K)``, sum scale: ``F_hat - F ~ sum_i psi_i``).
    """
    n = len(z)
    out = []
    mu_d = _weight_derivative(e, z, w, estimand)
    H = (X * (e * (1 - e))[:, None]).T @ X
    score = X * (z.astype(float) - e)[:, None]          # (n, p)
    Hinv_score = np.linalg.solve(H, score.T).T           # (n, p)
    for sel in (z, ~z):
        F, phi = cif_influence(t[sel], status[sel], w[sel], taus, event_code=event_code)
        W = w[sel].sum()
        psi = np.zeros((n, len(F)))
        psi[sel] = w[sel, None] * phi / W
        # derivative of the Hajek-normalised estimate with respect to the propensity coefficients
        D = (X[sel] * mu_d[sel, None]).T @ phi / W       # (p, K)
        psi += Hinv_score @ D
        out.append((F, psi))
    (F1, psi1), (F0, psi0) = out
    return F1, F0, psi1, psi0


def _strata_rows(cells: np.ndarray, rng: np.random.Generator, groups: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])


@dataclass(frozen=True, eq=False)
class PrimaryRisk(Result):
    """The primary result and its intervals.

    Attributes
    ----------
    estimates : DataFrame
        Indexed by ``quantity`` (``risk participants``, ``risk comparison``
        (per 100), ``risk difference`` (per 100), ``risk ratio``): ``estimate``,
        ``se`` (influence function), ``lower`` / ``upper`` (influence
        function, the published interval), ``boot_lower`` / ``boot_upper``
        (stratified bootstrap), ``label`` (``PRIMARY``).
    curves : DataFrame
        ``group, time, risk, lower, upper, n_risk`` (per 100) on a grid up to
        the last time at which ``min_at_risk`` people remain at risk in each
        group; nothing beyond it.
    at_risk : DataFrame
        People at risk per group at ``time`` (unweighted), and the events of
        each kind before it.
    boot : DataFrame
        Every bootstrap draw (``risk_participants``, ``risk_comparison`` per 1).
    """

    estimates: pd.DataFrame
    curves: pd.DataFrame
    at_risk: pd.DataFrame
    boot: pd.DataFrame
    time: float
    n: int
    n_boot: int
    n_failed: int
    seed: int
    conf_level: float
    published: bool
    treated: str
    label: str = LABEL_PRIMARY

    @property
    def title(self) -> str:
        return (f"[{self.label}] Risk of a first new offence within {self.time:g} days per 100, participants vs "
                "weighted comparison (cumulative incidence, death and removal competing)")

    def to_frame(self) -> pd.DataFrame:
        return self.estimates

    def interval(self, quantity: str = "risk difference") -> tuple[float, float, float]:
        r = self.estimates.loc[quantity]
        return float(r["estimate"]), float(r["lower"]), float(r["upper"])

    def plot(self, ax=None):
        ax = axes(ax)
        for g, d in self.curves.groupby("group", sort=False):
            (line,) = ax.step(d["time"], d["risk"], where="post", label=g)
            ax.fill_between(d["time"], d["lower"], d["upper"], step="post", alpha=0.2, color=line.get_color(),
                            linewidth=0)
        ax.axvline(self.time, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xlabel("days since release")
        ax.set_ylabel("reoffended, per 100 (cumulative incidence)")
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False, loc="upper left")
        return ax


def primary_risk(
    propensity: PropensityResult,
    *,
    duration: str = "duration",
    status: str = "status",
    site: str | None = "site",
    time: float = 365.0,
    event_code: int = 1,
    n_boot: int = 1000,
    seed: int = 20240611,
    conf_level: float = 0.95,
    min_at_risk: int = 10,
    grid_step: float = 7.0,
) -> PrimaryRisk:
    """One-year risk of reoffending per 100, participants vs the propensity-weighted comparison group.

    Parameters
    ----------
    propensity : PropensityResult
        From :func:`.propensity.propensity_score` fitted on the cohort
        analysed (with ``site=`` for prison fixed effects); no ``trim`` or
        ``cap`` (the influence function assumes the plain weights).
    duration, status : str
        Days from release and the status code (0 censored, ``event_code``
        reoffence, other codes competing events), as :func:`build_cohort` gives.
    site : str, optional
        Prison column: the bootstrap is stratified by prison x group.
    time : float
        The horizon (days).
    n_boot : int
        Bootstrap draws (0: none; the influence-function interval is the published one).
    min_at_risk : int
        Nothing is estimated at a time at which fewer people of either group remain at risk.
    """
    if not isinstance(propensity, PropensityResult):
        raise TypeError("propensity must be the result of propensity_score(...)")
    spec = propensity.spec
    if spec.trim is not None or spec.cap is not None:
        raise ValueError("primary_risk needs plain weights: fit propensity_score(...) without trim= or cap=")
    d = propensity.data.reset_index(drop=True)
    require_columns(d, duration=duration, status=status, site=site)
    t = pd.to_numeric(d[duration], errors="coerce").to_numpy(dtype=float)
    st = d[status].to_numpy()
    if np.isnan(t).any() or pd.isna(st).any():
        raise ValueError(f"columns {duration!r} and {status!r} must have no missing values")
    st = st.astype(int)
    z = d["treated"].to_numpy(dtype=bool)
    Xdf, _, _ = _design(d, spec)
    X = np.column_stack([np.ones(len(d)), Xdf.to_numpy(dtype=float)])
    beta, e, ok = irls_logit(X, z)
    if not ok:
        raise ValueError("the propensity model did not converge (a prison or level with only one group?)")
    if not np.allclose(e, d["ps"].to_numpy(dtype=float), atol=1e-6):
        raise ValueError("the propensity scores could not be reproduced from the specification")
    w = np.where(z, 1.0, e / (1 - e)) if spec.estimand == "ATT" else np.where(z, 1 / e, 1 / (1 - e))
    tr = str(propensity.treated_level)
    groups = (tr, "comparison (weighted)")
    a = (1 - conf_level) / 2
    q = stats.norm.ppf(1 - a)

    # follow-up: the last time at which min_at_risk people remain at risk in each group
    n_at = [int((t[s] >= time).sum()) for s in (z, ~z)]
    tmax = min(np.sort(t[s])[::-1][min_at_risk - 1] if s.sum() >= min_at_risk else -np.inf for s in (z, ~z))
    published = bool(time <= tmax)
    grid = np.arange(0.0, max(tmax, 0.0) + 1e-9, grid_step)
    grid = np.unique(np.concatenate([grid, [time] if published else []]))
    taus = np.concatenate([[time], grid])
    F1, F0, psi1, psi0 = influence(X, z, e, w, t, st, taus, estimand=spec.estimand, event_code=event_code)

    est = {}
    r1, r0 = F1[0], F0[0]
    se1, se0 = np.sqrt((psi1[:, 0] ** 2).sum()), np.sqrt((psi0[:, 0] ** 2).sum())
    se_d = np.sqrt(((psi1[:, 0] - psi0[:, 0]) ** 2).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        se_lr = np.sqrt(((psi1[:, 0] / r1 - psi0[:, 0] / r0) ** 2).sum())
    est["risk participants"] = dict(estimate=100 * r1, se=100 * se1, lower=100 * (r1 - q * se1),
                                    upper=100 * (r1 + q * se1))
    est["risk comparison"] = dict(estimate=100 * r0, se=100 * se0, lower=100 * (r0 - q * se0),
                                  upper=100 * (r0 + q * se0))
    est["risk difference"] = dict(estimate=100 * (r1 - r0), se=100 * se_d, lower=100 * (r1 - r0 - q * se_d),
                                  upper=100 * (r1 - r0 + q * se_d))
    est["risk ratio"] = dict(estimate=r1 / r0, se=se_lr, lower=np.exp(np.log(r1 / r0) - q * se_lr),
                             upper=np.exp(np.log(r1 / r0) + q * se_lr))

    # bootstrap stratified by prison x group, refitting the propensity model
    rows, failed = [], 0
    if n_boot:
        cell = (d[site].astype(str) + "|" + z.astype(str)).to_numpy() if site else z.astype(str)
        _, cell_codes = np.unique(cell, return_inverse=True)
        cells = [np.flatnonzero(cell_codes == k) for k in range(cell_codes.max() + 1)]
        rng = np.random.default_rng(seed)
        with _threads(1):
            for _ in range(n_boot):
                idx = _strata_rows(cell_codes, rng, cells)
                Xb, zb = X[idx], z[idx]
                keep = np.ptp(Xb, axis=0) > 0
                keep[0] = True
                bb, eb, okb = irls_logit(Xb[:, keep], zb, beta[keep])
                if not okb or not np.isfinite(eb).all() or eb.max() >= 1:
                    failed += 1
                    continue
                wb = np.where(zb, 1.0, eb / (1 - eb)) if spec.estimand == "ATT" else np.where(zb, 1 / eb, 1 / (1 - eb))
                tb, sb = t[idx], st[idx]
                rows.append((cif_at(tb[zb], sb[zb], wb[zb], time, event_code=event_code),
                             cif_at(tb[~zb], sb[~zb], wb[~zb], time, event_code=event_code)))
    boot = pd.DataFrame(rows, columns=["risk_participants", "risk_comparison"])
    if len(boot):
        b1, b0 = boot["risk_participants"].to_numpy(), boot["risk_comparison"].to_numpy()
        for key, draws, scale in (("risk participants", b1, 100), ("risk comparison", b0, 100),
                                  ("risk difference", b1 - b0, 100), ("risk ratio", b1 / b0, 1)):
            lo, hi = np.quantile(draws, [a, 1 - a])
            est[key].update(boot_lower=scale * lo, boot_upper=scale * hi)
    estimates = pd.DataFrame.from_dict(est, orient="index").rename_axis("quantity")
    estimates["label"] = LABEL_PRIMARY
    if not published:
        estimates.loc[:, [c for c in estimates.columns if c != "label"]] = np.nan

    cur = []
    for k, (g, sel, F, psi) in enumerate(((groups[0], z, F1, psi1), (groups[1], ~z, F0, psi0))):
        se = np.sqrt((psi[:, 1:] ** 2).sum(axis=0))
        n_risk = (t[sel][None, :] >= grid[:, None]).sum(axis=1)
        cur.append(pd.DataFrame({"group": g, "time": grid, "risk": 100 * F[1:],
                                 "lower": 100 * np.clip(F[1:] - q * se, 0, 1),
                                 "upper": 100 * np.clip(F[1:] + q * se, 0, 1), "n_risk": n_risk}))
    curves = pd.concat(cur, ignore_index=True)
    curves = curves.loc[curves["n_risk"] >= min_at_risk].reset_index(drop=True)
    at_risk = pd.DataFrame({
        "group": [tr, "comparison"], "n": [int(z.sum()), int((~z).sum())], "at_risk": n_at,
        "reoffence": [int(((st == event_code) & (t <= time) & s).sum()) for s in (z, ~z)],
        "competing": [int(((st != event_code) & (st != 0) & (t <= time) & s).sum()) for s in (z, ~z)],
    })
    rd = est["risk difference"]
    remarks = [
        f"{LABEL_PRIMARY} result (pre-specified): risk of a first new offence within {time:g} days of release per "
        f"100 people, {tr} vs the propensity-weighted ({spec.estimand}) comparison group; weighted Aalen-Johansen "
        "cumulative incidence from the whole cohort's follow-up, death and removal from the country competing.",
        f"Interval: influence function (sandwich) that includes the estimation of the propensity model, prison as "
        f"fixed effects, person-level inference; {conf_level:.0%} Wald interval (log scale for the ratio). "
        "Calibrated by the simulation in analysis.comparison.calibration.",
    ]
    if n_boot:
        remarks.append(f"Check: bootstrap stratified by prison x group refitting the propensity model, {len(boot)} "
                       f"draws ({failed} failed), percentile intervals, seed {seed}.")
    if published:
        remarks.append(f"Difference {rd['estimate']:.1f} per 100 ({rd['lower']:.1f} to {rd['upper']:.1f}); "
                       f"{min(n_at)} or more people of each group were still followed at day {time:g}.")
    else:
        remarks.append(f"Not estimated: fewer than {min_at_risk} people of a group are followed to day {time:g} "
                       f"(the last day with enough people at risk is {max(tmax, 0):g}).")
    remarks.append(f"Curves stop at day {max(tmax, 0):g}, the last day at which at least {min_at_risk} people of "
                   "each group remain at risk; nothing is carried forward.")
    return PrimaryRisk(estimates=estimates, curves=curves, at_risk=at_risk, boot=boot, time=float(time),
                       n=len(d), n_boot=int(n_boot), n_failed=failed, seed=int(seed), conf_level=conf_level,
                       published=published, treated=tr, remarks=tuple(remarks))
