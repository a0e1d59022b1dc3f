"""Printable questionnaire (self-contained HTML, one language).

Title, introduction, a box for the coordinator's fields (the items with a role:
person identifier, site, wave, date), then the questions numbered, each answer
option a box with its code in small print (what is typed into the data file),
skip instructions in words ("Answer only if question 5 is “Yes”."), scales as
a grid under their title and instruction with their copyright line (and
"wording altered" when so), a visible notice when the version contains
unvalidated translations or placeholder texts of a licensed scale, and
``peer-eval:<id>@<version>`` in the footer. Inline CSS only, no external
resources; print-friendly (A4, no question split across pages).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from evaluation.instruments import LANGUAGE_NAMES, InstrumentDefinition, Item, parse

from .common import (
    atomic_path,
    check_lang,
    choice_labels,
    embed_ref,
    nonresponse_labels,
    range_text,
    scale_notes,
    template_notices,
    text_in,
)
from .wording import question_refs, skip_instruction

__all__ = ["render_html", "write_html", "question_numbers"]

_UI = {
    "coordinator": {"nl": "In te vullen door de coördinator", "fr": "À remplir par le coordinateur",
                    "en": "To be filled in by the coordinator"},
    "tick_one": {"nl": "Kruis één antwoord aan.", "fr": "Cochez une seule réponse.", "en": "Tick one answer."},
    "tick_all": {"nl": "Kruis alles aan wat van toepassing is.", "fr": "Cochez tout ce qui s'applique.",
                 "en": "Tick all that apply."},
    "number": {"nl": "Schrijf een getal.", "fr": "Écrivez un nombre.", "en": "Write a number."},
    "date": {"nl": "Datum (dd/mm/jjjj)", "fr": "Date (jj/mm/aaaa)", "en": "Date (dd/mm/yyyy)"},
    "required": {"nl": "verplicht", "fr": "obligatoire", "en": "required"},
    "page_of": {"nl": "Vragenlijst", "fr": "Questionnaire", "en": "Questionnaire"},
}

_CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #000; background: #fff; max-width: 48em; margin: 0 auto; padding: 1em; }
h1 { font-size: 18pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em; border-bottom: 1px solid #000; }
.ref { font-family: monospace; color: #333; margin: 0 0 1em; }
.notice { border: 2px solid #000; background: #f2f2f2; padding: .5em .8em; margin: .8em 0; font-weight: bold; }
.intro { margin: .8em 0 1.2em; }
.admin { border: 1px solid #000; padding: .5em .8em; margin-bottom: 1em; }
.admin table { width: 100%; border-collapse: collapse; }
.admin td { padding: .3em .2em; vertical-align: bottom; }
.line { display: inline-block; min-width: 14em; border-bottom: 1px solid #000; height: 1.3em; }
ol.questions { padding-left: 0; list-style: none; }
.q { break-inside: avoid; page-break-inside: avoid; margin: 0 0 1em; }
.q .label { font-weight: bold; }
.num { display: inline-block; min-width: 2.2em; font-weight: bold; }
.skip { font-style: italic; margin: .1em 0 .2em 2.2em; }
.hint, .how { color: #333; font-size: 9.5pt; margin: .1em 0 .2em 2.2em; }
ul.options { list-style: none; margin: .2em 0 0 2.2em; padding: 0; }
ul.options li { margin: .15em 0; }
.box { display: inline-block; width: .95em; height: .95em; border: 1.5px solid #000; vertical-align: -.1em;
       margin-right: .45em; }
.code { color: #555; font-size: 8.5pt; margin-left: .3em; }
.nr { margin-top: .35em; }
.answer { margin: .3em 0 0 2.2em; }
.digits { display: inline-block; min-width: 8em; height: 1.6em; border: 1.5px solid #000; }
.textarea { display: block; height: 5em; border: 1px solid #000; }
.scale { break-inside: avoid; page-break-inside: avoid; margin: 1em 0 1.4em; }
.scale table { width: 100%; border-collapse: collapse; font-size: 10pt; }
.scale th, .scale td { border: 1px solid #000; padding: .25em; text-align: center; vertical-align: middle; }
.scale td.item { text-align: left; }
.scale th { font-weight: normal; font-size: 8.5pt; }
.copyright { font-size: 8.5pt; color: #333; margin-top: .3em; }
.altered { font-size: 9pt; font-weight: bold; }
footer { border-top: 1px solid #000; margin-top: 2em; padding-top: .4em; font-size: 8.5pt; color: #333; }
@media print { body { max-width: none; padding: 0; } .notice { background: none; } }
"""


