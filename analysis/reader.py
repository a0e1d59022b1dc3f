"""What a reader of the report sees of a result: labels in words, numbers as people write them.

The result objects' frames keep the names code needs (``hr_lower``,
``p_val``, ``n_pairs``); their reader display (``Result._repr_html_`` and
``ProtectedTable.to_styler``) goes through this module:

* :func:`label` — a column or index name in words, from the label catalogue
  (``analysis/labels.yaml``: one entry per name the results use, per
  language); an unknown ``snake_case`` name is spelled out (``mean_dose`` ->
  "mean dose"); ``"WHO-5 change: n_pairs"`` -> "WHO-5 change: pairs".
* :func:`format_p`, :func:`format_number` — p-values as "< 0.001", never
  "0.000"; numbers as each language writes them (Babel's locale data for
  en, nl-BE and fr-BE: decimal comma in Dutch and French).
* :func:`reader_frame` — a copy of a frame as strings: labels on both axes,
  p-values formatted, counts as whole numbers, other numbers to 3
  significant digits.
* :func:`reader_html` — the frame as an HTML table with a visible
  ``<caption>`` (the title) and the remarks under it as numbered notes.
* :func:`reader_remarks` — the remarks without the notes meant for the
  analyst (a remark telling to protect the table, "To be confirmed: …") and
  without code hints such as "(use cumulative_incidence)".
"""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["LOCALES", "reader_bundle", "untranslated_labels", "reader_remarks", "reader_text", "label", "format_p", "format_number", "is_p_column", "is_count_column", "reader_frame",
           "reader_html", "LANGUAGES", "looks_like_identifier"]

LANGUAGES = ("en", "nl", "fr")
_CATALOGUE = Path(__file__).with_name("labels.yaml")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_IDENTIFIER_IN_TEXT = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/(-])(?!\.\w)")
_TERM = re.compile(r"^([a-z][a-z0-9_]*)\[(?:T\.)?(.+)\]$")
_P_NAMES = re.compile(r"^(p|p_val|p_value|pval|p-value|p value|p_adj|p_adjusted|p_holm|p_bh|q_value|p \(.+\))$",
                      re.IGNORECASE)  # "p (Welch t)": a p-value named with its test
_COUNT_NAMES = re.compile(
    r"^(n|n_.*|.*_n|count|counts|events|at_risk|n_at_risk|observed|reoffended|people|persons|episodes|"
    r"participants|eligible|excluded|n_persons|n_pairs|n_units|n_coders|n_participants|n_interviewed|"
    r"responses|submissions)$", re.IGNORECASE)


#: Remarks meant for the analyst, never for a reader: left out of a reader's page.
ANALYST_NOTES = (
    re.compile(r"pass (?:the|this) table through disclosure control", re.IGNORECASE),
    re.compile(r"^\s*to be confirmed\b", re.IGNORECASE),
)
#: Code hints inside a remark, removed for readers: "(use cumulative_incidence)", "(pass x=True to …)".
_CODE_HINT = re.compile(r"\s*\((?:use|pass|call|see)\s+`?[A-Za-z_][\w.]*(?:\(\))?`?(?:=\w+)?[^()]*\)")
#: An analyst's "(To be confirmed: …)" inside a remark (the source of a value still to be checked): not for readers.
_TO_CONFIRM = re.compile(r"\s*\(\s*to be confirmed\b[^()]*(?:\([^()]*\)[^()]*)*\)", re.IGNORECASE)


def reader_text(remark: str, language: str = "en") -> str:
    """One remark for a reader: code hints removed, code names (``age_at_release``) in words."""
    text = _TO_CONFIRM.sub("", _CODE_HINT.sub("", str(remark))).strip()
    return _IDENTIFIER_IN_TEXT.sub(lambda m: label(m.group(0), language), text)


