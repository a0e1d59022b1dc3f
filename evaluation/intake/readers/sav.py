"""SPSS .sav/.zsav and Stata .dta files, through pyreadstat.

Read as the data are stored: codes stay codes (``apply_value_formats=False``),
declared missing values stay values (``user_missing=True``: -7/-8/-9 are
answers "don't know"/"refused"/"not applicable", which validation and scoring
must see), date and datetime variables become datetimes. The frame
pyreadstat returns is used as it is; only string columns holding empty
strings are touched (empty -> NaN, as in every other format).

A file whose strings are not in the declared encoding is read again as
Windows-1252 with an ``encoding-guessed`` warning (old SPSS files written
without an encoding record).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from .result import ReadResult

__all__ = ["read_sav", "read_dta", "missing_codes"]

_FALLBACK_ENCODING = "WINDOWS-1252"
_MAX_RANGE_CODES = 100  # a declared missing range lo..hi is expanded when it holds at most this many integers


def read_sav(path: Path, result: ReadResult) -> None:
    """Fill ``result`` from the SPSS system file at ``path`` (.sav or .zsav)."""
    result.first_data_row = 1
    read = _read(pyreadstat.read_sav, path, result, "SPSS", user_missing=True)
    if read is None:
        return
    frame, meta = read
    result.user_missing = {
        col: codes for col, ranges in (meta.missing_ranges or {}).items() if (codes := missing_codes(ranges))
    }
    notes = [n for n in (meta.notes or []) if n]
    if notes:
        result.metadata["documents"] = "\n".join(notes)
    _finish(frame, meta, result)


def read_dta(path: Path, result: ReadResult) -> None:
    """Fill ``result`` from the Stata file at ``path``.

    Stata's tagged missing values (``.a`` … ``.z``, as R's haven writes
    "don't know" and "refused") are kept as the letters ``"a"`` … ``"z"``
    with their value labels: validation maps a labelled one to the
    instrument's nonresponse code. The system missing value ``.`` is empty.
    """
    result.first_data_row = 1
    read = _read(pyreadstat.read_dta, path, result, "Stata", user_missing=True)
    if read is None:
        return
    frame, meta = read
    notes = [n for n in (getattr(meta, "notes", None) or []) if n]
    if notes:
        result.metadata["documents"] = "\n".join(notes)
    _finish(frame, meta, result)


def missing_codes(ranges: list[dict]) -> list[float]:
    """The declared missing codes of one variable from pyreadstat's ``missing_ranges``.

    Discrete values are listed as they are; a range ``lo..hi`` with integer
    ends is expanded when short (-9 thru -7 -> -9, -8, -7), otherwise its two
    ends are listed. String missing values are left out.
    """
    codes: list[float] = []
    for r in ranges:
        lo, hi = r.get("lo"), r.get("hi")
        if not isinstance(lo, (int, float)) or not isinstance(hi, (int, float)):
            continue
        lo, hi = float(lo), float(hi)
        if lo == hi:
            values = [lo]
        elif lo.is_integer() and hi.is_integer() and 0 < hi - lo < _MAX_RANGE_CODES:
            values = [float(v) for v in range(int(lo), int(hi) + 1)]
        else:
            values = [lo, hi]
        codes.extend(v for v in values if v not in codes)
    return codes


def _read(reader, path: Path, result: ReadResult, what: str, *, user_missing: bool):
    from ..limits import current

    # (issue 17) never decode more rows than the limit allows (the dictionary was checked before)
    kwargs = dict(apply_value_formats=False, dates_as_pandas_datetime=True, user_missing=user_missing,
                  row_limit=current().max_rows + 1)
    try:
        return reader(str(path), **kwargs)
    except Exception as exc:  # pyreadstat raises several types; none may escape
        detail = _detail(exc, what)
        if "encoding" not in detail.lower() and "convert string" not in detail.lower():
            result.add("file-unreadable", detail=detail)
            return None
    try:
        read = reader(str(path), encoding=_FALLBACK_ENCODING, **kwargs)
    except Exception as exc:
        result.add("file-unreadable", detail=_detail(exc, what))
        return None
    result.add("encoding-guessed", severity="warning", encoding="Windows-1252")
    result.encoding = "windows-1252"
    return read


def _detail(exc: Exception, what: str) -> str:
    """A short technical detail: readstat's own messages are fixed texts (never data); others by type."""
    if type(exc).__name__ == "ReadstatError":
        text = str(exc).splitlines()[0] if str(exc) else "read error"
        return f"{what}: {text[:80]}"
    return f"{what}: {type(exc).__name__}"


def _finish(frame: pd.DataFrame, meta, result: ReadResult) -> None:
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns[frame.dtypes.to_numpy() == np.dtype(object)]:
        values = frame[col]
        empty = values.eq("")
        if empty.any():
            frame[col] = values.mask(empty)
    result.frame = frame
    result.file_label = meta.file_label or None
    if result.encoding is None:
        result.encoding = getattr(meta, "file_encoding", None) or None
    result.variable_labels = {
        str(col).strip(): label for col, label in (meta.column_names_to_labels or {}).items() if label
    }
    result.value_labels = {
        str(col).strip(): {_code(k): str(v) for k, v in labels.items()}
        for col, labels in (meta.variable_value_labels or {}).items()
    }
    if len(frame) == 0:
        result.add("file-header-only")


def _code(key):
    if isinstance(key, (int, float, np.integer, np.floating)) and not isinstance(key, bool):
        return float(key)
    return key
