"""The assumptions page: each assumption rated red / amber / green by a stated rule on the diagnostics.

Every rule is a function of the numbers a chapter already computed (balance, overlap, effective sample
size, the primary result's sensitivity rows, the E-value, scale flags, translation sources, agreement per
theme) and returns an :class:`Assumption`: the assumption, what the data show, the rating and the rule,
each in the three languages (:mod:`.catalogue`). The thresholds are module constants, written into the
rule's sentence, so the page states exactly the rule the code applies.

A rating is shown as a word and a colour, never by colour alone. Levels: ``green`` (checked, holds),
``amber`` (could change the size of an estimate), ``red`` (could change the conclusions).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.editions import LANGUAGES, Multilingual, number
from analysis.results import Result

from .catalogue import message
from .keyfindings import direction

__all__ = ["Assumption", "AssumptionTable", "LEVELS", "BALANCE", "OVERLAP", "ESS", "EVALUE_RED", "AGREEMENT_GREEN",
           "rate_balance", "rate_overlap", "rate_ess", "rate_sensitivity", "rate_time_zero", "rate_spillover",
           "rate_confounding", "rate_psychometrics", "rate_translation", "rate_report_translation",
           "rate_agreement", "rate_coding", "worst"]

LEVELS = ("green", "amber", "red")
#: largest |SMD| after weighting: green up to the first, amber up to the second
BALANCE = (0.10, 0.25)
#: share of participants with a propensity score above every non-participant's: green, amber up to
OVERLAP = (0.01, 0.05)
#: Kish effective sample size of the comparison group as a share of its size: green from, amber from
ESS = (0.50, 0.25)
#: an E-value below this is red (an unmeasured factor of moderate strength could explain the result)
EVALUE_RED = 2.0
#: Krippendorff's alpha from which a theme's coding is green (Krippendorff: 0.800 "reliable"), never
#: below the threshold the agreement analysis used (a theme below it is red)
AGREEMENT_GREEN = 0.800
#: translation sources that count as checked
_CHECKED = {"original", "official", "validated"}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True)
class Assumption:
    """One rated assumption: ``area`` (``reoffending``, ``measurement``, ``coding``), ``key``,
    ``level``, and its texts."""

    area: str
    key: str
    level: str
    assumption: Multilingual
    found: Multilingual
    rule: Multilingual

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")


def worst(levels: Iterable[str]) -> str:
    """The most serious of ``levels`` (``green`` for none)."""
    levels = list(levels)
    return max(levels, key=LEVELS.index) if levels else "green"


def _pct(x: float) -> Multilingual:
    return number(x, decimals=0, percent=True)


# --- the comparison's diagnostics ------------------------------------------------------------------------

def rate_balance(max_abs_smd: float) -> Assumption:
    """Green when the largest |SMD| after weighting is at most 0.10, amber up to 0.25, red above (or missing)."""
    g, a = BALANCE
    level = "red" if _missing(max_abs_smd) else "green" if max_abs_smd <= g else "amber" if max_abs_smd <= a else "red"
    return Assumption("reoffending", "balance", level, message("assumption.balance"),
                      message("found.balance", smd=number(max_abs_smd, decimals=2)),
                      message("rule.balance", green=number(g, decimals=2), amber=number(a, decimals=2)))


def rate_overlap(share_outside: float) -> Assumption:
    """Green when at most 1% of participants lie above every non-participant's score, amber up to 5%."""
    g, a = OVERLAP
    level = "red" if _missing(share_outside) else "green" if share_outside <= g else \
        "amber" if share_outside <= a else "red"
    return Assumption("reoffending", "overlap", level, message("assumption.overlap"),
                      message("found.overlap", share=_pct(share_outside)),
                      message("rule.overlap", green=_pct(g), amber=_pct(a)))


def rate_ess(ess: float, n: float) -> Assumption:
    """Green when the comparison group's effective sample size is at least 50% of its size, amber from 25%."""
    g, a = ESS
    ratio = float("nan") if _missing(ess) or not n else float(ess) / float(n)
    level = "red" if _missing(ratio) else "green" if ratio >= g else "amber" if ratio >= a else "red"
    return Assumption("reoffending", "ess", level, message("assumption.ess"), message("found.ess", ratio=_pct(ratio)),
                      message("rule.ess", green=_pct(g), amber=_pct(a)))


