"""Key findings: each evaluation question's primary number in plain words, in the three languages.

The wording is chosen by rules on the result, never by the chapter:

* :func:`direction` — an interval that includes the no-difference value gives ``"unclear"`` ("no clear
  difference"), otherwise ``"above"`` or ``"below"`` it;
* each finding's sentences come from the message catalogue (``messages.yaml``) with the numbers written
  by Babel for each language (:func:`analysis.editions.number`);
* a result resting on too few people (``withheld=True``: the chapter asks its disclosure policy) gives
  the "withheld" sentence and no number.

Each chapter builds its finding from the numbers it publishes and glues ``finding.multilingual()``; the
landing page pastes the three glued findings (book/intro.md), so no number is computed twice.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from analysis.editions import Multilingual, number
from analysis.results import Result

from .catalogue import message

__all__ = ["KeyFinding", "direction", "reoffending_finding", "wellbeing_finding", "perspectives_finding"]

LABELS = ("primary", "exploratory")


def direction(estimate: float, lower: float, upper: float, *, null: float = 0.0) -> str:
    """``"above"`` or ``"below"`` ``null`` when the whole interval ``[lower, upper]`` lies on that side;
    ``"unclear"`` when it includes ``null`` (or a value is missing)."""
    values = [estimate, lower, upper]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
        return "unclear"
    if lower > null:
        return "above"
    if upper < null:
        return "below"
    return "unclear"


@dataclass(frozen=True)
class KeyFinding(Result):
    """One evaluation question's key finding: ``label`` (primary/exploratory), ``direction`` and the
    interval, and its sentences (each a :class:`Multilingual`)."""

    question: str
    label: str
    direction: str
    estimate: float
    lower: float
    upper: float
    withheld: bool
    sentences: tuple
    shows: Multilingual
    not_shows: Multilingual
    href: str
    link: Multilingual

    def __post_init__(self):
        if self.label not in LABELS:
            raise ValueError(f"label must be 'primary' or 'exploratory', not {self.label!r}; "
                             "take it from ctx.label(<outcome id>)")

    @property
    def title(self) -> str:
        return f"Key finding: {self.question}"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"question": self.question, "label": self.label, "direction": self.direction,
                              "estimate": self.estimate, "lower": self.lower, "upper": self.upper,
                              "withheld": self.withheld}])

    def multilingual(self) -> Multilingual:
        """The finding as text and HTML in each language (what the chapter glues)."""
        label = message(f"label.{self.label}")
        shows, not_shows = message("label.shows"), message("label.not_shows")
        texts, htmls = {}, {}
        for lang in label.texts:
            body = " ".join(s.texts[lang] for s in self.sentences)
            texts[lang] = "\n".join([f"{label.texts[lang]}.", body,
                                     f"{shows.texts[lang]} {self.shows.texts[lang]}",
                                     f"{not_shows.texts[lang]} {self.not_shows.texts[lang]}",
                                     f"{self.link.texts[lang]}: {self.href}"])
            esc = html.escape
            htmls[lang] = (
                f'<div class="key-finding key-finding-{esc(self.label)}" data-question="{esc(self.question)}" '
                'style="border-left:4px solid #5b6f8a;padding:0.1em 0 0.1em 1em;margin:0.5em 0 1.2em">'
                f'<p class="key-finding-label"><strong>{esc(label.texts[lang])}</strong></p>'
                f'<p class="key-finding-result">{esc(body)}</p>'
                f'<p><strong>{esc(shows.texts[lang])}</strong> {esc(self.shows.texts[lang])}</p>'
                f'<p><strong>{esc(not_shows.texts[lang])}</strong> {esc(self.not_shows.texts[lang])}</p>'
                f'<p class="key-finding-link"><a href="{esc(self.href)}">{esc(self.link.texts[lang])}</a></p>'
                "</div>")
        return Multilingual(texts, html=htmls)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.multilingual()._repr_mimebundle_(include, exclude)


def _bound(prefix: str, x: float, decimals: int, units: tuple[str, str]) -> Multilingual:
    """An interval bound in words: ``units[0]`` below zero, ``units[1]`` above, "no difference" at zero."""
    if round(x, decimals) == 0:
        return message(f"{prefix}.bound.none")
    return message(f"{prefix}.bound.{units[0] if x < 0 else units[1]}", x=number(abs(x), decimals=decimals))


def _finding(question, label, est, lo, hi, withheld, sentences, href, null=0.0):
    d = "unclear" if withheld else direction(est, lo, hi, null=null)
    return KeyFinding(question=question, label=label, direction=d, estimate=float(est), lower=float(lo),
                      upper=float(hi), withheld=bool(withheld), sentences=tuple(sentences),
                      shows=message(f"{question}.shows"), not_shows=message(f"{question}.not_shows"),
                      href=href, link=message(f"{question}.link"))


def reoffending_finding(*, risk_participants: float, risk_comparison: float, difference: tuple[float, float, float],
                        label: str, withheld: bool = False, href: str = "reoffending.html",
                        decimals: int = 1) -> KeyFinding:
    """The reoffending question: one-year risks per 100 and their difference (estimate, lower, upper),
    participants minus the weighted comparison group."""
    est, lo, hi = (float(v) for v in difference)
    if withheld:
        sentences = [message("reoffending.withheld")]
    else:
        d = direction(est, lo, hi)
        key = {"below": "reoffending.fewer", "above": "reoffending.more", "unclear": "reoffending.unclear"}[d]
        sentences = [message(key, part=number(risk_participants, decimals=decimals),
                             comp=number(risk_comparison, decimals=decimals), diff=number(abs(est), decimals=decimals)),
                     message("reoffending.uncertainty", lower=_bound("reoffending", lo, decimals, ("fewer", "more")),
                             upper=_bound("reoffending", hi, decimals, ("fewer", "more")))]
    return _finding("reoffending", label, est, lo, hi, withheld, sentences, href)


def wellbeing_finding(*, difference: tuple[float, float, float], mic: float, label: str, withheld: bool = False,
                      href: str = "wellbeing.html", decimals: int = 1) -> KeyFinding:
    """The wellbeing question: the adjusted difference in WHO-5 points (estimate, lower, upper),
    participants minus comparable non-participants; ``mic`` the scale's meaningful change."""
    est, lo, hi = (float(v) for v in difference)
    if withheld:
        sentences = [message("wellbeing.withheld")]
    else:
        d = direction(est, lo, hi)
        key = {"above": "wellbeing.higher", "below": "wellbeing.lower", "unclear": "wellbeing.unclear"}[d]
        sentences = [message(key, diff=number(abs(est), decimals=decimals)),
                     message("wellbeing.uncertainty", lower=_bound("wellbeing", lo, decimals, ("lower", "higher")),
                             upper=_bound("wellbeing", hi, decimals, ("lower", "higher")), mic=number(mic))]
    return _finding("wellbeing", label, est, lo, hi, withheld, sentences, href)