def reader_remarks(remarks, language: str = "en") -> tuple[str, ...]:
    """``remarks`` for a reader: analyst notes left out, code hints removed (a remark is translated through
    the label catalogue when it has an entry; else it stays as written)."""
    out = []
    for r in remarks or ():
        if any(p.search(str(r)) for p in ANALYST_NOTES):
            continue
        text = reader_text(r, language)
        if text:
            entry = _entry(text)
            if entry and entry.get(language):
                out.append(entry[language])
                continue
            from .remark_catalogue import translate_remark

            translated = translate_remark(text, language)
            if translated is None:  # no translation (listed by the build): English, numbers the language's way
                from .editions import localise_numbers

                translated = localise_numbers(text, language)
            out.append(translated)
    return tuple(out)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    import yaml

    data = yaml.safe_load(_CATALOGUE.read_text(encoding="utf-8")) or {}
    return {str(k): {lang: str(v) for lang, v in (entry or {}).items()} for k, entry in data.items()}


@lru_cache(maxsize=1)
def _by_english() -> dict[str, dict[str, str]]:
    """The catalogue's entries by their English words too (a frame whose columns are already labelled)."""
    out: dict[str, dict[str, str]] = {}
    for entry in _catalogue().values():
        out.setdefault(entry.get("en", ""), entry)
    return out


def _entry(text: str) -> dict[str, str] | None:
    return _catalogue().get(text) or _by_english().get(text)


def looks_like_identifier(text: str) -> bool:
    """``True`` for a code name such as ``hr_lower`` or ``service_delivery`` (lower case with ``_``)."""
    return bool(_IDENTIFIER.match(str(text)))


def _colon(language: str) -> str:
    """The colon of a composite label ("prison: P02"): French puts a (no-break) space before it."""
    return "\u00a0: " if language == "fr" else ": "


def label(name, language: str = "en") -> str:
    """``name`` (a column, index or level name) in words for a reader (see the module docstring)."""
    if name is None:
        return ""
    if isinstance(name, tuple):
        return " / ".join(label(n, language) for n in name if str(n) != "")
    text = str(name)
    entry = _entry(text)
    if entry:
        return entry.get(language) or entry.get("en") or text
    term = _TERM.match(text)
    if term:  # a model term with its level: "primary_substance[cocaine or crack]"
        whole = _entry(f"{label(term.group(1))}: {term.group(2)}")  # "main substance: cocaine or crack"
        if whole and whole.get(language):
            return whole[language]
        return f"{label(term.group(1), language)}{_colon(language)}{label(term.group(2), language)}"
    if ": " in text:  # a joint display's "block: column"
        block, _, column = text.partition(": ")
        return f"{label(block, language)}{_colon(language)}{label(column, language)}"
    if looks_like_identifier(text):  # spelled out, and translated when the catalogue has the words
        spelled = text.replace("_", " ")
        entry = _entry(spelled)
        return (entry.get(language) or spelled) if entry else spelled
    return text


def is_p_column(name) -> bool:
    last = name[-1] if isinstance(name, tuple) else name
    return bool(_P_NAMES.match(str(last)))


def is_count_column(name) -> bool:
    last = name[-1] if isinstance(name, tuple) else name
    return bool(_COUNT_NAMES.match(str(last)))


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, (float, np.floating)) and math.isnan(x))


#: The Babel locale of each edition's language (Belgian Dutch and French).
LOCALES = {"en": "en", "nl": "nl_BE", "fr": "fr_BE"}


def _locale(language: str) -> str:
    return LOCALES.get(language, language)


def format_p(p, *, digits: int = 3, language: str = "en") -> str:
    """A p-value for a reader: ``"< 0.001"`` below 0.001 (``"< 0,001"`` in nl/fr), else ``digits`` decimals."""
    from babel.numbers import format_decimal

    if _missing(p) or isinstance(p, str):
        return "" if _missing(p) else p
    p = float(p)
    floor = 10 ** -digits
    pattern = "0." + "0" * digits
    if p < floor:
        return "< " + format_decimal(floor, format=pattern, locale=_locale(language))
    return format_decimal(round(p, digits), format=pattern, locale=_locale(language))


