"""Proportional-hazards check as R's ``survival::cox.zph`` (survival >= 3.0).

At the fitted coefficients ``beta`` the model is extended with the
covariates ``x * g(t)``, where ``g(t) = 1 - KM(t-)`` (the "km" transform: one
minus the left-continuous Kaplan-Meier of all data, strata ignored) centred
at its mean over the events. The score test of "no ``x * g(t)`` term" is::

    U_g  = sum_t g(t) * (sum of x over events at t - sum_k xbar_k(t))
    I    = [[sum V, sum g V], [sum g V, sum g^2 V]]      (over event times)
    chi2 = (0, U_g)' I^{-1} (0, U_g)  on the term's degrees of freedom

with Efron's (``k/d`` down-weighting of the tied events) or Breslow's
``xbar`` and ``V`` within each stratum. A term with several dummy columns is
tested jointly; ``GLOBAL`` tests all terms at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .km import km_table

__all__ = ["ph_test"]


def _stratum_pieces(t, e, x, eta, g, efron):
    """Score of the g-terms and the three information blocks for one stratum."""
    order = np.argsort(-t, kind="stable")
    t, e, x, eta, g = t[order], e[order], x[order], eta[order], g[order]
    p = x.shape[1]
    r = np.exp(eta)
    rx = r[:, None] * x
    rxx = rx[:, :, None] * x[:, None, :]
    c0, c1, c2 = np.cumsum(r), np.cumsum(rx, axis=0), np.cumsum(rxx, axis=0)
    times, first = np.unique(t, return_index=True)  # t is descending; unique sorts ascending
    # last index (in descending order) of each distinct time = end of its risk set
    last = np.searchsorted(-t, -times, side="right") - 1
    ev = e == 1
    tix = np.searchsorted(times, t)
    m = len(times)
    d = np.bincount(tix[ev], minlength=m).astype(float)
    has = d > 0
    s0, s1, s2 = c0[last], c1[last], c2[last]
    de0 = np.bincount(tix[ev], weights=r[ev], minlength=m)
    de1 = np.zeros((m, p))
    np.add.at(de1, tix[ev], rx[ev])
    de2 = np.zeros((m, p, p))
    np.add.at(de2, tix[ev], rxx[ev])
    sx = np.zeros((m, p))
    np.add.at(sx, tix[ev], x[ev])
    gt = np.zeros(m)
    gt[tix] = g  # the same g for everyone at a time
    xbar_sum = np.zeros((m, p))
    v_sum = np.zeros((m, p, p))
    kmax = int(d.max()) if m else 0
    for k in range(kmax if efron else 1):
        on = d > k
        frac = (k / d[on]) if efron else 0.0
        a0 = s0[on] - frac * de0[on]
        a1 = s1[on] - (frac * de1[on].T).T
        a2 = s2[on] - (frac * de2[on].T).T
        xb = a1 / a0[:, None]
        v = a2 / a0[:, None, None] - xb[:, :, None] * xb[:, None, :]
        if efron:
            xbar_sum[on] += xb
            v_sum[on] += v
        else:
            xbar_sum[on] += d[on, None] * xb
            v_sum[on] += d[on, None, None] * v
    schoen = (sx - xbar_sum)[has]
    gt, v_sum = gt[has], v_sum[has]
    u = (gt[:, None] * schoen).sum(axis=0)
    i11 = v_sum.sum(axis=0)
    i12 = (gt[:, None, None] * v_sum).sum(axis=0)
    i22 = (gt[:, None, None] ** 2 * v_sum).sum(axis=0)
    return u, i11, i12, i22


def ph_test(
    durations,
    events,
    x: pd.DataFrame,
    beta,
    *,
    strata=None,
    ties: str = "efron",
    terms: dict | None = None,
) -> pd.DataFrame:
    """Score test of proportional hazards per term and globally (R ``cox.zph``, transform "km").

    Parameters
    ----------
    durations, events : array-like
        Follow-up times and 0/1 events.
    x : DataFrame
        The design matrix the model was fitted on (uncentred is fine).
    beta : array-like
        Fitted coefficients, in the order of ``x``'s columns.
    strata : array-like, optional
        Stratum labels (risk sets are formed within strata).
    ties : {"efron", "breslow"}
    terms : dict, optional
        ``{term: [column names]}``; default one term per column.

    Returns
    -------
    DataFrame
        Indexed by term plus ``GLOBAL``; columns ``chisq``, ``df``, ``p``.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    X = x.to_numpy(dtype=float)
    b = np.asarray(beta, dtype=float)
    X = X - X.mean(axis=0)  # centring changes nothing but rounding
    eta = X @ b
    km = km_table(t, e)
    idx = np.searchsorted(km["time"].to_numpy(), t, side="left")  # number of KM times < t
    s_left = np.concatenate([[1.0], km["surv"].to_numpy()])[idx]
    g = 1 - s_left
    g = g - g[e == 1].mean()
    strata_codes = np.zeros(len(t), dtype=int) if strata is None else pd.factorize(np.asarray(strata))[0]
    p = X.shape[1]
    u = np.zeros(p)
    i11, i12, i22 = np.zeros((p, p)), np.zeros((p, p)), np.zeros((p, p))
    for s in np.unique(strata_codes):
        sel = strata_codes == s
        a, b11, b12, b22 = _stratum_pieces(t[sel], e[sel], X[sel], eta[sel], g[sel], ties == "efron")
        u, i11, i12, i22 = u + a, i11 + b11, i12 + b12, i22 + b22
    imat = np.block([[i11, i12], [i12.T, i22]])
    cols = list(x.columns)
    if terms is None:
        terms = {c: [c] for c in cols}
    rows = {}
    for term, members in terms.items():
        jj = [cols.index(c) for c in members]
        kk = list(range(p)) + [p + j for j in jj]
        uu = np.concatenate([np.zeros(p), u[jj]])
        chi = float(uu @ np.linalg.solve(imat[np.ix_(kk, kk)], uu))
        rows[term] = (chi, len(jj))
    uu = np.concatenate([np.zeros(p), u])
    rows["GLOBAL"] = (float(uu @ np.linalg.solve(imat, uu)), p)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["chisq", "df"])
    out["p"] = stats.chi2.sf(out["chisq"], out["df"])
    out.index.name = "term"
    return out
