"""The attacker's intervals against R (lpSolve), tests/reference/disclosure/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure.suppression import (
    attacker_bounds,
    exposed_cells,
    feasible_interval,
    secondary_suppression,
    table_constraints,
)

from .conftest import extended_grid

REF = Path(__file__).resolve().parents[2] / "reference" / "disclosure" / "attacker_intervals.csv"
BODY = np.array([[1, 12, 30, 4], [15, 2, 25, 40], [3, 18, 0, 22], [50, 60, 70, 80]])
PATTERNS = {"chosen": [0, 3, 5, 6, 10, 11, 13], "primary_only": [0, 3, 6, 10]}


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REF)


def _setup(pattern):
    v = extended_grid(BODY).ravel()
    hidden = np.zeros(v.size, dtype=bool)
    hidden[PATTERNS[pattern]] = True
    small = (v > 0) & (v < 10)
    lower, upper = attacker_bounds(v, hidden, small, threshold=10, protect_zeros=False, distinguishes_small=False)
    return v, hidden, small, lower, upper


def test_the_algorithm_still_chooses_the_reference_pattern():
    v, *_ = _setup("chosen")
    pat = secondary_suppression(table_constraints(4, 4), v, (v > 0) & (v < 10), threshold=10)
    assert np.flatnonzero(pat.hidden).tolist() == PATTERNS["chosen"]


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_feasible_interval_against_R(reference, pattern):
    v, hidden, small, lower, upper = _setup(pattern)
    A = table_constraints(4, 4)
    ref = reference[reference["pattern"] == pattern]
    assert len(ref) == len(PATTERNS[pattern])
    for row in ref.itertuples():
        # R: lp("min"/"max", e_cell, rbind(A_hidden, I, I), c("=", ">=", "<="), c(rhs, lower, upper))
        lo, hi = feasible_interval(A, v, hidden, lower, upper, row.cell)
        # tolerance: 1e-6 absolute (both solvers return integral vertices here)
        assert lo == pytest.approx(row.lower, abs=1e-6)
        assert hi == pytest.approx(row.upper, abs=1e-6)


def test_exposure_agrees_with_the_reference_widths(reference):
    for pattern in PATTERNS:
        v, hidden, small, *_ = _setup(pattern)
        exp = exposed_cells(table_constraints(4, 4), v, hidden, small, threshold=10)
        ref = reference[reference["pattern"] == pattern]
        expected = {int(r.cell) for r in ref.itertuples() if r.upper - r.lower < 1}
        assert set(np.flatnonzero(exp).tolist()) == expected
    # R: the four small cells alone are each pinned to their value (width 0)
    assert set(reference.loc[reference["pattern"] == "primary_only", "lower"]) == {1, 2, 3, 4}