#: A true/false value in words, per language (never "True"/"False" on a reader's page).
YES_NO = {"en": ("no", "yes"), "nl": ("nee", "ja"), "fr": ("non", "oui")}


def format_number(x, language: str = "en") -> str:
    """A number for a reader, as the language writes it (Babel): whole numbers without decimals, others to
    3 significant digits (``0.613`` in English, ``0,613`` in Dutch and French; ``24,630`` / ``24.630`` /
    ``24 630``)."""
    from babel.numbers import format_decimal

    loc = _locale(language)
    if _missing(x):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return YES_NO.get(language, YES_NO["en"])[bool(x)]
    if isinstance(x, (int, np.integer)):
        return format_decimal(int(x), format="#,##0", locale=loc)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        if x.is_integer() and abs(x) < 1e15:
            return format_number(int(x), language)
        if abs(x) >= 1000:
            return format_number(int(round(x)), language)
        if abs(x) < 0.001:
            return format_decimal(x, format="0.0#E0", locale=loc)
        rounded = float(f"{x:.3g}")
        decimals = max(0, 2 - math.floor(math.log10(abs(rounded))))
        return format_decimal(rounded, format="#,##0." + "#" * decimals if decimals else "#,##0", locale=loc)
    return str(x)


def _format_column(values: pd.Series, name, language: str = "en") -> list[str]:
    if is_p_column(name):
        return [format_p(v, language=language) for v in values]
    if is_count_column(name):
        return [format_number(int(round(float(v))), language) if not _missing(v) and not isinstance(v, str) else
                ("" if _missing(v) else str(v)) for v in values]
    return [v if isinstance(v, str) else format_number(v, language) for v in values]


def _index_value(v, language: str):
    """A row or column label for a reader: words through the catalogue; a decimal number (a δ of -7.5)
    written the language's way outside English."""
    if isinstance(v, str):
        if language != "en" and v[:1] in "+-−":  # a signed number written as text ("+2.5") too (not "1.1": a version?)
            from .editions import relocalise

            return relocalise(label(v, language), language)
        return label(v, language)
    if language != "en" and isinstance(v, (float, np.floating)) and not _missing(v):
        return format_number(v, language)
    return v


def _relabel_index(index: pd.Index, language: str) -> pd.Index:
    names = [label(n, language) if n is not None else None for n in index.names]
    if isinstance(index, pd.MultiIndex):
        tuples = [tuple(_index_value(v, language) for v in t) for t in index]
        return pd.MultiIndex.from_tuples(tuples, names=names)
    values = [_index_value(v, language) for v in index]
    return pd.Index(values, name=names[0])


def reader_frame(frame: pd.DataFrame | pd.Series, language: str = "en") -> pd.DataFrame:
    """A copy of ``frame`` as strings for a reader (see the module docstring); ``attrs`` are kept."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    out = pd.DataFrame({i: _format_column(frame.iloc[:, i], frame.columns[i], language)
                        for i in range(frame.shape[1])},
                       index=frame.index)
    out.columns = _relabel_index(frame.columns, language)
    out.index = _relabel_index(frame.index, language)
    out.attrs = dict(frame.attrs)
    return out


def reader_html(frame: pd.DataFrame, *, title: str | None = None, remarks=(), language: str = "en",
                css_class: str = "reader-table") -> str:
    """``frame`` as an HTML table with ``title`` as its visible caption and ``remarks`` as notes under it."""
    shown = reader_frame(frame, language)
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        # the row labels become the first column(s): one header row, no empty header cell
        shown.index = shown.index.set_names([n if n else " " * (i + 1) for i, n in enumerate(shown.index.names)])
        shown = shown.reset_index()
    body = shown.to_html(border=0, index=False, classes=[css_class], na_rep="")
    # an unnamed row index leaves a blank header cell: name it for screen readers only
    body = re.sub(r"<th>\s*</th>", '<th><span class="visually-hidden">row</span></th>', body)
    if title:
        title = label(title, language)
        body = re.sub(r"(<table[^>]*>)", lambda m: f"{m.group(1)}\n  <caption>{html.escape(title)}</caption>",
                      body, count=1)
    return f"<div>{body}{notes_html(reader_remarks(remarks, language))}</div>"


def notes_html(notes, css_class: str = "remarks") -> str:
    """Remarks already prepared for readers as a numbered list of notes (empty when there are none)."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(str(r))}</li>" for r in notes)
    return f'<ol class="{css_class}">{items}</ol>'


