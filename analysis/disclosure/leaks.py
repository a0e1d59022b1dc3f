"""Test helper: does a hidden count appear anywhere on a built page?

The book's end-to-end test knows, from the ledger and the demo data, which
cells were hidden and what they hold. :func:`find_suppressed_counts` looks
for each hidden value where a reader would see it as *that cell*:

* in an HTML table, in a data cell (``<td>``) whose row and column headers
  include all of the cell's labels (``rowspan``/``colspan`` and multi-row
  headers, as written by pandas and its Styler, are followed);
* in running text (paragraphs, list items, captions, text outputs; for plain
  text, each line), in a sentence that mentions all of the cell's labels as
  whole words and the value as a standalone number (not part of a larger
  number, a decimal or a percentage).

A bare number elsewhere on the page is not a finding: "3" occurs everywhere.
The sentence rule can flag a published number that merely shares a sentence
with the labels; it is a test helper, so it errs on the side of reporting.
For a margin, include the total label (e.g. ``"Total"``) among the labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .pages import Finding

__all__ = ["SuppressedValue", "find_suppressed_counts"]

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_BLOCKS = ("p", "li", "dd", "dt", "pre", "caption", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")


@dataclass(frozen=True)
class SuppressedValue:
    """A hidden cell: the labels that identify it on the page and its true value."""

    labels: tuple[str, ...]
    value: int

    @classmethod
    def of(cls, labels: Mapping[str, Any] | Sequence[Any], value: int) -> SuppressedValue:
        vals = labels.values() if isinstance(labels, Mapping) else labels
        return cls(tuple(str(v) for v in vals), int(value))


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def _number_re(value: int) -> re.Pattern:
    plain = str(value)
    grouped = f"{value:,}"
    alts = {plain, grouped, grouped.replace(",", "\u202f"), grouped.replace(",", ".")}
    alt = "|".join(sorted(map(re.escape, alts), key=len, reverse=True))
    return re.compile(r"(?<![\w.,])(?:" + alt + r")(?![\w%]|[.,]\d|\s?%)")


def _cell_equals(text: str, value: int) -> bool:
    t = _norm(text).replace(",", "").replace("\u202f", "").replace(" ", "")
    try:
        return float(t) == float(value)
    except ValueError:
        return False


def _has_label(text: str, label: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(_norm(label)) + r"(?!\w)", text) is not None


def _table_findings(table, cells: list[SuppressedValue], path) -> list[Finding]:
    grid: dict[tuple[int, int], Any] = {}
    origin: dict[int, tuple[int, int]] = {}
    trs = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    header_rows = set()
    for r, tr in enumerate(trs):
        c = 0
        kids = [k for k in tr if isinstance(k.tag, str) and k.tag in ("td", "th")]
        in_head = any(a.tag == "thead" for a in tr.iterancestors())
        if in_head or (kids and all(k.tag == "th" for k in kids) and not any(k.tag == "td" for k in tr)):
            header_rows.add(r)
        for cell in kids:
            while (r, c) in grid:
                c += 1
            rs = int(cell.get("rowspan", 1) or 1)
            cs = int(cell.get("colspan", 1) or 1)
            origin[id(cell)] = (r, c)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = cell
            c += cs
    out = []
    for (r, c), cell in grid.items():
        if cell.tag != "td" or origin[id(cell)] != (r, c) or r in header_rows:
            continue
        labels = {_norm(grid[(hr, c)].text_content()) for hr in header_rows if (hr, c) in grid}
        labels |= {
            _norm(grid[(r, cc)].text_content())
            for cc in range(c)
            if (r, cc) in grid and grid[(r, cc)].tag == "th"
        }
        text = cell.text_content()
        for i, sv in enumerate(cells, start=1):
            if all(_norm(lab) in labels for lab in sv.labels) and _cell_equals(text, sv.value):
                out.append(Finding("suppressed-count", cell.sourceline or 0, c + 1,
                                   f"hidden cell #{i} shown in a table", path))
    return out


def _text_findings(segments: Iterable[tuple[int, str]], cells, path) -> list[Finding]:
    out = []
    pats = [(i, sv, _number_re(sv.value)) for i, sv in enumerate(cells, start=1)]
    for line, block in segments:
        for sentence in _SENTENCE.split(block):
            norm = _norm(sentence)
            for i, sv, pat in pats:
                if all(_has_label(norm, lab) for lab in sv.labels) and pat.search(
                    unicodedata.normalize("NFKC", sentence)
                ):
                    out.append(Finding("suppressed-count", line, 0, f"hidden cell #{i} stated in text", path))
    return out


def find_suppressed_counts(
    text: str,
    cells: Iterable[SuppressedValue | tuple[Mapping[str, Any] | Sequence[Any], int]],
    *,
    path: str | None = None,
) -> list[Finding]:
    """Find places where a hidden cell's value is shown (see module docstring).

    Parameters
    ----------
    text : str
        A built page (HTML) or a text output.
    cells : iterable
        :class:`SuppressedValue` objects, or ``(labels, value)`` pairs where
        ``labels`` is a mapping (its values are used) or a sequence of labels
        as printed on the page.
    path : str, optional
        Page name copied into the findings.

    Returns
    -------
    list of Finding
        ``kind="suppressed-count"``; empty when no hidden value is visible.
    """
    cells = [c if isinstance(c, SuppressedValue) else SuppressedValue.of(*c) for c in cells]
    if not cells:
        return []
    if re.search(r"<(table|p|div|html|body|pre|li)\b", text, re.IGNORECASE) is None:
        return _text_findings(enumerate(text.split("\n"), start=1), cells, path)
    import lxml.html

    doc = lxml.html.document_fromstring(text)
    findings = []
    for table in doc.iter("table"):
        findings.extend(_table_findings(table, cells, path))
    for table in list(doc.iter("table")):
        tail = table.tail
        parent = table.getparent()
        if parent is not None:
            parent.remove(table)
            if tail:  # keep the text that followed the table
                prev = parent.text or ""
                parent.text = prev + tail
    segments = [(el.sourceline or 0, el.text_content()) for el in doc.iter(*_BLOCKS)]
    findings.extend(_text_findings(segments, cells, path))
    # nested blocks (a <p> inside an <li>) report the same sentence twice
    unique = {(f.line, f.column, f.excerpt): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.line, f.column, f.excerpt))
