"""The header row of a spreadsheet-like file (CSV, .xlsx): names, blanks, repeats.

Shared by the CSV and Excel readers. Column names are stripped of surrounding
whitespace. A column without a name is dropped: silently when it is empty
(Excel's trailing ``;;;``), with ``header-blank`` when it holds data. A name
that appears again is reported once (``header-duplicate``) and only its first
column is kept, so later steps never see two columns of the same name.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from .result import ReadResult

__all__ = ["header_name", "apply_header", "trim_trailing_empty_rows", "column_letter", "MANY_BLANK"]

#: More nameless columns than this are one structural slip, reported once.
MANY_BLANK = 3


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 1-based column position (1 -> ``A``, 28 -> ``AB``)."""
    from openpyxl.utils import get_column_letter  # imported when needed: openpyxl takes ~0.3 s to import

    return get_column_letter(position)


def header_name(value: object) -> str:
    """A header cell as a column name: text stripped; whole numbers without ``.0``; None -> ``""``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    return str(value).strip()


def apply_header(
    frame: pd.DataFrame,
    names: list[object],
    result: ReadResult,
    *,
    merged: frozenset[int] = frozenset(),
    header_row: int = 1,
) -> pd.DataFrame:
    """Name the positional columns ``0..w-1`` of ``frame`` from the header cells ``names``.

    ``merged`` holds the 0-based positions covered (beyond the first) by a
    merged header cell: they are dropped without a ``header-blank`` (the merge
    is reported on its own). Problems are added to ``result``. More than
    :data:`MANY_BLANK` nameless columns with data are one slip (the names are
    not on ``header_row``): one ``header-not-found`` problem, not one per column.
    """
    width = frame.shape[1]
    cleaned = [header_name(n) for n in names[:width]] + [""] * max(0, width - len(names))
    keep: list[int] = []
    seen: set[str] = set()
    repeated: set[str] = set()
    blank: list[int] = []
    for i, name in enumerate(cleaned):
        if not name:
            if i not in merged and frame[i].notna().any():
                blank.append(i)
            continue
        if name in seen:
            if name not in repeated:
                repeated.add(name)
                result.add("header-duplicate", column=name)
            continue
        seen.add(name)
        keep.append(i)
    if len(blank) > MANY_BLANK:
        result.add("header-not-found", header_row=header_row, blank=len(blank))
    else:
        for i in blank:
            result.add("header-blank", position=column_letter(i + 1), header_row=header_row)
    if len(keep) < width:
        frame = frame[keep]
    frame.columns = [cleaned[i] for i in keep]
    return frame


def trim_trailing_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the all-empty rows at its end (rows in the middle stay: row numbers must hold)."""
    if frame.empty:
        return frame
    if frame.iloc[-1:].notna().to_numpy().any():  # the usual case: the last row has data
        return frame
    filled = frame.notna().to_numpy().any(axis=1)
    nz = filled.nonzero()[0]
    last = int(nz[-1]) + 1 if len(nz) else 0
    return frame if last == len(frame) else frame.iloc[:last]
