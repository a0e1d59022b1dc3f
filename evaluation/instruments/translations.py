"""Translation completeness and provenance across every definition.

:func:`translation_report` lists, for each instrument version, every text
missing a language and every text that is a project translation not yet
validated (scale texts of that kind must be replaced by the official
translation before fieldwork).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .loader import Catalogue, InstrumentDefinition

__all__ = ["TranslationIssue", "translation_issues", "translation_report"]


@dataclass(frozen=True)
class TranslationIssue:
    instrument: str  # id@version
    item: str
    language: str
    problem: str  # "missing" | "unvalidated-scale-translation" | "unvalidated-translation"
    scale: str | None = None


def translation_issues(defn: InstrumentDefinition) -> list[TranslationIssue]:
    out: list[TranslationIssue] = []
    for item in defn.items:
        for lang in defn.meta.languages:
            text = (item.label.get(lang) or "").strip()
            if not text:
                out.append(TranslationIssue(defn.ref, item.name, lang, "missing", item.scale))
                continue
            if defn.provenance(item, lang).unvalidated:
                kind = "unvalidated-scale-translation" if item.scale else "unvalidated-translation"
                out.append(TranslationIssue(defn.ref, item.name, lang, kind, item.scale))
    for name in defn.licensed_texts_missing:
        for lang in defn.meta.languages:
            out.append(TranslationIssue(defn.ref, name, lang, "licensed-text-not-supplied",
                                        defn.item(name).scale))
    return out


def translation_report(catalogue: Catalogue) -> pd.DataFrame:
    """Every translation issue of every instrument version, as a table."""
    rows = []
    for iid in catalogue.instrument_ids():
        for v in catalogue.versions(iid):
            rows += [vars(i) for i in translation_issues(catalogue.instrument(iid, v))]
    return pd.DataFrame(rows, columns=["instrument", "item", "language", "problem", "scale"])
