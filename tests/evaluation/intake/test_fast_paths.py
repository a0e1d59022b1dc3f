"""The intake's fast paths give the same answers as the straightforward ones.

Validation normalises each identifier once and hands the canonical forms to
pseudonymisation; its code checks use numpy comparisons instead of
``Series.isin``. Property tests compare both ways on generated columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.intake.pseudonymise import (
    InvalidIdentifier,
    PseudonymKey,
    Pseudonymiser,
    normalise_identifier,
    normalise_series,
    pseudonymise_frame,
)
from evaluation.intake.validate import _isin, validate

from .test_validate import good_rows

KEY = PseudonymKey(bytes(range(32)), 1, "generated")

# identifiers as typed: valid, with spaces and punctuation, lower case, invalid characters, blank, missing
prison_numbers = st.one_of(
    st.none(),
    st.text(alphabet="ab12 .-/_é#\n\t", max_size=8),
    st.sampled_from(["AB 123", "ab-123", "AB123", "  ", "", "12/34", "ß9", "ab12\n", "x" * 33, "1" * 32]),
)
nrns = st.one_of(st.none(), st.sampled_from(["85.07.31-003.43", "85073100343", "85073100344", "12345", "x"]),
                 st.text(alphabet="0123456789.- ", max_size=14))


def _reference(kind, values):
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            out.append(normalise_identifier(kind, v))
        except InvalidIdentifier:
            out.append(None)
    return out


@settings(max_examples=100, deadline=None)
@given(st.lists(prison_numbers, max_size=25), st.lists(nrns, max_size=25))
def test_normalise_series_is_normalise_identifier_per_value(pns, ns):
    for kind, values in (("prison_number", pns), ("national_register", ns)):
        norm, why = normalise_series(kind, pd.Series(values, dtype=object))
        assert norm.tolist() == _reference(kind, values)
        assert [w == "missing" for w in why] == [v is None for v in values]
        assert [w is None for w in why] == [n is not None for n in norm]


@settings(max_examples=100, deadline=None)
@given(st.lists(prison_numbers, min_size=1, max_size=25), st.lists(nrns, min_size=1, max_size=25))
def test_pseudonyms_from_normalised_identifiers_equal_those_from_raw_ones(pns, ns):
    n = min(len(pns), len(ns))
    frame = pd.DataFrame({"prison_number": pd.Series(pns[:n], dtype="string"),
                          "national_register": pd.Series(ns[:n], dtype="string"), "x": np.arange(n)})
    columns = {"prison_number": "prison_number", "national_register": "national_register"}
    plain, plain_problems = pseudonymise_frame(frame, columns, KEY)
    normalised = {c: normalise_series(k, frame[c])[0].to_numpy() for c, k in columns.items()}
    fast, fast_problems = pseudonymise_frame(frame, columns, KEY, normalised=normalised)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast_problems == plain_problems


def test_normalised_of_the_wrong_length_is_refused():
    import pytest

    with pytest.raises(ValueError, match="normalised has 1 values for 2 rows"):
        Pseudonymiser(KEY).series("prison_number", pd.Series(["A1", "B2"]), normalised=np.array(["A1"], dtype=object))


codes = st.lists(st.one_of(st.integers(-9, 9), st.sampled_from([0.5, -7.0, 1e9])), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True), st.integers(-9, 9).map(float)), max_size=40), codes)
def test_isin_is_series_isin(values, code_list):
    s = pd.Series(values, dtype=float, index=np.arange(len(values)) * 2)
    got = _isin(s, set(code_list))
    pd.testing.assert_series_equal(got, s.isin(list(set(code_list))), check_names=False)
    text = pd.Series([str(v) for v in values], dtype=object)
    pd.testing.assert_series_equal(_isin(text, ["1.0"]), text.isin(["1.0"]))  # not numbers: pandas itself


def test_validation_hands_over_the_canonical_identifiers(mini):
    frame = good_rows(mini, 4)
    pid = mini.role_item("pid").name
    frame[pid] = ["ab 1", "AB-2", "ab3", None][: len(frame)]
    v = validate(mini, frame, site="P01")
    assert list(v.identifiers) == [pid]
    assert v.identifiers[pid].tolist() == ["AB1", "AB2", "AB3", None]
    assert v.identifiers[pid].index.equals(v.frame.index)


def test_rows_without_consent_are_dropped_and_the_rest_keep_their_own_pseudonyms(tmp_path):
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses
    from evaluation.intake.submit import submit_file
    from evaluation.store import Store, Workspace

    from .test_submit import DET, write_sav

    frame = synthetic_responses(DET, 12, site="P03", seed=21)
    frame.loc[[2, 5, 6], "consent"] = 0
    key = PseudonymKey.generate()
    ws = Workspace.open(tmp_path / "ws")
    report = submit_file(write_sav(frame, tmp_path / "c.sav"), site="P03", workspace=ws, key=key, catalogue=Catalogue())
    assert report.status == "accepted", report.text()
    with Store(ws) as store:
        table = store.tables()[("detainee", DET.version)]
        pids = store.read_table(table, columns=["pid"], accepted_only=False)["pid"].tolist()
    kept = frame[frame["consent"] != 0]
    ps = Pseudonymiser(key)
    assert pids == [ps.pseudonym("prison_number", str(v)) for v in kept["prison_number"]]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(np.nan), st.text(alphabet=" \tabcßé\u00a0x", max_size=6),
                          st.integers(-3, 3)), max_size=30),
       st.booleans())
def test_text_is_astype_string_then_strip(values, upper):
    from evaluation.intake.validate import _text

    for s in (pd.Series(values, dtype=object),
              pd.Series([v if isinstance(v, str) else None for v in values], dtype="string")):
        expected = s.astype("string").str.strip()
        if upper:
            expected = expected.str.upper()
        pd.testing.assert_series_equal(_text(s, upper=upper), expected)
        # blank_as_missing: also a cell that stripping empties is missing (a text item's blank answer)
        blank = s.isna() | (expected == "").fillna(False).astype(bool)
        pd.testing.assert_series_equal(_text(s, upper=upper, blank_as_missing=True), expected.where(~blank))


def test_a_trailing_line_break_is_no_part_of_a_prison_number():
    """'ab12\\n' (a cell ended with Alt+Enter) is AB12, the same person as 'AB12', not a number with a line break."""
    norm, why = normalise_series("prison_number", pd.Series(["ab12\n", "AB12", " ab12 "], dtype=object))
    assert norm.tolist() == ["AB12", "AB12", "AB12"] and why.tolist() == [None, None, None]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["03/04/2025", "13/04/2025", " 2025-04-03 ", "  ", "",
                                                       "03/04/2025 10:15", "31/02/2025", "x", "4/3/2025"])),
                max_size=30),
       st.sampled_from(["dmy", "mdy"]))
def test_dates_of_a_text_column_are_parsed_as_cell_by_cell(values, order):
    """The text-only path of to_dates (each distinct cell once) gives the general path's dates and errors."""
    from evaluation.intake import dates

    s = pd.Series(values, dtype=object)
    if pd.api.types.infer_dtype(s, skipna=True) != "string":
        return
    got, bad = dates.to_dates(s, order=order)
    # the general path: the same column with one non-text cell appended (then cut off again)
    ref, ref_bad = dates.to_dates(pd.concat([s, pd.Series([pd.Timestamp("2025-01-02")], dtype=object)],
                                            ignore_index=True), order=order)
    pd.testing.assert_series_equal(got, ref.iloc[:-1], check_index=False)
    assert bad.tolist() == ref_bad.iloc[:-1].tolist()