def perspectives_finding(*, odds_ratio: tuple[float, float, float], label: str,
                         staff_agree: tuple[float, float, float] | None = None, withheld: bool = False,
                         href: str = "perspectives.html", decimals: int = 1) -> KeyFinding:
    """Questions 1 and 2: the odds ratio of a more positive answer on role clarity, peer workers vs staff
    (estimate, lower, upper), and optionally the share of staff agreeing (share, lower, upper; 0–1)."""
    est, lo, hi = (float(v) for v in odds_ratio)
    if withheld:
        sentences = [message("perspectives.withheld")]
    else:
        sentences = []
        if staff_agree is not None:
            s, s_lo, s_hi = staff_agree
            sentences.append(message("perspectives.staff", share=number(s, decimals=0, percent=True),
                                     lower=number(s_lo, decimals=0, percent=True),
                                     upper=number(s_hi, decimals=0, percent=True)))
        d = direction(est, lo, hi, null=1.0)
        key = {"above": "perspectives.higher", "below": "perspectives.lower", "unclear": "perspectives.unclear"}[d]
        sentences.append(message(key, ratio=number(est, decimals=decimals), lower=number(lo, decimals=decimals),
                                 upper=number(hi, decimals=decimals)))
    return _finding("perspectives", label, est, lo, hi, withheld, sentences, href, null=1.0)
