"""The Justice-Data-Lab-style headline: one-year reoffending rates and their difference.

Conventions
-----------
* Denominator: people whose one-year window plus the court-processing lag
  ends before the extract (``eligible_1y`` from :func:`.cohort.build_cohort`);
  the numerator: those with a reoffence dated within the year.
* Rate intervals: Wilson score intervals (``prop.test(x, n, correct=FALSE)``
  in R)::

      (x + z^2/2) / (n + z^2)  +-  z sqrt(x (n - x) / n + z^2 / 4) / (n + z^2)

* Difference (participants minus comparison): Newcombe's hybrid score
  interval (Newcombe 1998, method 10), built from the two Wilson intervals
  ``(l1, u1)``, ``(l2, u2)``::

      d - sqrt((p1 - l1)^2 + (u2 - p2)^2),  d + sqrt((u1 - p1)^2 + (p2 - l2)^2)

* The difference is descriptive unless the groups were balanced (e.g. by
  propensity weighting, done elsewhere); the result says so.
* Reoffences per 100 people, where a count column exists, with a Welch
  interval for the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result
from ._checks import require_columns, require_frame, two_groups
from ._plots import axes
from .power import DetectableEffect, detectable_effect

__all__ = ["HeadlineResult", "one_year_rate", "wilson_interval", "newcombe_interval"]


def wilson_interval(x, n, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``x`` successes out of ``n`` (statsmodels ``proportion_confint``, ``wilson``).

    Equal to R's ``prop.test(x, n, correct=FALSE)$conf.int`` (tests/reference/recidivism).
    """
    from statsmodels.stats.proportion import proportion_confint

    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n and n > 0, got x={x!r}, n={n!r}")
    lower, upper = proportion_confint(x, n, alpha=1 - conf_level, method="wilson")
    # exactly 0 and 1 at the bounds, as R (statsmodels leaves a rounding residue of about 1e-17)
    return (0.0 if x == 0 else float(lower)), (1.0 if x == n else float(upper))


