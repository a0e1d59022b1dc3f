"""Secondary (complementary) cell suppression on linear table structures.

A table with published margins is a set of cells tied by linear equations:
every row, every column and the grand total sum to their margin. When a small
cell is hidden, a reader can often get it back by subtraction. This module
chooses *complementary* cells to hide as well, and audits the result.

The structure is held as a constraint matrix ``A`` (equations × cells, entries
in {-1, 0, 1}): for an ``R × C`` table with margins, the cells are the
``(R + 1) × (C + 1)`` extended grid (margins included, flattened row-major) and
each row ``i`` gives ``sum_j x[i, j] - x[i, C] = 0``, each column likewise.
:func:`table_constraints` builds it; any other additive structure can be
passed directly.

What the audit checks (the attacker model)
------------------------------------------
The attacker knows every published value, the equations, and bounds on each
hidden cell. We model a well-informed attacker (conservative):

* every hidden cell is ``>= 0``; if zero cells are published
  (``protect_zeros=False``) a hidden non-zero cell is known to be ``>= 1``;
* a small (primary) cell is known to lie in ``[lo, threshold - 1]`` — the note
  under the table says how many there are;
* when the policy shows small and complementary cells with different symbols,
  a complementary cell is known to be ``>= threshold``.

A hidden cell is *exposed* if (1) it is uniquely determined by the linear
equations alone (its coordinate vanishes on the null space of the equations
restricted to hidden cells), or (2) the interval of values it can take,
given the equations and the bounds (two linear programs), is narrower than
``min_width`` (default 1: at least two integer values remain possible; the
2-D table constraint matrix is totally unimodular, so the interval's ends are
integers). Cells whose bounds alone leave less than ``min_width`` (e.g. with
``threshold=2`` a small cell is 1 by definition) cannot be protected by
suppression and are not required to be.

Rows of ``A`` whose true values do not add up (margins of distinct persons
when persons fall in several cells, or totals that include persons in no
cell) are used as equalities by the linear check — conservative — and by
the interval check as the inequality the true values show ("parts >=
total" or "parts <= total").

The heuristic (not optimal, always safe)
----------------------------------------
1. *Singletons.* While some equation has exactly one hidden cell, hide one
   more cell of that equation: the eligible cell (non-zero, not a cell whose
   hiding would be pointless) with the smallest count; ties go to body cells
   over margins, then to cells whose other equation already holds a hidden
   cell (closing a cycle), then to the first in table order.
2. *Audit.* Find exposed hidden cells (linear check, then intervals: a
   cheap witness step along the null space, linear programs only if it
   fails). For the
   first exposed cell, hide the cheapest eligible cell (same order as above,
   cells sharing an equation with it first) that makes it unexposed; if no
   single cell does, hide the cheapest cell sharing an equation with it.
   Go back to 1.
Hiding more cells only enlarges what the attacker must consider, so a cell
found unexposed stays unexposed; the loop ends because every pass hides a cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

__all__ = [
    "table_constraints",
    "linearly_determined",
    "attacker_bounds",
    "feasible_interval",
    "exposed_cells",
    "secondary_suppression",
    "SuppressionPattern",
]

_TOL = 1e-7


def table_constraints(n_rows: int, n_cols: int | None = None, *, margins: bool = True) -> np.ndarray:
    """Constraint matrix of a 1-D or 2-D table with margins.

    Parameters
    ----------
    n_rows, n_cols : int
        Size of the body. ``n_cols=None`` is a one-way table: ``n_rows`` cells
        and a grand total (cell index ``n_rows``).
    margins : bool
        Without published margins there are no equations (a 0-row matrix).

    Returns
    -------
    ndarray of int, shape (equations, cells)
        For a 2-D table the cells are the ``(n_rows+1) × (n_cols+1)`` grid in
        row-major order, the last row and column being the margins.
    """
    if n_cols is None:
        k = n_rows + 1 if margins else n_rows
        if not margins:
            return np.zeros((0, k), dtype=int)
        a = np.ones((1, k), dtype=int)
        a[0, -1] = -1
        return a
    if not margins:
        return np.zeros((0, n_rows * n_cols), dtype=int)
    R, C = n_rows + 1, n_cols + 1
    rows = []
    for i in range(R):
        a = np.zeros((R, C), dtype=int)
        a[i, : C - 1] = 1
        a[i, C - 1] = -1
        rows.append(a.ravel())
    for j in range(C):
        a = np.zeros((R, C), dtype=int)
        a[: R - 1, j] = 1
        a[R - 1, j] = -1
        rows.append(a.ravel())
    return np.vstack(rows)


def linearly_determined(A: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hidden cells whose value follows from the equations and published cells.

    Returns a boolean array over all cells (``False`` for published cells).
    A hidden cell ``k`` is determined iff the unit vector ``e_k`` lies in the
    row space of ``A[:, hidden]``, i.e. every null-space vector is zero at
    ``k``.
    """
    hidden = np.asarray(hidden, dtype=bool)
    out = np.zeros(hidden.shape, dtype=bool)
    idx = np.flatnonzero(hidden)
    if idx.size == 0 or A.shape[0] == 0:
        return out
    sub = A[:, idx].astype(float)
    sub = sub[np.any(sub != 0, axis=1)]
    if sub.shape[0] == 0:
        return out
    ns = null_space(sub)
    if ns.shape[1] == 0:
        out[idx] = True
        return out
    out[idx] = np.linalg.norm(ns, axis=1) < 1e-9
    return out


