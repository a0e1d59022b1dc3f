"""Text positions as coding tools count them, converted to code points of the transcript.

REFI-QDA positions are meant to be Unicode characters (code points) of the
plain text, but tools differ: some count UTF-16 code units (an emoji or any
character outside the Basic Multilingual Plane counts twice), some count a
Windows line end ``\\r\\n`` as one character. Each :data:`CONVENTIONS` entry
converts a tool's position to a code-point offset of the text as stored (the
offsets the store keeps, and against which ``analysis.themes`` resolves units).
"""

from __future__ import annotations

import bisect
import unicodedata

__all__ = ["CONVENTIONS", "Positions", "same_text"]

#: conventions tried, most standard first
CONVENTIONS = ("codepoints", "utf16", "lf", "lf-utf16")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def same_text(selected: str, stated: str) -> bool:
    """Does the text at the positions match the text the file states (spaces and Unicode form ignored)?

    A stated text ending in an ellipsis (tools shorten long selection names) need only be a prefix.
    """
    a, b = _norm(selected), _norm(stated)
    if a == b:
        return True
    for ell in ("…", "..."):
        if b.endswith(ell) and len(b) > len(ell) + 3:
            return a.startswith(b[: -len(ell)].rstrip())
    return False


class Positions:
    """Converters from each convention's positions to code points of ``text``."""

    def __init__(self, text: str):
        self.text = text
        # code point index -> UTF-16 units before it (only the astral characters matter)
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # positions (in the text) of each "\r" that starts a "\r\n"
        self._crlf = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]

    @property
    def ambiguous(self) -> bool:
        """True when the conventions give different offsets somewhere in this text."""
        return bool(self._astral or self._crlf)

    def _from_utf16(self, u: int, text_len: int, astral: list[int]) -> int | None:
        # code point i has u16(i) = i + number of astral chars before i
        lo, hi = 0, text_len
        while lo < hi:
            mid = (lo + hi) // 2
            if mid + bisect.bisect_left(astral, mid) < u:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo + bisect.bisect_left(astral, lo) == u else None

    def _from_lf(self, p: int) -> int:
        # the text with each "\r\n" as one character: position p there -> position in the text
        # crlf index k (in the text) is at lf position k - (number of earlier crlf)
        lf_pos = [c - n for n, c in enumerate(self._crlf)]
        return p + bisect.bisect_left(lf_pos, p)  # every "\r\n" starting before p adds one

    def to_codepoints(self, pos: int, convention: str) -> int | None:
        """The code-point offset of ``pos`` counted in ``convention``; None when it cannot be one."""
        if pos is None or pos < 0:
            return None
        if convention == "codepoints":
            return pos
        if convention == "utf16":
            return self._from_utf16(pos, len(self.text), self._astral)
        if convention == "lf":
            return self._from_lf(pos)
        if convention == "lf-utf16":
            # UTF-16 units counted on the text with "\r\n" as one character
            lf_text_len = len(self.text) - len(self._crlf)
            lf_astral = [i - bisect.bisect_left(self._crlf, i) for i in self._astral]
            cp = self._from_utf16(pos, lf_text_len, lf_astral)
            return None if cp is None else self._from_lf(cp)
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, not {convention!r}")

    def span(self, start: int, end: int, convention: str) -> tuple[int, int] | None:
        """``(start, end)`` in code points, or None when outside the text or not a valid position."""
        s, e = self.to_codepoints(start, convention), self.to_codepoints(end, convention)
        if s is None or e is None or s > e or e > len(self.text):
            return None
        return s, e

    def matching(self, start: int, end: int, stated: str) -> list[str]:
        """The conventions under which ``stated`` is the text at ``start:end``."""
        out = []
        for conv in CONVENTIONS:
            sp = self.span(start, end, conv)
            if sp is not None and same_text(self.text[sp[0]:sp[1]], stated):
                out.append(conv)
        return out
