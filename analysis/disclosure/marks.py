"""Marks that tell the book's kernel a table may be displayed.

The chapters' kernels refuse to display a bare pandas table of counts (see
``evaluation.build.display_guard``). A frame passes when it carries one of
two marks in :attr:`pandas.DataFrame.attrs` (pandas copies ``attrs`` to
frames derived by slicing, ``head``, ``style`` …, never to new aggregates
such as ``crosstab`` or ``groupby().size()``):

* ``protected`` — set by :class:`~analysis.disclosure.ProtectedTable` on
  every frame it returns (``to_frame``, ``display_frame``, ``to_styler``);
* ``not person-level: <reason>`` — set by :func:`not_person_level` for a
  table that counts no persons (instrument versions, package versions),
  with the reason written in the chapter.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MARK", "mark_protected", "not_person_level", "disclosure_mark"]

#: Key of the mark in ``DataFrame.attrs``.
MARK = "peer_eval.disclosure"


def _frame_of(obj: Any):
    data = getattr(obj, "data", None)  # a pandas Styler holds its frame in .data
    if data is not None and hasattr(data, "attrs") and not hasattr(obj, "attrs"):
        return data
    return obj


def mark_protected(frame):
    """Mark ``frame`` (a DataFrame or Series) as the output of disclosure control; return it."""
    frame.attrs[MARK] = "protected"
    return frame


def not_person_level(obj, *, reason: str):
    """Declare that ``obj`` (DataFrame, Series or Styler) counts no persons; return it unchanged.

    ``reason`` is required and says why (``"versions of the questionnaires"``);
    it is kept with the table so a reviewer can read it.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("not_person_level needs reason='…': say why the table counts no persons, "
                         "e.g. reason='package versions'")
    _frame_of(obj).attrs[MARK] = f"not person-level: {reason.strip()}"
    return obj


def disclosure_mark(obj) -> str | None:
    """The mark of ``obj`` (or of a Styler's frame): ``"protected"``, ``"not person-level: …"`` or ``None``."""
    frame = _frame_of(obj)
    attrs = getattr(frame, "attrs", None)
    return attrs.get(MARK) if isinstance(attrs, dict) else None