def attacker_bounds(values, hidden, small, *, threshold: int, protect_zeros: bool, distinguishes_small: bool):
    """Lower and upper bounds an informed attacker can put on each cell.

    Published cells get their value as both bounds. See the module docstring
    for the model.
    """
    v = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, dtype=bool)
    small = np.asarray(small, dtype=bool)
    lo = v.copy()
    hi = v.copy()
    base_lo = 0.0 if protect_zeros else 1.0
    for k in np.flatnonzero(hidden):
        if small[k]:
            lo[k] = min(base_lo, v[k])
            hi[k] = threshold - 1
        else:
            if distinguishes_small:
                lo[k] = threshold if v[k] >= threshold else 0.0
                hi[k] = np.inf if v[k] >= threshold else 0.0
            else:
                lo[k] = base_lo if v[k] >= 1 else 0.0
                hi[k] = np.inf
    return lo, hi


def _lp_system(A, values, hidden, exact):
    """Equality and inequality systems over the hidden cells."""
    idx = np.flatnonzero(hidden)
    pub = ~hidden
    rhs = -(A[:, pub].astype(float) @ np.asarray(values, dtype=float)[pub])
    sub = A[:, idx].astype(float)
    touched = np.any(sub != 0, axis=1)
    eq = touched & exact
    ineq = touched & ~exact
    # inexact rows keep the direction the true values show: s * (A x) >= 0 with
    # s = +1 when the parts exceed the total (a person in several cells) and
    # s = -1 when the total exceeds the parts (persons in no cell), i.e.
    # -s * sub x <= -s * rhs
    s = np.sign(A.astype(float) @ np.asarray(values, dtype=float))[ineq][:, None]
    return idx, (sub[eq], rhs[eq]), (-s * sub[ineq], (-s[:, 0]) * rhs[ineq])


def feasible_interval(
    A, values, hidden, lower, upper, cell: int, *, exact=None, which: str = "both"
) -> tuple[float, float]:
    """Smallest and largest value of ``cell`` consistent with what is published.

    Linear programs (HiGHS). ``exact`` flags equations that hold with
    equality (default: those the true ``values`` satisfy). ``which`` =
    ``"min"`` or ``"max"`` solves only one side (the other is returned as the
    cell's own value).
    """
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, dtype=bool)
    if exact is None:
        exact = np.abs(A @ values) < _TOL
    idx, (Ae, be), (Ai, bi) = _lp_system(A, values, hidden, exact)
    pos = int(np.flatnonzero(idx == cell)[0])
    bounds = [(lower[k], None if np.isinf(upper[k]) else upper[k]) for k in idx]
    if Ae.shape[0] == 0 and Ai.shape[0] == 0:
        return float(lower[cell]), float(upper[cell])
    kw = dict(
        A_eq=Ae if Ae.shape[0] else None,
        b_eq=be if Ae.shape[0] else None,
        A_ub=Ai if Ai.shape[0] else None,
        b_ub=bi if Ai.shape[0] else None,
        bounds=bounds,
        method="highs",
    )
    c = np.zeros(idx.size)
    c[pos] = 1.0
    lo = hi = float(values[cell])
    if which in ("both", "min"):
        res = linprog(c, **kw)
        if res.status == 2:  # pragma: no cover - the true values are feasible
            raise RuntimeError("the published table is inconsistent with its own values")
        lo = res.fun if res.status == 0 else float(lower[cell])
    if which in ("both", "max"):
        res = linprog(-c, **kw)
        if res.status == 2:  # pragma: no cover
            raise RuntimeError("the published table is inconsistent with its own values")
        hi = -res.fun if res.status == 0 else np.inf
    return float(lo), float(hi)


