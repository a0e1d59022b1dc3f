"""XLSForm for tablet collection with ODK Collect / KoboToolbox.

Sheets ``survey``, ``choices`` and ``settings``, with one ``label::Nederlands (nl)``
style column per language of the instrument (``default_language`` is the
language asked for). How the definition maps onto XLSForm:

- ``single_choice`` -> ``select_one <list>``, ``multiple_choice`` ->
  ``select_multiple <list>`` (ODK stores the ticked codes space-separated in one
  column; intake splits them into ``<item>_<code>`` columns), ``integer`` ->
  ``integer``, ``number`` -> ``decimal``, ``date`` -> ``date``, ``text`` -> ``text``;
- the site item becomes ``select_one`` of the site list (choice names are the
  site codes) and the wave item ``select_one`` of the waves (names are the wave codes);
- ``relevant`` and ``constraint`` are translated with
  :meth:`Expression.to_xlsform`; a ``range`` becomes part of the constraint;
- nonresponse codes: a choice item that allows them uses a derived list
  ``<list>_nr_<codes>`` = its list plus the nonresponse choices; a numeric item
  accepts them as extra allowed values in its constraint (``... or . = -7``) and
  its hint says which code means what. Date items cannot hold them in ODK;
- before the first item of a scale a ``note`` shows the scale's title,
  instruction, copyright line and, if so, that its wording was altered;
- the instrument is embedded twice: ``settings`` holds ``form_id`` = the
  instrument id and ``version``, and a ``calculate`` field
  ``peer_eval_instrument`` = ``'<id>@<version>'`` travels with every submission
  (an extra column intake recognises; not an item of the definition);
- when the version contains unvalidated translations (or licensed texts are
  missing), a ``note`` ``peer_eval_notice`` at the top says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from evaluation.instruments import LANGUAGE_NAMES, InstrumentDefinition, Item, parse

from .common import (
    atomic_path,
    check_lang,
    choice_labels,
    format_number,
    nonresponse_labels,
    phrase,
    range_text,
    scale_notes,
    template_notices,
    text_in,
)

__all__ = ["xlsform_sheets", "write_xlsform", "read_xlsform_ref", "REF_FIELD", "NOTICE_FIELD", "lang_column"]

REF_FIELD = "peer_eval_instrument"
NOTICE_FIELD = "peer_eval_notice"
TYPES = {"integer": "integer", "number": "decimal", "date": "date", "text": "text"}


def lang_column(prefix: str, lang: str) -> str:
    """``label::Nederlands (nl)``-style column name."""
    return f"{prefix}::{LANGUAGE_NAMES[lang]} ({lang})"


def _literal(x) -> str:
    if isinstance(x, dt.date):
        return f"date('{x.isoformat()}')"
    return format_number(x)


def _unique_list_name(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def xlsform_sheets(definition: InstrumentDefinition, lang: str) -> dict[str, list[dict]]:
    """The rows of the ``survey``, ``choices`` and ``settings`` sheets (column -> value)."""
    check_lang(definition, lang)
    langs = list(definition.meta.languages)
    survey: list[dict] = []
    choices: list[dict] = []
    used_lists: dict[str, list[tuple[str, dict[str, str]]]] = {}  # list -> [(name, {lang: label})]

    def texts(fn) -> dict[str, str]:
        return {lang_column("label", l): fn(l) for l in langs}

    def add_list(name: str, entries: list[tuple[str, dict[str, str]]]) -> str:
        used_lists.setdefault(name, entries)
        return name

    taken = set(definition.choices)
    sites_list = _unique_list_name("sites", taken)
    taken.add(sites_list)
    waves_list = _unique_list_name("waves", taken)
    taken.add(waves_list)

    notices = template_notices(definition, lang)
    if len(notices) > 1:
        survey.append({"type": "note", "name": NOTICE_FIELD,
                       **texts(lambda l: " ".join(template_notices(definition, l)[1:]))})
    survey.append({"type": "calculate", "name": REF_FIELD, "calculation": f"'{definition.ref}'"})

    shown_scales: set[str] = set()
    for item in definition.items:
        if item.scale and item.scale not in shown_scales:
            shown_scales.add(item.scale)
            scale = definition.scales[item.scale]

            def scale_text(l, scale=scale):
                parts = [text_in(scale.title, l)]
                if scale.instruction:
                    parts.append(text_in(scale.instruction, l))
                parts += scale_notes(definition, scale.id, l)[1:]
                return "\n".join(parts)

            survey.append({"type": "note", "name": f"scale_{scale.id}_note", **texts(scale_text),
                           **({"relevant": parse(item.relevant).to_xlsform()} if item.relevant else {})})
        survey.append(_question(definition, item, langs, add_list, sites_list, waves_list))

    for list_name, entries in used_lists.items():
        for name, labels in entries:
            choices.append({"list_name": list_name, "name": name,
                            **{lang_column("label", l): labels[l] for l in langs}})
    settings = [{
        "form_title": text_in(definition.meta.title, lang),
        "form_id": definition.id,
        "version": definition.version,
        "default_language": f"{LANGUAGE_NAMES[lang]} ({lang})",
    }]
    return {"survey": survey, "choices": choices, "settings": settings}


def _question(definition, item: Item, langs, add_list, sites_list, waves_list) -> dict:
    row: dict = {"name": item.name}
    for l in langs:
        row[lang_column("label", l)] = text_in(item.label, l)
    nr = {l: nonresponse_labels(definition, item, l) for l in langs}
    nr_codes = list(nr[langs[0]])

    if item.role == "site" and definition.sites is not None:
        row["type"] = "select_one " + add_list(sites_list, [
            (s.code, {l: f"{s.code} – {text_in(s.label, l)}" for l in langs}) for s in definition.sites.sites])
    elif item.role == "wave" and item.type == "integer":
        row["type"] = "select_one " + add_list(waves_list, [
            (str(w.code), {l: text_in(w.label, l) for l in langs}) for w in definition.meta.waves])
    elif item.is_choice:
        entries = [(str(c), {l: choice_labels(definition, item, l)[c] for l in langs})
                   for c in definition.codes(item)]
        list_name = item.choices
        if nr_codes:
            entries += [(str(c), {l: nr[l][c] for l in langs}) for c in nr_codes]
            list_name = f"{item.choices}_nr_" + "_".join(str(abs(c)) for c in nr_codes)
        kind = "select_one" if item.type == "single_choice" else "select_multiple"
        row["type"] = f"{kind} " + add_list(list_name, entries)
        if item.scale:
            row["appearance"] = "likert"
    else:
        row["type"] = TYPES[item.type]
        if item.type == "text" and item.free_text:
            row["appearance"] = "multiline"

    if item.hint:
        for l in langs:
            row[lang_column("hint", l)] = text_in(item.hint, l)
    if item.required:
        row["required"] = "yes"
    if item.relevant:
        row["relevant"] = parse(item.relevant).to_xlsform()

    # constraint: range, the item's own rule, and nonresponse codes as allowed values
    rules, messages = [], {l: [] for l in langs}
    if item.range and item.type in ("integer", "number", "date"):
        if item.range.min is not None:
            rules.append(f". >= {_literal(item.range.min)}")
        if item.range.max is not None:
            rules.append(f". <= {_literal(item.range.max)}")
        for l in langs:
            messages[l].append(text_in(item.range.message, l) if item.range.message
                               else phrase("answer_range", l, range=range_text(item, l)))
    if item.constraint:
        rules.append(parse(item.constraint.rule).to_xlsform())
        for l in langs:
            messages[l].append(text_in(item.constraint.message, l))
    if rules:
        expr = rules[0] if len(rules) == 1 else " and ".join(f"({r})" for r in rules)
        if nr_codes and item.type in ("integer", "number"):
            expr = f"({expr})" + "".join(f" or . = {c}" for c in nr_codes)
            for l in langs:
                codes = ", ".join(f"{c} = {nr[l][c]}" for c in nr_codes)
                messages[l].append(phrase("or_codes", l, codes=codes))
        row["constraint"] = expr
        for l in langs:
            row[lang_column("constraint_message", l)] = " ".join(m for m in messages[l] if m)
    if nr_codes and item.type in ("integer", "number"):
        for l in langs:
            codes = "; ".join(f"{c} = {nr[l][c]}" for c in nr_codes)
            hint = row.get(lang_column("hint", l), "")
            row[lang_column("hint", l)] = f"{hint} ({codes})".strip()
    return row


def _write_sheet(ws, rows: list[dict]) -> None:
    header: list[str] = []
    for r in rows:
        for k in r:
            if k not in header:
                header.append(k)
    ws.append(header)
    for r in rows:
        ws.append([r.get(k, "") for k in header])


def write_xlsform(definition: InstrumentDefinition, lang: str, out_path: Path | str) -> Path:
    """Write the XLSForm of ``definition`` (default language ``lang``) to ``out_path``."""
    sheets = xlsform_sheets(definition, lang)
    from openpyxl import Workbook  # imported when used: intake imports this package on every file

    wb = Workbook()
    wb.remove(wb.active)
    for name in ("survey", "choices", "settings"):
        _write_sheet(wb.create_sheet(name), sheets[name])
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        wb.save(tmp)
    return out_path


def read_xlsform_ref(path: Path | str) -> str | None:
    """``form_id@version`` from an XLSForm's ``settings`` sheet, else None."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if "settings" not in wb.sheetnames:
            return None
        rows = list(wb["settings"].iter_rows(min_row=1, max_row=2, values_only=True))
        if len(rows) < 2:
            return None
        settings = dict(zip(rows[0], rows[1]))
        form_id, version = settings.get("form_id"), settings.get("version")
        return f"{form_id}@{version}" if form_id and version else None
    finally:
        wb.close()
