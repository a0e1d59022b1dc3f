"""Values in the report's three languages: chapters execute once, the book has three editions.

A chapter's kernel runs once; the build then prepares one copy of every executed notebook per edition
(``en``, ``nl``, ``fr``). An output whose text differs by language carries, beside its English
``text/plain`` (and ``text/html``), the entry :data:`MIME`::

    {"nl": {"text/plain": "2,79", ...}, "fr": {"text/plain": "2,79", ...}}

and the build's Dutch edition replaces the output's data by the ``"nl"`` entry (:func:`select`); glued
values work the same way (myst-nb prefixes their keys with ``application/papermill.record/``).

::

    from myst_nb import glue
    from analysis.editions import number, text
    glue("wb_change", number(2.7912, decimals=1), display=False)     # 2.8 / 2,8 / 2,8
    glue("wb_status", text(en="provisional", nl="voorlopig", fr="provisoire"), display=False)

Numbers are written by Babel's locale data (``en``, ``nl_BE``, ``fr_BE``), never by hand-made rules, so
every edition shows the same number written the way its language writes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MIME", "GLUE_PREFIX", "LANGUAGES", "LOCALES", "Multilingual", "number", "text", "select",
           "is_multilingual", "lacks", "percent_pattern", "untranslated", "UNTRANSLATED", "relocalise", "localise", "interval", "localise_numbers"]

MIME = "application/vnd.peer-eval.editions+json"
GLUE_PREFIX = "application/papermill.record/"
LANGUAGES = ("en", "nl", "fr")
#: Key of the editions entry naming, per missing language, what has no translation.
UNTRANSLATED = "_untranslated"
#: The Babel locale of each edition's language (Belgian Dutch and French).
LOCALES = {"en": "en", "nl": "nl_BE", "fr": "fr_BE"}


class Multilingual:
    """One value written in each edition's language (``texts``; optional ``html`` per language).

    Its mime bundle is the English text (and HTML) plus :data:`MIME` holding the other languages;
    ``str()`` is the English text. A language missing from ``texts`` falls back to English in ``texts``,
    but is left out of the bundle (:attr:`missing`): the build then fails, naming the value (:func:`lacks`).
    A language given with a list of what it ``untranslated`` (a table whose labels are partly English, its
    numbers written in the language) is in the bundle and still counts as missing.
    """

    __slots__ = ("texts", "html", "missing", "untranslated")

    def __init__(self, texts: Mapping[str, str], *, html: Mapping[str, str] | None = None,
                 untranslated: Mapping[str, list[str]] | None = None):
        if "en" not in texts:
            raise ValueError("a multilingual value needs its English text")
        self.missing = tuple(lang for lang in LANGUAGES
                             if texts.get(lang) is None or (html is not None and html.get(lang) is None)
                             or (untranslated or {}).get(lang))
        self.texts = {lang: str(texts.get(lang, texts["en"])) for lang in LANGUAGES}
        self.html = None if html is None else {lang: str(html.get(lang, html["en"])) for lang in LANGUAGES}
        #: for a missing language, what lacks a translation (labels, a caption): named in the build's report
        self.untranslated = {k: list(v) for k, v in (untranslated or {}).items() if k in self.missing}

    def bundle(self, language: str) -> dict[str, str]:
        data = {"text/plain": self.texts[language]}
        if self.html is not None:
            data["text/html"] = self.html[language]
        return data

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = dict(self.bundle("en"))
        # a language given with what it lacks (labels in English, numbers in the language) is still shown
        data[MIME] = {lang: self.bundle(lang) for lang in LANGUAGES
                      if lang != "en" and (lang not in self.missing or self.untranslated.get(lang))}
        if self.untranslated:
            data[MIME][UNTRANSLATED] = self.untranslated
        return data

    def __str__(self) -> str:
        return self.texts["en"]

    def __repr__(self) -> str:
        return f"Multilingual({self.texts!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Multilingual) and other.texts == self.texts and other.html == self.html

    __hash__ = None


def text(en: str, nl: str, fr: str) -> Multilingual:
    """A phrase in the three languages."""
    return Multilingual({"en": en, "nl": nl, "fr": fr})


def number(value, *, decimals: int | None = None, percent: bool = False, signed: bool = False) -> Multilingual:
    """``value`` written by each language's locale (Babel): ``decimals`` fixed decimals (``None``: whole
    numbers as integers, others as given by Babel's default pattern); ``percent`` multiplies by 100 and
    adds the locale's percent sign; ``signed`` writes ``+`` before positive numbers."""
    from babel.numbers import format_decimal, format_percent

    value = float(value) if not isinstance(value, int) else value
    texts = {}
    for lang in LANGUAGES:
        loc = LOCALES[lang]
        if percent:
            out = format_percent(value, format=percent_pattern(loc, "#,##0" + ("." + "0" * decimals if decimals else "")),
                                 locale=loc)
        elif decimals is not None:
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            out = format_decimal(round(float(value), decimals), format=pattern, locale=loc)
        elif isinstance(value, int) or float(value).is_integer():
            out = format_decimal(int(value), format="#,##0", locale=loc)
        else:
            out = format_decimal(value, locale=loc)
        if signed and float(value) > 0:
            out = "+" + out
        texts[lang] = out
    return Multilingual(texts)


