"""The column codec: every cell comes back as it went in (storage class and bits), in the narrowest kind."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.store.columns import FORMAT, Column, decode, encode

ints = st.integers(-2 ** 63, 2 ** 63 - 1)
reals = st.floats(allow_nan=False, allow_infinity=True) | st.sampled_from([-0.0, 0.0, 2.0 ** 53 + 2, 5e-324])
texts = st.text(max_size=8) | st.sampled_from(["", "a\x00b", "\u00e9\u00e8", "k1-" + "0" * 64, "null", "1", "1.0"])
cells = st.one_of(st.none(), ints, reals, texts)


def _bits(cells) -> list[tuple]:
    """Each cell as (type, exact value): floats by their bits, so -0.0 is not 0.0."""
    return [(type(v).__name__, struct.pack("<d", v) if isinstance(v, float) else v) for v in cells]


def _round_trip(col: Column) -> Column:
    kind, data = encode(col)
    assert isinstance(data, bytes)
    return decode(kind, data, len(col))


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=40))
def test_any_cells_round_trip_exactly(values):
    col = Column.from_cells(values)
    assert _bits(_round_trip(col).cells()) == _bits(values)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), ints), max_size=40))
def test_integers_with_nulls_are_i8_with_a_null_bitmap(values):
    col = Column.from_cells(values)
    kind, data = encode(col)
    present = [v for v in values if v is not None]
    if len({*values}) > 1:
        zeroed = [0 if v is None else v for v in values]
        width = next(w for w in (1, 2, 4, 8) if -2 ** (8 * w - 1) <= min(zeroed) and max(zeroed) < 2 ** (8 * w - 1))
        assert kind == f"i{width}"  # the narrowest width that holds the values
        n = len(values)
        assert len(data) == width * n + ((n + 7) // 8 if None in values else 0)
        assert np.frombuffer(data[:width * n], f"<i{width}").tolist() == zeroed
    else:
        assert kind == "const"
        assert json.loads(data) == (present[0] if present else None)
    assert _round_trip(col).cells().tolist() == values


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), reals), max_size=40))
def test_reals_are_f8_bit_for_bit_with_nan_for_null(values):
    col = Column.from_cells(values)
    kind, data = encode(col)
    if len({_bits([v])[0] for v in values}) > 1:
        assert kind == "f8" and len(data) == 8 * len(values)
        raw = np.frombuffer(data, "<f8")
        assert [v is None for v in values] == np.isnan(raw).tolist()
    assert _bits(_round_trip(col).cells()) == _bits(values)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), texts), max_size=40))
def test_text_is_a_utf8_json_array(values):
    col = Column.from_cells(values)
    kind, data = encode(col)
    if len(set(values)) > 1:
        assert kind == "text" and json.loads(data.decode("utf-8")) == values
    assert _round_trip(col).cells().tolist() == values


# text of every sort the fast join must hand back to the encoder: quotes, backslashes, controls, NUL, surrogates
tricky = st.text(max_size=6) | st.sampled_from(['"', "\\", 'a"b', "a\\b", "\x00", "\x1f", "\n", "\x7f", "\u2028",
                                               "\u00e9", "null", '","', '"\x00"', "\ud800", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), tricky), max_size=30))
def test_a_text_column_is_written_as_the_json_encoder_writes_it(values):
    """The joined fast path gives the encoder's very bytes, or hands the column back to it (never other bytes)."""
    from evaluation.store.columns import _DUMPS, _text_json

    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    nulls = np.array([v is None for v in values], dtype=bool)
    fast = _text_json(arr, nulls)
    assert arr.tolist() == values  # the cells given are not changed (NULL cells stay None)
    try:
        slow = _DUMPS(values).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the encoder's error stands
        assert fast is None
        return
    if fast is not None:
        assert fast == slow
    # plain text (what a submission holds: pseudonyms, ISO days, site codes) takes the fast path
    plain = [v for v in values if v is None or (v.isprintable() and '"' not in v and "\\" not in v)]
    if any(v is not None for v in plain):
        arr = np.empty(len(plain), dtype=object)
        arr[:] = plain
        assert _text_json(arr, np.array([v is None for v in plain], dtype=bool)) == _DUMPS(plain).encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), ints), min_size=1, max_size=40))
