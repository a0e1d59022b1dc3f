"""Replacing participants' names in interview text by role labels.

The coordinator supplies a names list (CSV, UTF-8, header row)::

    name,label,participant,role
    Jan Peeters,[peer worker],PW-03,peer_worker
    Jan,[peer worker],,
    Mevrouw Claes,[director],,

``name`` is the name as it may appear in the text (list each form: full
name, first name, nickname), ``label`` what replaces it. ``participant``
(optional) is the study identifier of an interviewee (prison number for a
detainee, study code for peer workers and staff) and ``role`` their
respondent group: together they form the roster of interviewees against which
coded files are checked. Headers may be in Dutch or French too (``naam``,
``nom``, ``label``/``etiket``/``étiquette``, ``deelnemer``, ``rol``, ``rôle``).

Replacement is case-insensitive, whole words only, longest names first, on
Unicode NFC text. :meth:`Deidentifier.apply` returns the new text and the list
of replacements, so offsets into the original transcript can be carried onto
the de-identified text (:meth:`Redaction.map_span`). Nothing here ever echoes a
name in an error: problems name the row only.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.intake.problems import Problem

__all__ = ["NameEntry", "NamesList", "Deidentifier", "Redaction", "read_names", "NAME_HEADERS"]

#: accepted headers of the names list -> field
NAME_HEADERS = {
    "name": "name", "naam": "name", "nom": "name",
    "label": "label", "etiket": "label", "étiquette": "label", "etiquette": "label", "role label": "label",
    "participant": "participant", "deelnemer": "participant", "participant_id": "participant",
    "role": "role", "rol": "role", "rôle": "role", "group": "role", "respondent_group": "role",
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class NameEntry:
    name: str
    label: str
    participant: str | None = None
    role: str | None = None


@dataclass
class NamesList:
    """The coordinator's list of names and the labels that replace them."""

    entries: list[NameEntry] = field(default_factory=list)

    @property
    def roster(self) -> dict[str, str | None]:
        """``{participant identifier: role}`` of the interviewees the list names."""
        return {e.participant: e.role for e in self.entries if e.participant}

    def label_for(self, participant: str) -> str | None:
        for e in self.entries:
            if e.participant and e.participant == participant and e.label:
                return e.label
        return None


def read_names(path: Path | str) -> tuple[NamesList, list[Problem]]:
    """Read a names list; problems (``names-list-invalid``) name the row, never the name."""
    path = Path(path)
    problems: list[Problem] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        detail = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else type(exc).__name__
        return NamesList(), [Problem("names-list-invalid", params={"detail": detail})]
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        return NamesList(), [Problem("names-list-invalid", params={"detail": "empty"})]
    header = [NAME_HEADERS.get(" ".join(h.split()).casefold()) for h in rows[0]]
    if "name" not in header or "label" not in header:
        return NamesList(), [Problem("names-list-invalid", row=1, params={"detail": "columns name and label"})]
    out = NamesList()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rec = {f: (row[i].strip() if i < len(row) else "") for i, f in enumerate(header) if f}
        if not (rec.get("name") and rec.get("label")) and not rec.get("participant"):
            problems.append(Problem("names-list-invalid", row=n, params={"detail": f"row {n}: name and label"}))
            continue
        out.entries.append(NameEntry(_nfc(rec.get("name") or ""), _nfc(rec.get("label") or ""),
                                     rec.get("participant") or None, rec.get("role") or None))
    return out, problems


@dataclass(frozen=True)
class Redaction:
    """A de-identified text and where it differs from the original.

    ``replacements`` are ``(orig_start, orig_end, new_start, new_end)`` in
    code points, sorted; they hold positions only, never the replaced text.
    """

    text: str
    replacements: tuple[tuple[int, int, int, int], ...] = ()

    def map_offset(self, pos: int, *, side: str = "start") -> int:
        """An offset into the original text as an offset into :attr:`text`.

        A position inside a replaced name moves to the start (``side="start"``)
        or end (``side="end"``) of its replacement, so a span never cuts a label.
        """
        starts = [r[0] for r in self.replacements]
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return pos
        o_s, o_e, n_s, n_e = self.replacements[i]
        if pos >= o_e:
            return n_e + (pos - o_e)
        if pos == o_s:
            return n_s
        return n_s if side == "start" else n_e

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """``(start, end)`` in the original text -> the same span in :attr:`text`."""
        s = self.map_offset(start, side="start")
        e = self.map_offset(end, side="end") if end > start else s
        # an end exactly at a replacement's start belongs before it
        return s, max(s, e)


class Deidentifier:
    """Replace names (and extra strings such as prison numbers) by labels."""

    def __init__(self, names: NamesList | None = None, extra: list[tuple[str, str]] | None = None):
        pairs = [(e.name, e.label) for e in (names.entries if names else [])] + list(extra or [])
        pairs = [(_nfc(n).strip(), lab) for n, lab in pairs if n and n.strip()]
        # a transcript in decomposed Unicode (NFD) still matches: its offsets must not change
        pairs += [(unicodedata.normalize("NFD", n), lab) for n, lab in pairs
                  if unicodedata.normalize("NFD", n) != n]
        pairs.sort(key=lambda p: -len(p[0]))
        self._labels = {}
        for n, lab in pairs:
            self._labels.setdefault(n.casefold(), lab)
        if pairs:
            alternatives = "|".join(re.escape(n) for n, _ in pairs)
            self._re = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        else:
            self._re = None

    def apply(self, text: str) -> Redaction:
        """The text with every listed name replaced, and where."""
        if self._re is None or not text:
            return Redaction(text)
        out: list[str] = []
        reps: list[tuple[int, int, int, int]] = []
        last = 0
        new_len = 0
        for m in self._re.finditer(text):
            label = self._labels.get(m.group(0).casefold()) or self._labels.get(_nfc(m.group(0)).casefold(), "[…]")
            out.append(text[last:m.start()])
            new_len += m.start() - last
            reps.append((m.start(), m.end(), new_len, new_len + len(label)))
            out.append(label)
            new_len += len(label)
            last = m.end()
        out.append(text[last:])
        return Redaction("".join(out), tuple(reps))

    def text(self, text: str | None) -> str | None:
        """Just the de-identified text (``None`` stays ``None``)."""
        return None if text is None else self.apply(text).text
