"""CSV files as coordinators' spreadsheets write them.

- Encoding: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
  "Unicode text"); anything else is read as Windows-1252 (Belgian Excel's
  "CSV (semicolon)") with an ``encoding-guessed`` warning.
- Delimiter ``;`` (Belgian Excel), ``,`` or tab, sniffed from the first lines:
  the delimiter that gives the same number of fields on the most lines; an
  Excel ``sep=;`` first line decides instead (and is not data).
- Every cell is read as text (validation converts types: a decimal comma
  ``2,5`` stays ``"2,5"``); an empty cell is NaN. Text such as ``NA`` stays
  text. When the caller names the text columns (``text_columns``: the
  instruments' text and date items, as intake does), those stay text and
  the other columns are typed by pandas' C parser as it reads (a column of
  numbers becomes numbers, anything else stays text): the same values,
  without converting a million strings afterwards.
- Comment lines above the header (starting with ``#`` or ``peer-eval:``, as a
  template may carry) are not data: they go to ``file_label`` and
  ``metadata["comment.<n>"]`` and move the header (and ``first_data_row``)
  down. Blank lines above the header are skipped likewise. A ``#`` line with
  two or more filled cells is the header itself (a column named ``#``).
- All-empty rows at the end (``;;;;`` from Excel) are dropped; empty rows in
  the middle stay, so that row numbers stay those the coordinator sees.
- A data row with more cells than the header makes nameless columns,
  reported as ``header-blank`` when they hold data.
"""

from __future__ import annotations

import codecs
import csv as _csv
import io
import re
from pathlib import Path

import pandas as pd

from .header import apply_header, trim_trailing_empty_rows
from .result import ReadResult

__all__ = ["read_csv", "detect_encoding", "sniff_delimiter", "DELIMITERS"]

#: Candidate delimiters, in order of preference when they tie.
DELIMITERS: tuple[str, ...] = (";", ",", "\t")
_SAMPLE = 64 * 1024
_SAMPLE_ROWS = 50
_HEAD_BYTES = 1 << 20
_CHUNK = 1 << 20
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SEP_LINE = re.compile(r'^"?sep=([;,\t|])"?[;,\t]*\r?\n?$', re.IGNORECASE)


def sniff_delimiter(sample: str) -> str:
    """The delimiter of ``sample`` (the text from the header on): ``;``, ``,`` or tab.

    For each candidate the sample's first rows are parsed; the winner has the
    most rows with as many fields as the header, then the most header fields,
    then comes first in :data:`DELIMITERS`.
    """
    if len(sample) >= _SAMPLE:
        cut = max(sample.rfind("\n", 0, _SAMPLE), sample.rfind("\r", 0, _SAMPLE))
        sample = sample[: cut if cut > 0 else _SAMPLE]
    best, best_key = DELIMITERS[0], None
    for rank, delim in enumerate(DELIMITERS):
        rows = []
        try:
            for row in _csv.reader(io.StringIO(sample, newline=""), delimiter=delim):
                rows.append(len(row))
                if len(rows) > _SAMPLE_ROWS:
                    break
        except _csv.Error:
            pass  # e.g. the sample ends inside a quoted cell: judge on the rows read so far
        if not rows:
            continue
        width = rows[0]
        data = [n for n in rows[1:] if n > 0]  # blank lines say nothing
        agree = sum(1 for n in data if n == width) / len(data) if data else 1.0
        key = (width > 1, agree, width, -rank)
        if best_key is None or key > best_key:
            best, best_key = delim, key
    return best


