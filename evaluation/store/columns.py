"""One column of one submission as one BLOB: the codec of the store's responses (format 1).

The store keeps a submission's responses column by column, one row of
``response_columns`` per column (see :mod:`evaluation.store.colstore`). This
module only turns one column into bytes and back; it knows no table, no
frame and no SQL.

Cells
-----
A column is a sequence of *cells*, each what SQLite holds in a table cell:
NULL (``None``), an INTEGER (a Python ``int``, 64 bits), a REAL (a
``float``; never NaN: SQLite stores a NaN as NULL) or TEXT (a ``str``).
:meth:`Column.cells` gives them back exactly, storage class and value: an
INTEGER stays an ``int``, a REAL a ``float`` (bit for bit: ``-0.0``,
infinities), a missing cell ``None``.

Kinds (format 1)
----------------
``i1``, ``i2``, ``i4``, ``i8``
    INTEGER cells, some perhaps NULL. ``data``: ``n`` little-endian signed
    integers of 1, 2, 4 or 8 bytes (the narrowest that holds the column's
    values: survey codes take one byte a cell), 0 in a NULL cell; then,
    only if some cell is NULL, a bitmap of the NULL cells: ``ceil(n / 8)``
    bytes, cell ``i`` being bit ``i % 8`` of byte ``i // 8``
    (``numpy.packbits(..., bitorder="little")``). The length tells which
    (``wn`` or ``wn + ceil(n/8)`` for width ``w``).
``f8``
    REAL cells, some perhaps NULL: ``n`` little-endian IEEE-754 float64, a
    NaN for NULL (written as the one quiet NaN ``0x7ff8000000000000``).
``text``
    TEXT cells, some perhaps NULL: a UTF-8 JSON array of strings and
    ``null`` (characters beyond ASCII as themselves).
``json``
    cells of several storage classes (INTEGER and REAL, or numbers and
    TEXT): a UTF-8 JSON array of numbers, strings and ``null``. A REAL is
    written as Python writes a float (always with a ``.`` or an exponent,
    or ``Infinity`` / ``-Infinity``) and read back as a float, an INTEGER
    without either and read back as an int: exact for both.
``const``
    every cell the same (same storage class, same bits): the one cell as a
    JSON value, written as in ``json``. ``n_rows`` says how many. Also the
    kind of an empty column and of a column of NULLs.

:func:`encode` chooses the narrowest kind that holds the cells; decoding
checks the length against ``n`` and raises :class:`ValueError` on a damaged
BLOB. No pickle: the bytes are numbers and JSON, readable without Python.
A later format adds kinds or changes them under a new :data:`FORMAT`;
:func:`decode` refuses a format it does not know.

Measured (``benchmarks/intake_bench.py --stages``, 100,000 rows x 87
columns): the store stage of a submission takes 0.07 s of CPU (0.05 s
encoding the columns) where binding its 8.7 million cells one by one into a
row-per-respondent table took 0.68 s; ``responses()`` reads it back in 0.4 s
of CPU where it took 2.1 s; the database is smaller (16 MiB instead of
25 MiB: survey codes take one byte a cell).
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = ["FORMAT", "KINDS", "Column", "encode", "decode"]

#: the version of the encoding written by :func:`encode`
FORMAT = 1
#: the kinds of format 1 (a :class:`Column` in memory holds every integer kind as ``i8``)
KINDS = ("i1", "i2", "i4", "i8", "f8", "text", "json", "const")

_I8 = np.dtype("<i8")
_WIDTHS = {"i1": np.dtype("<i1"), "i2": np.dtype("<i2"), "i4": np.dtype("<i4"), "i8": _I8}
_F8 = np.dtype("<f8")
_NAN = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000000))[0]
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _cell_key(v) -> tuple:
    """Two cells are the same cell when their keys are equal (storage class and bits)."""
    if isinstance(v, float):
        return ("real", struct.pack("<d", v))
    if _is_int(v):
        return ("integer", v)
    return (type(v).__name__, v)


class Column:
    """The cells of one column, held as the kind that stores them (see the module docstring).

    Build one with :meth:`integers`, :meth:`reals`, :meth:`texts`,
    :meth:`same` or :meth:`from_cells`; :func:`encode` writes it, :func:`decode`
    reads it back. An ``i8`` column's ``values`` are signed integers, 0 in a
    NULL cell: int64 from :func:`decode` and the constructors, possibly a
    narrower width from a writer that knew its ``bounds`` (the store's
    :func:`~evaluation.store.colstore.stored_column`), written as is.
    """

    __slots__ = ("kind", "n", "values", "nulls", "bounds")

    def __init__(self, kind: str, n: int, values: Any, nulls: np.ndarray | None = None,
                 bounds: tuple[int, int] | None = None):
        if kind not in ("i8", "f8", "text", "json", "const"):  # in memory, every integer width is i8
            raise ValueError(f"a Column is i8, f8, text, json or const, not {kind!r}")
        if kind == "i8" and nulls is not None and not np.any(nulls):
            # no NULL cell: no NULL mask (a kept mask of all False, e.g. after take() or from a bitmap of
            # zeros written so, made the column's cells look "integer or NULL" and read back as float64)
            nulls = None
        self.kind, self.n, self.values, self.nulls = kind, int(n), values, nulls
        # (smallest, largest) of an i8 column's values (0 in NULL cells) when its builder computed them
        # already: encode() then chooses the width without two more passes (83 columns: 15 ms of a submit)
        self.bounds = (int(bounds[0]), int(bounds[1])) if bounds is not None and kind == "i8" and n else None

    # -- construction ------------------------------------------------------------
    @classmethod
    def integers(cls, values: np.ndarray, nulls: np.ndarray | None = None) -> "Column":
        """INTEGER cells from an int64 array; ``nulls`` (bool) marks NULL cells (their values are set to 0)."""
        values = np.asarray(values, dtype=np.int64)
        if nulls is not None:
            nulls = np.asarray(nulls, dtype=bool)
            if not nulls.any():
                nulls = None
            else:
                values = values * ~nulls  # 0 in a NULL cell (a product: 6x faster than np.where here)
        return cls("i8", len(values), values, nulls)

    @classmethod
    def reals(cls, values: np.ndarray) -> "Column":
        """REAL cells from a float64 array, NaN for NULL."""
        values = np.asarray(values, dtype=np.float64)
        return cls("f8", len(values), values)

    @classmethod
    def texts(cls, values: Sequence, nulls: np.ndarray | None = None) -> "Column":
        """TEXT cells: ``str`` or ``None`` (the caller guarantees it; see :meth:`from_cells` otherwise).

        ``nulls``: where the cells are ``None``, if the caller knows it already.
        """
        if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
            arr = values
        else:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
        return cls("text", len(arr), arr, None if nulls is None else np.asarray(nulls, dtype=bool))

    @classmethod
    def same(cls, cell, n: int) -> "Column":
        """``n`` cells, each ``cell`` (``None``, int, float, str)."""
        _check_cell(cell)
        if isinstance(cell, float) and math.isnan(cell):
            cell = None
        return cls("const", n, cell)

    @classmethod
    def from_cells(cls, cells: Sequence) -> "Column":
        """Any cells (None, int, float, str; a float NaN is NULL), stored as the narrowest kind."""
        arr = np.empty(len(cells), dtype=object)
        arr[:] = list(cells) if not isinstance(cells, np.ndarray) else cells
        n = len(arr)
        classes: set[str] = set()
        for i, v in enumerate(arr):
            if v is None:
                classes.add("null")
            elif isinstance(v, float):
                if v != v:
                    arr[i] = None
                    classes.add("null")
                else:
                    classes.add("real")
            elif _is_int(v):
                if not -2 ** 63 <= v < 2 ** 63:
                    raise OverflowError("an INTEGER cell must fit in 64 bits")
                classes.add("integer")
            elif isinstance(v, str):
                classes.add("text")
            else:
                raise TypeError(f"a cell is None, int, float or str, not {type(v).__name__}")
        return cls._narrowest(arr, n, classes)

    @classmethod
    def _narrowest(cls, arr: np.ndarray, n: int, classes: set[str]) -> "Column":
        present = classes - {"null"}
        if n == 0 or not present:
            return cls("const", n, None)
        if present == {"integer"}:
            nulls = np.fromiter((v is None for v in arr), dtype=bool, count=n)
            return cls.integers(np.fromiter((0 if v is None else v for v in arr), dtype=np.int64, count=n),
                                nulls)._const_or_self()
        if present == {"real"}:
            return cls.reals(np.fromiter((_NAN if v is None else v for v in arr), dtype=np.float64,
                                         count=n))._const_or_self()
        if present == {"text"}:
            return cls("text", n, arr)._const_or_self()
        return cls("json", n, arr)._const_or_self()

    # -- reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"<Column {self.kind} n={self.n}>"

    def cells(self) -> np.ndarray:
        """The cells as a 1-D object array: ``None``, ``int``, ``float`` or ``str``."""
        if self.kind == "const":
            out = np.empty(self.n, dtype=object)
            out.fill(self.values)
            return out
        if self.kind == "i8":
            out = self.values.astype(object)
            if self.nulls is not None:
                out[self.nulls] = None
            return out
        if self.kind == "f8":
            out = self.values.astype(object)
            out[np.isnan(self.values)] = None
            return out
        return self.values

    def classes(self) -> frozenset[str]:
        """The storage classes of the cells: a subset of ``{"null", "integer", "real", "text"}``."""
        if self.n == 0:
            return frozenset()
        if self.kind == "const":
            return frozenset({_class_of(self.values)})
        if self.kind == "i8":
            return frozenset({"integer"} | ({"null"} if self.nulls is not None else set()))
        if self.kind == "f8":
            missing = np.isnan(self.values)
            return frozenset(({"real"} if not missing.all() else set()) | ({"null"} if missing.any() else set()))
        if self.kind == "text":
            missing = self._text_nulls()
            return frozenset(({"text"} if not missing.all() else set()) | ({"null"} if missing.any() else set()))
        return frozenset(_class_of(v) for v in self.values)

    def take(self, index: np.ndarray) -> "Column":
        """The cells at ``index`` (positions or a boolean mask), same kind (normalised by :func:`encode`)."""
        index = np.asarray(index)
        if self.kind == "const":
            n = int(index.sum()) if index.dtype == bool else len(index)
            return Column("const", n, self.values)
        nulls = self.nulls[index] if self.nulls is not None else None
        values = self.values[index]
        return Column(self.kind, len(values), values, nulls)

    def _text_nulls(self) -> np.ndarray:
        if self.nulls is None:
            self.nulls = pd.isna(self.values)
        return self.nulls

    # -- normalising -------------------------------------------------------------
    def _const_or_self(self) -> "Column":
        """This column as ``const`` when every cell is the same (and when it is empty or all NULL)."""
        n, v = self.n, self.values
        if n == 0:
            return Column("const", 0, None)
        if self.kind == "i8":
            if self.nulls is not None:
                return Column("const", n, None) if self.nulls.all() else self
            if self.bounds is not None:
                return Column("const", n, self.bounds[0]) if self.bounds[0] == self.bounds[1] else self
            return Column("const", n, int(v[0])) if (v == v[0]).all() else self
        if self.kind == "f8":
            missing = np.isnan(v)
            if missing.all():
                return Column("const", n, None)
            if not missing.any() and (v.view(np.int64) == v[:1].view(np.int64)).all():
                return Column("const", n, float(v[0]))
            return self
        if self.kind == "text":
            missing = self._text_nulls()
            if missing.all():
                return Column("const", n, None)
            first = v[0]
            if first is not None and v[-1] == first and not missing.any() and (v == first).all():
                return Column("const", n, first)
            return self
        if self.kind == "json":
            keys = {_cell_key(c) for c in v}
            if len(keys) == 1:
                return Column("const", n, v[0])
            return Column.from_cells(v) if len({k[0] for k in keys} - {"NoneType"}) < 2 else self
        return self


def _class_of(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, float):
        return "real"
    if _is_int(v):
        return "integer"
    return "text"


def _check_cell(v) -> None:
    if v is None or isinstance(v, (float, str)):
        return
    if _is_int(v):
        if not -2 ** 63 <= v < 2 ** 63:
            raise OverflowError("an INTEGER cell must fit in 64 bits")
        return
    raise TypeError(f"a cell is None, int, float or str, not {type(v).__name__}")


def encode(column: Column) -> tuple[str, bytes]:
    """``(kind, data)`` of ``column`` in the narrowest kind that holds its cells (format :data:`FORMAT`)."""
    col = column._const_or_self()
    if col.kind == "const":
        return "const", _DUMPS(col.values).encode("utf-8")
    if col.kind == "i8":
        lo, hi = col.bounds if col.bounds is not None else (int(col.values.min()), int(col.values.max()))
        kind = next(k for k, t in _WIDTHS.items() if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max)
        data = col.values.astype(_WIDTHS[kind], copy=False).tobytes()
        if col.nulls is not None:
            data += np.packbits(col.nulls, bitorder="little").tobytes()
        return kind, data
    if col.kind == "f8":
        values = col.values.astype(_F8, copy=False)
        missing = np.isnan(values)
        if missing.any():
            values = np.where(missing, _NAN, values)
        return "f8", values.tobytes()
    if col.kind == "text":
        fast = _text_json(col.values, col._text_nulls())
        if fast is not None:
            return "text", fast
    return col.kind, _DUMPS(col.values.tolist()).encode("utf-8")


def _text_json(values: np.ndarray, nulls: np.ndarray) -> bytes | None:
    """The bytes ``_DUMPS(values.tolist()).encode("utf-8")`` gives, or None where a cell needs escaping.

    A text column (``str`` cells, ``None`` where ``nulls``) whose cells hold
    no ``"``, no ``\\`` and no control character is the cells joined by
    ``","`` between ``["`` and ``"]``, NULL cells written as ``null``: what
    the JSON encoder writes for them (``ensure_ascii=False``: nothing else is
    escaped). Checked on the joined bytes (UTF-8 writes a character below
    U+0020 as one byte below 0x20 and no other character with such a byte),
    with DEL (U+007F, not escaped by the encoder) as the placeholder of a
    NULL cell: a cell that is exactly DEL goes to the encoder. Any other column goes back
    to the encoder. A measured reason (``benchmarks/intake_bench.py``): the
    encoder took 20 ms for the 100,000 pseudonyms of a submission and 10 ms
    for its dates; joining them takes 3 ms and 1 ms
    (``tests/evaluation/store/test_columns.py`` compares both on random text).
    """
    n = len(values)
    n_null = int(np.count_nonzero(nulls)) if nulls is not None else 0
    if n == 0 or n_null == n:
        return None
    if n_null:
        values = values.copy()
        values[nulls] = "\x7f"  # a placeholder no cell equals (checked below)
    try:
        data = '","'.join(values.tolist()).encode("utf-8")
    except (TypeError, UnicodeEncodeError):  # a cell that is not text, a lone surrogate: the encoder's answer
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    if (len(raw) and raw.min() < 0x20) or b"\\" in data or data.count(b'"') != 2 * (n - 1):
        return None
    data = b"".join((b'["', data, b'"]'))  # (one copy, not two)
    if not n_null:
        return data
    # no cell holds a '"': '"<DEL>"' is a placeholder, or a cell that is exactly DEL (then the encoder writes it)
    if data.count(b'"\x7f"') != n_null:
        return None
    return data.replace(b'"\x7f"', b"null")


def decode(kind: str, data: bytes, n: int, fmt: int = FORMAT) -> Column:
    """The :class:`Column` of ``n`` cells that :func:`encode` wrote as ``(kind, data)``."""
    if fmt != FORMAT:
        raise ValueError(f"column format {fmt} is not known to this version of the store (it reads format {FORMAT}); "
                         "update peer-eval")
    n = int(n)
    data = bytes(data) if not isinstance(data, bytes) else data
    if kind in _WIDTHS:
        width = _WIDTHS[kind].itemsize
        extra = len(data) - width * n
        if extra not in (0, (n + 7) // 8) or (n == 0 and extra):
            raise ValueError(f"an {kind} column of {n} cells cannot hold {len(data)} bytes")
        values = np.frombuffer(data, dtype=_WIDTHS[kind], count=n).astype(np.int64)
        nulls = None
        if extra:
            nulls = np.unpackbits(np.frombuffer(data, dtype=np.uint8, offset=width * n), count=n,
                                  bitorder="little").astype(bool)
        return Column("i8", n, values, nulls)
    if kind == "f8":
        if len(data) != 8 * n:
            raise ValueError(f"an f8 column of {n} cells cannot hold {len(data)} bytes")
        return Column("f8", n, np.frombuffer(data, dtype=_F8).astype(np.float64))
    if kind in ("text", "json"):
        cells = json.loads(data.decode("utf-8"))
        if not isinstance(cells, list) or len(cells) != n:
            raise ValueError(f"a {kind} column of {n} cells holds {len(cells) if isinstance(cells, list) else 'no'} list")
        arr = np.empty(n, dtype=object)
        arr[:] = cells
        # every cell of its kind: a damaged or foreign BLOB is an error, never data of another type
        if kind == "text" and pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
            raise ValueError(f"a text column of {n} cells holds cells that are not text")
        if kind == "json":
            for cell in arr:
                _check_cell(cell)
        return Column(kind, n, arr)
    if kind == "const":
        cell = json.loads(data.decode("utf-8"))
        _check_cell(cell)
        return Column("const", n, cell)
    raise ValueError(f"unknown column kind {kind!r}; format {FORMAT} has {', '.join(KINDS)}")
