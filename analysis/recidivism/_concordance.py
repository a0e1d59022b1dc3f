"""Harrell's concordance of a Cox model with its standard error, as R's ``coxph()$concordance``.

R (survival >= 3.0) computes, within strata, the comparable pairs: an event
at ``t_i`` and anyone still followed after it (``t_j > t_i``, or censored at
``t_i``); two events at the same time are "tied on time" and not counted.
A pair is concordant when the one with the event has the higher linear
predictor, discordant when lower, tied on ``x`` when equal. With ``C``, ``D``
and ``T`` the totals, Somers' ``d = (C - D) / (C + D + T)`` and the
concordance is ``(d + 1) / 2``. Its variance is the infinitesimal-jackknife
one: each person's influence ``(C_i - D_i)/N - d/N (C_i + D_i + T_i)`` (their
own pair counts, ``N = C + D + T``), summed within clusters when the model
has them; ``var(d) = sum of squares``, the SE of the concordance is
``sqrt(var(d) / 4)``.

The per-person pair counts are two-dimensional dominance counts ("how many
of those followed longer have a lower predictor"); they are computed without
a Python loop over people by the binary decomposition of prefixes: at level
``L`` the rows (ordered by time) fall in blocks of ``2**L`` and a prefix of
length ``B`` is the union of the blocks picked by the set bits of ``B``; each
level is one (radix) sort and two ``searchsorted`` calls. Rows are grouped by
time and status first, so with integer days there are about 11 levels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def _prefix_counts(group, values, B, x):
    """For each query ``(B, x)``: ``#{k: group_k < B, v_k < x}`` and ``#{k: group_k < B, v_k <= x}``.

    ``group`` (non-decreasing integers from 0) and ``values`` (integer ranks) describe the points.
    """
    V = int(values.max(initial=0)) + 2
    n_groups = int(group.max(initial=-1)) + 1
    less = np.zeros(len(B), dtype=np.int64)
    leq = np.zeros(len(B), dtype=np.int64)
    B = np.asarray(B, dtype=np.int64)
    x = np.asarray(x, dtype=np.int64)
    by_value = np.argsort(values, kind="stable")
    g_sorted, v_sorted = group[by_value], values[by_value]
    level = 0
    while (1 << level) <= n_groups:
        on = np.flatnonzero(((B >> level) & 1) == 1)
        if len(on):
            blk = g_sorted >> level
            # a stable sort by block of the points in value order: keys ordered by (block, value);
            # radix sort when the block ids fit in 16 bits
            small = blk.max(initial=0) < 32767
            perm = np.argsort(blk.astype(np.int16) if small else blk, kind="stable")
            keys = blk[perm] * V + v_sorted[perm]
            start = np.concatenate([[0], np.cumsum(np.bincount(blk, minlength=(n_groups >> level) + 1))])
            qb = (B[on] >> level) - 1
            qk = qb * V + x[on]
            less[on] += np.searchsorted(keys, qk, side="left") - start[qb]
            leq[on] += np.searchsorted(keys, qk, side="right") - start[qb]
        level += 1
    return less, leq


def _stratum_counts(t, e, lp):
    """Per row: concordant, discordant and tied-on-x pair counts (both roles), in the given row order."""
    n = len(t)
    order = np.lexsort((e, -t))  # time descending; at a time, censored rows before the events
    t, e = t[order], e[order]
    _, v = np.unique(lp[order], return_inverse=True)
    v = v.astype(np.int64)
    ev = e == 1
    # groups: the rows sharing a time and an event status (contiguous); a prefix of groups is "followed longer"
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (t[1:] != t[:-1]) | (e[1:] != e[:-1])
    gid = np.cumsum(new_group) - 1
    conc = np.zeros(n)
    disc = np.zeros(n)
    tied = np.zeros(n)
    # role 1: an event, against everyone in an earlier group (followed longer, or censored at its time)
    less, leq = _prefix_counts(gid, v, gid[ev], v[ev])
    n_before = np.concatenate([[0], np.cumsum(np.bincount(gid))])[gid[ev]]
    conc[ev] += less
    disc[ev] += n_before - leq
    tied[ev] += leq - less
    # role 2: anyone, against the events in later groups (earlier times; for a censored row, also the
    # events at its own time, which form the next group)
    b = gid + 1
    less_b, leq_b = _prefix_counts(gid[ev], v[ev], b, v)
    ev_sorted = np.sort(v[ev])
    less_all = np.searchsorted(ev_sorted, v, side="left")
    leq_all = np.searchsorted(ev_sorted, v, side="right")
    ev_before_b = np.concatenate([[0], np.cumsum(np.bincount(gid, weights=ev))])[b]
    n_after = int(ev.sum()) - ev_before_b
    less_after = less_all - less_b
    leq_after = leq_all - leq_b
    conc += n_after - leq_after  # the event has the higher predictor
    disc += less_after
    tied += leq_after - less_after
    out = np.empty((n, 3))
    out[order] = np.column_stack([conc, disc, tied])
    return out


def concordance(durations, events, lp, *, strata=None, cluster=None) -> tuple[float, float, np.ndarray]:
    """Concordance, its standard error and the counts ``[concordant, discordant, tied_x]``."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    lp = np.asarray(lp, dtype=float)
    codes = np.zeros(len(t), dtype=np.int64) if strata is None else pd.factorize(np.asarray(strata))[0]
    counts = np.zeros((len(t), 3))
    for s in np.unique(codes):
        idx = np.flatnonzero(codes == s)
        counts[idx] = _stratum_counts(t[idx], e[idx], lp[idx])
    # every pair is counted once for each of its two members
    C, D, T = counts.sum(axis=0) / 2
    npair = C + D + T
    if npair == 0:
        return float("nan"), float("nan"), np.array([C, D, T])
    somer = (C - D) / npair
    dfbeta = (counts[:, 0] - counts[:, 1]) / npair - somer / npair * counts.sum(axis=1)
    if cluster is not None:
        cc = pd.factorize(np.asarray(cluster))[0]
        dfbeta = np.bincount(cc, weights=dfbeta)
    return float((somer + 1) / 2), float(np.sqrt((dfbeta**2).sum() / 4)), np.array([C, D, T])
