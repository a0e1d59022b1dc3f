"""SuppressionLedger: one decision per cell across the book."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.disclosure import (
    CellKey,
    LedgerConflictError,
    SuppressionLedger,
    person_counts,
    protect_table,
    safe_count,
)

from .conftest import rank_determined


def test_cell_key_is_stable_and_normalised():
    a = CellKey.of("detainees", {"wave": 1, "site": "P01"})
    b = CellKey.of("detainees", [("site", "P01"), ("wave", np.int64(1))])
    c = CellKey.of("detainees", {"site": "P01", "wave": 1.0})
    assert a == b == c
    assert a.dims == (("site", "P01"), ("wave", "1"))
    assert str(a) == "detainees[site=P01, wave=1]"
    assert str(CellKey.of("detainees")) == "detainees[total]"
    with pytest.raises(ValueError, match="family"):
        CellKey.of("", {})


def test_json_round_trip_is_byte_stable():
    led = SuppressionLedger()
    led.record_table("t2", {CellKey.of("pw", {"site": "P02"}): False, CellKey.of("pw", {"site": "P01"}): True})
    led.record_table("t1", {CellKey.of("pw", {"site": "P01"}): True})
    text = led.to_json()
    again = SuppressionLedger.from_json(text)
    assert again == led and again.to_json() == text
    assert json.loads(text)["cells"][0]["dims"] == {"site": "P01"}
    assert SuppressionLedger.from_json("") == SuppressionLedger()
    with pytest.raises(ValueError, match="not a suppression ledger"):
        SuppressionLedger.from_json("{}")


def test_conflicts_are_reported_and_check_raises():
    led = SuppressionLedger()
    key = CellKey.of("pw", {"site": "P01"})
    led.record_table("ch1-table", {key: False})
    led.record_table("ch2-table", {key: True})
    (conflict,) = led.conflicts()
    assert conflict.hidden_in == ("ch2-table",) and conflict.shown_in == ("ch1-table",)
    with pytest.raises(LedgerConflictError, match="ch1-table"):
        led.check()


def test_record_table_replaces_the_tables_previous_record():
    led = SuppressionLedger()
    k1, k2 = CellKey.of("pw", {"site": "P01"}), CellKey.of("pw", {"site": "P02"})
    led.record_table("t", {k1: True})
    led.record_table("t", {k2: False})
    assert led.decisions("t") == {k2: False}
    assert not led.is_suppressed(k1)


def _cells():
    return pd.DataFrame(
        {"site": ["P01", "P01", "P02", "P02", "P03", "P03"], "sex": ["F", "M"] * 3, "n_persons": [3, 30, 25, 40, 12, 18]}
    )


def test_cell_hidden_elsewhere_is_hidden_and_protected_here():
    led = SuppressionLedger()
    protect_table(_cells(), row="site", col="sex", family="pw", ledger=led, name="by-site-sex")
    # the one-way table by site shows the P01..P03 row totals: all published above
    by_site = pd.DataFrame({"site": ["P01", "P02", "P03"], "n_persons": [33, 65, 30]})
    res = protect_table(by_site, row="site", family="pw", ledger=led, name="by-site")
    assert res.n_primary == 0 and res.n_consistency == 0
    # now pretend another chapter hid the P02 total: the one-way table must hide it and one more
    led.record_table("other", {CellKey.of("pw", {"site": "P02"}): True})
    res = protect_table(by_site, row="site", family="pw", ledger=led, name="by-site")
    assert res.n_consistency == 1 and res.n_secondary == 1
    assert "suppressed elsewhere in this report" in res.remarks[0]


def test_prose_number_of_a_hidden_cell_is_withheld_and_conflicts_are_caught():
    led = SuppressionLedger()
    # prose first shows the P03 women (12) ...
    assert safe_count(12, ledger=led, family="pw", cell={"site": "P03", "sex": "F"}) == "12"
    # ... then the table hides that cell as a complement: a conflict the build must resolve
    protect_table(_cells(), row="site", col="sex", family="pw", ledger=led, name="t")
    assert led.conflicts()
    # second pass: the sentence now says "not shown"
    assert safe_count(12, ledger=led, family="pw", cell={"site": "P03", "sex": "F"}) == "not shown"
    assert not led.conflicts()


def test_rerunning_a_table_with_its_own_record_is_stable():
    led = SuppressionLedger()
    first = protect_table(_cells(), row="site", col="sex", family="pw", ledger=led, name="t")
    second = protect_table(_cells(), row="site", col="sex", family="pw", ledger=led, name="t")
    assert first.to_frame().equals(second.to_frame())
    assert second.n_consistency == 0, "its own earlier decisions are not 'elsewhere'"


# -- property: several tables over the same persons end up consistent ---------

TABLES = {
    "site×sex": ("site", "sex"),
    "sex×site": ("sex", "site"),
    "site×group": ("site", "group"),
    "sex×group": ("sex", "group"),
    "site": ("site", None),
    "group": ("group", None),
}

persons = st.lists(
    st.tuples(st.sampled_from(["P01", "P02", "P03"]), st.sampled_from(["F", "M"]), st.sampled_from(["pw", "cmp"]),
              st.one_of(st.integers(0, 4), st.integers(8, 40))),
    min_size=1, max_size=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=persons, order=st.permutations(list(TABLES)), threshold=st.sampled_from([5, 10]))
def test_book_passes_reach_a_consistent_fixed_point(groups, order, threshold):
    rows = []
    pid = 0
    for site, sex, group, n in groups:
        for _ in range(n):
            rows.append({"pid": f"x{pid}", "site": site, "sex": sex, "group": group})
            pid += 1
    if not rows:
        return
    data = pd.DataFrame(rows)
    policy = {"threshold": threshold}
    led = SuppressionLedger()
    results = {}
    for n_pass in range(1, 12):
        before = led.to_json()
        for name in order:
            r, c = TABLES[name]
            cells = person_counts(data, by=[r] if c is None else [r, c])
            results[name] = protect_table(cells, row=r, col=c, family="detainees", ledger=led, name=name,
                                          policy=policy)
        if led.to_json() == before:
            break
    else:
        pytest.fail("ledger passes did not converge")
    assert led.conflicts() == []
    seen: dict[CellKey, bool] = {}
    for name, res in results.items():
        status = res.suppression
        keys = [*res.row, *res.col]
        for _, rec in status.iterrows():
            key = CellKey.of("detainees", {k: rec[k] for k in keys if rec[k] != "Total"})
            hidden = rec["status"] != "published"
            assert hidden == led.is_suppressed(key)
            assert seen.setdefault(key, hidden) == hidden, f"{key} treated differently in {name}"
        if res.col:
            grid = (status["status"] != "published").to_numpy().reshape(len(res.row_order), len(res.col_order))
            assert not rank_determined(grid).any()
        else:
            n_hidden = int((status["status"] != "published").sum())
            assert n_hidden == 0 or n_hidden >= 2
