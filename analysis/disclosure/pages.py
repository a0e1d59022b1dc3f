"""Page check: no pseudonym, national register number or identifier on a built page.

The build calls :func:`check_pages` on every built HTML page and fails if it
finds:

``hex-digest``
    A run of at least ``min_hex`` (default 16) hexadecimal characters — our
    pseudonyms are HMAC-SHA256 hex digests (64 characters), and truncated
    digests are still pseudonyms. To keep false positives low in HTML:

    * a run written in mixed case (``aBcD…``) is not a digest (digests are
      written in one case; mixed-case runs come from base64 and random ids);
    * a run of decimal digits only is a number, not a digest, unless it is at
      least 32 characters long (a 16-character digest has only decimal digits
      with probability 0.05 %; national register numbers are checked below);
    * ``data:`` URIs (base64-embedded images) are skipped;
    * **asset URLs**: content hashes that Sphinx, the PyData/sphinx-book
      theme and MyST-NB put in the names of build files are allowed — a run
      directly after ``digest=`` (``theme.css?digest=55c2…``) or inside a
      path token below ``_static/``, ``_images/`` or ``_downloads/`` and
      followed by ``.`` or ``/`` (``_images/f612….png``,
      ``_static/mystnb.11b3….css``, ``_downloads/<md5>/chapter.ipynb``),
      wherever it occurs (``src``, ``href``, or an image's ``alt`` text).
      These hashes are computed from the files' bytes, never from data about
      persons; the remaining risk is a chapter that writes a file *named
      after* a person into ``_static`` — chapters write no files (style rule).

``national-number``
    A Belgian national register number (rijksregisternummer / numéro de
    registre national): 11 digits ``YYMMDDXXXCC``, bare or punctuated as
    ``YY.MM.DD-XXX.CC`` (``.``, ``-`` or space between groups, date parts
    either all dotted or all joined), not touching a letter or digit (so the
    digits inside a hex hash or a longer number are not read as one; a
    number glued to a word, ``nr85073003328``, is missed). To lower false positives the month must
    be 00–12 (or 20–32 / 40–52, as in BIS numbers), the day 00–31, and the
    check digits must hold: ``CC = 97 - (YYMMDDXXX mod 97)`` for persons born
    before 2000, ``CC = 97 - ((2 000 000 000 + YYMMDDXXX) mod 97)`` from 2000.

``forbidden-string``
    Any string from the supplied list (names, raw record numbers, …),
    matched case-insensitively as a whole word after decoding HTML entities
    (``D&#39;Hondt`` matches ``D'Hondt``) and Unicode NFKC normalisation,
    both in the raw line and with tags removed.

A :class:`Finding` never repeats what it found (a build log must not become
the leak): digests show their first four characters and length, forbidden
strings their position in the list.
"""

from __future__ import annotations

import bisect
import html
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DisclosureError

__all__ = ["Finding", "PageCheckError", "scan_page", "check_pages", "valid_national_number"]

_DATA_URI = re.compile(r"data:[\w/+.\-]+;base64,[A-Za-z0-9+/=\s]+")
_NRN = re.compile(
    r"(?<![0-9A-Za-z])(?<!\d[.,])(\d{2})(\.?)(\d{2})\2(\d{2})[-. ]?(\d{3})[-. ]?(\d{2})(?![0-9A-Za-z])(?![.,]\d)"
)
_ASSET_DIR = re.compile(r"(?:^|/)_(?:static|images|downloads)/")
_TOKEN_STOP = set(" \t\r\n\"'<>()`")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Finding:
    """One problem on a page.

    Attributes
    ----------
    kind : str
        ``hex-digest``, ``national-number``, ``forbidden-string`` or
        ``suppressed-count``.
    line, column : int
        1-based position in the page.
    excerpt : str
        A redacted description (never the full string found).
    path : str or None
        The page, when known.
    """

    kind: str
    line: int
    column: int
    excerpt: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.path or '<page>'}:{self.line}:{self.column}: {self.kind}: {self.excerpt}"


class PageCheckError(DisclosureError):
    """Raised by :func:`check_pages`; ``findings`` lists every problem."""

    def __init__(self, findings: list[Finding], max_listed: int = 50):
        self.findings = findings
        listed = "\n".join(f"  {f}" for f in findings[:max_listed])
        more = f"\n  … and {len(findings) - max_listed} more" if len(findings) > max_listed else ""
        super().__init__(
            f"{len(findings)} disclosure problem(s) in the built pages:\n{listed}{more}\n"
            "Pseudonyms, national register numbers and identifiers must never reach the book: "
            "publish tables through protect_table() and never display raw rows."
        )