def _ui(key: str, lang: str) -> str:
    return text_in(_UI[key], lang)


def question_numbers(definition: InstrumentDefinition) -> dict[str, int]:
    """Item name -> question number (items with a role are the coordinator's, unnumbered)."""
    numbers: dict[str, int] = {}
    for item in definition.items:
        if item.role is None:
            numbers[item.name] = len(numbers) + 1
    return numbers


def _options(labels: dict[int, str], nr: dict[int, str]) -> str:
    lis = [f'<li><span class="box"></span>{escape(v)}<span class="code">({k})</span></li>' for k, v in labels.items()]
    lis += [f'<li class="nr"><span class="box"></span>{escape(v)}<span class="code">({k})</span></li>'
            for k, v in nr.items()]
    return '<ul class="options">' + "".join(lis) + "</ul>"


def _answer(definition: InstrumentDefinition, item: Item, lang: str) -> str:
    nr = nonresponse_labels(definition, item, lang)
    if item.type == "single_choice":
        return f'<p class="how">{_ui("tick_one", lang)}</p>' + _options(choice_labels(definition, item, lang), nr)
    if item.type == "multiple_choice":
        return f'<p class="how">{_ui("tick_all", lang)}</p>' + _options(choice_labels(definition, item, lang), {})
    if item.type in ("integer", "number"):
        rng = range_text(item, lang)
        how = _ui("number", lang) + (f" ({escape(rng)})" if rng else "")
        return (f'<p class="how">{how}</p><div class="answer"><span class="digits"></span></div>'
                + (_options({}, nr) if nr else ""))
    if item.type == "date":
        return (f'<p class="how">{_ui("date", lang)}</p>'
                '<div class="answer">__ __ / __ __ / __ __ __ __</div>' + (_options({}, nr) if nr else ""))
    if item.free_text:
        return '<div class="answer"><span class="textarea"></span></div>'
    return '<div class="answer"><span class="line"></span></div>'


def _skip(definition, item, lang, numbers) -> str:
    if not item.relevant:
        return ""
    ref = question_refs(definition, numbers, lang)
    return f'<p class="skip">→ {escape(skip_instruction(parse(item.relevant), definition, lang, ref))}</p>'


def _question(definition, item: Item, lang: str, numbers: dict[str, int]) -> str:
    hint = f'<p class="hint">{escape(text_in(item.hint, lang))}</p>' if item.hint else ""
    return (
        f'<li class="q" id="q-{item.name}"><span class="num">{numbers[item.name]}.</span>'
        f'<span class="label">{escape(text_in(item.label, lang))}</span>'
        f"{_skip(definition, item, lang, numbers)}{hint}{_answer(definition, item, lang)}</li>"
    )


