"""Private: profiled REML for y = Xβ + (a_s + b_s·t) + u_{s:i} + e.

The parametrisation follows lme4: with σ² the residual variance,
``Cov(a_s, b_s) = σ² ΛΛ'`` (Λ lower-triangular 2 × 2, diagonal ≥ 0) and
``Var(u) = σ² τ²``.  For site *s*, ``V_s = σ² V0_s`` with
``V0_s = W_s + U_s U_s'``, ``W_s = I + τ² A_s A_s'`` (A: respondent
indicators) and ``U_s = Z_s Λ`` (Z = [1, t]).  ``W_s`` is block-diagonal by
respondent with inverse ``I − τ²/(1 + kτ²)·11'`` for a respondent with k
rows, and the Woodbury identity with the 2 × 2 matrix ``M = I + U'W⁻¹U``
gives ``V0⁻¹`` and ``log|V0| = Σ log(1 + kτ²) + log|M|``.  With σ² profiled
out, the REML criterion (lme4's ``REMLcrit``) is::

    log|V0| + log|X'V0⁻¹X| + (N − p)·(1 + log(2π σ̂²)),
    σ̂² = r'V0⁻¹r / (N − p),   r = y − Xβ̂

minimised over θ = (Λ11, Λ21, Λ22, τ) by L-BFGS-B from several starts.  Only
sums over respondents enter, so each evaluation costs O(respondents), not
O(rows³) per site.  ``Cov(β̂) = σ̂² (X'V0⁻¹X)⁻¹`` as lme4's ``vcov()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__: list[str] = []


@dataclass(frozen=True)
class RemlFit:
    beta: np.ndarray
    cov_beta: np.ndarray
    sigma2: float
    g: np.ndarray  # 2 × 2 covariance of (site intercept, site slope)
    person_var: float
    reml_llf: float
    converged: bool
    theta: np.ndarray


class _Problem:
    def __init__(self, y, x, t, site, person):
        self.p = x.shape[1]
        self.n = len(y)
        z = np.column_stack([np.ones(len(t)), t])
        c = np.column_stack([x, y, z])
        self.q = c.shape[1]
        self.blocks = []
        for s in np.unique(site):
            idx = np.flatnonzero(site == s)
            cs = c[idx]
            codes = np.unique(person[idx], return_inverse=True)[1]
            sums = np.zeros((codes.max() + 1, self.q))
            np.add.at(sums, codes, cs)
            k = np.bincount(codes).astype(float)
            self.blocks.append((cs.T @ cs, sums, k))

    def parts(self, theta):
        l11, l21, l22, tau = theta
        lam = np.array([[l11, 0.0], [l21, l22]])
        p = self.p
        xvx = np.zeros((p, p))
        xvy = np.zeros(p)
        yvy = 0.0
        logdet = 0.0
        for cc, sums, k in self.blocks:
            w = tau**2 / (1 + k * tau**2)
            s = cc - (sums * w[:, None]).T @ sums  # C' W⁻¹ C
            logdet += np.log1p(k * tau**2).sum()
            xx, xy, xz = s[:p, :p], s[:p, p], s[:p, p + 1:]
            yy, yz = s[p, p], s[p, p + 1:]
            zz = s[p + 1:, p + 1:]
            m = np.eye(2) + lam.T @ zz @ lam
            logdet += np.linalg.slogdet(m)[1]
            xu, yu = xz @ lam, yz @ lam
            minv = np.linalg.inv(m)
            xvx += xx - xu @ minv @ xu.T
            xvy += xy - xu @ minv @ yu
            yvy += yy - yu @ minv @ yu
        return xvx, xvy, yvy, logdet

    def crit(self, theta):
        xvx, xvy, yvy, logdet = self.parts(theta)
        try:
            beta = np.linalg.solve(xvx, xvy)
        except np.linalg.LinAlgError:
            return np.inf
        rss = yvy - xvy @ beta
        dof = self.n - self.p
        if rss <= 0:
            return np.inf
        return logdet + np.linalg.slogdet(xvx)[1] + dof * (1 + np.log(2 * np.pi * rss / dof))

    def solution(self, theta):
        xvx, xvy, yvy, _ = self.parts(theta)
        beta = np.linalg.solve(xvx, xvy)
        sigma2 = (yvy - xvy @ beta) / (self.n - self.p)
        return beta, sigma2 * np.linalg.inv(xvx), sigma2


def fit_reml(y, x, t, site, person, start=None) -> RemlFit:
    """Profiled-REML fit (module notes); ``start`` is a previous θ (bootstrap)."""
    prob = _Problem(np.asarray(y, float), np.asarray(x, float), np.asarray(t, float),
                    np.asarray(site), np.asarray(person))
    bounds = [(0, None), (None, None), (0, None), (0, None)]
    starts = [np.asarray(start, float)] if start is not None else []
    starts += [np.array([0.5, 0.0, 0.3, 1.0]), np.array([0.1, 0.0, 0.1, 0.5]), np.array([1.0, 0.0, 1.0, 2.0])]
    best = None
    for s0 in starts:
        r = optimize.minimize(prob.crit, s0, method="L-BFGS-B", bounds=bounds,
                              options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": 2000})
        if np.isfinite(r.fun) and (best is None or r.fun < best.fun - 1e-10):
            best = r
        if start is not None and best is not None and best.success:
            break
    if best is None:
        raise RuntimeError("the mixed model could not be fitted (REML criterion not finite)")
    theta, fun = best.x, best.fun
    beta, cov, sigma2 = prob.solution(theta)
    l11, l21, l22, tau = theta
    lam = np.array([[l11, 0.0], [l21, l22]])
    return RemlFit(beta=beta, cov_beta=cov, sigma2=float(sigma2), g=sigma2 * lam @ lam.T,
                   person_var=float(sigma2 * tau**2), reml_llf=float(-0.5 * fun),
                   converged=bool(best.success), theta=theta)
