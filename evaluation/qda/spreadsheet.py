"""Coded segments in a spreadsheet: the template and reading it.

The common manual workflow: one row per coded quotation. Columns (headers in
English, Dutch or French; order free)::

    participant  role  site  transcript  quotation  theme  sub-theme  coder  comment  start  end

``participant`` is the study identifier (prison number for a detainee, study
code for peer workers and staff), ``role`` the respondent group, ``theme`` and
``sub-theme`` a code or a label from the codebook, ``start``/``end``
(optional) the position of the quotation in the transcript, in characters
from 0 (``end`` exclusive). Without positions, the quotation is looked up in
the transcript text when the transcripts are given (a folder of UTF-8 ``.txt``
files named after the ``transcript`` column).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evaluation.intake.problems import Problem

from .codebook import Codebook
from .coded import CodedFile, Selection, Source, field_of

__all__ = ["TEMPLATE_COLUMNS", "template_headers", "export_segment_template", "read_segment_sheet"]

TEMPLATE_COLUMNS = ("participant", "role", "site", "transcript", "quotation", "theme", "sub_theme", "coder",
                    "comment", "start", "end")
_HEADERS = {
    "en": ("participant", "role", "site", "transcript", "quotation", "theme", "sub-theme", "coder", "comment",
           "start", "end"),
    "nl": ("deelnemer", "rol", "gevangenis", "transcriptie", "citaat", "thema", "subthema", "codeerder",
           "opmerking", "begin", "einde"),
    "fr": ("participant", "rôle", "prison", "transcription", "citation", "thème", "sous-thème", "codeur",
           "commentaire", "début", "fin"),
}
_ROLE_NAMES = {"en": ("detainee", "peer_worker", "staff"), "nl": ("gedetineerde", "ervaringsdeskundige", "personeel"),
               "fr": ("détenu", "pair-aidant", "personnel")}


def template_headers(lang: str) -> tuple[str, ...]:
    """The template's column headers in ``lang``."""
    if lang not in _HEADERS:
        raise ValueError(f"lang must be one of {', '.join(_HEADERS)}, not {lang!r}")
    return _HEADERS[lang]


def export_segment_template(path: Path | str, lang: str = "en", codebook: Codebook | None = None) -> Path:
    """Write the empty spreadsheet template: ``.xlsx`` (with a sheet of codes and drop-down lists) or ``.csv``."""
    path = Path(path)
    headers = template_headers(lang)
    if path.suffix.lower() == ".csv":
        path.write_text(",".join(headers) + "\n", encoding="utf-8-sig")
        return path
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"export_segment_template: path must end in .xlsx or .csv, not {path.suffix!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    if codebook is None:
        from .codebook import load_codebook

        codebook = load_codebook()
    wb = Workbook()
    ws = wb.active
    ws.title = {"en": "segments", "nl": "fragmenten", "fr": "extraits"}[lang]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    codes = wb.create_sheet({"en": "codes", "nl": "codes", "fr": "codes"}[lang])
    codes.append(["theme", "code", "label"] if lang == "en" else
                 (["thema", "code", "label"] if lang == "nl" else ["thème", "code", "libellé"]))
    themes_rows, subs_rows = [], []
    for t in codebook.themes:
        codes.append([t.code, t.code, t.label[lang]])
        themes_rows.append(codes.max_row)
        for s in t.sub_themes:
            codes.append([t.code, s.code, s.label[lang]])
            subs_rows.append(codes.max_row)
    roles = wb.create_sheet("roles")
    for r in _ROLE_NAMES[lang]:
        roles.append([r])
    last = codes.max_row
    dv_code = DataValidation(type="list", formula1=f"=codes!$B$2:$B${last}", allow_blank=True)
    dv_role = DataValidation(type="list", formula1=f"=roles!$A$1:$A${len(_ROLE_NAMES[lang])}", allow_blank=True)
    ws.add_data_validation(dv_code)
    ws.add_data_validation(dv_role)
    dv_code.add("F2:G5000")
    dv_role.add("B2:B5000")
    for col, width in zip("ABCDEFGHIJK", (14, 14, 10, 16, 60, 22, 22, 12, 30, 8, 8)):
        ws.column_dimensions[col].width = width
    wb.save(path)
    return path


