"""What an uploaded file really is, before intake reads it: size cap, content sniffing, zip bombs.

A file is accepted for checking only when its name ends in a format intake
reads and its first bytes are that format: an SPSS system file starts with
``$FL2``/``$FL3``, a Stata file with ``<stata_dta>`` (or a version byte), an
Excel workbook is a zip holding ``[Content_Types].xml`` whose members unpack
to less than ``PORTAL_MAX_UNPACKED_BYTES`` (a zip bomb is refused without
unpacking it), and a CSV is text (no NUL bytes, decodable). Anything else —
a renamed program, an archive, a picture — gets a message, not a check.
The messages are the portal's (they are about the upload, not the data).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["ALLOWED_SUFFIXES", "INTERVIEW_SUFFIXES", "sniff_upload"]

ALLOWED_SUFFIXES = (".sav", ".zsav", ".dta", ".xlsx", ".csv")
#: coded interviews: a REFI-QDA project (a zip holding project.qde) or the CSV segments format
INTERVIEW_SUFFIXES = (".qdpx", ".csv")
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")


def _too_big() -> str:
    mb = f"{max(round(settings.PORTAL_MAX_UPLOAD_BYTES / (1024 * 1024), 1), 0.1):g}"
    return _("This file is larger than %(mb)s MB, the largest file the portal accepts. "
             "Split it into several files or ask the evaluation team.") % {"mb": mb}


def size_message(size: int) -> str | None:
    return _too_big() if size > settings.PORTAL_MAX_UPLOAD_BYTES else None


def sniff_upload(path: Path, suffix: str, allowed: tuple[str, ...] = ALLOWED_SUFFIXES) -> str | None:
    """``None`` when ``path`` is what ``suffix`` says and safe to read; else a message for the coordinator."""
    suffix = suffix.lower()
    if suffix not in allowed:
        if allowed == INTERVIEW_SUFFIXES:
            return _("Files of this kind cannot be imported. Send a REFI-QDA project (.qdpx) exported from the "
                     "coding program, or the coded segments as CSV (.csv) made from the template.")
        return _("Files of this kind cannot be checked. Send an SPSS (.sav), Excel (.xlsx) or CSV (.csv) file, "
                 "made from the template.")
    size = path.stat().st_size
    if size > settings.PORTAL_MAX_UPLOAD_BYTES:
        return _too_big()
    if size == 0:
        return _("This file is empty. Choose the file again; if it is still empty, save it again from your program.")
    with open(path, "rb") as fh:
        head = fh.read(65536)
    wrong = _("The content of this file is not what its name says (%(suffix)s). Perhaps it was renamed or damaged: "
              "save it again from SPSS, Excel or the template and upload that file.") % {"suffix": suffix}
    if head.startswith(_EXECUTABLE):
        return wrong
    if suffix in (".sav", ".zsav"):
        return None if head[:4] in (b"$FL2", b"$FL3") else wrong
    if suffix == ".dta":
        return None if head.startswith(b"<stata_dta>") or head[:1] in (b"\x71", b"\x72", b"\x73") else wrong
    if suffix in (".xlsx", ".qdpx"):
        if not head.startswith(b"PK\x03\x04"):
            return wrong
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
                names = {i.filename for i in infos}
                unpacked = sum(i.file_size for i in infos)
                packed = sum(i.compress_size for i in infos) or 1
        except (zipfile.BadZipFile, OSError, ValueError):
            return wrong
        member = "[Content_Types].xml" if suffix == ".xlsx" else "project.qde"
        if member not in names or len(infos) > 10000:
            return wrong
        if unpacked > settings.PORTAL_MAX_UNPACKED_BYTES or (unpacked > 50 * 1024 * 1024 and unpacked / packed > 200):
            if suffix == ".qdpx":
                return _("This project would unpack to far more data than coded interviews hold, so it is not "
                         "opened. Export it again from the coding program and upload that file.")
            return _("This Excel file would unpack to far more data than a questionnaire holds, so it is not "
                     "opened. Save the data again from Excel (File, Save as, .xlsx) and upload that file.")
        return None
    # .csv: text, not binary
    if b"\x00" in head:
        return wrong
    import codecs

    for enc in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < 65536)
            return None
        except UnicodeDecodeError:
            continue
    return wrong
