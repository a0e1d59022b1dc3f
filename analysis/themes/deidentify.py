"""De-identification check for interview quotes, and the banding of small counts.

The check is a screen, not a guarantee: it finds what a pattern can find
(listed names and places, dates, identifying numbers, e-mail addresses, phone
numbers) so that a human reviewer, who signs off each quote, can concentrate on
what no pattern finds (a distinctive event, a role held by one person).

Kinds of finding
----------------
``name``
    A name from the supplied list, as a whole word, ignoring case and accents.
``place``
    A prison or site name from the supplied list, likewise.
``email``
    An e-mail address.
``national_register``
    A Belgian national register number: 11 digits, written ``YYMMDDXXXCC`` or
    grouped ``YY.MM.DD-XXX.CC`` (any of ``.``, ``-``, space between groups).
``phone``
    A phone number: ``+`` or ``00`` and a country code, or a Belgian number of
    9–10 digits starting with 0, digits possibly grouped.
``date``
    A numeric date (``12/03/2021``, ``12-3-21``, ``2021-03-12``) or a day or
    year with a month name in Dutch, French or English (``12 maart``,
    ``le 3 mai 2020``, ``March 2019``).
``identifying_number``
    Any other run of five or more digits (grouping allowed), or a number of two
    or more digits after a number word (``nr``, ``nummer``, ``n°``, ``numéro``,
    ``number``, ``#``) — prison (écrou) numbers, case numbers, cell numbers.
``year`` (not checked by default)
    A four-digit year 1900–2099 on its own.

Where findings overlap, the more specific kind wins, in the order
email, national_register, phone, date, identifying_number, year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..disclosure import DisclosurePolicy, safe_count
from ..results import Result
from ._common import require_columns, require_frame

__all__ = ["DeidentificationCheck", "check_deidentification", "find_identifiers", "band_count", "CHECKS"]

CHECKS = ("name", "place", "email", "national_register", "phone", "date", "identifying_number")
_ALL_CHECKS = CHECKS + ("year",)

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec|déc|janv|févr|avr|juil"
)
_SEP = r"[\s./-]?"
_PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    "national_register": re.compile(
        r"(?<![\d])\d{2}[\s.-]?\d{2}[\s.-]?\d{2}[\s.-]?\d{3}[\s.-]?\d{2}(?![\d])"
    ),
    "phone": re.compile(
        r"(?<![\w+])(?:(?:\+|00)\d{2,3}" + _SEP + r"(?:\(0\)" + _SEP + r")?\d(?:" + _SEP + r"\d){6,10}"
        r"|0\d(?:" + _SEP + r"\d){7,8})(?![\d])"
    ),
    "date": re.compile(
        r"(?<![\d])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))(?![\d])"
        r"|\b(?:\d{1,2}(?:e|er|ste|de|st|nd|rd|th)?\s+(?:" + _MONTHS + r")\.?(?:\s+\d{4})?"
        r"|(?:" + _MONTHS + r")\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4}"
        r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?)\b",
        re.IGNORECASE,
    ),
    "identifying_number": re.compile(
        r"(?<![\w.])\d(?:" + _SEP + r"\d){4,}(?![\w])"
        r"|(?:\bnr\.?|\bnummer|n°|\bno\.|\bnuméro|\bnumero|\bnumber|#)\s*:?\s*\d(?:[\s./-]?\d)+",
        re.IGNORECASE,
    ),
    "year": re.compile(r"(?<![\d])(?:19|20)\d{2}(?![\d])"),
}
_PRIORITY = ["email", "national_register", "phone", "date", "identifying_number", "year"]


def _fold(text: str) -> str:
    """Strip accents character by character, keeping the length (offsets stay valid)."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] if ch.isalpha() else ch for ch in text)


