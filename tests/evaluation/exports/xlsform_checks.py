"""Structural checks of an XLSForm against the XLSForm spec (what ODK / Kobo require)."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

__all__ = ["read_sheets", "xlsform_problems"]

LANG_COLUMN = re.compile(r"^(label|hint|constraint_message|required_message)::[^()]+ \(([a-z]{2})\)$")
REF = re.compile(r"\$\{([^}]*)\}")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
BASIC_TYPES = {"integer", "decimal", "date", "text", "note", "calculate"}


def read_sheets(path: Path) -> dict[str, list[dict]]:
    wb = load_workbook(path, read_only=True)
    sheets = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [h for h in rows[0]] if rows else []
        sheets[ws.title] = [
            {h: (v if v is not None else "") for h, v in zip(header, r) if h} for r in rows[1:]
        ]
        sheets[ws.title + ":header"] = header
    wb.close()
    return sheets


def xlsform_problems(path: Path, languages: list[str]) -> list[str]:
    """Every departure from the spec found in the XLSForm at ``path`` (empty when fine)."""
    s = read_sheets(path)
    problems: list[str] = []
    for sheet in ("survey", "choices", "settings"):
        if sheet not in s:
            problems.append(f"sheet '{sheet}' is missing")
    if problems:
        return problems
    survey_cols, choice_cols = s["survey:header"], s["choices:header"]
    for col in ("type", "name"):
        if col not in survey_cols:
            problems.append(f"survey has no '{col}' column")
    for col in ("list_name", "name"):
        if col not in choice_cols:
            problems.append(f"choices has no '{col}' column")
    for lang in languages:
        for sheet_cols, sheet in ((survey_cols, "survey"), (choice_cols, "choices")):
            if not any(c and c.startswith("label::") and c.endswith(f"({lang})") for c in sheet_cols):
                problems.append(f"{sheet} has no label column for ({lang})")
    for c in survey_cols + choice_cols:
        if c and "::" in c and not LANG_COLUMN.match(c):
            problems.append(f"column '{c}' is not 'label::Language (xx)'-style")
    settings = s["settings"][0] if s["settings"] else {}
    for key in ("form_title", "form_id", "version", "default_language"):
        if not settings.get(key):
            problems.append(f"settings has no {key}")
    if settings.get("default_language") and f"label::{settings['default_language']}" not in survey_cols:
        problems.append("default_language does not match a label column")

    lists = {r["list_name"] for r in s["choices"]}
    seen_choice = set()
    for r in s["choices"]:
        key = (r["list_name"], str(r["name"]))
        if key in seen_choice:
            problems.append(f"choice {key} is repeated")
        seen_choice.add(key)
        if " " in str(r["name"]):
            problems.append(f"choice name {key} contains a space")
    names = [r["name"] for r in s["survey"]]
    if len(set(names)) != len(names):
        problems.append("survey names are not unique")
    for r in s["survey"]:
        if not NAME.match(str(r["name"])):
            problems.append(f"'{r['name']}' is not a valid XLSForm name")
        t = str(r["type"])
        if t.startswith(("select_one ", "select_multiple ")):
            lst = t.split(" ", 1)[1]
            if lst not in lists:
                problems.append(f"'{r['name']}' uses the list '{lst}', which is not in choices")
        elif t not in BASIC_TYPES:
            problems.append(f"'{r['name']}' has the unexpected type '{t}'")
        if t != "calculate" and not any(r.get(f"label::{settings.get('default_language')}") for _ in [0]):
            problems.append(f"'{r['name']}' has no label in the default language")
        for col in ("relevant", "constraint", "calculation"):
            for ref in REF.findall(str(r.get(col, ""))):
                if ref not in names:
                    problems.append(f"'{r['name']}' {col} refers to the unknown field '{ref}'")
    return problems