# -- issue 15: submit's own work done once -----------------------------------------------------------------


def test_an_unlabelled_sav_is_parsed_once_by_check_and_by_submit(tmp_path, monkeypatch):
    """No file label (nothing to recognise it by but its columns): still one pyreadstat read, no metadata pass."""
    import pyreadstat

    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses
    from evaluation.intake.submit import check_file, submit_file
    from evaluation.store import Workspace

    defn = Catalogue().instrument("detainee")
    path = tmp_path / "unlabelled.sav"
    pyreadstat.write_sav(synthetic_responses(defn, 30, site="P01", seed=2), str(path))  # no labels of any kind
    calls = []
    for name in ("read_sav", "read_dta", "read_por", "read_file_multiprocessing", "read_file_in_chunks"):
        real = getattr(pyreadstat, name)
        monkeypatch.setattr(pyreadstat, name, lambda *a, _real=real, _name=name, **k: (
            calls.append((_name, bool(k.get("metadataonly")))), _real(*a, **k))[1])
    report = check_file(path, site="P01")
    assert report.valid and report.instrument.startswith("detainee@"), report.text()
    assert calls == [("read_sav", False)]
    calls.clear()
    report = submit_file(path, site="P01", workspace=Workspace.open(tmp_path / "ws"), key=KEY)
    assert report.status == "accepted", report.text()
    assert calls == [("read_sav", False)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["nee", "Dank aan Jan Peeters", "  ", "", "mr smith helped",
                                                        "AB 12345 was here"]),
                          st.text(alphabet="aZé .1", max_size=12)), min_size=1, max_size=30))
