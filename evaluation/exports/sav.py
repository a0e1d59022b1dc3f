"""SPSS ``.sav`` data-entry template with labels and declared missing values.

One variable per data column (:meth:`InstrumentDefinition.columns`; a
multiple-choice item is one 0/1 variable per code, ``<item>_<code>``):

- choice items and integers are numeric ``F<w>.0``, numbers ``F10.2``, dates
  ``EDATE10`` (dd.mm.yyyy, as Belgian coordinators write dates), text strings
  ``A<w>`` wide enough for their content (site codes 8, identifiers 32, text 255,
  free text 1000);
- variable labels in the chosen language, value labels per choice list (and the
  site list and waves for the site and wave items), nonresponse codes labelled
  and declared user-missing (``MISSING VALUES``);
- the file label is ``peer-eval:<id>@<version> <lang>`` and the file's documents
  (``DISPLAY DOCUMENTS``) repeat the reference with the template notice, any
  unvalidated-translation warning and each scale's copyright line.

The template has **zero cases**. pyreadstat sizes a string variable by its
longest value, so an empty frame would give ``A1`` strings that SPSS's data
editor truncates to one character. We therefore write one blank case with
space-padded strings (trailing blanks are insignificant in SPSS) and then drop
that case from the uncompressed file: set the header's case count to 0 and cut
the case's bytes after the dictionary-termination record. Both pyreadstat and
GNU PSPP read the result as a 0-case file with the intended widths.

Date items: nonresponse codes are not declared on date variables (a date
field cannot hold -7 in SPSS); leave an unknown date empty.
"""

from __future__ import annotations

import struct
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from evaluation.instruments import InstrumentDefinition, Item

from .common import (
    atomic_path,
    check_lang,
    choice_labels,
    embed_ref,
    format_number,
    nonresponse_labels,
    phrase,
    scale_notes,
    template_notices,
    text_in,
    truncate_bytes,
)

__all__ = ["SavLayout", "sav_layout", "write_sav", "read_sav_ref", "STRING_WIDTHS"]

# Widths of string variables by what they hold.
STRING_WIDTHS = {"site": 8, "pid": 32, "text": 255, "free_text": 1000}
VARIABLE_LABEL_BYTES = 255
VALUE_LABEL_BYTES = 120
FILE_LABEL_BYTES = 64
DOCUMENT_LINE_BYTES = 80


@dataclass
class SavLayout:
    """Everything the ``.sav`` holds besides data, as pyreadstat's keyword arguments."""

    columns: list[str]
    kinds: dict[str, str]  # column -> "numeric" | "date" | "string"
    string_widths: dict[str, int] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    missing: dict[str, list] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)
    display_widths: dict[str, int] = field(default_factory=dict)
    file_label: str = ""
    notes: list[str] = field(default_factory=list)


def _digits(values) -> int:
    return max((len(format_number(v)) for v in values), default=1)


def _string_width(item: Item) -> int:
    if item.role == "site":
        return STRING_WIDTHS["site"]
    if item.role == "pid":
        return STRING_WIDTHS["pid"]
    return STRING_WIDTHS["free_text" if item.free_text else "text"]


