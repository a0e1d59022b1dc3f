"""Excel .xlsx workbooks (openpyxl, read-only, cached values of formulas).

- Which sheet: metadata sheets (``_meta``, ``settings``, ``choices``,
  ``survey``, ``external_choices`` and any name starting with ``_``) and
  empty sheets are never data. Of the rest, visible sheets come first (hidden
  ones only when no visible sheet has data). Exactly one: it is read. More:
  ``sheet-multiple`` (an error) and the first is read, so that its other
  problems are reported too. None: ``file-empty``, or ``sheet-no-data`` when
  the workbook has metadata sheets only (e.g. an XLSForm itself).
- Row 1 is the header. Merged cells touching row 1 are ``header-merged``.
- Values keep their type: numbers, datetimes from date cells, text (a date
  typed as text stays text), booleans. Pandas infers each column's dtype: a
  column of whole numbers with an empty cell becomes float; a column mixing
  numbers and text stays object. Empty text cells are NaN.
- Embedded metadata: the ``_meta`` sheet's rows (``key | value``; a row with
  one cell is kept as ``_meta.<row>``), an XLSForm ``settings`` sheet
  (``settings.<column>``), and the document properties title, subject,
  description, keywords, category and identifier (``properties.<name>``; the
  title is also ``file_label``). Author names are never read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import pandas as pd
from lxml import etree

from .header import apply_header, header_name, trim_trailing_empty_rows
from .result import ReadResult

__all__ = ["read_xlsx", "is_metadata_sheet", "METADATA_SHEETS", "header_merges"]

#: Sheet names (case-insensitive) that hold template metadata, never data.
METADATA_SHEETS: frozenset[str] = frozenset({"_meta", "settings", "choices", "survey", "external_choices"})
_PROPERTIES = ("title", "subject", "description", "keywords", "category", "identifier")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def is_metadata_sheet(name: str) -> bool:
    """True for a sheet that holds template metadata (see :data:`METADATA_SHEETS`)."""
    key = name.strip().casefold()
    return key in METADATA_SHEETS or key.startswith("_")


def read_xlsx(path: Path, result: ReadResult) -> None:
    """Fill ``result`` from the workbook at ``path``."""
    from openpyxl import load_workbook  # imported when needed: openpyxl takes ~0.3 s to import

    result.first_data_row = 2
    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx/.xlsm,
    # and the content has already been recognised as a workbook.
    with open(path, "rb") as fh:
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types on damaged files
            result.add("file-unreadable", detail=_detail(exc))
            return
        try:
            found = _read_workbook(wb, result)
        except Exception as exc:
            result.add("file-unreadable", detail=_detail(exc))
            return
        finally:
            wb.close()
    if found is None:
        return
    used, header, rows = found
    try:
        cells, covered = header_merges(path, used)
    except Exception as exc:
        result.add("file-unreadable", detail=_detail(exc))
        return
    if cells:
        result.add("header-merged", cells=", ".join(cells))
    width = max([len(header), *(len(r) for r in rows)], default=0)
    if rows:
        # pandas pads short rows to the longest one: make one row as wide as the header.
        rows[0] = rows[0] + (None,) * (width - len(rows[0]))
        frame = pd.DataFrame(rows, columns=range(width))
    else:
        frame = _empty(width)
    del rows
    for col in frame.columns[frame.dtypes.to_numpy() == object]:
        values = frame[col]
        empty = values.isna() | values.eq("")
        if empty.any():
            frame[col] = values.mask(empty)  # None and "" -> NaN
    frame = apply_header(frame, list(header), result, merged=covered)
    frame = trim_trailing_empty_rows(frame)
    result.frame = frame
    if len(frame) == 0:
        result.add("file-header-only")


def _empty(width: int) -> pd.DataFrame:
    return pd.DataFrame({i: pd.Series(dtype=object) for i in range(width)})


def _read_workbook(wb, result: ReadResult):
    props = wb.properties
    for name in _PROPERTIES:
        value = getattr(props, name, None)
        if value:
            result.metadata[f"properties.{name}"] = str(value)
    if getattr(props, "title", None):
        result.file_label = str(props.title)
    names = list(wb.sheetnames)
    for name in names:
        key = name.strip().casefold()
        if key == "settings":
            _settings(wb[name], result)
        elif key == "_meta":
            _meta(wb[name], result)
    candidates = [n for n in names if not is_metadata_sheet(n)]
    with_data = [n for n in candidates if _has_values(wb[n])]
    visible = [n for n in with_data if getattr(wb[n], "sheet_state", "visible") == "visible"] or with_data
    if not visible:
        if candidates or not names:
            result.add("file-empty")
        else:
            result.add("sheet-no-data", sheets=", ".join(names))
        return None
    used = visible[0]
    if len(visible) > 1:
        result.add("sheet-multiple", sheets=", ".join(visible), used=used)
    header, rows = _values(wb[used])
    return used, header, rows


def _has_values(ws) -> bool:
    ws.reset_dimensions()
    for row in ws.iter_rows(values_only=True):
        for value in row:
            if value is not None and value != "":
                return True
    return False


def _values(ws) -> tuple[tuple, list[tuple]]:
    """Row 1 and the data rows (trailing empty rows and cells dropped)."""
    ws.reset_dimensions()
    it = ws.iter_rows(values_only=True)
    header = _trim(next(it, ()))
    rows: list[tuple] = []
    last = 0
    from ..limits import LimitExceeded, current

    lim = current()
    for row in it:
        row = _trim(row)
        if len(rows) >= lim.max_rows or len(row) > lim.max_columns:  # (issue 17) stop reading a bomb early
            raise LimitExceeded(*(("max_rows", lim.max_rows, f"> {lim.max_rows:,}") if len(rows) >= lim.max_rows
                                  else ("max_columns", lim.max_columns, len(row))))
        rows.append(row)
        if row:
            last = len(rows)
    del rows[last:]
    return header, rows


def _trim(row) -> tuple:
    n = len(row)
    while n and (row[n - 1] is None or row[n - 1] == ""):
        n -= 1
    return tuple(row[:n])


def _settings(ws, result: ReadResult) -> None:
    ws.reset_dimensions()
    rows = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    if len(rows) < 2:
        return
    for key, value in zip(rows[0], rows[1]):
        key = header_name(key)
        if key and value is not None and str(value).strip():
            result.metadata[f"settings.{key}"] = str(value)


def _meta(ws, result: ReadResult) -> None:
    ws.reset_dimensions()
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [c for c in row if c is not None and str(c).strip()]
        if len(cells) >= 2:
            result.metadata.setdefault(header_name(cells[0]), str(cells[1]))
        elif len(cells) == 1:
            result.metadata[f"_meta.{number}"] = str(cells[0])


def header_merges(path: Path, sheet: str) -> tuple[list[str], frozenset[int]]:
    """Merged ranges of ``sheet`` that touch row 1, and the 0-based columns they cover beyond their first.

    Read-only openpyxl does not load merged cells, so the sheet's XML is
    scanned for ``<mergeCell ref=...>`` (in chunks: it can be large).
    """
    from openpyxl.utils.cell import range_boundaries

    cells: list[str] = []
    covered: set[int] = set()
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, sheet)
        if part is None:
            return cells, frozenset()
        tail = b""
        seen: set[str] = set()
        with zf.open(part) as fh:
            while chunk := fh.read(1 << 20):
                data = tail + chunk
                for m in _MERGE.finditer(data):
                    ref = m.group(1).decode("ascii").upper()
                    if ref in seen:
                        continue
                    seen.add(ref)
                    min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
                    if min_row <= 1 <= max_row:
                        cells.append(ref)
                        covered.update(range(min_col, max_col))  # 0-based positions min_col .. max_col-1
                tail = data[-512:]
    return cells, frozenset(covered)


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The ZIP member holding ``sheet``'s XML (from the workbook and its relationships)."""
    book = etree.fromstring(zf.read("xl/workbook.xml"), _XML)
    rid = None
    for el in book.iter():
        if etree.QName(el).localname == "sheet" and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            break
    if rid is None:
        return None
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"), _XML)
    for el in rels.iter():
        if etree.QName(el).localname == "Relationship" and el.get("Id") == rid:
            target = el.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _detail(exc: Exception) -> str:
    """A short technical detail, chosen by the exception's type (its text may quote cell contents)."""
    if isinstance(exc, zipfile.BadZipFile):
        return "damaged ZIP container"
    if isinstance(exc, KeyError):
        return "a part of the workbook is missing"
    if isinstance(exc, (etree.XMLSyntaxError, SyntaxError)) or "ParseError" in type(exc).__name__:
        return "damaged workbook XML"
    if isinstance(exc, (zipfile.LargeZipFile, EOFError)):
        return "incomplete ZIP container"
    return f"Excel: {type(exc).__name__}"
