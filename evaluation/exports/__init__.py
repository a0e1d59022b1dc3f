"""Data-entry templates generated from an instrument definition.

::

    from evaluation.exports import export, FORMATS, read_embedded_ref
    export(definition, "sav", "nl", "detainee_1.1_nl.sav")
    read_embedded_ref("detainee_1.1_nl.sav")      # 'detainee@1.1'

Formats (:data:`FORMATS`, one module each):

========  ==========================================  =====================
format    what                                        module
========  ==========================================  =====================
sav       SPSS .sav, labels and declared missing      :mod:`.sav`
xlsform   XLSForm .xlsx for ODK / KoboToolbox         :mod:`.xlsform`
csv       CSV template + codebook (.csv and .md)      :mod:`.csvbook`
html      printable questionnaire in one language     :mod:`.printable`
========  ==========================================  =====================

Every template embeds ``peer-eval:<id>@<version>`` so intake can recognise the
file later (:func:`read_embedded_ref`): in a .sav the file label and documents,
in an XLSForm the ``settings`` sheet (``form_id``, ``version``) and a
``peer_eval_instrument`` calculate field, for a CSV its ``.codebook.csv``
sidecar, in the HTML a ``<meta name="peer-eval-instrument">`` and the footer.
Templates hold **no data rows**. Every file is written atomically (temporary
file in the same folder, then :func:`os.replace`).
"""

from __future__ import annotations

from pathlib import Path

from evaluation.instruments import InstrumentDefinition

from .common import check_lang, embed_ref, find_ref
from .csvbook import read_csv_ref, write_csvbook
from .printable import write_html
from .sav import read_sav_ref, write_sav
from .xlsform import read_xlsform_ref, write_xlsform

__all__ = ["FORMATS", "SUFFIXES", "export", "default_filename", "read_embedded_ref", "embed_ref", "find_ref"]

_WRITERS = {"sav": write_sav, "xlsform": write_xlsform, "csv": write_csvbook, "html": write_html}
FORMATS: tuple[str, ...] = tuple(_WRITERS)
SUFFIXES = {"sav": ".sav", "xlsform": ".xlsx", "csv": ".csv", "html": ".html"}


def default_filename(definition: InstrumentDefinition, fmt: str, lang: str) -> str:
    """``<id>_<version>_<lang>[_xlsform].<suffix>``, e.g. ``detainee_1.1_nl.sav``."""
    _check_fmt(fmt)
    tag = "_xlsform" if fmt == "xlsform" else ""
    return f"{definition.id}_{definition.version}_{lang}{tag}{SUFFIXES[fmt]}"


def _check_fmt(fmt: str) -> None:
    if fmt not in _WRITERS:
        raise ValueError(f"fmt={fmt!r} is not a template format; pass one of: {', '.join(FORMATS)}")


def export(definition: InstrumentDefinition, fmt: str, lang: str, out_path: Path | str) -> Path:
    """Write the ``fmt`` template of ``definition`` in ``lang``; return the file written.

    ``out_path`` is the file to write, or an existing folder (the file is then
    named by :func:`default_filename`). A ``csv`` export also writes its
    codebook beside the template (``<name>.codebook.csv`` and ``.codebook.md``).
    """
    _check_fmt(fmt)
    if not isinstance(definition, InstrumentDefinition):
        raise TypeError(
            f"definition must be an InstrumentDefinition, got {type(definition).__name__}; "
            "load one with Catalogue().parse_ref('detainee@1.1')"
        )
    check_lang(definition, lang)
    out_path = Path(out_path)
    if out_path.is_dir():
        out_path = out_path / default_filename(definition, fmt, lang)
    return _WRITERS[fmt](definition, lang, out_path)


def read_embedded_ref(path: Path | str) -> str | None:
    """The ``"id@version"`` a template (or a file filled in from one) carries, else None.

    - ``.sav``/``.zsav``: the file label, then the documents (SPSS and PSPP keep both on save);
    - ``.xlsx``: an XLSForm ``settings`` sheet (``form_id``, ``version``), or a
      ``_meta`` sheet with a ``peer-eval:<id>@<version>`` cell;
    - ``.csv``: a first line holding ``peer-eval:<id>@<version>``, else the
      ``<name>.codebook.csv`` sidecar written with the template;
    - ``.html``/``.md``: the embedded ``peer-eval:<id>@<version>``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".sav", ".zsav"):
        return read_sav_ref(path)
    if suffix in (".xlsx", ".xlsm"):
        ref = read_xlsform_ref(path)
        return ref or _read_xlsx_meta(path)
    if suffix == ".csv":
        return read_csv_ref(path)
    if suffix in (".html", ".htm", ".md"):
        return find_ref(path.read_text(encoding="utf-8", errors="replace"))
    raise ValueError(
        f"path={str(path)!r}: cannot read an embedded instrument from a '{suffix}' file; "
        "pass a .sav, .xlsx, .csv, .html or .md file"
    )


def _read_xlsx_meta(path: Path) -> str | None:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if "_meta" not in wb.sheetnames:
            return None
        for row in wb["_meta"].iter_rows(values_only=True):
            for cell in row:
                ref = find_ref(cell) if isinstance(cell, str) else None
                if ref:
                    return ref
        return None
    finally:
        wb.close()
