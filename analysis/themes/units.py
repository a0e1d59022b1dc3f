"""Fixed text units of a transcript, and coded segments resolved against them.

Agreement between coders is measured on units fixed *before* coding, never on
the spans the coders themselves selected (which would reward coders for
selecting alike rather than for coding alike). A unit is a paragraph or a
sentence of one hashed version of the transcript: :func:`units_from_text`
returns the units' character boundaries and the SHA-256 of the text, so anyone
can check that the segments' offsets refer to the same text.

Conventions
-----------
- Offsets are 0-based Python string indices (Unicode code points) into the
  original transcript; ``end`` is exclusive.
- The SHA-256 is taken of the text encoded as UTF-8, exactly as given (no
  newline or Unicode normalisation): a transcript re-saved with other line
  endings is a different version.
- **Paragraph** (rule ``paragraph/v1``): a maximal run of characters between line
  breaks (``\\n``, ``\\r\\n`` or ``\\r``); blank lines are not units; surrounding
  whitespace is trimmed from the boundaries.
- **Sentence** (rule ``sentence/v1``): within a paragraph, a sentence ends after
  ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by
  whitespace, except after a short list of Dutch, French and English
  abbreviations (``bv.``, ``dr.``, ``e.g.``, ``M.``, ...). Sentences never
  cross a paragraph boundary.
- A segment *covers* a unit when their spans overlap by at least one
  character.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ._common import check_spans, require_columns, require_frame

__all__ = [
    "TranscriptUnits",
    "units_from_text",
    "sha256_text",
    "check_offsets",
    "segments_to_units",
    "onto_deidentified",
    "UNIT_RULES",
]

UNIT_RULES = {"paragraph": "paragraph/v1", "sentence": "sentence/v1"}

_ABBREVIATIONS = {
    # Dutch
    "bv", "bijv", "dhr", "mevr", "nr", "o.a", "enz", "d.w.z", "m.a.w", "ca", "evt", "resp",
    # French
    "m", "mme", "mlle", "p.ex", "cf", "etc", "env", "n°",
    # English
    "e.g", "i.e", "mr", "mrs", "ms", "dr", "vs", "no", "st", "approx",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"[^\r\n]+")


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of ``text`` encoded as UTF-8."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans = (_trimmed(text, m.start(), m.end()) for m in _PARAGRAPH.finditer(text))
    return [s for s in spans if s is not None]


def _is_abbreviation(text: str, start: int, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends a known abbreviation."""
    word = re.search(r"(\S+)$", text[start:stop])
    if word is None:
        return False
    token = word.group(1).lower().lstrip("(\"'“‘«")
    return token in _ABBREVIATIONS


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text):
        begin = p_start
        for match in _SENTENCE_END.finditer(text, p_start, p_end):
            if match.group(0) == "." and _is_abbreviation(text, begin, match.start()):
                continue
            span = _trimmed(text, begin, match.end())
            if span is not None:
                spans.append(span)
            begin = match.end()
        span = _trimmed(text, begin, p_end)
        if span is not None:
            spans.append(span)
    return spans


