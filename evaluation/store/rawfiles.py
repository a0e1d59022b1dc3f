"""Redacted copies of raw files, in their own format (for erasure and retention).

A raw file is never edited: erasure and retention write a *new* file — the
same format, with some rows removed or the identifier columns removed or
replaced by pseudonyms — and the old one is then deleted. This module reads
and writes the four formats intake accepts, keeping what it can of each:

- CSV (whatever its extension: ``.csv``, ``.txt``, ``.dat``...): encoding
  (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), delimiter
  (``;`` ``,`` or tab, judged on the header line, not on a comment above
  it), line ending, and any lines above the header (``#`` / ``peer-eval:``
  comments, ``sep=`` and blank lines).
- Excel ``.xlsx``: the workbook is edited with openpyxl (other sheets,
  formatting and the template's metadata sheet are kept).
- SPSS ``.sav`` / ``.zsav`` (written compressed again) / Stata ``.dta``:
  data and metadata (variable and value labels, user-defined missing values,
  measures, file label, notes) are read and written with pyreadstat. SPSS
  documents hold lines of at most 80 bytes: the notes are written back as
  such lines (a longer note is wrapped), never as one joined note that
  readstat refuses ("The provided note is too long").

The format is recognised from the content (as intake does), not from the
extension: a CSV saved as ``.dat`` or an SPSS file named ``.txt`` is
rewritten in its own format.

It reads files directly (pandas/pyreadstat/openpyxl): the intake readers
validate and interpret a submission, whereas this module must write back
exactly what it read, minus what it removes.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

__all__ = ["RawTable", "load_raw", "UnsupportedRaw", "match_column", "raw_format"]

_HEADER_SCAN = 10
#: bytes of one line of an SPSS document (readstat's limit)
_NOTE_BYTES = 80
_PREAMBLE = ("#", "peer-eval:")


class UnsupportedRaw(ValueError):
    """A raw file this module cannot rewrite (unknown extension or unreadable)."""


def match_column(header: list, name: str) -> int | None:
    """Position of column ``name`` in ``header`` (case and surrounding spaces ignored)."""
    want = str(name).strip().lower()
    for i, h in enumerate(header):
        if h is not None and str(h).strip().lower() == want:
            return i
    return None


@dataclass
class RawTable:
    """A raw file as rows of cells, with a way back to bytes of the same format."""

    path: Path
    kind: str  # csv | xlsx | sav | dta
    header: list
    _get: Callable[[int], list] = field(repr=False)
    _drop_rows: Callable[[list[int]], None] = field(repr=False)
    _set_column: Callable[[int, str | None, list | None], None] = field(repr=False)
    _to_bytes: Callable[[], bytes] = field(repr=False)
    n_rows: int = 0

    def column(self, name: str) -> list | None:
        """Values of column ``name`` (one per data row), or None when absent."""
        pos = match_column(self.header, name)
        return None if pos is None else self._get(pos)

    def columns(self) -> list[str]:
        return [str(h) for h in self.header if h is not None]

    def drop_rows(self, positions: list[int]) -> None:
        """Remove data rows by position (0 = first data row)."""
        if positions:
            self._drop_rows(sorted(set(positions)))

    def drop_column(self, name: str) -> None:
        pos = match_column(self.header, name)
        if pos is not None:
            self._set_column(pos, None, None)

    def replace_column(self, name: str, new_name: str, values: list) -> None:
        """Replace column ``name`` by ``new_name`` holding ``values`` (e.g. pseudonyms)."""
        pos = match_column(self.header, name)
        if pos is not None:
            self._set_column(pos, new_name, values)

    def to_bytes(self) -> bytes:
        return self._to_bytes()


# -- CSV ---------------------------------------------------------------------

def _csv_text(data: bytes) -> tuple[str, bytes, str]:
    """``(text, bom, codec)`` of CSV bytes: UTF-16 or UTF-8 by their BOM, else UTF-8, else Windows-1252."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec), bom, codec
    try:
        return data.decode("utf-8"), b"", "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict"), b"", "cp1252"