def _needs_protection(hidden, lower, upper, min_width):
    return hidden & ((upper - lower) >= min_width - _TOL)


def _hidden_null_space(A, hidden):
    """Null space of the equations restricted to hidden cells (rows: hidden cells in order)."""
    idx = np.flatnonzero(hidden)
    sub = A[:, idx].astype(float)
    sub = sub[np.any(sub != 0, axis=1)]
    if sub.shape[0] == 0:
        return idx, None
    return idx, null_space(sub)


def _movable(A, values, hidden, lower, upper, cell: int, exact, ns=None) -> bool:
    """Whether ``cell`` can move by at least 1 either way (interval width >= 1).

    A witness first: step along the projection of ``e_cell`` on the null space
    of the equations (restricted to hidden cells) until the cell has moved by
    exactly 1; if that point respects every bound, the width is >= 1. Only if
    neither direction works, solve linear programs: the maximum (is it >=
    value + 1?) and then the minimum (<= value - 1?). For the totally
    unimodular 2-D table matrix the LP optimum is integral, so this is exactly
    "width >= 1"; for other structures it is a sufficient condition (safe).
    """
    if ns is None:
        idx, ns = _hidden_null_space(A, hidden)
    else:
        idx = np.flatnonzero(hidden)
    pos = int(np.flatnonzero(idx == cell)[0])
    x = np.asarray(values, dtype=float)[idx]
    lo, hi = lower[idx], upper[idx]
    if ns is None:  # no equation involves a hidden cell
        return (upper[cell] - lower[cell]) >= 1 - _TOL
    if ns.shape[1]:
        d = ns @ ns[pos]
        if d[pos] > 1e-9:
            step = d / d[pos]
            for sign in (1.0, -1.0):
                y = x + sign * step
                if np.all(y >= lo - _TOL) and np.all(y <= hi + _TOL):
                    return True
    v = float(values[cell])
    _, hi_val = feasible_interval(A, values, hidden, lower, upper, cell, exact=exact, which="max")
    if hi_val >= v + 1 - _TOL:
        return True
    lo_val, _ = feasible_interval(A, values, hidden, lower, upper, cell, exact=exact, which="min")
    return lo_val <= v - 1 + _TOL


def exposed_cells(
    A, values, hidden, small, *, threshold: int, protect_zeros: bool = False,
    distinguishes_small: bool = False, min_width: float = 1.0, check_cells=None,
) -> np.ndarray:
    """Hidden cells a reader could recover (see the module docstring).

    Parameters
    ----------
    A : ndarray (equations × cells)
    values : array of cell values (person counts)
    hidden, small : boolean arrays over cells (``small`` = primary cells)
    min_width : float, default 1
        Required width of the attacker's interval (only 1 is supported by the
        fast witness; larger values fall back to two linear programs).
    check_cells : boolean array, optional
        Only audit these cells (others are reported ``False``).

    Returns
    -------
    ndarray of bool
    """
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, dtype=bool)
    lower, upper = attacker_bounds(
        values, hidden, small, threshold=threshold, protect_zeros=protect_zeros,
        distinguishes_small=distinguishes_small,
    )
    target = _needs_protection(hidden, lower, upper, min_width)
    if check_cells is not None:
        target &= np.asarray(check_cells, dtype=bool)
    out = np.zeros(hidden.shape, dtype=bool)
    if not target.any():
        return out
    idx, ns = _hidden_null_space(A, hidden)
    if ns is not None:
        if ns.shape[1] == 0:
            out[idx] = True
        else:
            out[idx] = np.linalg.norm(ns, axis=1) < 1e-9
        out &= target
    exact = np.abs(A @ values) < _TOL
    for k in np.flatnonzero(target & ~out):
        if min_width == 1.0:
            out[k] = not _movable(A, values, hidden, lower, upper, int(k), exact, ns=ns)
        else:
            lo, hi = feasible_interval(A, values, hidden, lower, upper, int(k), exact=exact)
            out[k] = (hi - lo) < min_width - _TOL
    return out


