"""Excel .xlsx workbooks: openpyxl for the workbook's structure, python-calamine for the data sheet's cells.

openpyxl (read-only) gives the sheet names and states, the date system,
document properties and the small metadata sheets; the data sheet's cells
(cached values of formulas) are read by python-calamine, a Rust reader
about six times faster than openpyxl on 100,000 rows, with the same values:
numbers (as floats; Excel stores every number as one), text as typed,
dates from date cells (in the workbook's own date system), booleans.
Without python-calamine installed, openpyxl reads the cells too.

- Which sheet: metadata sheets (``_meta``, ``settings``, ``choices``,
  ``survey``, ``external_choices`` and any name starting with ``_``) and
  empty sheets are never data. Of the rest, visible sheets come first (hidden
  ones only when no visible sheet has data). Exactly one: it is read. More:
  the data sheet is the one whose header holds the most known column names
  (``known_columns``: every instrument's), then one named like a data sheet
  (``data``, ``gegevens``, ``données``, ``antwoorden``, ``responses``), then
  the widest header; the others (notes, a codebook) are ignored with a
  ``sheet-ignored`` warning. Two sheets that tie (e.g. "Baseline" and
  "Follow-up" with the same columns) are ``sheet-multiple`` (an error) and
  the first is read, so that its other problems are reported too. None:
  ``file-empty``, or ``sheet-no-data`` when the workbook has metadata sheets
  only (e.g. an XLSForm itself).
- The header is row 1, or the first row below blank or title rows that
  holds the column names (:func:`header_row`): ``header-row-moved`` says
  so. Merged cells touching the header row are ``header-merged``.
- The workbook's date system (1900 or 1904) is kept in ``date_epoch``: a date
  typed as a serial number counts from it.
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

import datetime as _dt
import posixpath
import re
import zipfile
from pathlib import Path

import pandas as pd
from lxml import etree

from ..dates import EPOCH_1900, EPOCH_1904
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


def read_xlsx(path: Path, result: ReadResult, known_columns: frozenset[str] = frozenset()) -> None:
    """Fill ``result`` from the workbook at ``path`` (``known_columns``: lower-case column names to look for)."""
    result.first_data_row = 2
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # pragma: no cover - a pinned dependency; openpyxl does it all, more slowly
        found = _read_with_openpyxl(path, result, known_columns)
    else:
        try:
            found = _read_with_calamine(path, result, known_columns)
        except Exception as exc:  # calamine and zipfile raise several types on damaged files
            result.add("file-unreadable", detail=_detail(exc))
            return
    if found is None:
        return
    _finish(path, result, found)


def _read_with_openpyxl(path: Path, result: ReadResult, known_columns: frozenset[str]):
    from openpyxl import load_workbook  # imported when needed: openpyxl takes ~0.3 s to import

    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx/.xlsm,
    # and the content has already been recognised as a workbook.
    with open(path, "rb") as fh:
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types on damaged files
            result.add("file-unreadable", detail=_detail(exc))
            return None
        try:
            from openpyxl.utils.datetime import CALENDAR_MAC_1904

            result.date_epoch = pd.Timestamp(EPOCH_1904 if wb.epoch == CALENDAR_MAC_1904 else EPOCH_1900)
            return _read_workbook(wb, result, known_columns)
        except Exception as exc:
            result.add("file-unreadable", detail=_detail(exc))
            return None
        finally:
            wb.close()


_CORE = {"title", "subject", "description", "keywords", "category", "identifier"}


def _read_with_calamine(path: Path, result: ReadResult, known_columns: frozenset[str]):
    """The workbook through python-calamine; the date system and properties from the package's own XML.

    (openpyxl in read-only mode scans a whole sheet whose ``<dimension>`` is
    missing before it reads a cell; this reads each part once.)
    """
    from python_calamine import CalamineWorkbook

    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        book_xml = etree.fromstring(zf.read(names["xl/workbook.xml"]), _XML)
        date1904 = any(etree.QName(el).localname == "workbookPr" and el.get("date1904", "").lower() in ("1", "true")
                       for el in book_xml.iter())
        if "docprops/core.xml" in names:
            core = etree.fromstring(zf.read(names["docprops/core.xml"]), _XML)
            for el in core:
                key = etree.QName(el).localname
                if key in _CORE and el.text and el.text.strip():
                    result.metadata[f"properties.{key}"] = el.text.strip()
    result.date_epoch = pd.Timestamp(EPOCH_1904 if date1904 else EPOCH_1900)
    if result.metadata.get("properties.title"):
        result.file_label = result.metadata["properties.title"]
    with open(path, "rb") as fh:
        book = CalamineWorkbook.from_filelike(fh)
    visible = {m.name: str(m.visible).rsplit(".", 1)[-1].lower() == "visible" for m in book.sheets_metadata}
    cache: dict[str, list[tuple]] = {}

    def rows_of(name: str) -> list[tuple]:
        if name not in cache:
            cache[name] = _calamine_rows(book.get_sheet_by_name(name))
        return cache[name]

    names_ = list(book.sheet_names)
    for name in names_:
        key = name.strip().casefold()
        if key == "settings":
            rows = rows_of(name)
            if len(rows) >= 2:
                for k, value in zip(rows[0], rows[1]):
                    k = header_name(k)
                    if k and value is not None and str(value).strip():
                        result.metadata[f"settings.{k}"] = header_name(value) if isinstance(value, float) else str(value)
        elif key == "_meta":
            for number, row in enumerate(rows_of(name), start=1):
                cells = [c for c in row if c is not None and str(c).strip()]
                text = [header_name(c) if isinstance(c, float) else str(c) for c in cells]
                if len(cells) >= 2:
                    result.metadata.setdefault(header_name(cells[0]), text[1])
                elif len(cells) == 1:
                    result.metadata[f"_meta.{number}"] = text[0]
    candidates = [n for n in names_ if not is_metadata_sheet(n)]
    with_data = [n for n in candidates if any(rows_of(n))]
    shown = [n for n in with_data if visible.get(n, True)] or with_data
    if not shown:
        if candidates or not names_:
            result.add("file-empty")
        else:
            result.add("sheet-no-data", sheets=", ".join(names_))
        return None
    used = shown[0]
    if len(shown) > 1:
        keys = {n: _rows_key(rows_of(n)[:_SCAN_ROWS], n, known_columns) for n in shown}
        best = max(keys.values())
        top = [n for n in shown if keys[n] == best]
        used = top[0]
        if len(top) > 1:
            result.add("sheet-multiple", sheets=", ".join(top), used=used)
        else:
            others = [n for n in names_ if n != used and not is_metadata_sheet(n)]
            result.add("sheet-ignored", severity="warning", used=used, sheets=", ".join(others))
    rows = rows_of(used)
    at = header_row(rows, known_columns)
    if at:
        result.add("header-row-moved", severity="warning", header_row=at + 1, first_row=at + 2)
    header = rows[at] if rows else ()
    return used, header, list(rows[at + 1:]), at + 1


def _rows_key(rows: list[tuple], name: str, known_columns: frozenset[str]) -> tuple:
    if not rows:
        return (0, False, 0)
    h = rows[header_row(rows, known_columns)]
    known = sum(1 for v in h if header_name(v).lower() in known_columns)
    width = sum(1 for v in h if v is not None and str(v).strip())
    return (known, name.strip().casefold() in _DATA_NAMES, width)


def _finish(path: Path, result: ReadResult, found) -> None:
    used, header, rows, header_number = found
    result.first_data_row = header_number + 1
    try:
        cells, covered = header_merges(path, used, header_number)
    except Exception as exc:
        result.add("file-unreadable", detail=_detail(exc))
        return
    if cells:
        result.add("header-merged", cells=", ".join(cells), header_row=header_number)
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
    frame = apply_header(frame, list(header), result, merged=covered, header_row=header_number)
    frame = trim_trailing_empty_rows(frame)
    result.frame = frame
    if len(frame) == 0:
        result.add("file-header-only")


def _empty(width: int) -> pd.DataFrame:
    return pd.DataFrame({i: pd.Series(dtype=object) for i in range(width)})


_DATA_NAMES = frozenset({"data", "gegevens", "données", "donnees", "antwoorden", "réponses", "reponses",
                         "responses", "answers", "dataset"})
_SCAN_ROWS = 30


def header_row(rows: list[tuple], known_columns: frozenset[str] = frozenset()) -> int:
    """The 0-based position of the header among the first rows of a sheet.

    The row with the most ``known_columns`` (at least two); else the first
    row with at least two filled cells and at least half as many as the
    widest of the first rows (a title row has one cell, a blank row none).
    """
    head = rows[:_SCAN_ROWS]
    filled = [sum(1 for v in r if v is not None and str(v).strip()) for r in head]
    if known_columns:
        matches = [sum(1 for v in r if header_name(v).lower() in known_columns) for r in head]
        best = max(matches, default=0)
        if best >= 2:
            return matches.index(best)
    widest = max(filled, default=0)
    for i, n in enumerate(filled):
        if n >= 2 and n * 2 >= widest:
            return i
    return 0


def _sheet_key(ws, name: str, known_columns: frozenset[str]) -> tuple:
    ws.reset_dimensions()
    rows = [tuple(r) for r in ws.iter_rows(max_row=_SCAN_ROWS, values_only=True)]
    if not rows:
        return (0, False, 0)
    h = rows[header_row(rows, known_columns)]
    known = sum(1 for v in h if header_name(v).lower() in known_columns)
    width = sum(1 for v in h if v is not None and str(v).strip())
    return (known, name.strip().casefold() in _DATA_NAMES, width)


def _read_workbook(wb, result: ReadResult, known_columns: frozenset[str] = frozenset()):
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
        keys = {n: _sheet_key(wb[n], n, known_columns) for n in visible}
        best = max(keys.values())
        top = [n for n in visible if keys[n] == best]
        used = top[0]
        if len(top) > 1:
            result.add("sheet-multiple", sheets=", ".join(top), used=used)
        else:
            others = [n for n in names if n != used and not is_metadata_sheet(n)]
            result.add("sheet-ignored", severity="warning", used=used, sheets=", ".join(others))
    rows = _values_fast(result.path, used)
    if rows is None:
        rows = _values(wb[used])
    at = header_row(rows, known_columns)
    if at:
        result.add("header-row-moved", severity="warning", header_row=at + 1, first_row=at + 2)
    header = rows[at] if rows else ()
    rows = rows[at + 1:]
    return used, header, rows, at + 1


def _has_values(ws) -> bool:
    ws.reset_dimensions()
    for row in ws.iter_rows(values_only=True):
        for value in row:
            if value is not None and value != "":
                return True
    return False


def _values(ws) -> list[tuple]:
    """Every row (trailing empty rows and cells dropped)."""
    ws.reset_dimensions()
    rows: list[tuple] = []
    last = 0
    from ..limits import LimitExceeded, current

    lim = current()
    for row in ws.iter_rows(values_only=True):
        row = _trim(row)
        if len(rows) >= lim.max_rows or len(row) > lim.max_columns:  # (issue 17) stop reading a bomb early
            raise LimitExceeded(*(("max_rows", lim.max_rows, f"> {lim.max_rows:,}") if len(rows) >= lim.max_rows
                                  else ("max_columns", lim.max_columns, len(row))))
        rows.append(row)
        if row:
            last = len(rows)
    del rows[last:]
    return rows


def _values_fast(path: Path, sheet: str) -> list[tuple] | None:
    """Every row of ``sheet`` through python-calamine (None when it is not installed).

    Rows and cells keep their sheet positions (calamine starts at the used
    range: the rows and columns before it are put back); empty cells are None.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a pinned dependency
        return None
    with open(path, "rb") as fh:
        book = CalamineWorkbook.from_filelike(fh)
    return _calamine_rows(book.get_sheet_by_name(sheet))


def _calamine_rows(sh) -> list[tuple]:
    """A calamine sheet's rows at their sheet positions, empty cells None, midnight dates as datetimes."""
    cells = sh.to_python(skip_empty_area=False)
    start = sh.start or (0, 0)
    top, left = start if start else (0, 0)
    pad = (None,) * left
    rows: list[tuple] = [()] * top
    last = 0
    date, datetime = _dt.date, _dt.datetime
    for row in cells:
        # a date cell at midnight comes as a date: a datetime, as openpyxl gives it (a datetime64 column)
        row = _trim(tuple(None if v == "" else datetime(v.year, v.month, v.day) if type(v) is date else v
                          for v in row))
        rows.append(pad + row if (left and row) else row)
        if row:
            last = len(rows)
    del rows[last:]
    return rows


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


def header_merges(path: Path, sheet: str, header: int = 1) -> tuple[list[str], frozenset[int]]:
    """Merged ranges of ``sheet`` that touch row ``header``, and the 0-based columns they cover beyond their first.

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
                    if min_row <= header <= max_row:
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
