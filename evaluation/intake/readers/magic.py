"""Recognise a file's format from its content (magic bytes), not its name.

Coordinators rename files, save CSV as ``.xls``, send Word documents, zip
folders, password-protected workbooks. :func:`sniff` looks at the first bytes
(and, for a ZIP, at the names of its parts) and says what the file is:

========  ====================================================================
format    recognised by
========  ====================================================================
sav       ``$FL2`` (SPSS system file, uncompressed or bytecode-compressed)
zsav      ``$FL3`` (SPSS system file, zlib-compressed)
dta       ``<stata_dta>`` (Stata 13+) or the binary header of Stata 8-12
xlsx      a ZIP holding ``xl/workbook.xml`` (also .xlsm)
csv       text: a UTF-16 byte-order mark, or no NUL byte in the first 64 KiB
          (except web pages, XML, SPSS syntax and portable files)
========  ====================================================================

Anything else is unknown, with a short description (``detail``) of what it
seems to be. Only the start of the file (and a ZIP's directory) is read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Sniffed", "sniff", "EXTENSIONS"]

_HEAD = 64 * 1024

#: The file extensions expected for each format (others give ``file-extension-mismatch``).
EXTENSIONS: dict[str, frozenset[str]] = {
    "sav": frozenset({".sav", ".zsav"}),
    "zsav": frozenset({".zsav", ".sav"}),
    "dta": frozenset({".dta"}),
    "xlsx": frozenset({".xlsx", ".xlsm"}),
    "csv": frozenset({".csv", ".txt", ".tsv", ".tab"}),
}

# (magic prefix, description) for common files that are not data files.
_NOT_DATA: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"BM", "BMP image"),
    (b"MZ", "Windows program"),
    (b"\x7fELF", "program"),
    (b"\xcf\xfa\xed\xfe", "program"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"{\\rtf", "RTF document"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_STATA_OLD_VERSIONS = frozenset(range(102, 116))
# LimeSurvey and others ship a .sps syntax file beside the data: not data itself.
_SPSS_SYNTAX = re.compile(rb"^\s*(DATA LIST|GET DATA|VARIABLE LABELS|VALUE LABELS)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Sniffed:
    """What :func:`sniff` found.

    ``format`` is one of the readable formats, or None. ``kind`` is None for
    a readable file, else ``"empty"``, ``"encrypted"``, ``"damaged"`` (then
    ``format`` may still say what it was) or ``"unknown"``; ``detail`` says,
    in a few words, what the file seems to be.
    """

    format: str | None
    kind: str | None = None
    detail: str | None = None


def sniff(path: Path | str) -> Sniffed:
    """Recognise the format of the file at ``path`` from its content."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    if not head:
        return Sniffed(None, "empty")
    if head.startswith(b"$FL2"):
        return Sniffed("sav")
    if head.startswith(b"$FL3"):
        return Sniffed("zsav")
    if head.startswith(b"<stata_dta>"):
        return Sniffed("dta")
    if _is_old_stata(head):
        return Sniffed("dta")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path, head)
    if head.startswith(_OLE2):
        return _sniff_ole2(path, head)
    for magic, what in _NOT_DATA:
        if head.startswith(magic):
            return Sniffed(None, "unknown", what)
    if head.startswith(_UTF16_BOMS):
        return Sniffed("csv")
    if b"\x00" in head:
        return Sniffed(None, "unknown", "binary file")
    return _sniff_text(head)


def _is_old_stata(head: bytes) -> bool:
    # Stata 8-12 (formats 102-115): version byte, byte order (1 = MSF, 2 = LSF), filetype 1, unused 0.
    return (
        len(head) >= 4
        and head[0] in _STATA_OLD_VERSIONS
        and head[1] in (1, 2)
        and head[2] == 1
        and head[3] == 0
    )


def _sniff_zip(path: Path, head: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError):
        # Truncated or damaged: the directory at the end is gone; the local headers may tell.
        if b"xl/" in head:
            return Sniffed("xlsx", "damaged", "incomplete or damaged Excel file")
        return Sniffed(None, "damaged", "incomplete or damaged ZIP archive")
    if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") for n in names):
        return Sniffed("xlsx")
    if "word/document.xml" in names:
        return Sniffed(None, "unknown", "Word document")
    if any(n.startswith("ppt/") for n in names):
        return Sniffed(None, "unknown", "PowerPoint presentation")
    if "spreadsheet" in mimetype:
        return Sniffed(None, "unknown", "OpenDocument spreadsheet (.ods)")
    if "opendocument" in mimetype:
        return Sniffed(None, "unknown", "OpenDocument file")
    return Sniffed(None, "unknown", "ZIP archive")


def _sniff_ole2(path: Path, head: bytes) -> Sniffed:
    # An OLE2 compound file: Excel 97-2003 (.xls), old Word, or an encrypted .xlsx.
    data = head
    if _ENCRYPTED_OOXML not in data:
        with open(path, "rb") as fh:
            data = fh.read(4 * 2**20)
    if _ENCRYPTED_OOXML in data:
        return Sniffed(None, "encrypted", "password-protected Office file")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return Sniffed(None, "unknown", "Excel 97-2003 workbook (.xls)")
    if "WordDocument".encode("utf-16-le") in data:
        return Sniffed(None, "unknown", "Word 97-2003 document (.doc)")
    return Sniffed(None, "unknown", "Office 97-2003 file")


def _sniff_text(head: bytes) -> Sniffed:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if not start:
        return Sniffed("csv")  # whitespace only: the CSV reader reports it as empty
    if b"SPSSPORT" in head[:1024]:
        return Sniffed(None, "unknown", "SPSS portable file (.por)")
    if _SPSS_SYNTAX.search(head[:8192]):
        return Sniffed(None, "unknown", "SPSS syntax file (.sps)")
    if start.startswith((b"<!doctype html", b"<html")) or b"<table" in start:
        return Sniffed(None, "unknown", "web page (HTML)")
    if start.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head.lower():
            return Sniffed(None, "unknown", "Excel 2003 XML spreadsheet")
        return Sniffed(None, "unknown", "XML file")
    return Sniffed("csv")
