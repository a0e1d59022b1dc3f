"""Languages, translated texts and where each translation comes from."""

from __future__ import annotations

from enum import Enum
from typing import Literal

__all__ = ["LANGUAGES", "Lang", "Text", "TranslationSource", "LANGUAGE_NAMES"]

LANGUAGES: tuple[str, ...] = ("nl", "fr", "en")
Lang = Literal["nl", "fr", "en"]

# XLSForm and printable questionnaires name languages like this.
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}

# A text in several languages: {"nl": "...", "fr": "...", "en": "..."}.
Text = dict[Lang, str]


class TranslationSource(str, Enum):
    """Where a text in one language comes from.

    - ``original``: written in this language by the authors (of the project's
      own items, or of a scale in its source language);
    - ``official``: the scale's official, validated translation;
    - ``validated``: a project translation validated by forward/back translation;
    - ``project``: a project translation NOT yet validated; scale texts of this
      kind must be replaced by the official version before fieldwork.
    """

    original = "original"
    official = "official"
    validated = "validated"
    project = "project"

    @property
    def unvalidated(self) -> bool:
        return self is TranslationSource.project
