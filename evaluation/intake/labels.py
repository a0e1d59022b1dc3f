"""A file's own value labels and typed-in labels, checked against the instrument's.

A .sav or .dta file carries a label per code. Three cases:

- the labels are the instrument's (in any of its languages, nonresponse
  labels included): nothing to do;
- the labels are the instrument's but on other codes (R's ``as_factor`` then
  ``write_sav`` numbers the answers 1, 2, 3, … in label order, "Weet niet"
  and "Wil niet antwoorden" included): the column is recoded through the
  labels, and a warning names the column and says so;
- a label the instrument does not have for this question: an error naming
  the column and the label. The column is never recoded on a guess.

Stata's tagged missing values (``.a``, ``.b``) arrive as the letters ``"a"``,
``"b"`` with their labels: a label that is one of the instrument's
nonresponse labels becomes that nonresponse code; any other is an error.

Typed-in labels (a coordinator writes "Ja" or "Weet niet" instead of 1 or
-7) are accepted as their code in every language, with one warning per
column saying that labels were converted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.instruments import InstrumentDefinition
from evaluation.instruments.model import Item

__all__ = ["label_codes", "check_value_labels", "typed_labels"]

_NR_PHRASES = ("dont_know", "refused", "not_applicable")


def _phrase(key: str) -> dict[str, str]:
    from evaluation.exports.common import PHRASES

    return PHRASES[key]


def _norm(text) -> str:
    return " ".join(str(text).replace("’", "'").split()).casefold()


def label_codes(defn: InstrumentDefinition, item: Item) -> dict[str, int]:
    """Every label of ``item`` in every language (choices and its nonresponse codes), casefolded -> code."""
    out: dict[str, int] = {}
    if item.type == "multiple_choice":
        for key, code in (("ticked", 1), ("not_ticked", 0)):
            for text in _phrase(key).values():
                out[_norm(text)] = code
        return out
    if item.choices:
        for choice in defn.choices[item.choices]:
            for text in choice.label.values():
                out[_norm(text)] = choice.code
    for kind, code in defn.nonresponse_codes(item).items():
        for text in _phrase(kind).values():
            out[_norm(text)] = code
    return out


def check_value_labels(
    values: pd.Series, labels: dict, defn: InstrumentDefinition, item: Item
) -> tuple[pd.Series, dict | None, dict | None]:
    """Apply the file's ``labels`` (code -> text) of one column to ``values``.

    Returns ``(values, recoded, mismatch)``: ``recoded`` lists
    ``(file code, file label, instrument code)`` where they differ and the
    column uses the code (None when none),
    ``mismatch`` the file's codes whose label the instrument does not have
    (None when all are known); with a mismatch ``values`` are unchanged.
    ``values`` may hold Stata's missing letters (``"a"``) as text.
    """
    ours = label_codes(defn, item)
    recode: dict = {}
    mismatch: dict = {}
    for code, text in labels.items():
        target = ours.get(_norm(text))
        if target is None:
            mismatch[code] = str(text)
        elif _key(code) != float(target):
            recode[_key(code)] = (code, str(text), float(target))
    if mismatch:
        return values, None, mismatch
    if not recode:
        return values, None, None
    used = [v for k, v in recode.items() if _isin(values, k)]
    table = {k: v[2] for k, v in recode.items()}
    mapped = values.map(lambda v: table.get(_key(v), v))
    return mapped, (used or None), None


def _isin(values: pd.Series, key) -> bool:
    if isinstance(key, float):
        arr = values.to_numpy()
        if arr.dtype.kind == "f":
            return bool((arr == key).any())
    return bool(values.map(lambda v: _key(v) == key).any())


def _key(code):
    if isinstance(code, (int, float, np.integer, np.floating)) and not isinstance(code, bool):
        return float(code)
    if isinstance(code, str):
        try:
            return float(code)
        except ValueError:
            return code
    return code


def typed_labels(raw: pd.Series, bad: pd.Series, defn: InstrumentDefinition, item: Item) -> pd.Series:
    """Codes for the cells of ``raw`` flagged ``bad`` (not numbers) whose text is one of ``item``'s labels."""
    lab = label_codes(defn, item)
    text = raw[bad].astype("string").map(lambda v: _norm(v) if isinstance(v, str) else v)
    return text.map(lab).astype(float)