def rate_sensitivity(key: str, primary: Sequence[float], variants: Sequence[Sequence[float]], *,
                     decimals: int = 1) -> Assumption:
    """A sensitivity check of the primary result (``key``: ``lag`` or ``competing``).

    ``primary`` and each variant are (estimate, lower, upper); a variant with a missing estimate could not
    be computed. Red when a variant changes the conclusion (:func:`~.keyfindings.direction`); green when
    every variant keeps it and moves the estimate by at most half the primary interval's half-width; amber
    otherwise (or when a variant cannot be computed).
    """
    est, lo, hi = (float(v) for v in primary)
    conclusion = direction(est, lo, hi)
    tolerance = (hi - lo) / 4  # half of the half-width
    computed = [tuple(float(x) for x in v) for v in variants if not _missing(v[0]) and not _missing(v[1])]
    if any(direction(*v) != conclusion for v in computed):
        level = "red"
    elif len(computed) < len(variants) or not computed:
        level = "amber"
    elif all(abs(v[0] - est) <= tolerance for v in computed):
        level = "green"
    else:
        level = "amber"
    if computed:
        values = [number(v[0], decimals=decimals, signed=True) for v in computed]
        joined = Multilingual({lang: (" / ".join(v.texts[lang] for v in values)) for lang in LANGUAGES})
        found = message(f"found.{key}", values=joined, primary=number(est, decimals=decimals, signed=True))
        if len(computed) < len(variants) and key == "lag":
            found = Multilingual({lang: found.texts[lang] + " " + message("found.lag.missing").texts[lang]
                                  for lang in LANGUAGES})
    else:
        found = message("found.lag.missing")
    return Assumption("reoffending", key, level, message(f"assumption.{key}"), found, message("rule.sensitivity"))


def rate_time_zero(fixed_at_time_zero: bool) -> Assumption:
    """Green when the groups are formed from information dated on or before time zero only; red otherwise."""
    return Assumption("reoffending", "time_zero", "green" if fixed_at_time_zero else "red",
                      message("assumption.time_zero"), message("found.time_zero"), message("rule.time_zero"))


def rate_spillover(bias_towards_null: bool = True) -> Assumption:
    """Never green (the data cannot check it); amber when any bias runs towards no difference, else red."""
    return Assumption("reoffending", "spillover", "amber" if bias_towards_null else "red",
                      message("assumption.spillover"), message("found.spillover"), message("rule.spillover"))


def rate_confounding(e_value: float) -> Assumption:
    """Never green; red when the E-value of the primary estimate is below 2 (or missing), amber otherwise."""
    level = "red" if _missing(e_value) or e_value < EVALUE_RED else "amber"
    return Assumption("reoffending", "confounding", level, message("assumption.confounding"),
                      message("found.confounding", evalue=number(e_value, decimals=1)),
                      message("rule.confounding", red=number(EVALUE_RED, decimals=0)))


# --- measurement -------------------------------------------------------------------------------------------

def rate_psychometrics(scale: str, verified: bool) -> Assumption:
    """Green when the scale's psychometric inputs are marked ``verified``; amber (provisional) otherwise."""
    return Assumption("measurement", f"psychometrics:{scale}", "green" if verified else "amber",
                      message("assumption.psychometrics", scale=scale),
                      message("found.psychometrics.verified" if verified else "found.psychometrics.provisional"),
                      message("rule.psychometrics"))


def _translation(key: str, assumption: Multilingual, sources: Mapping[str, str]) -> Assumption:
    unchecked = [lang for lang in LANGUAGES if lang in sources and str(sources[lang]) not in _CHECKED]
    if unchecked:
        names = [message(f"language.{lang}") for lang in unchecked]
        langs = Multilingual({lang: ", ".join(n.texts[lang] for n in names) for lang in LANGUAGES})
        found, level = message("found.translation.project", languages=langs), "amber"
    else:
        found, level = message("found.translation.validated"), "green"
    return Assumption("measurement", key, level, assumption, found, message("rule.translation"))


def rate_translation(name: str | Multilingual, sources: Mapping[str, str]) -> Assumption:
    """A questionnaire's or scale's texts per language (``{"nl": "project", ...}``, the instrument file's
    ``translation``): green when every language is original, official or validated; amber otherwise."""
    return _translation(f"translation:{name}", message("assumption.translation", name=name),
                        {k: getattr(v, "value", v) for k, v in sources.items()})


def rate_report_translation(sources: Mapping[str, str] | None = None) -> Assumption:
    """This report's own editions: project translations (amber) until validated."""
    return _translation("translation:report", message("assumption.translation.report"),
                        dict(sources or {"en": "original", "nl": "project", "fr": "project"}))


def rate_agreement(theme: str | Multilingual, alpha: float | None, threshold: float) -> Assumption:
    """A theme's inter-coder agreement: green when Krippendorff's alpha is at least 0.800 and at least the
    ``threshold``; amber from the threshold; red below it or when alpha is undefined. A theme below the
    threshold is never green."""
    green = max(AGREEMENT_GREEN, float(threshold))
    if _missing(alpha):
        level, found = "red", message("found.agreement.undefined")
    else:
        level = "green" if alpha >= green else "amber" if alpha >= threshold else "red"
        found = message("found.agreement", alpha=number(alpha, decimals=2), threshold=number(threshold, decimals=3))
    return Assumption("coding", f"agreement:{theme}", level, message("assumption.agreement", theme=theme), found,
                      message("rule.agreement", green=number(green, decimals=3), threshold=number(threshold, decimals=3)))