def _word_list_pattern(words: Iterable[str]) -> re.Pattern | None:
    cleaned = sorted({_fold(str(w).strip()) for w in words if str(w).strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(r"\s+".join(map(re.escape, w.split())) for w in cleaned)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", re.IGNORECASE)


def find_identifiers(
    text: str, *, names: Iterable[str] = (), places: Iterable[str] = (), checks: Iterable[str] = CHECKS
) -> list[dict]:
    """Find possibly identifying strings in one text.

    Parameters
    ----------
    text : str
    names, places : iterable of str
        Names of people, and names of prisons/sites, to look for.
    checks : iterable of str
        Kinds to look for (see the module docstring); default all but ``year``.

    Returns
    -------
    list of dict
        ``kind``, ``match``, ``start``, ``end`` per finding, in text order.
    """
    checks = list(checks)
    unknown = sorted(set(checks) - set(_ALL_CHECKS))
    if unknown:
        raise ValueError(f"unknown checks {unknown}; choose from {', '.join(_ALL_CHECKS)}")
    if not isinstance(text, str):
        return []
    folded = _fold(text)
    found: list[dict] = []
    for kind, words in (("name", names), ("place", places)):
        pattern = _word_list_pattern(words) if kind in checks else None
        if pattern is not None:
            found += [{"kind": kind, "match": text[m.start():m.end()], "start": m.start(), "end": m.end()}
                      for m in pattern.finditer(folded)]
    taken = np.zeros(len(text), dtype=bool)
    for kind in _PRIORITY:
        if kind not in checks:
            continue
        for m in _PATTERNS[kind].finditer(text):
            if not taken[m.start():m.end()].any():
                taken[m.start():m.end()] = True
                found.append({"kind": kind, "match": m.group(0), "start": m.start(), "end": m.end()})
    return sorted(found, key=lambda f: (f["start"], f["end"]))


@dataclass(frozen=True)
class DeidentificationCheck(Result):
    """Findings of the de-identification screen, per quote.

    Attributes
    ----------
    findings : DataFrame
        One row per finding (see :meth:`to_frame`).
    quotes : DataFrame
        ``quote_id`` and ``text`` of every quote checked.
    """

    findings: pd.DataFrame
    quotes: pd.DataFrame

    @property
    def title(self) -> str:
        return f"De-identification check: {self.passed.sum()} of {len(self.quotes)} quotes pass"

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: ``quote_id``, ``kind``, ``match``, ``start``, ``end``."""
        return self.findings.copy()

    @property
    def passed(self) -> pd.Series:
        """``True`` for quotes with no finding, indexed by quote id."""
        ids = self.quotes["quote_id"]
        return pd.Series(~ids.isin(self.findings["quote_id"]).to_numpy(), index=pd.Index(ids, name="quote_id"))

    def redacted(self) -> pd.Series:
        """Each quote's text with findings replaced by ``[kind]`` (for editing)."""
        out = {}
        for qid, body in zip(self.quotes["quote_id"], self.quotes["text"]):
            hits = self.findings.loc[self.findings["quote_id"] == qid].sort_values("start", ascending=False)
            for kind, s, e in zip(hits["kind"], hits["start"], hits["end"]):
                body = body[:s] + f"[{kind}]" + body[e:]
            out[qid] = body
        return pd.Series(out, name="text").rename_axis("quote_id")


def check_deidentification(
    data: pd.DataFrame,
    *,
    names: Iterable[str] = (),
    places: Iterable[str] = (),
    checks: Iterable[str] = CHECKS,
    text: str = "text",
    quote: str = "segment_id",
) -> DeidentificationCheck:
    """Screen quotes for names, places, dates, identifying numbers, e-mail and phone.

    Parameters
    ----------
    data : DataFrame
        One row per quote.
    names, places : iterable of str
        People's names and prison/site names to look for (whole words, any case
        and accents).
    checks : iterable of str
        Kinds to look for; default all but ``year`` (see the module docstring).
    text, quote : str
        Column names of the quote text and its identifier.

    Returns
    -------
    DeidentificationCheck
    """
    require_frame(data, "data")
    require_columns(data, {"text": text, "quote": quote})
    if data[quote].duplicated().any():
        raise ValueError(f"column {quote!r} has duplicate ids; pass quote=<a column that identifies each quote>")
    names, places, checks = list(names), list(places), list(checks)
    rows = []
    for qid, body in zip(data[quote], data[text]):
        rows += [{"quote_id": qid, **f} for f in find_identifiers(body, names=names, places=places, checks=checks)]
    findings = pd.DataFrame(rows, columns=["quote_id", "kind", "match", "start", "end"])
    quotes = pd.DataFrame({"quote_id": data[quote].to_numpy(), "text": data[text].to_numpy()})
    remarks = ["The check finds listed names and places and patterned identifiers only; a person must still "
               "read every quote for identifying details (events, roles held by one person)."]
    if not names:
        remarks.append("No list of names was supplied: names were not checked.")
    if not places:
        remarks.append("No list of prison/site names was supplied: places were not checked.")
    return DeidentificationCheck(findings=findings, quotes=quotes, remarks=tuple(remarks))


def band_count(n, *, threshold: int = 5, bands: Iterable[int] = (), language: str = "en", policy=None):
    """A count of persons as text, small counts shown as a band.

    A thin front to :func:`analysis.disclosure.safe_count`, so that quotes use
    the report's wording (and language) for small counts.

    Parameters
    ----------
    n : int or array-like of int
        Numbers of distinct persons.
    threshold : int
        Counts ``0 < n < threshold`` become ``"fewer than {threshold}"``; others
        are shown as they are (zero too, as under the project's policy).
    bands : iterable of int
        Band edges below the threshold: ``threshold=10, bands=(5,)`` gives
        ``"fewer than 5"`` and ``"5 to 9"``.
    language : {"en", "nl", "fr"}
    policy : DisclosurePolicy or mapping, optional
        The report's disclosure policy; overrides ``threshold``, ``bands`` and
        ``language``.

    Returns
    -------
    str, or Series of str for array-like input
    """
    if policy is None:
        policy = DisclosurePolicy(threshold=threshold, bands=tuple(bands), language=language)
    if not np.isscalar(n) and n is not None:
        return pd.Series(n).map(lambda v: safe_count(v, policy))
    return safe_count(n, policy)