def _rows(path: Path, problems: list[Problem]) -> tuple[list[list], str]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            problems.append(Problem("file-unreadable", params={"detail": type(exc).__name__}))
            return [], "xlsx"
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
        return rows, "xlsx"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        problems.append(Problem("encoding-guessed", severity="warning", params={"encoding": "Windows-1252"}))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)], "csv"


def _cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def read_segment_sheet(path: Path | str, codebook: Codebook, transcripts: Path | str | None = None) -> CodedFile:
    """Read a filled-in template (CSV or XLSX) as a :class:`~evaluation.qda.coded.CodedFile`.

    ``transcripts`` is a folder of ``<transcript>.txt`` files (UTF-8); when
    given, each row's transcript text is checked and positions found.
    """
    path = Path(path)
    problems: list[Problem] = []
    rows, fmt = _rows(path, problems)
    out = CodedFile(format=fmt, problems=problems)
    if not rows:
        if not problems:
            problems.append(Problem("file-empty"))
        return out
    header = [field_of(h) if h is not None else None for h in rows[0]]
    needed = ("participant", "role", "transcript", "quotation", "coder")
    for f in needed:
        if f not in header:
            problems.append(Problem("column-missing", column=template_headers("en")[TEMPLATE_COLUMNS.index(f)]))
    if "theme" not in header and "sub_theme" not in header:
        problems.append(Problem("column-missing", column="theme"))
    if any(p.severity == "error" for p in problems):
        return out
    folder = Path(transcripts) if transcripts else None
    data_rows = 0
    for n, row in enumerate(rows[1:], start=2):
        rec = {f: _cell(row[i]) if i < len(row) else None for i, f in enumerate(header) if f}
        if not any(rec.values()):
            continue
        data_rows += 1
        tname = rec.get("transcript") or ""
        theme, sub = rec.get("theme"), rec.get("sub_theme")
        code = sub or theme
        if theme and sub:
            t_code, s_code = codebook.resolve(theme), codebook.resolve(sub)
            if t_code and s_code and codebook.parents.get(s_code, s_code) != t_code:
                problems.append(Problem("subtheme-theme-mismatch", row=n, column="sub-theme", value=sub,
                                        severity="warning", params={"theme": theme, "parent": codebook.parents.get(s_code, s_code)}))
        start, end = rec.get("start"), rec.get("end")
        try:
            start_i = int(start) if start is not None else None
            end_i = int(end) if end is not None else None
        except ValueError:
            problems.append(Problem("type-error", row=n, column="start" if start and not start.isdigit() else "end",
                                    value=start if start and not start.isdigit() else end,
                                    params={"expected": "integer"}))
            start_i = end_i = None
        key = f"{rec.get('site') or ''}\x1f{tname}"
        if key not in out.sources:
            src = Source(key=key, name=tname, participant=rec.get("participant"), role=rec.get("role"),
                         site=rec.get("site"))
            if folder is not None and tname:
                f = folder / f"{tname}.txt"
                if f.is_file():
                    src.text = f.read_bytes().decode("utf-8-sig", errors="replace")
                else:
                    problems.append(Problem("transcript-text-missing", row=n, column="transcript",
                                            severity="warning", params={"transcript": tname}))
            out.sources[key] = src
        out.selections.append(Selection(source=key, code=code, coder=rec.get("coder"), start=start_i, end=end_i,
                                        text=rec.get("quotation"), comment=rec.get("comment"), row=n,
                                        participant=rec.get("participant"), role=rec.get("role"),
                                        site=rec.get("site")))
    if not data_rows:
        problems.append(Problem("file-header-only"))
    return out