def complete_label(name, language: str) -> str | None:
    """``name`` in words for ``language`` (:func:`label`) when every part of it that has words is translated
    (a model term's level, both sides of "block: column"); ``None`` when a part would stay English."""
    text = str(name)
    if language == "en" or not _needs_words(text):
        return label(text, language)
    entry = _entry(text) or (_entry(text.replace("_", " ")) if looks_like_identifier(text) else None)
    if entry:
        return entry.get(language) or None
    term = _TERM.match(text)
    if term:
        whole = _entry(f"{label(term.group(1))}: {term.group(2)}")
        if whole:
            return whole.get(language) or None
        head, level = complete_label(term.group(1), language), complete_label(term.group(2), language)
        return None if head is None or level is None else f"{head}{_colon(language)}{level}"
    if ": " in text:
        block, _, column = text.partition(": ")
        a, b = complete_label(block, language), complete_label(column, language)
        return None if a is None or b is None else f"{a}{_colon(language)}{b}"
    return None


def _needs_words(name) -> bool:
    """Whether a label must come from the catalogue to be right in another language (words, not a symbol
    or a number such as ``"95%"``, ``"P01"``, ``2024``)."""
    if name is None or not isinstance(name, str):
        return False
    text = name.strip()
    return bool(text) and bool(re.search(r"[A-Za-z]{3,}", text)) and not re.fullmatch(r"[A-Z]{1,4}\d*(-\d+)?", text)


def untranslated_labels(frame: pd.DataFrame | pd.Series, title: str | None, language: str) -> list[str]:
    """The caption and column/index labels of ``frame`` with no ``language`` entry in the label catalogue
    (what a reader of that edition would see in English)."""
    if language == "en":
        return []
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    names = [title] if title else []
    for index in (frame.columns, frame.index):
        names += [n for n in index.names if n is not None]
        if index is frame.columns or not isinstance(index, pd.RangeIndex):
            for v in index:
                names += list(v) if isinstance(v, tuple) else [v]
    missing = []
    for name in names:
        if not _needs_words(name) or name in missing:
            continue
        if complete_label(name, language) is None:  # ("prison: P02" needs no words for its code)
            missing.append(str(name))
    return missing


def reader_bundle(frame: pd.DataFrame | pd.Series, *, title: str | None = None, remarks=()):
    """The reader's table (:func:`reader_html`) in each edition's language, as one
    :class:`analysis.editions.Multilingual`; a language for which the caption or a label has no catalogue
    entry keeps those in English and is listed as untranslated (the book's build then fails, naming it)."""
    from .editions import LANGUAGES as EDITIONS
    from .editions import Multilingual
    from .remark_catalogue import untranslated_remarks

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    pages, texts, lacking = {}, {}, {}
    for lang in EDITIONS:  # (a language lacking labels still gets its numbers: it is listed as untranslated)
        lacking[lang] = untranslated_labels(frame, title, lang) + untranslated_remarks(remarks, lang)
        pages[lang] = reader_html(frame, title=title, remarks=remarks, language=lang)
        texts[lang] = label(title, lang) if title else ""
    return Multilingual(texts, html=pages, untranslated=lacking)