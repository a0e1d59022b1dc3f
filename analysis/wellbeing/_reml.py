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

minimised over θ = (Λ11, Λ21, Λ22, τ) by L-BFGS-B from several starts.
``structure`` restricts θ as lme4's formulas do: ``"full"`` is
``(1 + t | site)``, ``"uncorrelated"`` fixes Λ21 = 0 (``(1 + t || site)``) and
``"intercept"`` also Λ22 = 0 (``(1 | site)``).

Convergence is judged as lme4's ``checkConv`` does, not by the optimiser's
flag (which L-BFGS-B often withholds at a boundary): at the optimum, with
``g`` the numerical gradient and ``H`` the numerical Hessian of the REML
criterion over the free parameters that are not on their boundary (0), the
fit has converged when ``max(min(|R⁻ᵀ g|, |g|)) < 0.002`` with ``H = R'R``
(lme4's ``check.conv.grad`` tolerance; the raw gradient alone when ``H`` is
not positive definite). *Singular* is lme4's ``isSingular``: a diagonal
element of the relative covariance factor (Λ11, Λ22, τ) below 1e-4.  Only
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
    max_gradient: float
    singular: bool
    structure: str


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


STRUCTURES = ("full", "uncorrelated", "intercept")
_FIXED = {"full": (), "uncorrelated": (1,), "intercept": (1, 2)}
GRAD_TOL = 0.002  # lme4's check.conv.grad
SINGULAR_TOL = 1e-4  # lme4's isSingular


def _gradient_check(prob, theta, free) -> float:
    """max(min(|scaled gradient|, |gradient|)) over free interior parameters (lme4's rule)."""
    inner = [j for j in free if theta[j] > 1e-8 or j == 1]  # Λ21 has no boundary
    if not inner:
        return 0.0
    h = 1e-5

    def grad(th):
        g = np.zeros(len(inner))
        for a, j in enumerate(inner):
            e = np.zeros(4)
            e[j] = h * max(1.0, abs(th[j]))
            g[a] = (prob.crit(th + e) - prob.crit(th - e)) / (2 * e[j])
        return g

    g = grad(theta)
    hess = np.zeros((len(inner), len(inner)))
    for a, j in enumerate(inner):
        e = np.zeros(4)
        e[j] = 1e-4 * max(1.0, abs(theta[j]))
        hess[:, a] = (grad(theta + e) - grad(theta - e)) / (2 * e[j])
    hess = (hess + hess.T) / 2
    try:
        r = np.linalg.cholesky(hess).T  # H = R'R
        scaled = np.linalg.solve(r.T, g)
        return float(np.max(np.minimum(np.abs(scaled), np.abs(g))))
    except np.linalg.LinAlgError:
        return float(np.max(np.abs(g)))


def fit_reml(y, x, t, site, person, start=None, structure: str = "full") -> RemlFit:
    """Profiled-REML fit (module notes); ``start`` is a previous θ (bootstrap)."""
    if structure not in STRUCTURES:
        raise ValueError(f"structure must be one of {STRUCTURES}, got {structure!r}")
    prob = _Problem(np.asarray(y, float), np.asarray(x, float), np.asarray(t, float),
                    np.asarray(site), np.asarray(person))
    fixed = _FIXED[structure]
    bounds = [(0, None), (None, None), (0, None), (0, None)]
    for j in fixed:
        bounds[j] = (0.0, 0.0)
    starts = [np.asarray(start, float)] if start is not None else []
    starts += [np.array([0.5, 0.0, 0.3, 1.0]), np.array([0.1, 0.0, 0.1, 0.5]), np.array([1.0, 0.0, 1.0, 2.0])]
    best = None
    for s0 in starts:
        s0 = s0.copy()
        s0[list(fixed)] = 0.0
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
    free = [j for j in range(4) if j not in fixed]
    max_grad = _gradient_check(prob, theta, free) if start is None else float("nan")
    singular = any(theta[j] < SINGULAR_TOL for j in (0, 2, 3) if j in free)
    return RemlFit(beta=beta, cov_beta=cov, sigma2=float(sigma2), g=sigma2 * lam @ lam.T,
                   person_var=float(sigma2 * tau**2), reml_llf=float(-0.5 * fun),
                   converged=bool(max_grad < GRAD_TOL) if start is None else bool(best.success), theta=theta,
                   max_gradient=max_grad, singular=bool(singular), structure=structure)