def _is_preamble(row: list[str]) -> bool:
    """A line above the header: blank, ``sep=;``, or a ``#`` / ``peer-eval:`` comment in one cell."""
    filled = [c for c in row if c.strip()]
    if not filled:
        return True
    first = filled[0].strip().lower()
    if len(filled) == 1 and (first.startswith(_PREAMBLE) or first.startswith("sep=")):
        return True
    return False


def _load_csv(path: Path) -> RawTable:
    from evaluation.intake.readers.csv import sniff_delimiter

    text, bom, encoding = _csv_text(path.read_bytes())
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split("\n")
    # the delimiter is judged on the lines from the first that is not a comment, blank or sep= line
    at = 0
    while at < min(len(lines), _HEADER_SCAN) and (not lines[at].strip()
                                                  or lines[at].strip().lower().startswith((*_PREAMBLE, "sep="))):
        at += 1
    delimiter = sniff_delimiter("\n".join(lines[at:at + 50]))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_at = 0
    for i, r in enumerate(rows[:_HEADER_SCAN]):
        if not _is_preamble(r):
            header_at = i
            break
    state = {"rows": rows}

    def header() -> list:
        return state["rows"][header_at] if len(state["rows"]) > header_at else []

    def get(pos: int) -> list:
        return [r[pos] if pos < len(r) else None for r in state["rows"][header_at + 1:]]

    def drop(positions: list[int]) -> None:
        skip = {header_at + 1 + p for p in positions}
        state["rows"] = [r for i, r in enumerate(state["rows"]) if i not in skip]
        table.n_rows = len(state["rows"]) - header_at - 1

    def set_column(pos: int, new_name, values) -> None:
        for i, r in enumerate(state["rows"]):
            if i < header_at or pos >= len(r):
                continue
            if new_name is None:
                del r[pos]
            elif i == header_at:
                r[pos] = new_name
            else:
                v = values[i - header_at - 1]
                r[pos] = "" if v is None else str(v)
        table.header = header()

    def to_bytes() -> bytes:
        buf = io.StringIO(newline="")
        csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(state["rows"])
        return bom + buf.getvalue().encode(encoding)

    table = RawTable(path, "csv", header(), get, drop, set_column, to_bytes, max(len(rows) - header_at - 1, 0))
    return table


# -- Excel -------------------------------------------------------------------

def _load_xlsx(path: Path, wanted: list[str]) -> RawTable:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheet, header_row = wb.worksheets[0], 1
    found = False
    for ws in wb.worksheets:
        for r in range(1, min(ws.max_row, _HEADER_SCAN) + 1):
            values = [c.value for c in ws[r]]
            if any(match_column(values, w) is not None for w in wanted):
                sheet, header_row, found = ws, r, True
                break
        if found:
            break

    def header() -> list:
        return [c.value for c in sheet[header_row]] if sheet.max_row >= header_row else []

    def n_data() -> int:
        return max(sheet.max_row - header_row, 0)

    def get(pos: int) -> list:
        return [sheet.cell(row=r, column=pos + 1).value for r in range(header_row + 1, sheet.max_row + 1)]

    def drop(positions: list[int]) -> None:
        for p in sorted(positions, reverse=True):
            sheet.delete_rows(header_row + 1 + p)
        table.n_rows = n_data()

    def set_column(pos: int, new_name, values) -> None:
        if new_name is None:
            sheet.delete_cols(pos + 1)
        else:
            sheet.cell(row=header_row, column=pos + 1).value = new_name
            for i, v in enumerate(values):
                sheet.cell(row=header_row + 1 + i, column=pos + 1).value = v
        table.header = header()

    def to_bytes() -> bytes:
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    table = RawTable(path, "xlsx", header(), get, drop, set_column, to_bytes, n_data())
    return table


# -- SPSS / Stata ---------------------------------------------------------------