def _scale_block(definition, scale_id: str, items: list[Item], lang: str, numbers) -> str:
    scale = definition.scales[scale_id]
    notes = scale_notes(definition, scale_id, lang)
    head = f"<h2>{escape(notes[0])}</h2>"
    if scale.altered:
        head += f'<p class="altered">{escape(notes[-1])}</p>'
    if scale.instruction:
        head += f"<p>{escape(text_in(scale.instruction, lang))}</p>"
    relevants = {i.relevant for i in items}
    if len(relevants) == 1 and items[0].relevant:
        head += _skip(definition, items[0], lang, numbers)
    labels = choice_labels(definition, items[0], lang)
    nr = {}
    for i in items:
        nr.update(nonresponse_labels(definition, i, lang))
    cols = list(labels.items()) + list(nr.items())
    header = "<tr><th></th>" + "".join(
        f'<th>{escape(v)}<br><span class="code">({k})</span></th>' for k, v in cols) + "</tr>"
    body = []
    for i in items:
        allowed = set(choice_labels(definition, i, lang)) | set(nonresponse_labels(definition, i, lang))
        cells = "".join('<td><span class="box"></span></td>' if k in allowed else "<td></td>" for k, _ in cols)
        skip = _skip(definition, i, lang, numbers) if len(relevants) > 1 else ""
        body.append(f'<tr id="q-{i.name}"><td class="item"><span class="num">{numbers[i.name]}.</span>'
                    f"{escape(text_in(i.label, lang))}{skip}</td>{cells}</tr>")
    copyright = f'<p class="copyright">{escape(scale.copyright)}</p>' if scale.copyright else ""
    return (f'<li class="scale" id="scale-{scale_id}">{head}<table>{header}{"".join(body)}</table>'
            f"{copyright}</li>")


def render_html(definition: InstrumentDefinition, lang: str) -> str:
    """The printable questionnaire of ``definition`` in ``lang`` as one HTML document."""
    check_lang(definition, lang)
    numbers = question_numbers(definition)
    title = escape(text_in(definition.meta.title, lang))
    notices = template_notices(definition, lang)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="generator" content="peer-eval">\n<meta name="peer-eval-instrument" content="{definition.ref}">\n'
        f"<title>{title} ({definition.ref})</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f'<header><h1>{title}</h1><p class="ref">{definition.ref} · {LANGUAGE_NAMES[lang]}</p></header>\n',
    ]
    for notice in notices[1:]:
        parts.append(f'<div class="notice" role="note">{escape(notice)}</div>\n')
    parts.append(f'<section class="intro"><p>{escape(text_in(definition.meta.introduction, lang))}</p></section>\n')

    admin = [i for i in definition.items if i.role is not None]
    if admin:
        rows = []
        for i in admin:
            if i.type == "date":
                field = "__ __ / __ __ / __ __ __ __"
            elif i.role == "wave":
                field = " ".join(f'<span class="box"></span>{escape(text_in(w.label, lang))}'
                                 f'<span class="code">({w.code})</span>&nbsp;&nbsp;' for w in definition.meta.waves)
            else:
                field = '<span class="line"></span>'
            rows.append(f"<tr><td>{escape(text_in(i.label, lang))}</td><td>{field}</td></tr>")
        parts.append(f'<section class="admin"><h2>{_ui("coordinator", lang)}</h2><table>{"".join(rows)}</table></section>\n')

    parts.append('<ol class="questions">\n')
    questions = [i for i in definition.items if i.role is None]
    k = 0
    while k < len(questions):
        item = questions[k]
        if item.scale:
            group = [item]
            while k + 1 < len(questions) and questions[k + 1].scale == item.scale:
                k += 1
                group.append(questions[k])
            parts.append(_scale_block(definition, item.scale, group, lang, numbers) + "\n")
        else:
            parts.append(_question(definition, item, lang, numbers) + "\n")
        k += 1
    parts.append("</ol>\n")
    parts.append(f'<footer><p>{escape(embed_ref(definition))} · {lang}</p>'
                 + "".join(f"<p>{escape(n)}</p>" for n in notices) + "</footer>\n</body>\n</html>\n")
    return "".join(parts)


def write_html(definition: InstrumentDefinition, lang: str, out_path: Path | str) -> Path:
    """Write the printable questionnaire to ``out_path`` (atomically)."""
    out_path = Path(out_path)
    html = render_html(definition, lang)
    with atomic_path(out_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out_path