def test_an_integer_column_with_its_bounds_given_encodes_as_without(values):
    zeroed = np.array([0 if v is None else v for v in values], dtype=np.int64)
    nulls = np.array([v is None for v in values], dtype=bool)
    with_bounds = Column("i8", len(values), zeroed, nulls, bounds=(zeroed.min(), zeroed.max()))
    assert encode(with_bounds) == encode(Column.integers(zeroed, nulls))


def test_kinds_are_the_narrowest_that_hold_the_cells():
    assert encode(Column.from_cells([1, 2, None]))[0] == "i1"
    assert encode(Column.from_cells([-128, 127]))[0] == "i1" and encode(Column.from_cells([-129, 1]))[0] == "i2"
    assert encode(Column.from_cells([0, 2 ** 31 - 1]))[0] == "i4" and encode(Column.from_cells([0, 2 ** 31]))[0] == "i8"
    assert encode(Column.from_cells([1.5, None, 2.0]))[0] == "f8"
    assert encode(Column.from_cells(["a", None]))[0] == "text"
    assert encode(Column.from_cells([1, 1.0]))[0] == "json"  # an INTEGER and a REAL: both kept as they are
    assert encode(Column.from_cells([1, "1"]))[0] == "json"
    assert encode(Column.from_cells([None, None]))[0] == "const"
    assert encode(Column.from_cells([]))[0] == "const"
    assert encode(Column.from_cells([0.0, -0.0]))[0] == "f8"  # not the same cell
    assert encode(Column.same("P01", 5)) == ("const", b'"P01"')
    assert encode(Column.integers(np.array([7, 7, 7]))) == ("const", b"7")
    assert encode(Column.reals(np.array([np.nan, np.nan]))) == ("const", b"null")
    mixed = _round_trip(Column.from_cells([1, 1.0, None, "x", float("inf")])).cells().tolist()
    assert [type(v) for v in mixed] == [int, float, type(None), str, float] and mixed[4] == float("inf")


def test_json_writes_reals_and_integers_apart():
    kind, data = encode(Column.from_cells([3, 3.0, -0.0, 1e300, float("-inf"), "é"]))
    assert kind == "json" and data.decode("utf-8") == '[3,3.0,-0.0,1e+300,-Infinity,"é"]'


@settings(max_examples=100, deadline=None)
@given(st.lists(cells, min_size=1, max_size=30), st.data())
def test_rows_taken_out_leave_the_others_exact(values, data):
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))))
    col = _round_trip(Column.from_cells(values))
    assert _bits(_round_trip(col.take(keep)).cells()) == _bits([v for v, k in zip(values, keep) if k])


def test_nan_is_null_and_stored_as_one_quiet_nan():
    payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8DEADBEEF0001))[0]
    kind, data = encode(Column.reals(np.array([1.0, payload, np.nan])))
    assert kind == "f8" and data[8:16] == data[16:24] == struct.pack("<Q", 0x7FF8000000000000)
    assert Column.from_cells([float("nan"), 1]).cells().tolist() == [None, 1]


def test_cells_are_checked():
    with pytest.raises(OverflowError):
        Column.from_cells([2 ** 63])
    with pytest.raises(TypeError):
        Column.from_cells([b"bytes"])
    with pytest.raises(TypeError):
        Column.same([1], 3)


def test_damaged_or_unknown_blobs_are_refused():
    kind, data = encode(Column.from_cells([1, 2, None]))
    assert kind == "i1"
    with pytest.raises(ValueError, match="cannot hold"):
        decode(kind, data[:-2], 3)
    with pytest.raises(ValueError, match="cannot hold"):
        decode("i8", data, 3)
    with pytest.raises(ValueError, match="cannot hold"):
        decode("f8", b"\x00" * 7, 1)
    with pytest.raises(ValueError, match="holds"):
        decode("text", b'["a"]', 2)
    with pytest.raises(ValueError, match="unknown column kind"):
        decode("pickle", b"", 0)
    with pytest.raises(ValueError, match="format"):
        decode(kind, data, 3, FORMAT + 1)


@pytest.mark.parametrize("kind, data", [("text", b'["a", 1, 2.5]'), ("text", b'[true, "b", null]'),
                                        ("json", b'[1, [2], "x"]'), ("json", b'[{"a": 1}, 2, 3]')])
def test_a_text_or_json_blob_with_cells_of_another_type_is_refused(kind, data):
    with pytest.raises((ValueError, TypeError)):
        decode(kind, data, 3)