def _load_stat(path: Path, kind: str) -> RawTable:
    import pyreadstat

    if kind in ("sav", "zsav"):
        df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    else:
        df, meta = pyreadstat.read_dta(str(path), user_missing=True)
    state: dict[str, Any] = {"df": df}

    def get(pos: int) -> list:
        col = state["df"].iloc[:, pos]
        return [None if pd.isna(v) else v for v in col.tolist()]

    def drop(positions: list[int]) -> None:
        keep = [i for i in range(len(state["df"])) if i not in set(positions)]
        state["df"] = state["df"].iloc[keep].reset_index(drop=True)
        table.n_rows = len(state["df"])

    def set_column(pos: int, new_name, values) -> None:
        df = state["df"]
        old = df.columns[pos]
        if new_name is None:
            state["df"] = df.drop(columns=[old])
        else:
            df = df.copy()
            df[old] = pd.Series(values, index=df.index, dtype=object)
            state["df"] = df.rename(columns={old: new_name})
        table.header = list(state["df"].columns)

    def to_bytes() -> bytes:
        df = state["df"]
        cols = set(df.columns)
        labels = [meta.column_names_to_labels.get(c) for c in df.columns]
        value_labels = {k: v for k, v in (meta.variable_value_labels or {}).items() if k in cols}
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"redacted.{kind}"
            if kind in ("sav", "zsav"):
                missing = {k: v for k, v in (meta.missing_ranges or {}).items() if k in cols}
                measure = {k: v for k, v in (meta.variable_measure or {}).items() if k in cols and v != "unknown"}
                pyreadstat.write_sav(
                    df, str(out), file_label=meta.file_label or None, column_labels=labels,
                    variable_value_labels=value_labels, missing_ranges=missing or None,
                    variable_measure=measure or None, compress=kind == "zsav",
                    note=_note_lines(getattr(meta, "notes", None)) or None)
            else:
                pyreadstat.write_dta(df, str(out), file_label=meta.file_label or None, column_labels=labels,
                                     variable_value_labels=value_labels or None)
            return out.read_bytes()

    table = RawTable(path, kind, list(df.columns), get, drop, set_column, to_bytes, len(df))
    return table


def _note_lines(notes) -> list[str]:
    """SPSS document lines of at most :data:`_NOTE_BYTES` bytes holding ``notes`` (wrapped, never dropped)."""
    import textwrap

    out: list[str] = []
    for note in notes or []:
        for para in str(note).splitlines() or [""]:
            width = _NOTE_BYTES
            while True:
                wrapped = textwrap.wrap(para, width=width, break_long_words=True) or [""]
                if all(len(line.encode("utf-8")) <= _NOTE_BYTES for line in wrapped) or width <= 8:
                    break
                width -= 4
            out.extend(line.encode("utf-8")[:_NOTE_BYTES].decode("utf-8", "ignore") for line in wrapped)
    return out


def raw_format(path: str | Path) -> str | None:
    """The format of a raw file from its content (``csv``, ``xlsx``, ``sav``, ``zsav``, ``dta``), else None."""
    from evaluation.intake.readers.magic import sniff

    try:
        return sniff(Path(path)).format
    except OSError:
        return None


def load_raw(path: str | Path, wanted: list[str] | None = None) -> RawTable:
    """Open a raw file for redaction. ``wanted``: column names that locate the data sheet of a workbook.

    The format comes from the content (see the module docstring).
    """
    path = Path(path)
    fmt = raw_format(path)
    try:
        if fmt == "csv":
            return _load_csv(path)
        if fmt == "xlsx":
            return _load_xlsx(path, wanted or [])
        if fmt in ("sav", "zsav", "dta"):
            return _load_stat(path, fmt)
    except UnsupportedRaw:
        raise
    except Exception as exc:  # unreadable: the caller reports the file by hash
        raise UnsupportedRaw(f"cannot read {path.name} for redaction: {type(exc).__name__}") from None
    raise UnsupportedRaw(f"cannot redact {path.name}: its content is not .csv, .xlsx, .sav, .zsav or .dta")