def newcombe_interval(x1, n1, x2, n2, conf_level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 - x2/n2`` (method 10).

    statsmodels ``confint_proportions_2indep(..., method="newcomb", compare="diff")``; it gave the same
    limits as the hand-written formula it replaced to within 3.4e-16 over 714 tables (n from 1 to 299,
    0 and n successes included), and the R reference (Wilson limits of ``prop.test(correct=FALSE)``
    combined by Newcombe's formula) is checked in tests/analysis/recidivism/test_headline.py.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    for x, n in ((x1, n1), (x2, n2)):
        if n <= 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n and n > 0, got x={x!r}, n={n!r}")
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - conf_level)
    # within [-1, 1]: at 0/n vs n/n statsmodels' rounding gives -1.0000000000000002
    return max(-1.0, float(lo)), min(1.0, float(hi))


def _per_100(x: float) -> str:
    """Whole numbers per 100, one decimal below 1 (so a bound never reads "0 more")."""
    x = abs(100 * x)
    return f"{x:.0f}" if round(x) >= 1 else f"{x:.1f}"


def _per_100_sentence(lo, hi, treated_label, window):
    a, b = _per_100(lo), _per_100(hi)
    who = f"For every 100 {treated_label}s"
    if hi < 0:
        return f"{who}, between {b} and {a} fewer reoffended within {window} than in the comparison group."
    if lo > 0:
        return f"{who}, between {a} and {b} more reoffended within {window} than in the comparison group."
    return (f"{who}, the number who reoffended within {window} lies between {a} fewer and {b} more than in the "
            "comparison group: the data cannot tell whether participation lowered or raised reoffending.")


#: The per-100 sentence in Dutch and French (the English one is :func:`_per_100_sentence`): ``{who}`` the
#: treated group, ``{window}`` the follow-up window, ``{a}``/``{b}`` the interval's bounds per 100.
_PER_100 = {
    "nl": {"fewer": "Per 100 {who} recidiveerden er binnen {window} tussen {b} en {a} minder dan in de "
                    "vergelijkingsgroep.",
           "more": "Per 100 {who} recidiveerden er binnen {window} tussen {a} en {b} meer dan in de "
                   "vergelijkingsgroep.",
           "unclear": "Per 100 {who} ligt het aantal dat binnen {window} recidiveerde tussen {a} minder en {b} meer "
                      "dan in de vergelijkingsgroep: de gegevens kunnen niet uitmaken of deelname de recidive "
                      "verlaagde of verhoogde."},
    "fr": {"fewer": "Sur 100 {who}, entre {b} et {a} de moins ont récidivé dans {window} que dans le groupe de "
                    "comparaison.",
           "more": "Sur 100 {who}, entre {a} et {b} de plus ont récidivé dans {window} que dans le groupe de "
                   "comparaison.",
           "unclear": "Sur 100 {who}, le nombre de personnes ayant récidivé dans {window} se situe entre {a} de moins "
                      "et {b} de plus que dans le groupe de comparaison : les données ne permettent pas de dire si la "
                      "participation a diminué ou augmenté la récidive."},
}
_WHO = {"nl": {"participant": "deelnemers"}, "fr": {"participant": "participants"}}
_WINDOW = {"nl": {"one year": "een jaar", "a year": "een jaar"}, "fr": {"one year": "l’année", "a year": "l’année"}}


def per_100_editions(lo, hi, treated_label, window):
    """:func:`_per_100_sentence` in the three editions' languages (``analysis.editions.Multilingual``); a
    group or window without Dutch or French words keeps the English sentence in that edition."""
    from analysis.editions import Multilingual, localise_numbers

    a, b = _per_100(lo), _per_100(hi)
    kind = "fewer" if hi < 0 else "more" if lo > 0 else "unclear"
    texts = {"en": _per_100_sentence(lo, hi, treated_label, window)}
    for lang, sentences in _PER_100.items():
        who, when = _WHO[lang].get(treated_label), _WINDOW[lang].get(window)
        if who and when:
            texts[lang] = localise_numbers(sentences[kind].format(who=who, window=when, a=a, b=b), lang)
    return Multilingual(texts)


@dataclass(frozen=True, eq=False)
class HeadlineResult(Result):
    """One-year reoffending rates per group, their difference and the per-100 sentence.

    Attributes
    ----------
    rates : DataFrame
        Per group: ``n``, ``reoffended``, ``rate``, ``lower``, ``upper``
        (Wilson), and ``per_100`` / ``per_100_lower`` / ``per_100_upper``
        when counts were given.
    difference, lower, upper : float
        Rate difference (treated minus comparison) with Newcombe's interval.
    """

    rates: pd.DataFrame
    treated: str
    comparison: str
    difference: float
    lower: float
    upper: float
    conf_level: float
    window: str
    detectable: DetectableEffect
    count_difference: tuple | None = None

    @property
    def title(self) -> str:
        return f"Reoffending within {self.window} ({self.conf_level:.0%} intervals)"

    def sentence(self) -> str:
        return _per_100_sentence(self.lower, self.upper, self.treated, self.window)

    def sentence_editions(self):
        """:meth:`sentence` in the report's three languages (a glued value of the Dutch and French editions)."""
        return per_100_editions(self.lower, self.upper, self.treated, self.window)

    def to_frame(self) -> pd.DataFrame:
        diff = pd.DataFrame(
            {"rate": [self.difference], "lower": [self.lower], "upper": [self.upper]},
            index=pd.Index([f"difference ({self.treated} - {self.comparison})"], name="group"),
        )
        return pd.concat([self.rates, diff])

    def plot(self, ax=None):
        ax = axes(ax)
        r = self.rates
        y = np.arange(len(r))[::-1]
        ax.errorbar(100 * r["rate"], y, xerr=[100 * (r["rate"] - r["lower"]), 100 * (r["upper"] - r["rate"])],
                    fmt="o", color="black", capsize=3)
        ax.set_yticks(y)
        ax.set_yticklabels(r.index.astype(str))
        ax.set_xlabel(f"% reoffended within {self.window}")
        ax.set_xlim(0, 100)
        return ax


def one_year_rate(
    data: pd.DataFrame,
    *,
    group: str = "group",
    outcome: str = "reoffended_1y",
    eligible: str | None = "eligible_1y",
    count: str | None = None,
    treated=None,
    window: str = "one year",
    conf_level: float = 0.95,
    power: float = 0.8,
    min_cell: int = 10,
) -> HeadlineResult:
    """One-year reoffending rate per group, difference and "for every 100" sentence.

    Parameters
    ----------
    data : DataFrame
        One row per person (``build_cohort(...).data`` with ``group``).
    group, outcome, eligible : str
        Column names; ``outcome`` is 0/1; rows with ``eligible`` false are
        left out (``eligible=None`` keeps all). For two years pass
        ``outcome="reoffended_2y", eligible="eligible_2y", window="two years"``.
    count : str, optional
        Number of proven reoffences per person in the window, for the
        "reoffences per 100 people" figures.
    treated : optional
        Level of ``group`` for participants (default ``"participant"``).
    min_cell : int
        Cells (reoffenders or non-reoffenders per group) below this are
        flagged for suppression in the remarks.
    """
    require_frame(data)
    require_columns(data, group=group, outcome=outcome, eligible=eligible, count=count)
    d = data if eligible is None else data.loc[data[eligible].fillna(False).astype(bool)]
    if d[outcome].isna().any() or not d[outcome].isin([0, 1, True, False]).all():
        raise ValueError(f"column {outcome!r} (outcome=) must hold 0/1 for every eligible person")
    tr, other = two_groups(d[group], group, treated)
    rows = {}
    for lev in (tr, other):
        y = d.loc[d[group] == lev, outcome].astype(int)
        n, x = len(y), int(y.sum())
        lo, hi = wilson_interval(x, n, conf_level)
        rows[lev] = {"n": n, "reoffended": x, "rate": x / n, "lower": lo, "upper": hi}
    rates = pd.DataFrame.from_dict(rows, orient="index")
    rates.index.name = "group"
    (n1, x1), (n2, x2) = (rows[tr]["n"], rows[tr]["reoffended"]), (rows[other]["n"], rows[other]["reoffended"])
    lo, hi = newcombe_interval(x1, n1, x2, n2, conf_level)
    diff = x1 / n1 - x2 / n2
    count_diff = None
    if count is not None:
        z = stats.norm.ppf(0.5 + conf_level / 2)
        per = {}
        for lev in (tr, other):
            c = d.loc[d[group] == lev, count].astype(float)
            se = c.std(ddof=1) / np.sqrt(len(c)) if len(c) > 1 else np.nan
            per[lev] = (c.mean(), c.var(ddof=1), len(c))
            rates.loc[lev, "per_100"] = 100 * c.mean()
            rates.loc[lev, "per_100_lower"] = 100 * max(0.0, c.mean() - z * se)
            rates.loc[lev, "per_100_upper"] = 100 * (c.mean() + z * se)
        (m1, v1, k1), (m2, v2, k2) = per[tr], per[other]
        se = np.sqrt(v1 / k1 + v2 / k2)
        dfw = se**4 / ((v1 / k1) ** 2 / (k1 - 1) + (v2 / k2) ** 2 / (k2 - 1))
        q = stats.t.ppf(0.5 + conf_level / 2, dfw)
        count_diff = (100 * (m1 - m2), 100 * (m1 - m2 - q * se), 100 * (m1 - m2 + q * se))
    share = n1 / (n1 + n2)
    detectable = detectable_effect(events=max(x1 + x2, 1), participant_share=share, power=power)
    remarks = [
        _per_100_sentence(lo, hi, tr, window),
        f"Rates: {tr} {100 * x1 / n1:.1f}% ({x1}/{n1}), {other} {100 * x2 / n2:.1f}% ({x2}/{n2}); difference "
        f"{100 * diff:+.1f} points ({conf_level:.0%} CI {100 * lo:+.1f} to {100 * hi:+.1f}, Newcombe); "
        "rate intervals are Wilson intervals.",
        "Only people whose one-year window plus the court-processing lag ended before the extract are counted.",
        "A raw comparison: the groups may differ in who joined peer support; it is not an effect estimate "
        "unless the groups were balanced first.",
    ]
    if count_diff is not None:
        remarks.append(
            f"Reoffences per 100 people: difference {count_diff[0]:+.1f} ({conf_level:.0%} CI "
            f"{count_diff[1]:+.1f} to {count_diff[2]:+.1f}, Welch)."
        )
    small = [f"{lev}" for lev, r in rows.items() if min(r["reoffended"], r["n"] - r["reoffended"]) < min_cell]
    if small:
        remarks.append(f"Cells below {min_cell} in group(s) {', '.join(small)}: suppress before publication.")
    return HeadlineResult(
        rates=rates, treated=str(tr), comparison=str(other), difference=diff, lower=lo, upper=hi,
        conf_level=conf_level, window=window, detectable=detectable, count_difference=count_diff,
        remarks=tuple(remarks),
    )
