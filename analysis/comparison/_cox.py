"""A fast weighted Cox fit for one binary term (Efron ties), used inside bootstrap loops.

Efron's approximation with case weights follows R's ``coxph``: at an event
time with ``d`` tied events whose weights sum to ``W``, the risk-set sums
``S_k = S0 - (k/d) D0`` (``D0`` the tied events' ``w exp(x b)``) enter the
log-likelihood with the mean event weight ``W / d``::

    l(b) = sum_events w_i x_i b - sum_times (W/d) sum_{k<d} log(S_k)
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


def cox_one_term(durations, events, x, weights=None, *, tol=1e-10, max_iter=50) -> tuple[float, float]:
    """Return ``(beta, model-based variance)`` of a weighted Cox model with one covariate."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    x = np.asarray(x, dtype=float)
    w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=float)
    times, inv = np.unique(t, return_inverse=True)
    m = len(times)

    def sums(v):
        return np.bincount(inv, weights=v, minlength=m)

    d = np.bincount(inv[e], minlength=m).astype(float)
    has = d > 0
    wd = sums(w * e)[has]
    dd = d[has]
    ux = float(np.sum(w[e] * x[e]))
    beta = 0.0
    info = np.nan
    for _ in range(max_iter):
        r = w * np.exp(x * beta)
        s0 = sums(r)[::-1].cumsum()[::-1][has]
        s1 = sums(r * x)[::-1].cumsum()[::-1][has]
        s2 = sums(r * x * x)[::-1].cumsum()[::-1][has]
        d0, d1, d2 = sums(r * e)[has], sums(r * x * e)[has], sums(r * x * x * e)[has]
        score, info = ux, 0.0
        meanw = wd / dd
        for k in range(int(dd.max()) if len(dd) else 0):
            on = dd > k
            f = k / dd[on]
            den = s0[on] - f * d0[on]
            a1 = (s1[on] - f * d1[on]) / den
            a2 = (s2[on] - f * d2[on]) / den
            score -= float(np.sum(meanw[on] * a1))
            info += float(np.sum(meanw[on] * (a2 - a1 * a1)))
        if not np.isfinite(info) or info <= 0:
            return np.nan, np.nan
        step = score / info
        beta += step
        if abs(step) < tol:
            break
    return float(beta), float(1.0 / info)
