"""Published quotes as readers see them, in each edition's language.

A quote is the speaker's own words and is never translated; what surrounds it is: the theme's name (the
codebook's label in that language), the speaker's group and prison, how many in the group raised the
theme and who approved the quote. :func:`quotes_editions` returns one
:class:`analysis.editions.Multilingual` (block quotes that wrap, as the build shows printed quotes) for a
chapter to display under a theme.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

__all__ = ["quotes_editions"]

_WORDS = {
    "en": {"theme": "Theme", "raised": "theme raised by {n} in this group", "approved": "approved by {who}, {date}",
           "a prison": "a prison", "fewer": "fewer than {k}",
           "groups": {"detainee": "detainee", "peer_worker": "peer worker", "staff": "staff member"}},
    "nl": {"theme": "Thema", "raised": "thema aangebracht door {n} in deze groep",
           "approved": "goedgekeurd door {who}, {date}", "a prison": "een gevangenis", "fewer": "minder dan {k}",
           "groups": {"detainee": "gedetineerde", "peer_worker": "ervaringsdeskundige", "staff": "personeelslid"}},
    "fr": {"theme": "Thème", "raised": "thème abordé par {n} personnes de ce groupe",
           "approved": "approuvé par {who}, {date}", "a prison": "une prison", "fewer": "moins de {k}",
           "groups": {"detainee": "personne détenue", "peer_worker": "pair-aidant", "staff": "membre du personnel"}},
}
_FEWER = re.compile(r"^fewer than (\d+)$")


def _count(value, language: str) -> str:
    text = str(value)
    m = _FEWER.match(text)
    return _WORDS[language]["fewer"].format(k=m.group(1)) if m else text


def _attribution(q: Mapping, language: str) -> str:
    from analysis.reader import label

    words = _WORDS[language]
    who = words["groups"].get(str(q.get("group")), label(q.get("group"), language))
    site = q.get("site")
    if site:
        who += ", " + (words["a prison"] if site == "a prison" else str(site))
    date = q.get("approved_at")
    date = date.strftime("%Y-%m-%d") if hasattr(date, "strftime") else str(date or "")
    details = [words["raised"].format(n=_count(q.get("mentioned_by"), language))]
    if q.get("approved_by"):
        details.append(words["approved"].format(who=q["approved_by"], date=date))
    return f"{who} ({(' ; ' if language == 'fr' else '; ').join(details)})"  # (French: a space before ';')


def quotes_editions(theme: Mapping[str, str], quotes: Sequence[Mapping]):
    """The quotes of one theme for the three editions.

    ``theme``: the theme's name per language (``{"en": …, "nl": …, "fr": …}``, the codebook's label);
    ``quotes``: mappings with ``text`` (as spoken), ``group`` (``detainee``, ``peer_worker``, ``staff``),
    ``site`` (the prison tag after disclosure control, "a prison" or empty), ``mentioned_by`` (a count or
    "fewer than k"), ``approved_by`` and ``approved_at``.
    """
    from analysis.editions import LANGUAGES, Multilingual

    texts, pages = {}, {}
    for lang in LANGUAGES:
        name = theme.get(lang) or theme.get("en", "")
        head = f"{_WORDS[lang]['theme']}: {name}"
        lines, blocks = [head], []
        for q in quotes:
            spoken, who = str(q["text"]).strip(), _attribution(q, lang)
            lines.append(f"  “{spoken}” — {who}")
            blocks.append(f'<blockquote class="reader-quote"><p>“{html.escape(spoken)}”</p>'
                          f"<footer>— {html.escape(who)}</footer></blockquote>")
        texts[lang] = "\n".join(lines)
        pages[lang] = (f'<div class="reader-text"><p class="reader-label"><strong>{html.escape(_WORDS[lang]["theme"])}:'
                       f"</strong> {html.escape(name)}</p>{''.join(blocks)}</div>")
    missing = [lang for lang in LANGUAGES if not theme.get(lang)]
    return Multilingual(texts, html=pages, untranslated={lang: [f"theme name {theme.get('en')!r}"] for lang in missing})