def read_csv(path: Path, result: ReadResult, text_columns: frozenset[str] | None = None) -> None:
    """Fill ``result`` from the CSV file at ``path``.

    The file is not loaded whole: its encoding is checked in chunks, its
    first MiB decoded for the preamble, delimiter and header, and the body
    parsed by pandas straight from the file.
    """
    label, codec, bom, guessed = detect_encoding(path)
    result.encoding = label
    if guessed:
        result.add("encoding-guessed", severity="warning", encoding="Windows-1252")
    with open(path, "rb") as fh:
        fh.seek(bom)
        head_bytes = fh.read(_HEAD_BYTES)
        at_eof = not fh.read(1)
    try:
        head = codecs.getincrementaldecoder(codec)().decode(head_bytes, final=at_eof)
    except UnicodeDecodeError:
        result.add("file-unreadable", detail=f"invalid {label} text")
        return
    del head_bytes
    start, skipped, candidates, declared = _preamble(head)
    sample = head[start : start + _SAMPLE + 1]
    if not sample.strip() and candidates:  # nothing after the "#" lines: one of them may be the header
        sample = candidates[-1][2]
    delim = declared or sniff_delimiter(sample)
    start, skipped, comments = _comments(candidates, start, skipped, delim)
    if any(line.startswith("#title ") for _, _, line in candidates):
        result.add("header-row-moved", severity="warning", header_row=skipped + 1, first_row=skipped + 2)
    if comments:
        result.file_label = "\n".join(comments)
        result.metadata.update({f"comment.{i}": c for i, c in enumerate(comments, 1)})
    if at_eof and not head[start:].strip():
        result.add("file-empty")
        return
    buf = io.StringIO(head, newline="")
    buf.seek(start)
    try:
        header = next(_csv.reader(buf, delimiter=delim))
    except (_csv.Error, StopIteration):
        result.add("file-unreadable", detail="CSV: the header row cannot be read")
        return
    body = bom + len(head[: buf.tell()].encode(codec))
    del buf, head
    result.first_data_row = skipped + 2
    text_at = None
    if text_columns is not None:
        from .header import header_name

        text_at = {i for i, name in enumerate(header) if header_name(name).lower() in text_columns}
    frame = _read_body(path, body, codec, delim, len(header), result, text_at)
    if frame is None:
        return
    frame = trim_trailing_empty_rows(frame)
    frame = apply_header(frame, header, result, header_row=skipped + 1)
    frame.reset_index(drop=True, inplace=True)
    result.frame = frame
    if len(frame) == 0:
        result.add("file-header-only")


def detect_encoding(path: Path) -> tuple[str, str, int, bool]:
    """``(label, codec, bom_bytes, guessed)`` of the text file at ``path``, checked in chunks.

    A byte-order mark decides (UTF-8, UTF-16); else strict UTF-8; else
    Windows-1252 (``guessed``), or ISO-8859-1 when a byte Windows-1252
    leaves undefined occurs. ``codec`` decodes the bytes after the BOM.
    """
    with open(path, "rb") as fh:
        start = fh.read(3)
        if start.startswith(b"\xff\xfe"):
            return "utf-16", "utf-16-le", 2, False
        if start.startswith(b"\xfe\xff"):
            return "utf-16", "utf-16-be", 2, False
        bom = 3 if start == b"\xef\xbb\xbf" else 0
        fh.seek(bom)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return ("utf-8-sig" if bom else "utf-8"), "utf-8", bom, False
        except UnicodeDecodeError:
            pass
        fh.seek(bom)
        while chunk := fh.read(_CHUNK):
            if _CP1252_UNDEFINED.search(chunk):
                return "iso-8859-1", "latin-1", bom, True
        return "windows-1252", "cp1252", bom, True


def _preamble(text: str) -> tuple[int, int, list[tuple[int, int, str]], str | None]:
    """Where the header may start: ``(offset, lines skipped, comment candidates, declared delimiter)``.

    Comment candidates are ``(offset, line index, text)`` of lines starting
    with ``#`` or ``peer-eval:``; :func:`_comments` decides which really are.
    """
    pos, skipped, candidates, declared = 0, 0, [], None
    if text.startswith("\ufeff"):
        pos = 1
    while pos < len(text):
        end = _line_end(text, pos)
        line = text[pos:end]
        if skipped == 0 and (m := _SEP_LINE.match(line)):
            declared = m.group(1)  # Excel's "sep=;" hint line
            skipped, pos = 1, end
            continue
        bare = _bare(line)
        if bare and not (bare.startswith("#") or bare.lower().startswith("peer-eval:")):
            if not (_filled(line) <= 1 and _filled(_next_line(text, end)) >= 2):
                break
            # a title above the column names ("Vragenlijst gedetineerden P03;;;;"): not the header
            candidates.append((pos, skipped, "#title " + line))
            skipped += 1
            pos = end
            continue
        if bare:
            candidates.append((pos, skipped, line))
        skipped += 1
        pos = end
    return pos, skipped, candidates, declared


