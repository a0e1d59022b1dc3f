"""Comparison-group results fit for publication: remarks, balance table, overlap figure, headline.

The results of :mod:`analysis.comparison` are written for the analyst. Before
they reach the book:

* :func:`publishable_comparison_remarks` rewrites the counts of people in
  their remarks that :func:`analysis.recidivism.published.publishable_remarks`
  does not recognise: ``"X of N"`` (e.g. "362 of 375 participants matched",
  where ``N - X`` is the small count), ``"k comparison episode(s)"`` and the
  per-covariate counts of the missing-indicator remark ``"age (3)"``. A remark
  that only tells the analyst to suppress small dose categories is dropped
  (the table's own note says what was suppressed). Then the recidivism rules
  apply.
* :func:`balance_frame` is the balance table as a tidy frame with, per term,
  the number of **persons** behind its means (``persons``): for a numeric
  covariate the smaller group's count of non-missing values; for a level of a
  text covariate the smallest of "with the level" and "without it" in either
  group (a proportion times a published group size gives a count back). All
  levels of one covariate share the smallest of their counts, so that a
  hidden level cannot be recovered as one minus the others. Feed it to
  :func:`analysis.disclosure.protect_table` with ``count="persons"``.
* :func:`publishable_balance` keeps, for the Love plot, the terms with enough
  persons and, for the per-site overlap figure, only the sites where both
  groups have at least ``threshold`` people; :func:`publishable_dose` keeps
  the dose categories with enough people for their forest plot.
* :func:`design_frame` is the table of :func:`.designs.design_sensitivity`
  with a ``people`` column safe to show: a design that left out fewer than
  ``threshold`` participants (the matched one) would reveal that small count
  as "participants minus matched", so its size reads "all but fewer than 10
  of N participants, with their matches" instead.
* :func:`weighted_sentence` is the Justice-Data-Lab "for every 100
  participants" sentence from the bootstrap interval of the weighted one-year
  rate difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from ..disclosure import guard_figure_data
from ..disclosure.tables import as_policy
from ..recidivism.headline import _per_100_sentence
from ..recidivism.published import publishable_remarks
from .balance import BalanceResult
from .dose import DoseResponseResult
from .propensity import PropensityResult
from .sensitivity import SensitivityResult
from .weighted import WeightedComparison

__all__ = ["publishable_comparison_remarks", "balance_frame", "publishable_balance", "publishable_dose",
           "design_frame", "weighted_sentence"]

_X_OF_N = re.compile(r"(?<![\w.,/(+-])(\d+) of (\d+)(?![\d.,]\d)")
_COMPARISON = re.compile(r"(?<![\w.,/(+-])(\d+)(?= comparison episode)")
_PAREN = re.compile(r"\((\d+)\)")
_DROPPED = ("Categories with fewer than",)


def publishable_comparison_remarks(remarks: Iterable[str] | object, policy=None) -> tuple[str, ...]:
    """The remarks of a comparison result with small counts of people rewritten (see module notes).

    Parameters
    ----------
    remarks : iterable of str, or a result with ``remarks``
    policy : DisclosurePolicy or mapping, optional
        The book's disclosure policy (default threshold 10).

    Examples
    --------
    >>> publishable_comparison_remarks(["362 of 375 participants matched; 3 of 669 comparison episode(s) excluded."])
    ('all but fewer than 10 of 375 participants matched; fewer than 10 of 669 comparison episode(s) excluded.',)
    """
    pol = as_policy(policy)
    items = getattr(remarks, "remarks", remarks)
    if isinstance(items, str):
        raise TypeError("remarks must be a list of strings or a result with .remarks, not a single string")

    def x_of_n(m: re.Match) -> str:
        x, n = int(m.group(1)), int(m.group(2))
        if pol.is_small(n) or x > n:
            return "(counts not shown)"
        if pol.is_small(x):
            return f"{pol.prose_small(x)} of {n}"
        if pol.is_small(n - x):
            return f"all but {pol.prose_small(n - x)} of {n}"
        return m.group(0)

    def single(m: re.Match) -> str:
        k = int(m.group(1))
        return pol.prose_small(k) if pol.is_small(k) else m.group(0)

    def paren(m: re.Match) -> str:
        k = int(m.group(1))
        return f"({pol.prose_small(k)})" if pol.is_small(k) else m.group(0)

    out = []
    for r in items:
        r = str(r)
        if r.startswith(_DROPPED):
            continue
        if r.startswith("Missing covariates"):
            r = _PAREN.sub(paren, r)
        r = _COMPARISON.sub(single, _X_OF_N.sub(x_of_n, r))
        out.append(r)
    return publishable_remarks(out, pol)


def _persons(data: pd.DataFrame, z: np.ndarray, col: str) -> tuple[dict, int]:
    """Persons behind each term of ``col`` (see module notes) and the covariate's minimum."""
    s = data[col]
    groups = (z, ~z)
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        counts = {}
        if s.isna().any():
            miss = s.isna().to_numpy()
            counts[f"{col}[missing]"] = min(min(int((miss & g).sum()), int((~miss & g).sum())) for g in groups)
        counts[col] = min(int((s.notna().to_numpy() & g).sum()) for g in groups)
        return counts, min(counts.values())
    s = s.astype(object).where(s.notna(), "(missing)")
    counts = {}
    for lev in sorted(pd.unique(s), key=str):
        has = (s == lev).to_numpy()
        counts[f"{col}[{lev}]"] = min(min(int((has & g).sum()), int((~has & g).sum())) for g in groups)
    low = min(counts.values())
    return dict.fromkeys(counts, low), low