@dataclass(frozen=True)
class TranscriptUnits(Result):
    """The fixed units of one transcript version.

    Attributes
    ----------
    transcript_id : str
    sha256 : str
        SHA-256 of the transcript text (UTF-8), identifying the version.
    unit : {"paragraph", "sentence"}
    rule : str
        Versioned name of the splitting rule (e.g. ``"paragraph/v1"``).
    spans : tuple of (start, end)
        Character boundaries of each unit, in text order.
    text : str
        The transcript text the boundaries refer to.
    """

    transcript_id: object
    sha256: str
    unit: str
    rule: str
    spans: tuple[tuple[int, int], ...]
    text: str

    @property
    def title(self) -> str:
        return f"Units ({self.rule}) of transcript {self.transcript_id!r}, sha256 {self.sha256[:12]}…"

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: ``transcript_id``, ``unit_id`` (0, 1, ...), ``start``,
        ``end``, ``text``, ``sha256``."""
        return pd.DataFrame(
            {
                "transcript_id": [self.transcript_id] * len(self.spans),
                "unit_id": range(len(self.spans)),
                "start": [s for s, _ in self.spans],
                "end": [e for _, e in self.spans],
                "text": [self.text[s:e] for s, e in self.spans],
                "sha256": [self.sha256] * len(self.spans),
            }
        ).astype({"unit_id": "int64", "start": "int64", "end": "int64"})


def units_from_text(transcript_id, text: str, unit: str = "paragraph") -> TranscriptUnits:
    """Split a transcript into fixed paragraph or sentence units.

    Parameters
    ----------
    transcript_id : hashable
        Identifier carried into the result.
    text : str
        The original transcript text (the version the segments' offsets refer to).
    unit : {"paragraph", "sentence"}
        See the module docstring for the rules.

    Returns
    -------
    TranscriptUnits
        Unit boundaries, the SHA-256 of ``text`` and the rule used.
    """
    if unit not in UNIT_RULES:
        raise ValueError(f"unit must be 'paragraph' or 'sentence', got {unit!r}")
    digest = sha256_text(text)
    spans = _paragraphs(text) if unit == "paragraph" else _sentences(text)
    return TranscriptUnits(
        transcript_id=transcript_id,
        sha256=digest,
        unit=unit,
        rule=UNIT_RULES[unit],
        spans=tuple(spans),
        text=text,
    )


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def check_offsets(
    data: pd.DataFrame,
    transcripts: pd.DataFrame,
    *,
    transcript: str = "transcript_id",
    start: str = "start",
    end: str = "end",
    text: str = "text",
    segment: str = "segment_id",
) -> pd.DataFrame:
    """Report segments whose offsets do not resolve against the original transcript.

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame).
    transcripts : DataFrame
        One row per transcript: ``transcript`` and ``text`` columns with the
        original text; optionally ``sha256``, the hash of the version the coders
        worked on, which must equal the hash of ``text``.
    transcript, start, end, text, segment : str
        Column names.

    Returns
    -------
    DataFrame
        One row per problem: ``segment_id`` (missing for transcript-level
        problems), ``transcript_id``, ``problem`` and ``detail``. Problems:
        ``transcript-missing`` (no text for the segment's transcript),
        ``out-of-range`` (``end`` beyond the text), ``text-mismatch`` (the
        stored segment text differs from the transcript at the offsets, after
        Unicode NFC and whitespace normalisation), ``hash-mismatch`` (the
        transcript text is not the version named by its ``sha256``). Empty when
        all is well.
    """
    require_frame(data, "data")
    require_frame(transcripts, "transcripts")
    require_columns(data, {"transcript": transcript, "start": start, "end": end, "text": text, "segment": segment})
    require_columns(transcripts, {"transcript": transcript, "text": text}, frame="transcripts")
    check_spans(data, start, end)
    if transcripts[transcript].duplicated().any():
        dup = transcripts.loc[transcripts[transcript].duplicated(), transcript].iloc[0]
        raise ValueError(f"transcripts has several rows for transcript {dup!r}; pass one text per transcript")
    texts = dict(zip(transcripts[transcript], transcripts[text]))
    rows: list[dict] = []
    if "sha256" in transcripts.columns:
        for tid, body, digest in zip(transcripts[transcript], transcripts[text], transcripts["sha256"]):
            if pd.notna(digest) and sha256_text(body) != digest:
                rows.append(
                    {
                        "segment_id": None,
                        "transcript_id": tid,
                        "problem": "hash-mismatch",
                        "detail": f"text has sha256 {sha256_text(body)[:12]}…, coders worked on {str(digest)[:12]}…",
                    }
                )
    for sid, tid, s, e, stored in zip(data[segment], data[transcript], data[start], data[end], data[text]):
        body = texts.get(tid)
        if body is None:
            rows.append({"segment_id": sid, "transcript_id": tid, "problem": "transcript-missing",
                         "detail": "no original text for this transcript"})
        elif e > len(body):
            rows.append({"segment_id": sid, "transcript_id": tid, "problem": "out-of-range",
                         "detail": f"end {int(e)} is beyond the transcript's {len(body)} characters"})
        elif pd.notna(stored) and _normalise(body[int(s):int(e)]) != _normalise(stored):
            rows.append({"segment_id": sid, "transcript_id": tid, "problem": "text-mismatch",
                         "detail": f"at {int(s)}:{int(e)} the transcript reads {body[int(s):int(e)][:40]!r}"})
    return pd.DataFrame(rows, columns=["segment_id", "transcript_id", "problem", "detail"])


def segments_to_units(
    data: pd.DataFrame,
    units: pd.DataFrame,
    *,
    transcript: str = "transcript_id",
    start: str = "start",
    end: str = "end",
) -> pd.DataFrame:
    """Pair each segment with every unit it overlaps.

    Parameters
    ----------
    data : DataFrame
        Coded segments with ``transcript``, ``start`` and ``end`` columns.
    units : DataFrame
        Units as from :meth:`TranscriptUnits.to_frame` (``transcript_id``,
        ``unit_id``, ``start``, ``end``), possibly of many transcripts.

    Returns
    -------
    DataFrame
        The rows of ``data`` repeated once per overlapped unit, with a
        ``unit_id`` column added. A segment lying wholly in whitespace between
        units maps to no unit and is dropped.
    """
    require_columns(data, {"transcript": transcript, "start": start, "end": end})
    require_columns(units, {"transcript": "transcript_id", "start": "start", "end": "end"}, frame="units")
    left = data.reset_index(drop=True)
    rows, unit_ids = [], []
    by_transcript = left.groupby(transcript, sort=False).indices
    for tid, u in units.sort_values(["transcript_id", "start"]).groupby("transcript_id", sort=False):
        u_start, u_end = u["start"].to_numpy(), u["end"].to_numpy()
        if (u_start[1:] < u_end[:-1]).any():
            raise ValueError(f"units of transcript {tid!r} overlap; pass disjoint units as from units_from_text")
        index = by_transcript.get(tid)
        if index is None:
            continue
        s = left[start].to_numpy()[index]
        e = left[end].to_numpy()[index]
        first = np.searchsorted(u_end, s, side="right")   # first unit ending after the segment starts
        stop = np.searchsorted(u_start, e, side="left")   # units starting before the segment ends
        n = np.clip(stop - first, 0, None)
        rows.append(np.repeat(index, n))
        offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        unit_ids.append(u["unit_id"].to_numpy()[np.repeat(first, n) + offsets])
    if not rows:
        return left.iloc[:0].assign(unit_id=pd.Series(dtype="int64"))
    order = np.argsort(np.concatenate(rows), kind="stable")
    out = left.iloc[np.concatenate(rows)[order]].reset_index(drop=True)
    out["unit_id"] = np.concatenate(unit_ids)[order]
    return out


def _shift(offset: int, replacements, *, end: bool) -> int:
    """An original-text offset carried onto the de-identified text."""
    delta = 0
    for o_start, o_end, n_start, n_end in replacements:
        if offset >= o_end:
            delta = n_end - o_end
        elif offset > o_start:  # inside a replaced name: snap to the replacement's edge
            return n_end if end else n_start
        else:
            break
    return offset + delta


def onto_deidentified(
    data: pd.DataFrame,
    transcripts: pd.DataFrame,
    *,
    transcript: str = "transcript_id",
    start: str = "start",
    end: str = "end",
    replacements: str = "replacements",
) -> pd.DataFrame:
    """Carry segment offsets from the original transcripts onto their de-identified text.

    The store keeps the de-identified ``text`` of a transcript and, per
    replaced name, ``[orig_start, orig_end, new_start, new_end]`` (sorted);
    segments keep offsets into the original, which never enters the store.
    Units (paragraphs, sentences) can then be cut from the de-identified text:
    replacing names changes no line break. An offset inside a replaced name
    snaps to the replacement's start (for ``start``) or end (for ``end``).

    Returns
    -------
    DataFrame
        ``data`` with ``start`` and ``end`` replaced.
    """
    import json

    require_frame(data, "data")
    require_frame(transcripts, "transcripts")
    require_columns(data, {"transcript": transcript, "start": start, "end": end})
    require_columns(transcripts, {"transcript": transcript, "replacements": replacements}, frame="transcripts")
    table = {}
    for t, r in zip(transcripts[transcript], transcripts[replacements]):
        rows = json.loads(r) if isinstance(r, str) else (r if r is not None and not pd.isna(r) else [])
        table[t] = sorted(tuple(int(v) for v in x) for x in rows)
    out = data.copy()
    reps = [table.get(t, []) for t in out[transcript]]
    out[start] = [_shift(int(v), r, end=False) for v, r in zip(out[start], reps)]
    out[end] = [_shift(int(v), r, end=True) for v, r in zip(out[end], reps)]
    return out