def valid_national_number(digits: str) -> bool:
    """Whether 11 digits form a plausible Belgian national register number.

    Checks the month (00–12, or 20–32 / 40–52 for BIS numbers), the day
    (00–31) and the mod-97 check digits for births before and from 2000.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52) or day > 31:
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def _blank(match: re.Match) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in match.group())


def _is_asset_hash(text: str, start: int, end: int) -> bool:
    i = start
    while i > 0 and text[i - 1] not in _TOKEN_STOP:
        i -= 1
    prefix = text[i:start]
    if prefix.endswith("digest="):
        return True
    nxt = text[end] if end < len(text) else ""
    return bool(_ASSET_DIR.search(prefix)) and nxt in (".", "/")


def _normalise(s: str) -> str:
    return unicodedata.normalize("NFKC", html.unescape(s)).casefold()


def _term_pattern(term: str) -> re.Pattern:
    words = _normalise(term).split()
    if not words:
        raise ValueError("forbidden= contains an empty string; pass only real identifiers")
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)")


def scan_page(
    text: str,
    *,
    forbidden: Iterable[str] = (),
    min_hex: int = 16,
    path: str | None = None,
) -> list[Finding]:
    """Find pseudonym-like strings, national register numbers and identifiers.

    Parameters
    ----------
    text : str
        The page (HTML or plain text).
    forbidden : iterable of str
        Identifiers that must not appear (names, record numbers, …).
    min_hex : int, default 16
        Shortest hexadecimal run reported as a digest.
    path : str, optional
        Page name copied into the findings.

    Returns
    -------
    list of Finding
        Sorted by position. Empty when the page is clean.
    """
    if min_hex < 8:
        raise ValueError("min_hex below 8 would flag CSS colours and asset versions; use min_hex=16")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    findings: list[Finding] = []
    clean = _DATA_URI.sub(_blank, text)
    hex_re = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{%d,}(?![0-9A-Fa-f])" % min_hex)
    for m in hex_re.finditer(clean):
        s = m.group()
        if s != s.lower() and s != s.upper():
            continue
        if s.isdigit() and len(s) < 32:
            continue
        if _is_asset_hash(clean, m.start(), m.end()):
            continue
        findings.append(Finding("hex-digest", *where(m.start()), f"{s[:4]}… ({len(s)} hex characters)", path))
    for m in _NRN.finditer(clean):
        digits = "".join(m.group(1, 3, 4, 5, 6))
        if valid_national_number(digits):
            findings.append(
                Finding("national-number", *where(m.start()), "national register number (valid check digits)", path)
            )
    patterns = [(i, _term_pattern(t)) for i, t in enumerate(forbidden, start=1)]
    if patterns:
        for lineno, line in enumerate(text.split("\n"), start=1):
            variants = (_normalise(line), _normalise(_TAG.sub("", line)))
            for i, pat in patterns:
                for variant in variants:
                    m = pat.search(variant)
                    if m:
                        findings.append(
                            Finding("forbidden-string", lineno, m.start() + 1, f"forbidden string #{i}", path)
                        )
                        break
    findings.sort(key=lambda f: (f.line, f.column, f.kind))
    return findings


def _iter_pages(pages) -> Iterable[tuple[str, str]]:
    if isinstance(pages, Mapping):
        yield from ((str(k), v) for k, v in pages.items())
        return
    if isinstance(pages, (str, os.PathLike)):
        pages = [pages]
    for p in pages:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*.html")):
                yield str(f), f.read_text(encoding="utf-8", errors="replace")
        elif p.is_file():
            yield str(p), p.read_text(encoding="utf-8", errors="replace")
        else:
            raise FileNotFoundError(f"page {p} does not exist; pass the built HTML files or the _build/html folder")


def check_pages(pages, *, forbidden: Iterable[str] = (), min_hex: int = 16) -> int:
    """Scan built pages and raise :class:`PageCheckError` listing every finding.

    Parameters
    ----------
    pages : path, iterable of paths, or mapping of name -> text
        HTML files, or folders (every ``*.html`` below them is scanned). This
        is the one place in ``analysis`` that reads files, as the build asks:
        the built pages themselves, read-only.
    forbidden : iterable of str
        Identifiers that must not appear (see :func:`scan_page`).

    Returns
    -------
    int
        The number of pages checked (when all are clean).
    """
    forbidden = list(forbidden)
    findings: list[Finding] = []
    n = 0
    for name, text in _iter_pages(pages):
        n += 1
        findings.extend(scan_page(text, forbidden=forbidden, min_hex=min_hex, path=name))
    if findings:
        raise PageCheckError(findings)
    return n
