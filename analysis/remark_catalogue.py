"""The results' remarks in the report's languages: a message catalogue of remark templates.

A result's remarks are written in English by the analysis, with their numbers in them ("3 transcript(s)
coded by another number of coders than 2 were left out."). The catalogue ``analysis/remarks/*.yaml`` (one
file per part of the analysis) holds one entry per remark *template*: the English text with ``{placeholders}`` where the analysis puts a
value, and its Dutch and French translations using the same placeholders::

    - en: "{n} transcript(s) coded by another number of coders than {m} were left out."
      nl: "{n} transcript(s) gecodeerd door een ander aantal codeurs dan {m} werden weggelaten."
      fr: "{n} transcription(s) codée(s) par un autre nombre de codeurs que {m} ont été écartée(s)."

:func:`translate_remark` matches a remark against the templates (a placeholder matches any text; the
template with the most fixed words wins) and writes the translation with the matched values, each
translated through the label catalogue when it is a label (``participant``) and its numbers written the
language's way (Babel). A remark without a matching template has no translation: :func:`remarks_bundle`
then lists it as untranslated, and the book's build fails on it as on an untranslated table label.

Matching the finished English text (rather than changing every result class to carry a message id and
its arguments) keeps the results' ``remarks`` plain strings, as their tests and the R comparisons read
them; the templates are checked against the results in ``tests/analysis/test_remark_catalogue.py``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = ["translate_remark", "remarks_html", "remarks_bundle", "untranslated_remarks", "show_remarks"]

_CATALOGUE = Path(__file__).with_name("remarks")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_AND = {"nl": " en ", "fr": " et "}


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[re.Pattern, dict[str, str]], ...]:
    import yaml

    entries = [e for f in sorted(_CATALOGUE.glob("*.yaml")) for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []]
    out = []
    for entry in entries:
        en = str(entry["en"])
        pattern, pos = "", 0
        for m in _PLACEHOLDER.finditer(en):
            pattern += re.escape(en[pos:m.start()]) + f"(?P<{m.group(1)}>.+?)"
            pos = m.end()
        pattern += re.escape(en[pos:])
        fixed = len(_PLACEHOLDER.sub("", en))
        out.append((fixed, re.compile(pattern, re.DOTALL), {k: str(v) for k, v in entry.items()}))
    out.sort(key=lambda t: -t[0])  # the most specific template first
    return tuple((p, e) for _, p, e in out)


def _value(text: str, language: str) -> str:
    from .editions import localise_numbers
    from .reader import _entry

    entry = _entry(text.strip())
    if entry and entry.get(language):
        return entry[language]
    # a list of names ("age at release, sex and site"): each name that is a label in the language's words
    parts = re.split(r"(, | and )", text)
    if len(parts) > 1:
        words = [(_entry(p.strip()) or {}).get(language) if i % 2 == 0 else None for i, p in enumerate(parts)]
        if any(words):
            joined = "".join(
                (words[i] or localise_numbers(p, language)) if i % 2 == 0 else _AND.get(language, p) if p == " and " else p
                for i, p in enumerate(parts))
            return joined
    return localise_numbers(text, language)


def translate_remark(remark: str, language: str) -> str | None:
    """``remark`` (already prepared for readers: :func:`analysis.reader.reader_text`) in ``language``, or
    ``None`` when no template of the catalogue matches it (English is returned as it is)."""
    remark = str(remark)
    if language == "en":
        return remark
    for pattern, entry in _templates():
        m = pattern.fullmatch(remark)
        if m and entry.get(language):
            values = {k: _value(v, language) for k, v in m.groupdict().items()}
            return _PLACEHOLDER.sub(lambda p: values.get(p.group(1), p.group(0)), entry[language])
    return None


def untranslated_remarks(remarks, language: str) -> list[str]:
    """The remarks a reader of ``language`` would see in English (no template matches them)."""
    from .reader import ANALYST_NOTES, _entry, reader_text

    if language == "en":
        return []
    out = []
    for r in remarks or ():
        if any(p.search(str(r)) for p in ANALYST_NOTES):
            continue
        text = reader_text(r, language)
        if text and not (_entry(text) or {}).get(language) and translate_remark(text, language) is None:
            out.append(f"remark {text!r}")
    return out


def remarks_html(remarks, language: str) -> str:
    """The remarks as a reader's numbered notes in ``language`` (empty when none is for readers)."""
    from .reader import notes_html, reader_remarks

    return notes_html(reader_remarks(remarks, language), "remarks reader-notes")


def remarks_bundle(remarks):
    """The remarks as notes in each edition's language, one :class:`analysis.editions.Multilingual`; a
    language with a remark no template matches keeps it in English and is listed as untranslated."""
    from .editions import LANGUAGES, Multilingual
    from .reader import reader_remarks

    remarks = tuple(remarks or ())
    texts = {lang: "\n".join(f"[{i}] {r}" for i, r in enumerate(reader_remarks(remarks, lang), start=1))
             for lang in LANGUAGES}
    pages = {lang: remarks_html(remarks, lang) for lang in LANGUAGES}
    lacking = {lang: untranslated_remarks(remarks, lang) for lang in LANGUAGES[1:]}
    return Multilingual(texts, html=pages, untranslated={k: v for k, v in lacking.items() if v})


def show_remarks(remarks) -> None:
    """Display ``remarks`` under a table or figure as the reader's notes, in the three editions."""
    from IPython.display import display

    remarks = tuple(remarks or ())
    if remarks_html(remarks, "en"):
        display(remarks_bundle(remarks))