@dataclass(frozen=True)
class SuppressionPattern:
    """Outcome of :func:`secondary_suppression` (boolean arrays over cells)."""

    hidden: np.ndarray
    protect: np.ndarray
    secondary: np.ndarray
    unresolved: np.ndarray


def secondary_suppression(
    A: np.ndarray,
    values,
    protect,
    small=None,
    *,
    threshold: int,
    protect_zeros: bool = False,
    distinguishes_small: bool = False,
    is_margin=None,
    min_width: float = 1.0,
) -> SuppressionPattern:
    """Hide complementary cells so no hidden cell can be recovered.

    Parameters
    ----------
    A : ndarray (equations × cells)
        Constraint matrix, e.g. from :func:`table_constraints`.
    values : array
        Person count of each cell (drives the choice: smallest first).
    protect : bool array
        Cells that must be hidden (small cells, cells hidden elsewhere).
    small : bool array, optional
        The primary (small) cells among them; defaults to ``protect``.
    threshold, protect_zeros, distinguishes_small : policy settings
        Used for the attacker's bounds.
    is_margin : bool array, optional
        Margin cells lose ties against body cells.

    Returns
    -------
    SuppressionPattern
        ``hidden`` (all hidden cells), ``secondary`` (hidden as complements),
        ``unresolved`` (hidden cells still exposed — only when no cell was
        left to hide; empty in practice).
    """
    A = np.asarray(A)
    v = np.asarray(values, dtype=float)
    K = v.size
    if A.shape[1] != K:
        raise ValueError(f"A has {A.shape[1]} columns but there are {K} cell values")
    protect = np.asarray(protect, dtype=bool).copy()
    small = protect.copy() if small is None else np.asarray(small, dtype=bool)
    is_margin = np.zeros(K, dtype=bool) if is_margin is None else np.asarray(is_margin, dtype=bool)
    hidden = protect.copy()
    members = [np.flatnonzero(row) for row in A]
    cell_eqs = [np.flatnonzero(A[:, k]) for k in range(K)]
    opts = dict(threshold=threshold, protect_zeros=protect_zeros, distinguishes_small=distinguishes_small,
                min_width=min_width)

    def eligible(k: int) -> bool:
        if v[k] <= 0:
            return False
        if distinguishes_small and v[k] < threshold and not small[k]:
            return False
        return True

    def cost(k: int) -> tuple:
        closes = sum(1 for e in cell_eqs[k] if hidden[members[e]].any())
        return (v[k], bool(is_margin[k]), -closes, k)

    def fill_singletons() -> None:
        changed = True
        while changed:
            changed = False
            for m in members:
                h = hidden[m]
                if h.sum() != 1:
                    continue
                cands = [int(k) for k in m if not hidden[k]]
                if not cands:
                    continue
                good = [k for k in cands if eligible(k)] or cands
                hidden[min(good, key=cost)] = True
                changed = True

    verified = np.zeros(K, dtype=bool)
    unresolved = np.zeros(K, dtype=bool)
    while True:
        fill_singletons()
        exp = exposed_cells(A, v, hidden, small, check_cells=hidden & ~verified & ~unresolved, **opts)
        verified |= hidden & ~exp & ~unresolved
        bad = np.flatnonzero(exp)
        if bad.size == 0:
            break
        d = int(bad[0])
        near = {int(k) for e in cell_eqs[d] for k in members[e]}
        cands = [k for k in range(K) if not hidden[k] and eligible(k)]
        if not cands:
            cands = [k for k in range(K) if not hidden[k]]
        if not cands:
            unresolved[d] = True
            continue
        ordered = sorted((k for k in cands if k in near), key=cost) + sorted(
            (k for k in cands if k not in near), key=cost
        )
        check = np.zeros(K, dtype=bool)
        check[d] = True
        chosen = None
        for k in ordered:
            trial = hidden.copy()
            trial[k] = True
            if not exposed_cells(A, v, trial, small, check_cells=check, **opts)[d]:
                chosen = k
                break
        if chosen is None:
            chosen = ordered[0]
        hidden[chosen] = True
    return SuppressionPattern(
        hidden=hidden, protect=protect, secondary=hidden & ~protect, unresolved=unresolved
    )
