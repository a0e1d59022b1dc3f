"""Shared helpers for the disclosure tests: an independent attacker.

The checks here do not reuse the library's own audit: the equations are
written from the grid directly, uniqueness is tested with matrix ranks
(not the null space) and with the brief's fixed-point rule, and intervals
are computed with a separately written linear program.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def extended_grid(body: np.ndarray) -> np.ndarray:
    """Body plus row totals, column totals and grand total."""
    body = np.asarray(body, dtype=float)
    R, C = body.shape
    ext = np.zeros((R + 1, C + 1))
    ext[:R, :C] = body
    ext[:R, C] = body.sum(axis=1)
    ext[R, :C] = body.sum(axis=0)
    ext[R, C] = body.sum()
    return ext


def grid_equations(shape: tuple[int, int]) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Each equation as (parts, total) in grid coordinates."""
    R1, C1 = shape
    eqs = []
    for i in range(R1):
        eqs.append(([(i, j) for j in range(C1 - 1)], (i, C1 - 1)))
    for j in range(C1):
        eqs.append(([(i, j) for i in range(R1 - 1)], (R1 - 1, j)))
    return eqs


def fixed_point_recoverable(hidden: np.ndarray) -> np.ndarray:
    """The brief's rule: an equation with one unknown reveals it; repeat to a fixed point."""
    known = ~hidden.copy()
    eqs = grid_equations(hidden.shape)
    changed = True
    while changed:
        changed = False
        for parts, total in eqs:
            cells = parts + [total]
            unknown = [c for c in cells if not known[c]]
            if len(unknown) == 1:
                known[unknown[0]] = True
                changed = True
    return hidden & known


def rank_determined(hidden: np.ndarray) -> np.ndarray:
    """Hidden cells fixed by the equations: removing the cell's column lowers the rank."""
    eqs = grid_equations(hidden.shape)
    cells = [tuple(c) for c in np.argwhere(hidden)]
    out = np.zeros(hidden.shape, dtype=bool)
    if not cells:
        return out
    M = np.zeros((len(eqs), len(cells)))
    col = {c: n for n, c in enumerate(cells)}
    for e, (parts, total) in enumerate(eqs):
        for p in parts:
            if p in col:
                M[e, col[p]] += 1
        if total in col:
            M[e, col[total]] -= 1
    full = np.linalg.matrix_rank(M)
    for c, n in col.items():
        reduced = np.delete(M, n, axis=1)
        out[c] = np.linalg.matrix_rank(reduced) < full
    return out


def attacker_interval(ext: np.ndarray, hidden: np.ndarray, cell, lower: dict, upper: dict) -> tuple[float, float]:
    """Min and max of a hidden cell given published cells, equations and bounds."""
    cells = [tuple(c) for c in np.argwhere(hidden)]
    col = {c: n for n, c in enumerate(cells)}
    A, b = [], []
    for parts, total in grid_equations(ext.shape):
        row = np.zeros(len(cells))
        rhs = 0.0
        for p in parts:
            if p in col:
                row[col[p]] += 1
            else:
                rhs -= ext[p]
        if total in col:
            row[col[total]] -= 1
        else:
            rhs += ext[total]
        if row.any():
            A.append(row)
            b.append(rhs)
    bounds = [(lower[c], upper[c]) for c in cells]
    c = np.zeros(len(cells))
    c[col[tuple(cell)]] = 1
    kw = dict(A_eq=np.array(A) if A else None, b_eq=np.array(b) if b else None, bounds=bounds, method="highs")
    lo = linprog(c, **kw)
    hi = linprog(-c, **kw)
    assert lo.status in (0, 3) and hi.status in (0, 3)
    return (lo.fun if lo.status == 0 else lower[tuple(cell)], -hi.fun if hi.status == 0 else np.inf)
