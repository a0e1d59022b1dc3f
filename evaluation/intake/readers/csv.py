"""CSV files as coordinators' spreadsheets write them.

- Encoding: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
  "Unicode text"); anything else is read as Windows-1252 (Belgian Excel's
  "CSV (semicolon)") with an ``encoding-guessed`` warning.
- Delimiter ``;`` (Belgian Excel), ``,`` or tab, sniffed from the first lines:
  the delimiter that gives the same number of fields on the most lines; an
  Excel ``sep=;`` first line decides instead (and is not data).
- Every cell is read as text (validation converts types: a decimal comma
  ``2,5`` stays ``"2,5"``); an empty cell is NaN. Text such as ``NA`` stays
  text.
- Comment lines above the header (starting with ``#`` or ``peer-eval:``, as a
  template may carry) are not data: they go to ``file_label`` and
  ``metadata["comment.<n>"]`` and move the header (and ``first_data_row``)
  down. Blank lines above the header are skipped likewise.
- All-empty rows at the end (``;;;;`` from Excel) are dropped; empty rows in
  the middle stay, so that row numbers stay those the coordinator sees.
- A data row with more cells than the header makes nameless columns,
  reported as ``header-blank`` when they hold data.
"""

from __future__ import annotations

import csv as _csv
import io
import re
from pathlib import Path

import pandas as pd

from .header import apply_header, trim_trailing_empty_rows
from .result import ReadResult

__all__ = ["read_csv", "decode", "sniff_delimiter", "DELIMITERS"]

#: Candidate delimiters, in order of preference when they tie.
DELIMITERS: tuple[str, ...] = (";", ",", "\t")
_SAMPLE = 64 * 1024
_SAMPLE_ROWS = 50
_SEP_LINE = re.compile(r'^"?sep=([;,\t|])"?[;,\t]*\r?\n?$', re.IGNORECASE)


def decode(raw: bytes) -> tuple[str, str, bool]:
    """``(text, encoding, guessed)`` for the bytes of a text file.

    A byte-order mark decides; else strict UTF-8; else Windows-1252
    (``guessed``), and ISO-8859-1 for the five bytes Windows-1252 leaves
    undefined. Raises UnicodeDecodeError only for a UTF-16 file that is not.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig", False
        except UnicodeDecodeError:
            raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", False
    else:
        try:
            return raw.decode("utf-8"), "utf-8", False
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1252"), "windows-1252", True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "iso-8859-1", True


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
            continue
        if not rows:
            continue
        width = rows[0]
        data = [n for n in rows[1:] if n > 0]  # blank lines say nothing
        agree = sum(1 for n in data if n == width) / len(data) if data else 1.0
        key = (width > 1, agree, width, -rank)
        if best_key is None or key > best_key:
            best, best_key = delim, key
    return best


def read_csv(path: Path, result: ReadResult) -> None:
    """Fill ``result`` from the CSV file at ``path``."""
    raw = path.read_bytes()
    try:
        text, encoding, guessed = decode(raw)
    except UnicodeDecodeError:
        result.add("file-unreadable", detail="invalid UTF-16 text")
        return
    del raw
    result.encoding = encoding
    if guessed:
        result.add("encoding-guessed", severity="warning", encoding="Windows-1252")
    start, skipped, candidates, declared = _preamble(text)
    sample = text[start : start + _SAMPLE + 1]
    if not sample.strip() and candidates:  # nothing after the "#" lines: one of them may be the header
        sample = candidates[-1][2]
    delim = declared or sniff_delimiter(sample)
    start, skipped, comments = _comments(candidates, start, skipped, delim)
    if comments:
        result.file_label = "\n".join(comments)
        result.metadata.update({f"comment.{i}": c for i, c in enumerate(comments, 1)})
    if not text[start:].strip():
        result.add("file-empty")
        return
    buf = io.StringIO(text, newline="")
    buf.seek(start)
    try:
        header = next(_csv.reader(buf, delimiter=delim))
    except (_csv.Error, StopIteration):
        result.add("file-unreadable", detail="CSV: the header row cannot be read")
        return
    body = buf.tell()
    result.first_data_row = skipped + 2
    frame = _read_body(buf, body, delim, len(header), result)
    if frame is None:
        return
    frame = trim_trailing_empty_rows(frame)
    frame = apply_header(frame, header, result)
    frame.reset_index(drop=True, inplace=True)
    result.frame = frame
    if len(frame) == 0:
        result.add("file-header-only")


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
            break
        if bare:
            candidates.append((pos, skipped, line))
        skipped += 1
        pos = end
    return pos, skipped, candidates, declared


def _bare(line: str) -> str:
    return line.strip().strip("".join(DELIMITERS) + " ").strip('"').strip()


def _comments(
    candidates: list[tuple[int, int, str]], start: int, skipped: int, delim: str
) -> tuple[int, int, list[str]]:
    """Keep the comment lines; a ``#`` line with two or more filled cells is the header (a column named ``#``)."""
    comments: list[str] = []
    for offset, index, line in candidates:
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


def _read_body(buf: io.StringIO, body: int, delim: str, width: int, result: ReadResult) -> pd.DataFrame | None:
    for attempt in range(2):
        buf.seek(body)
        try:
            return pd.read_csv(
                buf,
                sep=delim,
                header=None,
                names=list(range(max(width, 1))),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                quotechar='"',
                engine="c",
            )
        except pd.errors.EmptyDataError:
            return pd.DataFrame({i: pd.Series(dtype=str) for i in range(max(width, 1))})
        except pd.errors.ParserError as exc:
            message = str(exc)
            if attempt == 0 and "Expected" in message and "fields" in message:
                buf.seek(body)
                width = max((len(row) for row in _csv.reader(buf, delimiter=delim)), default=width)
                continue
            detail = "a quotation mark is not closed" if "EOF inside string" in message else "inconsistent rows"
            result.add("file-unreadable", detail=f"CSV: {detail}")
            return None
    return None  # pragma: no cover - the loop returns
