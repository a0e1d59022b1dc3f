"""The skip-logic expression language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from evaluation.instruments.expr import ExpressionError, parse


@pytest.mark.parametrize("source, names", [
    ("used_drugs_30d == 1", {"used_drugs_30d"}),
    ("a >= 3 and not (b == 2)", {"a", "b"}),
    ("selected(kind, 4) or answered(other)", {"kind", "other"}),
    ("x in [1, 2, 3]", {"x"}),
    (". <= 80", set()),
])
def test_names(source, names):
    assert parse(source).names == names


@pytest.mark.parametrize("source", [
    "__import__('os')", "a.b == 1", "a + 1 == 2", "lambda: 1", "x[0] == 1", "f(x)", "x in y",
    "a ==", "True",
])
def test_rejects_outside_grammar(source):
    with pytest.raises(ExpressionError):
        parse(source)


def test_evaluate_missing_is_false():
    data = pd.DataFrame({"a": [1, 0, np.nan], "b": [2, 2, 2]})
    assert parse("a == 1").evaluate(data).tolist() == [True, False, False]
    assert parse("a != 1").evaluate(data).tolist() == [False, True, False]
    assert parse("not (a == 1)").evaluate(data).tolist() == [False, True, True]
    assert parse("answered(a)").evaluate(data).tolist() == [True, True, False]


def test_selected_uses_one_column_per_code():
    data = pd.DataFrame({"k_1": [1, 0], "k_4": [0, 1]})
    assert parse("selected(k, 4)").evaluate(data).tolist() == [False, True]


def test_constraint_self():
    data = pd.DataFrame({"h": [10, 90]})
    assert parse(". <= 80").evaluate(data, self_column="h").tolist() == [True, False]
    with pytest.raises(ExpressionError):
        parse(". <= 80").evaluate(data)


def test_to_xlsform():
    assert parse("a == 1 and selected(k, 2)").to_xlsform() == "(${a} = 1 and selected(${k}, '2'))"
    assert parse("x in [1, 2]").to_xlsform() == "(${x} = 1 or ${x} = 2)"
    assert parse(". <= 30").to_xlsform() == ". <= 30"
    assert parse("not (a >= 2)").to_xlsform() == "not(${a} >= 2)"
    assert parse("s == 'x'").to_xlsform() == "${s} = 'x'"


@given(st.lists(st.one_of(st.none(), st.integers(-9, 9)), min_size=1, max_size=30), st.integers(-9, 9))
def test_comparison_matches_python(values, k):
    data = pd.DataFrame({"a": pd.Series(values, dtype="float")})
    for op, fn in [("==", lambda v: v == k), ("<", lambda v: v < k), (">=", lambda v: v >= k)]:
        expected = [v is not None and fn(v) for v in values]
        assert parse(f"a {op} {k}").evaluate(data).tolist() == expected


_ATOMS = ["a == 1", "a != 0", "b < 2", "b >= 1", "a in [1, 2]", "not a == 1", "selected(m, 1)", "answered(b)",
          "a != b", "b == a"]


@given(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=3), st.sampled_from([" and ", " or "]),
       st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 2)), st.one_of(st.none(), st.integers(0, 2)),
                          st.sampled_from([0, 1, None])), min_size=1, max_size=12))
def test_odk_reading_differs_only_where_the_expression_says_not_equal(atoms, joiner, rows):
    """Validation evaluates ODK's reading only for an expression with '!=' (uses_not_equal): elsewhere it is
    the plain reading, row for row."""
    expr = parse(joiner.join(atoms))
    data = pd.DataFrame({"a": [r[0] for r in rows], "b": [r[1] for r in rows], "m_1": [r[2] for r in rows]},
                        dtype=float)
    plain, odk = expr.evaluate(data), expr.evaluate(data, odk=True)
    assert expr.uses_not_equal() == any("!=" in a for a in atoms)
    if not expr.uses_not_equal():
        pd.testing.assert_series_equal(plain, odk)
