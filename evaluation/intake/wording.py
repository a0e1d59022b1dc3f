"""Questions, skip conditions and codes as the printed questionnaire shows them, in nl/fr/en.

Validation puts these texts into a problem's parameters, one per language
(``{"nl": ..., "fr": ..., "en": ...}``), so that a message says "vraag 11"
and "1 = Ja, 0 = Nee" where the coordinator's paper says so, never an item
name or expression syntax. Question numbers are those of the printable
questionnaire (:func:`evaluation.exports.printable.question_numbers`).
"""

from __future__ import annotations

from evaluation.instruments import InstrumentDefinition
from evaluation.instruments.model import Item

__all__ = ["question_text", "condition_text", "choices_text", "LANGS"]

LANGS = ("nl", "fr", "en")
_QUESTION = {"nl": "vraag {n}", "fr": "question {n}", "en": "question {n}"}


_CACHE: dict[tuple, dict[str, int]] = {}


def _numbers(defn: InstrumentDefinition) -> dict[str, int]:
    from evaluation.exports.printable import question_numbers

    key = (defn.ref, defn.sha256)
    if key not in _CACHE:
        _CACHE[key] = question_numbers(defn)
    return _CACHE[key]


def question_text(defn: InstrumentDefinition, name: str) -> dict[str, str] | None:
    """``{"nl": "vraag 11", ...}`` for a numbered question, else None (the coordinator's columns)."""
    n = _numbers(defn).get(name)
    if n is None:
        return None
    return {lang: _QUESTION[lang].format(n=n) for lang in LANGS}


def condition_text(defn: InstrumentDefinition, source: str) -> dict[str, str]:
    """A skip condition in words per language, questions by number: 'vraag 5 is “Ja”'."""
    from evaluation.exports.wording import describe, question_refs

    numbers = _numbers(defn)
    return {lang: describe(source, defn, lang, question_refs(defn, numbers, lang)) for lang in LANGS}


def choices_text(defn: InstrumentDefinition, item: Item, codes=None) -> dict[str, str]:
    """``{"nl": "1 = Ja, 0 = Nee, -7 = Weet niet", ...}``: the allowed codes with their meaning."""
    from evaluation.exports.common import choice_labels, format_number, nonresponse_labels

    out = {}
    for lang in LANGS:
        if item.type == "multiple_choice":
            from evaluation.exports.common import phrase

            pairs = [(1, phrase("ticked", lang)), (0, phrase("not_ticked", lang))]
        else:
            pairs = list(choice_labels(defn, item, lang).items()) + list(nonresponse_labels(defn, item, lang).items())
        if codes is not None:
            pairs = [(c, t) for c, t in pairs if c in codes]
        out[lang] = ", ".join(f"{format_number(c)} = {t}" for c, t in pairs)
    return out