def balance_frame(bal: BalanceResult, propensity: PropensityResult) -> pd.DataFrame:
    """The balance table as a tidy frame with the persons behind each term (see module notes).

    Returns
    -------
    DataFrame
        ``term``, ``persons``, ``mean_treated``, ``mean_comparison``,
        ``mean_comparison_w`` (weighted), ``smd``, ``smd_w``, in the order of
        ``bal.table``.
    """
    if not isinstance(bal, BalanceResult):
        raise TypeError("bal must be the result of balance(...)")
    if not isinstance(propensity, PropensityResult):
        raise TypeError("propensity must be the result of propensity_score(...) that balance() was given")
    d = propensity.data
    z = d["treated"].to_numpy(dtype=bool)
    persons = {}
    for col in propensity.spec.covariates:
        if col in d.columns:
            persons.update(_persons(d, z, col)[0])
    t = bal.table
    missing = [term for term in t.index if term not in persons]
    if missing:
        raise ValueError(f"balance terms {missing} are not terms of the propensity model's covariates; pass the "
                         "propensity result that balance() was computed from")
    out = t.reset_index()[["term", "mean_treated", "mean_comparison", "mean_comparison_w", "smd", "smd_w"]]
    out.insert(1, "persons", [persons[term] for term in t.index])
    return out


def publishable_balance(bal: BalanceResult, propensity: PropensityResult, policy=None, *,
                        site: str = "site") -> BalanceResult:
    """``bal`` restricted to what may be drawn: the Love plot and the per-site overlap figure.

    * Terms whose means rest on fewer than ``threshold`` persons
      (:func:`balance_frame`) leave the balance table (and the Love plot).
    * The per-site propensity data keep only the sites where both groups have
      at least ``threshold`` people (an empty group hides its site too: the
      other group would be drawn alone).

    Draw the result's ``plot()`` and ``plot_overlap(by_site=True)``; its remarks
    say how many terms and prisons were left out (the prisons are not named).
    """
    pol = as_policy(policy)
    frame = balance_frame(bal, propensity)
    terms = guard_figure_data(frame, count_col="persons", policy=pol)
    ps = bal.ps
    if site not in ps.columns:
        raise KeyError(f"column {site!r} not in the balance result's data; pass site=<the site column of balance()>")
    sizes = ps.groupby([site, "treated"]).size().rename("n")
    full = pd.MultiIndex.from_product([sorted(ps[site].unique(), key=str), [True, False]], names=[site, "treated"])
    sizes = sizes.reindex(full, fill_value=0).reset_index()
    sizes["n"] = sizes["n"].where(sizes["n"] > 0, 1)
    guarded = guard_figure_data(sizes, count_col="n", policy=pol, group=site)
    keep = set(guarded.data[site])
    remarks = []
    n_terms = len(frame) - len(terms.data)
    if n_terms:
        remarks.append(f"{n_terms} covariate level(s) not shown: fewer than {pol.threshold} persons behind them.")
    n_out = len(set(sizes[site]) - keep)
    if n_out:
        remarks.append(f"{n_out} prison(s) not shown in the overlap figure: fewer than {pol.threshold} "
                       "participants or comparison episodes there.")
    return replace(bal, table=bal.table.loc[list(terms.data["term"])], ps=ps.loc[ps[site].isin(keep)].copy(),
                   remarks=tuple(remarks))


def publishable_dose(dose: DoseResponseResult, policy=None) -> DoseResponseResult:
    """``dose`` with the categories of fewer than ``threshold`` people removed, for its forest plot."""
    if not isinstance(dose, DoseResponseResult):
        raise TypeError("dose must be the result of dose_response(...)")
    pol = as_policy(policy)
    g = guard_figure_data(dose.categories.reset_index(), count_col="n", policy=pol)
    return replace(dose, categories=g.data.set_index("dose_category"), remarks=g.remarks)


def weighted_sentence(wc: WeightedComparison, *, window: str = "one year") -> str:
    """The "for every 100 participants" sentence from the weighted rate difference's bootstrap interval."""
    if not isinstance(wc, WeightedComparison):
        raise TypeError("wc must be the result of weighted_comparison(...)")
    if "one-year rate difference" not in wc.estimates.index:
        raise ValueError("wc has no one-year rate difference; run weighted_comparison(..., outcome='reoffended_1y')")
    r = wc.estimates.loc["one-year rate difference"]
    return _per_100_sentence(float(r["lower"]), float(r["upper"]), wc.treated, window)


def design_frame(designs: SensitivityResult, n_participants: int, policy=None) -> pd.DataFrame:
    """The designs table with a ``people`` text column safe to publish (see module notes).

    Parameters
    ----------
    designs : SensitivityResult
        From :func:`.designs.design_sensitivity` (needs its ``unmatched`` column).
    n_participants : int
        Participants in the weighted analysis (published elsewhere).

    Returns
    -------
    DataFrame
        ``design``, ``n`` (for ``protect_table(count="n", show_count=False)``), ``people`` and the
        estimate columns.
    """
    if not isinstance(designs, SensitivityResult) or "unmatched" not in designs.table.columns:
        raise TypeError("designs must be the result of design_sensitivity(...) (it has an 'unmatched' column)")
    pol = as_policy(policy)
    t = designs.table.reset_index()
    people = []
    for n, un in zip(t["n"], t["unmatched"]):
        if un and (pol.is_small(int(un)) or pol.is_small(int(n_participants) - int(un))):
            matched = int(n_participants) - int(un)
            people.append(f"all but {pol.prose_small(int(un))} of {int(n_participants)} participants, with their "
                          "matches" if pol.is_small(int(un)) else
                          f"{pol.prose_small(matched)} participants, with their matches")
        else:
            people.append(f"{int(n)}")
    t.insert(2, "people", people)
    return t.drop(columns="unmatched")