def test_free_text_screened_per_distinct_answer_is_screened_per_cell(answers):
    from evaluation.instruments import Catalogue
    from evaluation.store.freetext import free_text_items, screen_frame, screen_text

    defn = Catalogue().instrument("detainee")
    col = free_text_items(defn)[0]
    frame = pd.DataFrame({col: pd.Series(answers, dtype=object), "other": range(len(answers))})
    out, changed = screen_frame(frame, defn)
    want = [screen_text(v) for v in answers]
    assert out[col].tolist() == want
    assert changed == sum(1 for a, b in zip(answers, want) if isinstance(a, str) and a != b)
    assert frame[col].tolist() == answers  # the caller's frame untouched


@given(st.lists(st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(allow_nan=True)), max_size=20))
def test_longest_text_cell_is_the_longest_string(values):
    from evaluation.intake.limits import _longest_text

    want = max([len(v) for v in values if isinstance(v, str)], default=0)
    assert _longest_text(pd.Series(values, dtype=object)) == want


# -- identifiers factorized once (validation's codes reach pseudonymisation) -------------------------------------

def _detainee_rows(pns, waves):
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses

    defn = Catalogue().instrument("detainee")
    frame = synthetic_responses(defn, len(pns), site="P01", seed=3)
    frame["prison_number"] = pd.Series(pns, dtype=object)
    frame["wave"] = pd.Series(waves, dtype=float)
    return defn, frame


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(prison_numbers | st.sampled_from(["AB1", "ab 1", "AB-1", "AB2"]),
                          st.sampled_from([1.0, 2.0, np.nan])), min_size=1, max_size=16))
def test_duplicate_and_invalid_identifiers_are_the_straightforward_checks(pairs):
    """Rows of one person and wave (integer codes of the canonical identifiers) and invalid identifiers,
    as ``key.duplicated(["id", "wave"])`` on the canonical text and normalise_identifier per cell find them."""
    pns, waves = [p for p, _ in pairs], [w for _, w in pairs]
    defn, frame = _detainee_rows(pns, waves)
    v = validate(defn, frame, site="P01", first_data_row=2)
    stripped = [p.strip() if isinstance(p, str) and p.strip() else None for p in pns]
    ids = pd.Series(_reference("prison_number", stripped), dtype=object)
    key = pd.DataFrame({"id": ids, "wave": pd.Series(waves, dtype=float)})
    dup = ids.notna() & key.duplicated(["id", "wave"], keep=False)
    got = sorted(p.row for p in v.problems if p.code == "duplicate-respondent-wave")
    assert got == sorted(int(i) + 2 for i in np.flatnonzero(dup))
    invalid = [i + 2 for i, (s, n) in enumerate(zip(stripped, ids)) if s is not None and n is None]
    assert sorted(p.row for p in v.problems if p.code == "identifier-invalid") == invalid
    if not v.dropped_no_consent:
        f = v.factorised["prison_number"]
        assert f.values().tolist() == v.identifiers["prison_number"].tolist()
        assert len(set(f.uniques)) == len(f.uniques)  # one code per canonical identifier


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["0012345", "12345", "123456", "1234567", "12a45", " 1234 ",
                                                       "AB12"])), min_size=1, max_size=20),
       st.lists(st.sampled_from(["P01", "P02", "P99", None]), min_size=20, max_size=20))
def test_leading_zeros_are_judged_per_distinct_value_as_per_row(numbers, sites):
    from evaluation.instruments import Catalogue
    from evaluation.intake.pseudonymise import _normalise_distinct
    from evaluation.intake.validate import _prison_number_format

    defn = Catalogue().instrument("detainee")
    n = len(numbers)
    text = pd.Series(numbers, dtype="string")
    site_text = pd.Series(sites[:n], dtype="string")
    rows = pd.Series(np.arange(n) + 2)
    codes, uniques = _normalise_distinct("prison_number", text)[:2]
    s_codes, s_uniques = pd.factorize(site_text, use_na_sentinel=True)
    s_upper = np.array([str(u).upper() for u in s_uniques] + [pd.NA], dtype=object)
    for site_col in (site_text, None):
        args = (defn, "prison_number", text.astype(object), text, site_col, "P01", rows, "Vraag 1")
        plain = _prison_number_format(*args)
        fast = _prison_number_format(*args, typed=(codes, uniques),
                                     site_codes=(s_codes, s_upper) if site_col is not None else None)
        assert fast == plain


