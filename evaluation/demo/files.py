"""Write the demo's data the way coordinators would, every file marked synthetic.

- detainee questionnaires: one SPSS ``.sav`` per site and wave, with the
  template's variable and value labels, declared missing values and the file
  label ``peer-eval:detainee@1.1 <lang> SYNTHETIC demo`` (the documents say
  it again);
- peer workers: one ``.sav`` per site holding both waves;
- staff: one ``.xlsx`` per site, a data sheet plus a ``_meta`` sheet
  (instrument reference, language, ``synthetic: yes``);
- release records and the contact log: one CSV per site, semicolon-separated
  with day/month/year dates, decimal commas and Windows-1252 text, as Belgian
  Excel saves them, with a first ``#`` comment line saying the data are
  synthetic;
- :func:`faulty_staff_file`: the deliberately faulty staff file (a code that
  is not in the list and a row of another site) that intake rejects.

Each site writes in its coordinator's language (Dutch or French).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from evaluation.exports.sav import sav_layout

__all__ = [
    "SYNTHETIC_NOTICE",
    "SITE_LANG",
    "site_lang",
    "write_sav_data",
    "write_xlsx_data",
    "write_csv_data",
    "faulty_staff_file",
]

SYNTHETIC_NOTICE = ("SYNTHETIC DATA - fictional demo evaluation (peer-eval demo) - "
                    "no real person, prison or number.")
#: the coordinators of the fictional French-named prisons write in French, the others in Dutch
SITE_LANG = {"P04": "fr", "P05": "fr", "P07": "fr", "P09": "fr"}


def site_lang(site: str) -> str:
    return SITE_LANG.get(site, "nl")


def write_sav_data(defn, frame: pd.DataFrame, path: Path, lang: str) -> Path:
    """An SPSS file of ``frame`` with the template's labels and a synthetic file label."""
    lay = sav_layout(defn, lang)
    data = frame.reindex(columns=lay.columns)
    for col in lay.columns:
        kind = lay.kinds[col]
        if kind == "string":
            data[col] = data[col].astype(object).where(data[col].notna(), "")
        elif kind == "date":
            data[col] = pd.to_datetime(data[col])
        else:
            data[col] = pd.to_numeric(data[col], errors="coerce").astype(float)
    formats = {c: f for c, f in lay.formats.items() if not f.startswith("A")}
    pyreadstat.write_sav(
        data, str(path),
        file_label=f"peer-eval:{defn.ref} {lang} SYNTHETIC demo",
        column_labels=lay.column_labels,
        note=[*textwrap.wrap(SYNTHETIC_NOTICE, 78), *lay.notes],
        variable_value_labels=lay.value_labels,
        missing_ranges=lay.missing,
        variable_measure=lay.measures,
        variable_format=formats,
    )
    return path


def write_xlsx_data(defn, frame: pd.DataFrame, path: Path, lang: str) -> Path:
    """An Excel workbook: the data sheet and a ``_meta`` sheet saying what it is (and that it is synthetic)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = {"nl": "gegevens", "fr": "données"}.get(lang, "data")
    columns = defn.columns()
    data = frame.reindex(columns=columns)
    ws.append(columns)
    for row in data.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    date_cols = [i + 1 for i, c in enumerate(columns) if pd.api.types.is_datetime64_any_dtype(data[c])]
    for col in date_cols:
        for r in range(2, ws.max_row + 1):
            ws.cell(r, col).number_format = "DD/MM/YYYY"
    meta = wb.create_sheet("_meta")
    for key, value in (("instrument", f"peer-eval:{defn.ref}"), ("language", lang),
                       ("synthetic", "yes"), ("notice", SYNTHETIC_NOTICE)):
        meta.append([key, value])
    wb.save(path)
    return path


def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def write_csv_data(defn, frame: pd.DataFrame, path: Path) -> Path:
    """Semicolon CSV, dd/mm/yyyy dates, decimal comma, Windows-1252, a first ``#`` synthetic line."""
    columns = defn.columns()
    data = frame.reindex(columns=columns).copy()
    for col in columns:
        s = data[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            data[col] = s.dt.strftime("%d/%m/%Y").where(s.notna(), "")
        elif pd.api.types.is_float_dtype(s):
            data[col] = s.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer()
                                                                else str(v).replace(".", ",")))
    with open(path, "w", encoding="cp1252", newline="") as fh:
        fh.write(f"# {SYNTHETIC_NOTICE} peer-eval:{defn.ref}\r\n")
        data.to_csv(fh, sep=";", index=False, lineterminator="\r\n")
    return path


def faulty_staff_file(frame: pd.DataFrame, defn, site: str, other_site: str) -> pd.DataFrame:
    """The staff file as a coordinator first sent it: one code not in the list, one row of another prison."""
    bad = frame.copy()
    bad.loc[bad.index[min(3, len(bad) - 1)], "staff_role"] = 9.0
    bad.loc[bad.index[min(5, len(bad) - 1)], "site"] = other_site
    return bad