# --- the table ---------------------------------------------------------------------------------------------

#: on a phone the table stacks (one block per row): its caption then spans the width too
_PHONE_CSS = "@media (max-width: 600px) { table.assumptions caption { display: block; width: 100%; } }"
_COLOURS = {"green": "#1a7f37", "amber": "#b35900", "red": "#c62828"}
_DOTS = {"green": "●", "amber": "▲", "red": "■"}  # a shape per level too: never colour alone


@dataclass(frozen=True)
class AssumptionTable(Result):
    """Rated assumptions and a caption (message id), displayed as one table."""

    rows: tuple
    caption: str

    @property
    def title(self) -> str:
        return message(self.caption).texts["en"]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"area": r.area, "key": r.key, "level": r.level,
                              "assumption": r.assumption.texts["en"], "found": r.found.texts["en"],
                              "rule": r.rule.texts["en"]} for r in self.rows])

    def levels(self) -> dict[str, str]:
        """``{key: level}``."""
        return {r.key: r.level for r in self.rows}

    def multilingual(self) -> Multilingual:
        """The table as HTML per language: assumption and rating first, then what the data show and the
        rule; on a phone each row is one block, every cell headed by its column (``reader-stack``, styled by
        the book's reader style sheet), so the rating is always on screen."""
        esc = html.escape
        texts, htmls = {}, {}
        cols = [message(f"column.{c}") for c in ("assumption", "rating", "found", "rule")]
        cap = message(self.caption)
        for lang in LANGUAGES:
            head = "".join(f'<th scope="col">{esc(c.texts[lang])}</th>' for c in cols)
            body = []
            lines = [cap.texts[lang]]
            for r in self.rows:
                word = message(f"rating.{r.level}").texts[lang]
                meaning = message(f"rating.meaning.{r.level}").texts[lang]
                rating = (f'<span class="rating rating-{r.level}" style="color:{_COLOURS[r.level]};font-weight:bold;'
                          f'white-space:nowrap"><span aria-hidden="true">{_DOTS[r.level]}</span> {esc(word)}</span>'
                          f'<br><small>{esc(meaning)}</small>')
                cells = [esc(r.assumption.texts[lang]), rating, esc(r.found.texts[lang]), esc(r.rule.texts[lang])]
                body.append(f'<tr data-level="{r.level}">' + "".join(
                    f'<td data-label="{esc(c.texts[lang])}">{cell}</td>' for c, cell in zip(cols, cells)) + "</tr>")
                lines.append(f"- {r.assumption.texts[lang]} [{word}: {meaning}] {r.found.texts[lang]} "
                             f"({r.rule.texts[lang]})")
            htmls[lang] = (f"<style>{_PHONE_CSS}</style>"
                           f'<div class="assumptions-table" style="overflow-x:auto"><table class="assumptions reader-stack">'
                           f"<caption>{esc(cap.texts[lang])}</caption><thead><tr>{head}</tr></thead>"
                           f"<tbody>{''.join(body)}</tbody></table></div>")
            texts[lang] = "\n".join(lines)
        return Multilingual(texts, html=htmls)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.multilingual()._repr_mimebundle_(include, exclude)


def rate_coding(table: pd.DataFrame | None, *, threshold: float, labels: Mapping[str, object] | None = None,
                hide: Iterable[str] = (), overall: str = "(all codes)") -> list[Assumption]:
    """One :func:`rate_agreement` row per theme of an agreement table (``code``, ``krippendorff_alpha``;
    the ``overall`` row left out); ``labels`` names the themes for readers (``{code: label}``); a theme in
    ``hide`` (too few units to publish) is rated as not computable. ``table=None`` (no coded interviews):
    one red row saying so."""
    if table is None or not len(table):
        return [Assumption("coding", "agreement", "red", message("assumption.agreement.all"),
                           message("found.agreement.none"),
                           message("rule.agreement", green=number(max(AGREEMENT_GREEN, threshold), decimals=3),
                                   threshold=number(threshold, decimals=3)))]
    labels = dict(labels or {})
    hide = set(hide)
    out = []
    for row in table.itertuples(index=False):
        code = str(row.code)
        if code == overall:
            continue
        alpha = None if code in hide else getattr(row, "krippendorff_alpha")
        out.append(rate_agreement(labels.get(code, code), None if _missing(alpha) else float(alpha), threshold))
    return out
