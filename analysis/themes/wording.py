"""The themes chapter's phrases about the group comparison, in the three editions' languages.

Theme names come from the codebook's own translations (``theme_labels``:
``{code: {"en": ..., "nl": ..., "fr": ...}}``), group names from the label
catalogue (``analysis/labels.yaml``, :func:`analysis.reader.label`), and the
few connecting words from :func:`analysis.editions.text`. Each phrase is an
:class:`analysis.editions.Multilingual`, glued once and shown in each edition's
language.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..editions import LANGUAGES, Multilingual, text
from ..reader import label
from .prevalence import GroupComparison

__all__ = ["comparison_phrases"]

_NONE = text(en="none", nl="geen", fr="aucun")
_ASKED = text(en="asked of", nl="gevraagd aan", fr="abordé avec :")
_AND = text(en="and", nl="en", fr="et")
_NO_GROUP = text(en="no group", nl="geen groep", fr="aucun groupe")


def _theme(code, lang: str, theme_labels: Mapping) -> str:
    words = theme_labels.get(code)
    if not words:
        return str(code)
    return str(words.get(lang) or words["en"]).lower()


def _groups(asked_by, lang: str) -> str:
    names = [label(g.strip(), lang) for g in str(asked_by).split(",") if g.strip()] if asked_by else []
    return f" {_AND.texts[lang]} ".join(names) or _NO_GROUP.texts[lang]


def comparison_phrases(comparison: GroupComparison, top_theme, *, theme_labels: Mapping) -> dict[str, Multilingual]:
    """``top_theme``, ``compared_themes`` and ``targeted_themes`` as phrases in every language.

    Parameters
    ----------
    comparison : GroupComparison
        From :func:`analysis.themes.compare_groups`.
    top_theme : str or None
        The theme to name as most raised (``comparison.most_raised(group)``).
    theme_labels : mapping
        ``{theme code: {language: label}}`` from the codebook.
    """
    table = comparison.to_frame()
    compared = list(table.loc[table["comparable"], "theme"])
    targeted = list(table.loc[~table["comparable"]].itertuples())

    def each(make) -> Multilingual:
        return Multilingual({lang: make(lang) for lang in LANGUAGES})

    return {
        "top_theme": each(lambda lang: _theme(top_theme, lang, theme_labels) if top_theme else _NONE.texts[lang]),
        "compared_themes": each(lambda lang: ", ".join(_theme(t, lang, theme_labels) for t in compared)
                                or _NONE.texts[lang]),
        "targeted_themes": each(lambda lang: "; ".join(
            f"{_theme(r.theme, lang, theme_labels)} ({_ASKED.texts[lang]} {_groups(r.asked_by, lang)})"
            for r in targeted) or _NONE.texts[lang]),
    }
