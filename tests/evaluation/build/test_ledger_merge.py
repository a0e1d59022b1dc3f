"""Merging the chapters' copies of the suppression ledger; the ledger's part of a chapter's key."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import CellKey, SuppressionLedger
from evaluation.build.cache import ledger_hidden_by_others
from evaluation.build.ledger import ledger_tables, merge_ledgers

_ext = Path(__file__).resolve().parents[3] / "book" / "_ext"


def _ledger(records: dict[str, dict[tuple, bool]]) -> str:
    led = SuppressionLedger()
    for table, decisions in records.items():
        led.record_table(table, {CellKey.of(f, dict(d)): h for (f, d), h in decisions.items()})
    return led.to_json()


STAFF_P1 = ("staff", (("site", "P01"),))
STAFF_P2 = ("staff", (("site", "P02"),))
DET_P1 = ("detainee", (("site", "P01"),))


def test_merge_takes_each_table_from_the_chapter_that_recorded_it():
    base = _ledger({"data:staff": {STAFF_P1: False, STAFF_P2: False}})
    # chapter A re-records its table (now hiding P02); chapter B adds a table of another family
    a = _ledger({"data:staff": {STAFF_P1: False, STAFF_P2: True}})
    b = _ledger({"data:staff": {STAFF_P1: False, STAFF_P2: False}, "wb:det": {DET_P1: True}})
    merged = SuppressionLedger.from_json(merge_ledgers(base, [(["data:staff"], a), (["wb:det"], b)]))
    assert merged.decisions("data:staff") == {CellKey.of("staff", {"site": "P01"}): False,
                                              CellKey.of("staff", {"site": "P02"}): True}
    assert merged.decisions("wb:det") == {CellKey.of("detainee", {"site": "P01"}): True}
    # the order of the updates does not matter when each table has one author
    swapped = merge_ledgers(base, [(["wb:det"], b), (["data:staff"], a)])
    assert swapped == merge_ledgers(base, [(["data:staff"], a), (["wb:det"], b)])
    assert ledger_tables(swapped) == {"data:staff", "wb:det"}


def test_a_table_no_longer_recorded_is_dropped_and_empty_merges_are_none():
    base = _ledger({"old": {STAFF_P1: True}, "kept": {STAFF_P2: False}})
    merged = merge_ledgers(base, [(["old"], _ledger({"kept": {STAFF_P2: False}}))])
    assert ledger_tables(merged) == {"kept"}
    assert merge_ledgers(None, []) is None
    assert merge_ledgers(None, [([], None)]) is None


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["t1", "t2", "t3"]),
                       st.dictionaries(st.sampled_from([STAFF_P1, STAFF_P2, DET_P1]), st.booleans(), min_size=1),
                       min_size=1))
def test_merging_one_chapter_equals_its_own_ledger(records):
    """A single chapter working on an empty base: the merge is exactly the ledger it wrote."""
    text = _ledger(records)
    merged = merge_ledgers(None, [(sorted(records), text)])
    assert SuppressionLedger.from_json(merged) == SuppressionLedger.from_json(text)
    assert json.loads(merged)["format"] == "analysis.disclosure.ledger"


def test_key_depends_only_on_cells_hidden_by_others_in_own_families():
    mine = {"data:staff": {STAFF_P1: False, STAFF_P2: False}}
    quiet = _ledger(mine)
    other_family = _ledger({**mine, "wb:det": {DET_P1: True}})
    same_family = _ledger({**mine, "pw:staff": {STAFF_P2: True}})
    own = ["data:staff"]
    assert ledger_hidden_by_others(quiet, own) == ledger_hidden_by_others(other_family, own) == []
    assert ledger_hidden_by_others(same_family, own) == [["staff", [("site", "P02")]]]
    # a chapter with no table in the ledger never depends on it
    assert ledger_hidden_by_others(same_family, []) == []


def test_dedupe_extension_keeps_one_copy_of_each_script():
    import sys

    from sphinx.builders.html._assets import _JavaScript

    sys.path.insert(0, str(_ext))
    try:
        import dedupe_scripts
    finally:
        sys.path.remove(str(_ext))
    body = 'const THEBE_JS_URL = "x"'
    scripts = [_JavaScript("_static/doctools.js", priority=200), _JavaScript(None, body=body, priority=500),
               _JavaScript("_static/a.js"), _JavaScript("", body=body, priority=500),
               _JavaScript("_static/a.js", **{"async": "async"})]
    kept = dedupe_scripts.dedupe(scripts)
    assert kept == [scripts[0], scripts[1], scripts[2], scripts[4]]
    context = {"script_files": list(scripts)}
    listed = context["script_files"]
    dedupe_scripts._on_page(None, "intro", "page.html", context, None)
    assert listed is context["script_files"] and len(listed) == 4