def _filled(line: str) -> int:
    """The most filled cells ``line`` has with any of the delimiters."""
    best = 0
    for delim in DELIMITERS:
        try:
            cells = next(_csv.reader([line.rstrip("\r\n")], delimiter=delim), [])
        except _csv.Error:
            continue
        best = max(best, sum(1 for c in cells if c.strip()))
    return best


def _next_line(text: str, pos: int) -> str:
    """The first non-blank line from ``pos`` on ('' at the end)."""
    while pos < len(text):
        end = _line_end(text, pos)
        line = text[pos:end]
        if _bare(line):
            return line
        pos = end
    return ""


def _bare(line: str) -> str:
    return line.strip().strip("".join(DELIMITERS) + " ").strip('"').strip()


def _comments(
    candidates: list[tuple[int, int, str]], start: int, skipped: int, delim: str
) -> tuple[int, int, list[str]]:
    """Keep the comment lines; a ``#`` line with two or more filled cells is the header (a column named ``#``)."""
    comments: list[str] = []
    for offset, index, line in candidates:
        if line.startswith("#title "):  # a title line found by _preamble
            comments.append(_bare(line[len("#title "):]))
            continue
        bare = _bare(line)
        if not bare.lower().startswith("peer-eval:"):
            cells = next(_csv.reader([line.rstrip("\r\n")], delimiter=delim), [])
            if sum(1 for c in cells if c.strip()) >= 2:
                return offset, index, comments
        comments.append(bare)
    return start, skipped, comments


def _line_end(text: str, pos: int) -> int:
    """The offset just past the line starting at ``pos`` (``\\n``, ``\\r\\n`` or ``\\r``)."""
    stop = min(len(text), pos + _SAMPLE)
    n = text.find("\n", pos, stop)
    r = text.find("\r", pos, stop)
    if r != -1 and (n == -1 or r < n):
        return r + 2 if text.startswith("\n", r + 1) else r + 1
    return n + 1 if n != -1 else stop


def _read_body(path: Path, body: int, codec: str, delim: str, width: int, result: ReadResult,
               text_at: set[int] | None = None) -> pd.DataFrame | None:
    """The rows after the header (byte offset ``body``), every cell as text, columns ``0..w-1``."""
    with open(path, "rb") as fh:
        for attempt in range(2):
            fh.seek(body)
            try:
                return pd.read_csv(
                    fh,
                    encoding=codec,
                    sep=delim,
                    header=None,
                    names=list(range(max(width, 1))),
                    index_col=False,
                    dtype=str if text_at is None else {i: str for i in text_at if i < max(width, 1)},
                    keep_default_na=False,
                    na_values=[""],
                    skip_blank_lines=False,
                    quotechar='"',
                    engine="c",
                )
            except pd.errors.EmptyDataError:
                return pd.DataFrame({i: pd.Series(dtype=str) for i in range(max(width, 1))})
            except UnicodeDecodeError:
                result.add("file-unreadable", detail=f"invalid {codec} text")
                return None
            except pd.errors.ParserError as exc:
                message = str(exc)
                if attempt == 0 and "Expected" in message and "fields" in message:
                    width = max(width, _max_width(fh, body, codec, delim))
                    continue
                detail = "a quotation mark is not closed" if "EOF inside string" in message else "inconsistent rows"
                result.add("file-unreadable", detail=f"CSV: {detail}")
                return None
    return None  # pragma: no cover - the loop returns


def _max_width(fh, body: int, codec: str, delim: str) -> int:
    """The largest number of cells on any row after the header (rows wider than the header)."""
    fh.seek(body)
    text = io.TextIOWrapper(fh, encoding=codec, newline="")
    try:
        return max((len(row) for row in _csv.reader(text, delimiter=delim)), default=0)
    finally:
        text.detach()