def _wrap_bytes(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        width = limit
        while True:
            wrapped = textwrap.wrap(para, width=width) or [""]
            if all(len(l.encode("utf-8")) <= limit for l in wrapped):
                break
            width -= 4
        lines.extend(wrapped)
    return lines


def sav_layout(definition: InstrumentDefinition, lang: str) -> SavLayout:
    """The variables, labels, formats and missing values of the template in ``lang``."""
    check_lang(definition, lang)
    lay = SavLayout(columns=[], kinds={})
    vlabel = lambda s: truncate_bytes(s, VARIABLE_LABEL_BYTES)  # noqa: E731
    labels_of = lambda d: {k: truncate_bytes(v, VALUE_LABEL_BYTES) for k, v in d.items()}  # noqa: E731
    for item in definition.items:
        label = text_in(item.label, lang)
        nr = nonresponse_labels(definition, item, lang)
        if item.type == "multiple_choice":
            for code, clabel in choice_labels(definition, item, lang).items():
                col = f"{item.name}_{code}"
                lay.columns.append(col)
                lay.kinds[col] = "numeric"
                lay.column_labels[col] = vlabel(f"{label}: {clabel}")
                lay.value_labels[col] = labels_of({0.0: phrase("not_ticked", lang), 1.0: phrase("ticked", lang)})
                lay.formats[col] = "F1.0"
                lay.measures[col] = "nominal"
                lay.display_widths[col] = 8
            continue
        col = item.name
        lay.columns.append(col)
        lay.column_labels[col] = vlabel(label)
        if item.type == "text":
            lay.kinds[col] = "string"
            width = _string_width(item)
            lay.string_widths[col] = width
            lay.formats[col] = f"A{width}"
            lay.measures[col] = "nominal"
            lay.display_widths[col] = min(max(width, 8), 40)
            if item.role == "site" and definition.sites is not None:
                lay.value_labels[col] = labels_of({s.code: text_in(s.label, lang) for s in definition.sites.sites})
            continue
        if item.type == "date":
            lay.kinds[col] = "date"
            lay.formats[col] = "EDATE10"
            lay.measures[col] = "scale"
            lay.display_widths[col] = 12
            continue
        lay.kinds[col] = "numeric"
        values: dict[float, str] = {}
        if item.type == "single_choice":
            values.update({float(k): v for k, v in choice_labels(definition, item, lang).items()})
        elif item.role == "wave":
            values.update({float(w.code): text_in(w.label, lang) for w in definition.meta.waves})
        values.update({float(k): v for k, v in nr.items()})
        if values:
            lay.value_labels[col] = labels_of(values)
        if nr:
            lay.missing[col] = [float(c) for c in sorted(nr, reverse=True)]
        bounds = [b for b in ((item.range.min, item.range.max) if item.range else ()) if b is not None]
        if item.type == "number":
            width = max(10, _digits(bounds + list(values)) + 3)
            lay.formats[col] = f"F{width}.2"
        else:
            width = max(_digits(list(values) + bounds) if (values or bounds) else 8,
                        2 if item.type == "single_choice" or item.role == "wave" else 4)
            lay.formats[col] = f"F{width}.0"
        lay.measures[col] = (
            "ordinal" if item.scale else "nominal" if (item.type == "single_choice" or item.role == "wave") else "scale"
        )
        lay.display_widths[col] = max(width, 8)

    ref = embed_ref(definition)
    lay.file_label = truncate_bytes(f"{ref} {lang}", FILE_LABEL_BYTES)
    notes = [f"{ref} language={lang}"] + template_notices(definition, lang)
    for scale_id in definition.scales:
        notes.append(" — ".join(scale_notes(definition, scale_id, lang)))
    lay.notes = [line for n in notes for line in _wrap_bytes(n, DOCUMENT_LINE_BYTES)]
    return lay


def _blank_case(lay: SavLayout) -> pd.DataFrame:
    data = {}
    for col in lay.columns:
        kind = lay.kinds[col]
        if kind == "string":
            data[col] = pd.Series([" " * lay.string_widths[col]], dtype=object)
        elif kind == "date":
            data[col] = pd.Series([pd.NaT], dtype="datetime64[ns]")
        else:
            data[col] = pd.Series([np.nan], dtype="float64")
    return pd.DataFrame(data, columns=lay.columns)


def _drop_only_case(path: Path) -> None:
    """Turn the one-case uncompressed file at ``path`` into a zero-case file (see module doc)."""
    raw = path.read_bytes()
    case_size, compression, ncases = struct.unpack("<i", raw[68:72])[0], struct.unpack("<i", raw[72:76])[0], struct.unpack("<i", raw[80:84])[0]
    end = len(raw) - case_size * 8
    if compression != 0 or ncases != 1 or struct.unpack("<ii", raw[end - 8:end]) != (999, 0):
        raise RuntimeError(
            "unexpected .sav layout from pyreadstat (compressed, or no dictionary-termination record "
            "before the case); the zero-case template cannot be made: report this as a bug"
        )
    path.write_bytes(raw[:80] + struct.pack("<i", 0) + raw[84:end])


def write_sav(definition: InstrumentDefinition, lang: str, out_path: Path | str) -> Path:
    """Write the SPSS template of ``definition`` in ``lang`` to ``out_path`` (atomically)."""
    lay = sav_layout(definition, lang)
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        pyreadstat.write_sav(
            _blank_case(lay),
            str(tmp),
            file_label=lay.file_label,
            column_labels=lay.column_labels,
            note=lay.notes,
            variable_value_labels=lay.value_labels,
            missing_ranges=lay.missing,
            variable_display_width=lay.display_widths,
            variable_measure=lay.measures,
            variable_format=lay.formats,
        )
        _drop_only_case(tmp)
    return out_path


def read_sav_ref(path: Path | str) -> str | None:
    """``id@version`` from a .sav's file label or documents (kept by SPSS and PSPP on save)."""
    from .common import find_ref

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    ref = find_ref(meta.file_label)
    if ref:
        return ref
    for note in meta.notes or []:
        ref = find_ref(note)
        if ref:
            return ref
    return None