def percent_pattern(locale: str, digits: str = "#,##0") -> str:
    """The locale's own percent pattern (``#,##0 %`` in French: a space before the sign) with ``digits``
    in place of its number part."""
    from babel import Locale

    return Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", digits, 1)


_EN_NUMBER = re.compile(r"^((?:[<>≤≥]\s?)?[+\-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$")
# a number with a thousands separator, decimals or a percent sign (a bare whole number is the same in every
# language), not part of a date, a time, a version or an identifier
_EN_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,/:\-−+§])[+\-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+\.\d+%?|\d+%)"
                                r"(?![\w/]|[.,\-:]\d)")


#: The words before a version number ("version 1.0", "versie 1.2"), which is never written as a decimal.
VERSION_BEFORE = re.compile(r"\b(?:[Vv]ersion|[Vv]ersie|v)\.?\s*(?:<[^>]*>\s*)*$")


def relocalise(value, language: str):
    """A number written in English as text (``"1,234.5"``, ``"12.5%"``) written for ``language`` by Babel
    (``"1.234,5"``, ``"12,5%"`` in Dutch, ``"12,5 %"`` in French); anything else unchanged. A number
    without a thousands separator keeps none (a year stays ``2024``)."""
    if language == "en" or not isinstance(value, str):
        return value
    m = _EN_NUMBER.match(value.strip())
    if not m:
        return value
    from babel.numbers import format_decimal, format_percent

    sign, whole, decimals, pct = m.groups()
    x = float(whole.replace(",", "") + ("." + decimals if decimals else ""))
    pattern = ("#,##0" if "," in whole else "0") + ("." + "0" * len(decimals) if decimals else "")
    loc = LOCALES.get(language, language)
    out = (format_percent(x / 100, format=percent_pattern(loc, pattern), locale=loc) if pct
           else format_decimal(x, format=pattern, locale=loc))
    return sign.replace("−", "-") + out


def localise_numbers(text: str, language: str) -> str:
    """``text`` with every number written in English (``2.5``, ``1,234``, ``52.6%``) re-written for
    ``language``; version-like ``1.2.3`` and the words are left as they are."""
    if language == "en":
        return text

    def sub(m: re.Match) -> str:
        if VERSION_BEFORE.search(text, 0, m.start()):  # "version 1.0": a version, not a decimal
            return m.group(0)
        return relocalise(m.group(0), language)

    return _EN_NUMBER_IN_TEXT.sub(sub, text)


def localise(english: str, texts: Mapping[str, str] | None = None) -> Multilingual:
    """A value written in English (``"2.8"``, ``"12.5%"``, ``"1,234"``) in the three editions: every number
    in it re-written by Babel for each language. Words are not translated: for a value that is (or may be)
    a phrase, give the other languages' texts in ``texts`` (their numbers are re-written too)."""
    english = str(english)
    out = {"en": english}
    for lang in LANGUAGES[1:]:
        source = (texts or {}).get(lang, english)
        out[lang] = _EN_NUMBER_IN_TEXT.sub(lambda m, lang=lang: relocalise(m.group(0), lang), source)
    return Multilingual(out)


_TO = {"en": "{lo} to {hi}", "nl": "{lo} tot {hi}", "fr": "{lo} à {hi}"}


def _in(value, lang: str) -> str:
    return value.texts[lang] if isinstance(value, Multilingual) else relocalise(str(value), lang)


def interval(lo, hi) -> Multilingual:
    """An interval "``lo`` to ``hi``" in the three languages (``lo``, ``hi``: :class:`Multilingual` values,
    e.g. ``safe_value(..., editions=True)``, or English number texts)."""
    return Multilingual({lang: _TO[lang].format(lo=_in(lo, lang), hi=_in(hi, lang)) for lang in LANGUAGES})


def is_multilingual(data: Mapping) -> bool:
    """Whether an output's mime bundle carries the other editions' texts."""
    return MIME in data or (GLUE_PREFIX + MIME) in data


def lacks(data: Mapping, language: str) -> bool:
    """Whether the multilingual output ``data`` has no text for ``language`` (English never lacks)."""
    if language == "en":
        return False
    for prefix in ("", GLUE_PREFIX):
        editions = data.get(prefix + MIME)
        if editions is not None and (not editions.get(language) or (editions.get(UNTRANSLATED) or {}).get(language)):
            return True
    return False


def untranslated(data: Mapping, language: str) -> list[str]:
    """What the multilingual output ``data`` names as lacking a ``language`` translation (labels, caption)."""
    for prefix in ("", GLUE_PREFIX):
        editions = data.get(prefix + MIME)
        if editions is not None:
            return list((editions.get(UNTRANSLATED) or {}).get(language) or [])
    return []


def select(data: Mapping, language: str) -> dict:
    """The output's mime bundle ``data`` for the edition ``language``: the editions entry removed and, for
    a language other than English, the English texts replaced by that language's (glue prefixes kept)."""
    out = dict(data)
    for prefix in ("", GLUE_PREFIX):
        editions = out.pop(prefix + MIME, None)
        if editions is None:
            continue
        if language != "en":
            chosen = editions.get(language) or {}
            for mime, value in chosen.items():
                out[prefix + mime] = value
    return out
