"""Free-text survey answers: names screened out before storing, and held out of loaders by default.

A respondent may type a name in a comment box ("thanks to Jan Peeters").
Before a submission is stored, every free-text item (type ``text`` with no
role and no identifier: ``comment`` and the like) goes through the
interview de-identification machinery
(:class:`evaluation.qda.names.Deidentifier`), fed here with what looks like
a name rather than with a coordinator's list, which surveys do not have:

- a capitalised word that does not start a sentence, with the capitalised
  words that follow it ("Jan Peeters", "Claes") — Dutch and French
  capitalise names, not nouns;
- a word after a title (mevrouw, meneer, mijnheer, madame, monsieur, mme,
  mr, mrs, ms, dr, directeur, directrice) whatever its case;
- anything shaped like an identifier (two letters and digits, or 11 digits
  with punctuation).

Each becomes ``[name]`` (``[number]`` for identifiers). Over-masking (a
place, a product name) is accepted: free text is never published as it is.
Loaders (:func:`evaluation.store.responses`) leave free-text columns out
unless asked with ``free_text=True``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["screen_text", "screen_frame", "free_text_items", "NAME_LABEL", "NUMBER_LABEL"]

NAME_LABEL = "[name]"
NUMBER_LABEL = "[number]"
_TITLES = r"(?:mevrouw|mevr|meneer|mijnheer|dhr|madame|monsieur|mme|mlle|mr|mrs|ms|dr|directeur|directrice)"
_UPPER = r"[A-ZÀ-ÖØ-ÞŒ]"
_WORD = rf"{_UPPER}[\w'’-]*"
_CAPITALISED = re.compile(rf"(?<![.!?:;\n]\s)(?<!^)(?<![\w]){_WORD}(?:\s+{_WORD})*", re.UNICODE)
_AFTER_TITLE = re.compile(rf"(?i:\b{_TITLES}\.?)\s+([\w'’-]+(?:\s+{_WORD})*)", re.UNICODE)
_IDENTIFIER = re.compile(r"\b[A-Za-z]{1,3}[ -]?\d{3,}\b|\b\d{2}[.\- ]?\d{2}[.\- ]?\d{2}[.\- ]?\d{3}[.\- ]?\d{2}\b")


def screen_text(text):
    """``text`` with what looks like a name or an identifier replaced (None and non-strings unchanged)."""
    if not isinstance(text, str) or not text.strip():
        return text
    found: list[tuple[str, str]] = []
    for m in _IDENTIFIER.finditer(text):
        found.append((m.group(0), NUMBER_LABEL))
    for m in _AFTER_TITLE.finditer(text):
        found.append((m.group(1), NAME_LABEL))
    stripped = text.lstrip()
    start = len(text) - len(stripped)
    for m in _CAPITALISED.finditer(text):
        if m.start() == start:
            continue  # the first word of the answer
        found.append((m.group(0), NAME_LABEL))
    if not found:
        return text
    from evaluation.qda.names import Deidentifier

    return Deidentifier(extra=found).text(text)


def free_text_items(defn) -> list[str]:
    """Columns of ``defn`` holding free text: items of type ``text`` without a role or an identifier."""
    return [i.name for i in defn.items if i.type == "text" and not i.role and not getattr(i, "identifier", None)]


def screen_frame(frame: pd.DataFrame, defn) -> tuple[pd.DataFrame, int]:
    """``frame`` with its free-text columns screened; and how many cells changed.

    Each distinct answer is screened once (``pandas.factorize``): answers such
    as "nee", "/" or "geen" repeat, and a 100,000-row file of one repeated
    answer took 0.5 s screened cell by cell (``benchmarks/intake_bench.py``).
    """
    changed = 0
    cols = [c for c in free_text_items(defn) if c in frame.columns]
    if not cols:
        return frame, 0
    frame = frame.copy(deep=False)
    for col in cols:
        s = frame[col]
        # a pandas string column's own cells (its to_numpy() runs isna over them first: 2.5 ms a column)
        values = np.asarray(s.array, dtype=object) if isinstance(s.dtype, pd.StringDtype) else s.to_numpy(dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
        screened = np.array([screen_text(v) for v in uniques] + [None], dtype=object)
        differs = np.array([isinstance(a, str) and a != b for a, b in zip(uniques, screened)] + [False])
        if not differs.any():
            continue  # the column as it was: missing cells keep their own missing value
        changed += int(np.count_nonzero(differs[codes]))
        new = values.copy()  # (never written into: the frame's own cells)
        take = differs[codes]
        new[take] = screened[codes[take]]
        frame[col] = new
    return frame, changed