@settings(max_examples=60, deadline=None)
@given(st.lists(prison_numbers, min_size=1, max_size=25))
def test_pseudonyms_from_validations_codes_equal_those_from_raw_identifiers(pns):
    from evaluation.intake.pseudonymise import Factorised

    frame = pd.DataFrame({"prison_number": pd.Series(pns, dtype="string"), "x": np.arange(len(pns))})
    columns = {"prison_number": "prison_number"}
    plain, plain_problems = pseudonymise_frame(frame, columns, KEY)
    norm = normalise_series("prison_number", frame["prison_number"])[0].to_numpy()
    fast, fast_problems = pseudonymise_frame(frame, columns, KEY,
                                             normalised={"prison_number": Factorised.of(norm)})
    pd.testing.assert_frame_equal(fast, plain)
    assert fast_problems == plain_problems


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="aB3z9Q", min_size=1, max_size=6),
                          st.sampled_from(["x" * 32, "x" * 33, "ab", "AB", "ß", "a b"])), max_size=25))
def test_codes_already_canonical_are_normalised_as_one_by_one(values):
    """All-alphanumeric columns (joined and upper-cased at once) give normalise_identifier's answer per cell."""
    from evaluation.intake.pseudonymise import _normalise_distinct

    s = pd.Series(values, dtype="string")
    norm, why = normalise_series("prison_number", s)
    assert norm.tolist() == _reference("prison_number", values)
    found = _normalise_distinct("prison_number", s)
    if found.distinct:  # the cells themselves are the canonical identifiers, and distinct
        assert list(found.normalised[:-1]) == list(found.uniques)
        assert all(u == u.upper() for u in found.uniques)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_code_columns_read_as_numbers_are_checked_as_any_other(data):
    """Single- and multiple-choice columns of float64 (numpy checks) give the problems and the frame
    that the general path gives for the same cells held as Python objects."""
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses

    defn = Catalogue().instrument("detainee")
    frame = synthetic_responses(defn, 10, site="P01", seed=5)
    single = [i.name for i in defn.items if i.type == "single_choice" and i.role != "wave" and i.name in frame][:6]
    ticks = [c for i in defn.items if i.type == "multiple_choice" for c in defn.item_columns(i) if c in frame][:6]
    cell = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0, 7.0, 2.5, -1.0, -0.0, 97.0, 98.0, 99.0, -7.0, -8.0, -9.0]),
                     st.just(np.nan))
    for col in single + ticks:
        frame[col] = data.draw(st.lists(cell, min_size=10, max_size=10))
    as_objects = frame.copy()
    for col in single + ticks:
        as_objects[col] = frame[col].astype(object)
    fast = validate(defn, frame, site="P01")
    plain = validate(defn, as_objects, site="P01")
    assert [(p.code, p.row, p.column, p.value) for p in fast.problems] == \
        [(p.code, p.row, p.column, p.value) for p in plain.problems]
    pd.testing.assert_frame_equal(fast.frame, plain.frame)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([" P01", "p02 ", "P01", "  ", "", "x\u00a0", "ab"]), min_size=1, max_size=6),
       st.integers(0, 2**31), st.booleans())
def test_text_of_a_few_repeated_answers_is_stripped_as_cell_by_cell(pool, seed, blank):
    """Long columns of a few distinct answers (stripped per distinct answer) give astype(string).str.strip()."""
    from evaluation.intake.validate import _text

    rng = np.random.default_rng(seed)
    s = pd.Series(rng.choice(np.array(pool, dtype=object), size=1500), dtype=object)
    expected = s.astype("string").str.strip()
    if blank:
        expected = expected.where(~(expected == "").fillna(False).astype(bool))
    pd.testing.assert_series_equal(_text(s, blank_as_missing=blank), expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["03/04/2025", " 13/04/2025", "04/13/2025 10:00", "x", ""]),
                          st.integers(1, 3)), max_size=40))
def test_distinct_date_cells_are_found_at_their_first_row(values):
    """date_order's distinct text cells (running largest factorize code) are dropna() + duplicated()'s."""
    from evaluation.intake.dates import _text_cells

    raw = pd.Series(values, dtype=object, index=np.arange(len(values)) * 3 + 7)
    ref = raw.dropna()
    ref = ref[~ref.duplicated()]
    ref = ref[ref.map(type) == str].str.strip().str.split(" ", n=1).str[0]
    got = _text_cells(raw)
    assert got.tolist() == ref.tolist() and got.index.tolist() == ref.index.tolist()
