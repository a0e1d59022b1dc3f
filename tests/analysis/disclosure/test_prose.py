"""Numbers glued into prose."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.disclosure import DisclosurePolicy, SuppressionLedger, safe_count, safe_value


def test_counts():
    assert safe_count(12) == "12"
    assert safe_count(np.int64(3)) == "fewer than 10"
    assert safe_count(0) == "0"
    assert safe_count(0, {"protect_zeros": True}) == "fewer than 10"
    assert safe_count(1234, fmt="{:,d}") == "1,234"


def test_bands_and_languages():
    assert safe_count(3, {"bands": [5]}) == "fewer than 5"
    assert safe_count(7, {"bands": [5]}) == "5 to 9"
    assert safe_count(3, {"language": "fr"}) == "moins de 10"
    assert safe_count(3, DisclosurePolicy(language="nl")) == "minder dan 10"


def test_values():
    assert safe_value(61.25, 40) == "61.2"
    assert safe_value(0.4, 40, fmt="{:.0%}") == "40%"
    assert safe_value(61.25, 4) == "not shown (fewer than 10 persons)"
    assert safe_value(float("nan"), 40) == "not shown"


@given(n=st.integers(0, 10_000), threshold=st.integers(2, 50))
def test_a_glued_count_never_shows_a_small_number(n, threshold):
    out = safe_count(n, {"threshold": threshold})
    if 0 < n < threshold:
        assert not any(ch.isdigit() for ch in out.replace(str(threshold), ""))
    else:
        assert out == str(n)


def test_ledger_requires_family_and_cell():
    with pytest.raises(ValueError, match="family="):
        safe_count(12, ledger=SuppressionLedger())
    with pytest.raises(ValueError, match="ledger="):
        safe_count(12, family="pw", cell={})


def test_bad_counts():
    with pytest.raises(ValueError, match="whole number"):
        safe_count(2.5)
    with pytest.raises(ValueError, match="missing"):
        safe_count(float("nan"))
