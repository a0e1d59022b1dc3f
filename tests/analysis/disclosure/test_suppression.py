"""Secondary suppression: unit cases and the safety property (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.disclosure import DisclosurePolicy, protect_table
from analysis.disclosure.suppression import (
    exposed_cells,
    linearly_determined,
    secondary_suppression,
    table_constraints,
)

from .conftest import attacker_interval, extended_grid, fixed_point_recoverable, rank_determined


def _run(body, policy=DisclosurePolicy()):
    ext = extended_grid(body)
    v = ext.ravel()
    small = np.array([policy.is_small(x) for x in v])
    R, C = np.asarray(body).shape
    pat = secondary_suppression(
        table_constraints(R, C), v, small, threshold=policy.threshold,
        protect_zeros=policy.protect_zeros, distinguishes_small=policy.distinguishes_small,
    )
    return ext, small.reshape(ext.shape), pat.hidden.reshape(ext.shape)


def test_table_constraints_hold_for_an_additive_table():
    ext = extended_grid([[1, 2, 3], [4, 5, 6]])
    A = table_constraints(2, 3)
    assert A.shape == (3 + 4, 12)
    assert np.all(A @ ext.ravel() == 0)
    one_way = table_constraints(3)
    assert np.all(one_way @ np.array([1, 2, 3, 6]) == 0)
    assert table_constraints(2, 3, margins=False).shape == (0, 6)


def test_nothing_small_nothing_hidden():
    ext, small, hidden = _run([[10, 20], [30, 40]])
    assert not hidden.any()


def test_single_small_cell_in_2x2_hides_the_whole_body_but_keeps_margins():
    ext, small, hidden = _run([[2, 30], [25, 40]])
    assert hidden[:2, :2].all()
    assert not hidden[2, :].any() and not hidden[:, 2].any()


def test_complements_are_the_smallest_counts():
    # the small cell (0,0)=3; row 0 offers 12 and 50, column 0 offers 11 and 60
    ext, small, hidden = _run([[3, 12, 50], [11, 40, 70], [60, 80, 90]])
    assert hidden[0, 1] and hidden[1, 0] and hidden[1, 1]
    assert not hidden[0, 2] and not hidden[2, 0]
    assert hidden.sum() == 4


def test_row_whose_other_cells_are_empty_hides_its_margin():
    # one peer worker in P01 (F), no men: the row total would equal the hidden cell
    ext, small, hidden = _run([[1, 0], [12, 15], [14, 20]])
    assert hidden[0, 0]
    assert hidden[0, 2], "row total of P01 must be hidden (it equals the small cell)"
    assert not rank_determined(hidden).any()


def test_bridge_is_caught_although_every_line_has_two_unknowns():
    # two 2x2 cycles joined by one cell: each row/column has 0 or >= 2 hidden
    # cells, yet the joining cell equals (rows 0-1 hidden sum) - (cols 0-1 hidden sum)
    hidden = np.zeros((5, 5), dtype=bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        hidden[i, j] = True
    assert not fixed_point_recoverable(np.pad(hidden[:4, :4], ((0, 1), (0, 1)))).any()
    det = linearly_determined(table_constraints(4, 4), hidden.ravel()).reshape(5, 5)
    assert det[1, 2] and det.sum() == 1
    assert rank_determined(hidden)[1, 2]


def test_small_cells_summing_to_their_minimum_are_pinned_by_bounds_and_fixed():
    body = [[1, 1, 30], [1, 1, 40], [30, 35, 50]]
    ext = extended_grid(body)
    v = ext.ravel()
    small = (v > 0) & (v < 10)
    A = table_constraints(3, 3)
    # hiding only the four small cells (a 2x2 cycle): no cell is linearly determined ...
    assert not linearly_determined(A, small).any()
    # ... but in row 0 two cells >= 1 sum to 2, so both are 1 (and so on)
    assert exposed_cells(A, v, small, small, threshold=10)[[0, 1, 4, 5]].all()
    _, _, hidden = _run(body)
    assert not exposed_cells(A, v, hidden.ravel(), small, threshold=10).any()


def test_one_way_table_hides_a_second_cell():
    A = table_constraints(3)
    v = np.array([4, 20, 30, 54])
    pat = secondary_suppression(A, v, v < 10, threshold=10)
    assert pat.hidden.tolist() == [True, True, False, False]


def test_distinct_small_symbol_never_uses_empty_complements():
    pol = DisclosurePolicy(small_symbol="<{threshold}")
    ext, small, hidden = _run([[3, 0, 40], [20, 0, 30]], pol)
    assert not hidden[:, 1].any()


# -- the safety property ----------------------------------------------------

cell_counts = st.one_of(st.integers(0, 12), st.integers(10, 60))
tables = st.integers(1, 5).flatmap(
    lambda r: st.integers(1, 5).flatmap(
        lambda c: st.lists(st.lists(cell_counts, min_size=c, max_size=c), min_size=r, max_size=r)
    )
)
policies = st.builds(
    DisclosurePolicy,
    threshold=st.sampled_from([3, 5, 10]),
    protect_zeros=st.booleans(),
    small_symbol=st.sampled_from([None, "<{threshold}"]),
)


def _bounds(ext, hidden, small, pol):
    lower, upper = {}, {}
    lo = 0.0 if pol.protect_zeros else 1.0
    for c in map(tuple, np.argwhere(hidden)):
        v = ext[c]
        if small[c]:
            lower[c], upper[c] = min(lo, v), pol.threshold - 1
        elif pol.distinguishes_small:
            lower[c], upper[c] = (pol.threshold, np.inf) if v >= pol.threshold else (0, 0)
        else:
            lower[c], upper[c] = (lo if v >= 1 else 0.0), np.inf
    return lower, upper


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=tables, pol=policies)
def test_no_hidden_cell_can_be_recovered(body, pol):
    body = np.array(body)
    R, C = body.shape
    frame = pd.DataFrame(
        [{"r": f"r{i}", "c": f"c{j}", "n_persons": int(body[i, j])} for i in range(R) for j in range(C)]
    )
    res = protect_table(frame, row="r", col="c", policy=pol)
    ext = extended_grid(body)
    status = res.suppression["status"].to_numpy().reshape(R + 1, C + 1)
    hidden = status != "published"
    small = np.vectorize(pol.is_small)(ext)
    # 1. every small cell, margins included, is hidden
    assert not (small & ~hidden).any()
    # 2. the brief's rule: no line with a single unknown, iterated to a fixed point
    assert not fixed_point_recoverable(hidden).any()
    # 3. stronger: no hidden cell is a linear function of published values (rank test)
    assert not rank_determined(hidden).any()
    # 4. with the attacker's bounds, every hidden cell still has >= 2 possible values
    lower, upper = _bounds(ext, hidden, small, pol)
    for c in lower:
        if hidden.all():
            break  # everything is hidden: only the policy's own bounds remain
        if upper[c] - lower[c] < 1:
            continue  # the bounds alone fix it (e.g. threshold 3, zeros protected); nothing to hide
        lo, hi = attacker_interval(ext, hidden, c, lower, upper)
        assert hi - lo >= 1 - 1e-7, f"cell {c} pinned to [{lo}, {hi}]"
    # 5. what is published is true; what is hidden shows a symbol
    long = res.to_frame("long")["n_persons"].to_numpy().reshape(R + 1, C + 1)
    symbols = {pol.table_symbol(small=True), pol.table_symbol(small=False)}
    for (i, j), val in np.ndenumerate(long):
        if hidden[i, j]:
            assert val in symbols
            if pol.distinguishes_small:
                assert (val == pol.table_symbol(small=True)) == bool(small[i, j])
        else:
            assert val == ext[i, j]


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(cell_counts, min_size=1, max_size=8), pol=policies)
def test_one_way_tables_are_safe(counts, pol):
    frame = pd.DataFrame({"site": [f"P{i:02d}" for i in range(len(counts))], "n_persons": counts})
    res = protect_table(frame, row="site", policy=pol)
    hidden = (res.suppression["status"] != "published").to_numpy()
    cells = np.array(counts + [sum(counts)], dtype=float)
    small = np.vectorize(pol.is_small)(cells)
    assert not (small & ~hidden).any()
    n_hidden = int(hidden.sum())
    assert n_hidden == 0 or n_hidden >= 2, "a single hidden cell is the total minus the others"
    A = table_constraints(len(counts))
    assert not linearly_determined(A, hidden).any()
    assert not exposed_cells(
        A, cells, hidden, small, threshold=pol.threshold, protect_zeros=pol.protect_zeros,
        distinguishes_small=pol.distinguishes_small,
    ).any()


def test_margin_free_table_only_hides_small_cells():
    frame = pd.DataFrame({"r": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"], "n_persons": [3, 30, 40, 50]})
    res = protect_table(frame, row="r", col="c", margins=False)
    assert res.suppression["status"].tolist() == ["primary", "published", "published", "published"]


@pytest.mark.parametrize("shape", [(8, 6), (10, 10)])
def test_larger_sparse_tables_are_protected(shape):
    rng = np.random.default_rng(7)
    body = rng.choice([0, 1, 2, 5, 9, 14, 30, 80], size=shape)
    ext, small, hidden = _run(body)
    assert not (small & ~hidden).any()
    assert not rank_determined(hidden).any()
