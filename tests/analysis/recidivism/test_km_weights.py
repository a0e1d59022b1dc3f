"""km_table with case weights (added for the comparison group; unweighted behaviour unchanged)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recidivism.km import km_table


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1), st.integers(1, 4)), min_size=1, max_size=40))
def test_integer_weights_equal_replicated_rows(rows):
    t, e, w = map(np.array, zip(*rows))
    weighted = km_table(t, e, weights=w)
    plain = km_table(np.repeat(t, w), np.repeat(e, w))
    np.testing.assert_allclose(weighted["surv"], plain["surv"], rtol=1e-12)
    np.testing.assert_allclose(weighted["n_risk"], plain["n_risk"])
    np.testing.assert_allclose(weighted["se_log"], plain["se_log"], rtol=1e-12, equal_nan=True)


def test_unit_weights_change_nothing_and_bad_weights_refused():
    t, e = np.array([3, 1, 4, 1, 5, 9]), np.array([1, 0, 1, 1, 0, 1])
    a, b = km_table(t, e), km_table(t, e, weights=np.ones(6))
    np.testing.assert_allclose(a["surv"], b["surv"])
    assert a["n_risk"].dtype.kind == "i"
    try:
        km_table(t, e, weights=-np.ones(6))
    except ValueError as exc:
        assert "non-negative" in str(exc)
    else:
        raise AssertionError("negative weights accepted")
