"""Cox partial-likelihood sums on sorted arrays: one sort, then per-event-time sums only.

Rows are sorted once by stratum and time; a *block* is one distinct time
within a stratum. Every quantity the Cox fit, its proportional-hazards check
and its score residuals need is a sum over blocks of per-block sums, and the
``p x p`` parts ``sum_t c_t * sum_{i at risk at t} r_i x_i x_i'`` are written
as one weighted cross-product ``X' diag(r_i C_i) X`` with ``C_i`` the
cumulative ``c_t`` over the event times at which row ``i`` is at risk, so no
``n x p x p`` (or ``m x p x p``) array is ever built. Memory is ``O(n p)``.

Ties: Efron splits the ``d`` tied events at a time into ``d`` steps
(step ``k`` removes ``k/d`` of their weight from the risk-set sums); Breslow
counts every event against the full risk set. Each ``(time, step)`` pair is a
row of the "step" arrays (one per event), so there is no Python loop over
steps or times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def _seg_cumsum(values, seg_starts, reverse=False):
    """Cumulative sum restarting at every segment start (``seg_starts`` sorted, first 0)."""
    out = np.empty_like(values)
    ends = list(seg_starts[1:]) + [len(values)]
    for a, b in zip(seg_starts, ends):
        if reverse:
            out[a:b] = values[a:b][::-1].cumsum(axis=0)[::-1]
        else:
            out[a:b] = values[a:b].cumsum(axis=0)
    return out


class SortedCox:
    """A Cox data set sorted by stratum and time, evaluated at any ``beta``.

    Parameters
    ----------
    t, e : arrays
        Times and 0/1 events.
    X : (n, p) array
        Design matrix (centred here; centring changes neither the estimate
        nor the partial likelihood).
    strata : array-like, optional
        Stratum labels.
    efron : bool
        Efron (True) or Breslow (False) ties.
    """

    def __init__(self, t, e, X, strata=None, efron=True):
        t = np.asarray(t, dtype=float)
        e = np.asarray(e, dtype=int)
        X = np.asarray(X, dtype=float)
        n = len(t)
        if strata is None:
            order = np.argsort(t, kind="stable")
            codes = np.zeros(n, dtype=np.int64)
        else:
            codes = pd.factorize(np.asarray(strata))[0]
            order = np.lexsort((t, codes))
            codes = codes[order]
        self.order = order
        self.t, self.e, self.codes = t[order], e[order], codes
        X = X[order]
        self.X = X - X.mean(axis=0)
        self.XT = np.ascontiguousarray(self.X.T)  # p x n: row-wise sums and cumsums run contiguously
        self.efron = efron
        self.n, self.p = self.X.shape
        new = np.ones(n, dtype=bool)
        if n:
            new[1:] = (self.t[1:] != self.t[:-1]) | (self.codes[1:] != self.codes[:-1])
        self.starts = np.flatnonzero(new)  # first row of each block
        self.blk = np.cumsum(new) - 1  # block of each row
        m = len(self.starts)
        self.m = m
        self.btime = self.t[self.starts]
        srow = np.ones(n, dtype=bool)
        if n:
            srow[1:] = self.codes[1:] != self.codes[:-1]
        self.srow = np.flatnonzero(srow)  # first row of each stratum
        self.seg = self.blk[self.srow]  # first block of each stratum
        self.ev = self.e == 1
        self.evrows = np.flatnonzero(self.ev)
        self.blk_ev = self.blk[self.evrows]
        self.d = np.bincount(self.blk_ev, minlength=m).astype(float)
        self.has = np.flatnonzero(self.d > 0)  # event blocks
        self.Xev = self.X[self.evrows]
        self.XevT = np.ascontiguousarray(self.Xev.T)
        self.sx = self._per_block_ev(self.XevT)
        # one step row per event: its block and its Efron fraction k/d
        dd = self.d[self.has].astype(int)
        self.step_blk = np.repeat(self.has, dd)
        if efron:
            first = np.repeat(np.cumsum(dd) - dd, dd)
            self.frac = (np.arange(len(self.step_blk)) - first) / np.repeat(dd, dd)
        else:
            self.frac = np.zeros(len(self.step_blk))
        self._cache = None

    def _per_block_ev(self, valsT):
        """Sums over the event rows of each block of a (p, events) array, as (m, p)."""
        out = np.empty((self.m, valsT.shape[0]))
        for j in range(valsT.shape[0]):
            out[:, j] = np.bincount(self.blk_ev, weights=valsT[j], minlength=self.m)
        return out

    # ---- building blocks -------------------------------------------------------------------------
    def _block_sums(self, beta):
        if self._cache is not None and np.array_equal(self._cache[0], beta):
            return self._cache[1]
        eta = beta @ self.XT
        r = np.exp(eta)
        m, p = self.m, self.p
        rev = r[self.evrows]
        # per block: sums of r and r x over all rows and over the event rows (column by column, so
        # no p x n temporary); the risk set of a block is the reverse cumulative sum over the
        # blocks of its stratum (rows sorted by time)
        nb = np.empty((m, p + 1))
        de = np.empty((m, p + 1))
        nb[:, 0] = np.bincount(self.blk, weights=r, minlength=m)
        de[:, 0] = np.bincount(self.blk_ev, weights=rev, minlength=m)
        for j in range(p):
            nb[:, j + 1] = np.bincount(self.blk, weights=self.XT[j] * r, minlength=m)
            de[:, j + 1] = np.bincount(self.blk_ev, weights=self.XevT[j] * rev, minlength=m)
        sb = _seg_cumsum(nb, self.seg, reverse=True)
        s0, s1 = sb[:, 0], sb[:, 1:]
        de0, de1 = de[:, 0], de[:, 1:]
        a0, xb = self._steps(s0, s1, de0, de1)
        out = (eta, r, a0, xb)
        self._cache = (np.array(beta, copy=True), out)
        return out

    def _steps(self, s0, s1, de0, de1):
        b, f = self.step_blk, self.frac
        a0 = s0[b] - f * de0[b]
        a1 = s1[b] - f[:, None] * de1[b]
        return a0, a1 / a0[:, None]

    def _cum_at_risk(self, c):
        """Per row: sum of block values ``c`` over the blocks of its stratum at or before its time."""
        return _seg_cumsum(c, self.seg)[self.blk]

    def _weighted_info(self, r, a0, xb, h=None):
        """``sum_t h_t sum_k V_tk`` (V the risk-set covariance of step k), as p x p cross-products."""
        b, f = self.step_blk, self.frac
        hs = np.ones(len(b)) if h is None else h[b]
        c1 = np.bincount(b, weights=hs / a0, minlength=self.m)
        info = (self.XT * (r * self._cum_at_risk(c1))) @ self.X
        if self.efron:
            c2 = np.bincount(b, weights=hs * f / a0, minlength=self.m)
            w2 = r[self.evrows] * c2[self.blk_ev]
            info -= (self.XevT * w2) @ self.Xev
        info -= (xb.T * hs) @ xb
        return info

    # ---- likelihood ------------------------------------------------------------------------------
    def loglik(self, beta):
        beta = np.asarray(beta, dtype=float)
        eta, r, a0, xb = self._block_sums(beta)
        return float(eta[self.evrows].sum() - np.log(a0).sum())

    def derivatives(self, beta):
        """Log partial likelihood, score vector and information matrix at ``beta``."""
        beta = np.asarray(beta, dtype=float)
        eta, r, a0, xb = self._block_sums(beta)
        ll = float(eta[self.evrows].sum() - np.log(a0).sum())
        score = self.sx.sum(axis=0) - xb.sum(axis=0)
        info = self._weighted_info(r, a0, xb)
        return ll, score, info

    def fit(self, init=None, *, max_iter=50):
        """Newton-Raphson with step halving (as R's ``coxph``).

        Stops after a step smaller than ``1e-7`` (relative to ``max(1, |beta|)``): Newton-Raphson
        converges quadratically, so the estimate it lands on is exact to about ``1e-14``, closer to
        the maximum than R's ``coxph``, which stops when the log-likelihood changes by less than
        ``1e-9`` relative (its coefficients differ from the maximum by up to ~1e-7 relative).
        The derivatives at ``init`` (zero: the null model) are kept as :attr:`null`.
        """
        beta = np.zeros(self.p) if init is None else np.asarray(init, dtype=float).copy()
        ll, score, info = self.derivatives(beta)
        self.null = (ll, score, info)
        for _ in range(max_iter):
            try:
                step = np.linalg.solve(info, score)
            except np.linalg.LinAlgError:
                step = np.full(self.p, np.nan)
            if not np.isfinite(step).all():
                raise RuntimeError(
                    "the Cox model cannot be fitted: its information matrix is singular at "
                    f"coefficients {np.round(beta, 3).tolist()} - a coefficient heads to infinity (a level or "
                    "group without events, or a covariate that separates events from non-events) or two "
                    "covariates are collinear: merge or drop them")
            new = beta + step
            ll_new, score_new, info_new = self.derivatives(new)
            halvings = 0
            while not np.isfinite(ll_new) or ll_new < ll - 1e-12 * abs(ll):
                step = step / 2
                new = beta + step
                ll_new, score_new, info_new = self.derivatives(new)
                halvings += 1
                if halvings > 30:
                    break
            done = np.max(np.abs(step) / np.maximum(1.0, np.abs(new)), initial=0.0) < 1e-7 and halvings == 0
            beta, ll, score, info = new, ll_new, score_new, info_new
            if done:
                break
        else:
            big = np.flatnonzero(np.abs(beta) > 10)
            raise RuntimeError(
                f"the Cox model did not converge in {max_iter} Newton-Raphson iterations"
                + (f"; coefficient(s) {big.tolist()} head to infinity (a level or group without events, or a "
                   "covariate that separates events from non-events): merge or drop it" if len(big) else ""))
        self.fitted = (beta.copy(), info)
        return beta, ll, score, info

    # ---- proportional-hazards check (cox.zph) ---------------------------------------------------
    def zph_pieces(self, beta, g_block):
        """Score ``U_g`` and information blocks ``I11, I12, I22`` for ``x * g(t)`` at ``beta``."""
        beta = np.asarray(beta, dtype=float)
        eta, r, a0, xb = self._block_sums(beta)
        xbar_sum = np.zeros((self.m, self.p))
        for j in range(self.p):
            xbar_sum[:, j] = np.bincount(self.step_blk, weights=xb[:, j], minlength=self.m)
        schoen = (self.sx - xbar_sum)[self.has]
        u = (g_block[self.has, None] * schoen).sum(axis=0)
        fitted = getattr(self, "fitted", None)
        if fitted is not None and np.array_equal(fitted[0], beta):
            i11 = fitted[1]  # the information at the estimate, from the fit
        else:
            i11 = self._weighted_info(r, a0, xb)
        i12 = self._weighted_info(r, a0, xb, g_block)
        i22 = self._weighted_info(r, a0, xb, g_block**2)
        return u, i11, i12, i22

    # ---- score residuals ------------------------------------------------------------------------
    def score_residuals(self, beta):
        """Per-row score residuals (in the caller's original row order), as R's ``type="score"``."""
        beta = np.asarray(beta, dtype=float)
        eta, r, a0, xb = self._block_sums(beta)
        b, f = self.step_blk, self.frac
        d = self.d[b]
        haz = 1.0 / a0  # each step carries one event's hazard increment
        wd = (1 - f) if self.efron else np.ones(len(b))
        m, p = self.m, self.p

        def per_block(w):
            return np.bincount(b, weights=w, minlength=m)

        def per_block_p(w):
            out = np.empty((m, p))
            for j in range(p):
                out[:, j] = np.bincount(b, weights=w * xb[:, j], minlength=m)
            return out

        h0, h1 = per_block(haz), per_block_p(haz)
        h0d, h1d = per_block(wd * haz), per_block_p(wd * haz)
        xbm = per_block_p(1.0 / d)  # mean of xbar over the steps (all equal with Breslow)
        c0 = _seg_cumsum(h0, self.seg) - h0  # event times strictly before, within the stratum
        c1 = _seg_cumsum(h1, self.seg) - h1
        blk, ev = self.blk, self.ev
        a0r = c0[blk] + np.where(ev, h0d[blk], h0[blk])
        a1r = c1[blk] + np.where(ev[:, None], h1d[blk], h1[blk])
        res = -r[:, None] * (self.X * a0r[:, None] - a1r)
        res[ev] += self.X[ev] - xbm[blk[ev]]
        out = np.empty_like(res)
        out[self.order] = res
        return out
