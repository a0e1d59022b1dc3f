"""Book-ready views of wellbeing results: person counts, a site forest plot, safe remarks.

The wellbeing results carry everything a chapter needs, but three small
steps sit between them and a published page; they are statistics (and
counting), so they live here rather than in the chapter:

* :func:`wave_summary` – per wave (and group), the number of distinct
  persons with a valid score, the mean, the SD and the share in one
  category, as a frame ready for
  :func:`~analysis.disclosure.protect_table` (``count="n_persons"``).
* :func:`forest_plot` – per-site estimates with intervals, sites in their
  code order (never ranked by estimate: a forest plot, not a league table),
  optionally with the overall estimate as a shaded band.  Pass it only rows
  that passed :func:`~analysis.disclosure.guard_figure_data`.
* :func:`publishable_remarks` – a result's remarks, except those that state
  a number of persons below the disclosure threshold (or from which such a
  number follows: "only 95 of 100 respondents ..." discloses 5 lost), which
  are replaced by one plain sentence saying a remark was withheld; so is a
  remark naming a site whose number of pairs is small (it would tell which
  hidden cell of a table is the small one).

Conventions
-----------
* Persons are counted as distinct ``subject`` values with a valid (non-NaN)
  score in the wave; the mean and SD are over those persons (SD with
  ``ddof=1``).
* The person counts a result's remarks may state are read from the result:
  :class:`~analysis.wellbeing.change.PairedChangeResult` (pairs, baseline,
  lost, zero changes), :class:`~analysis.wellbeing.individual.ReliableChangeResult`
  (pairs and each category), :class:`~analysis.wellbeing.reliability.ReliabilityResult`
  (complete responses per wave), :class:`~analysis.wellbeing.attrition.AttritionResult`
  (baseline, each status, lost), :class:`~analysis.wellbeing.mixed.MixedModelResult`
  and :class:`~analysis.wellbeing.compare.CompletersVsAllResult` (respondents).
  A remark is withheld when it contains a small count as a standalone whole
  number, or both numbers of a pair whose difference is small.  The test
  errs on the side of withholding (a wave label equal to a small count
  withholds the remark too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.disclosure import DisclosurePolicy
from analysis.disclosure.tables import as_policy
from analysis.reader import reader_text
from analysis.wellbeing.attrition import COMPLETED, AttritionResult
from analysis.wellbeing.change import PairedChangeResult
from analysis.wellbeing.compare import CompletersVsAllResult
from analysis.wellbeing.individual import ReliableChangeResult
from analysis.wellbeing.mixed import MixedModelResult
from analysis.wellbeing.participation import ParticipationChangeResult, ParticipationGroups
from analysis.wellbeing.reliability import ReliabilityResult
from analysis.wellbeing.scoring import _require_columns

__all__ = ["wave_summary", "n_complete_pairs", "forest_plot", "publishable_remarks", "remark_counts", "WITHHELD_REMARK"]

WITHHELD_REMARK = "{k} remark(s) not shown because they state a number of fewer than {threshold} persons."


def wave_summary(
    scores: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    group: str | None = None,
    category: str | None = None,
    category_col: str = "category",
) -> pd.DataFrame:
    """Persons with a valid score, mean, SD (and share in ``category``) per wave (× group).

    Parameters
    ----------
    scores : DataFrame
        Long scores frame (e.g. from :func:`~analysis.wellbeing.scoring.score_scale`).
    subject, wave, outcome, group : str, keyword-only
        Column names; ``group=None`` summarises by wave only.
    category : str, optional
        A category label of ``category_col`` (e.g. ``"poor wellbeing"``):
        adds ``pct_category``, the percentage of persons in it.
    category_col : str
        Column of category labels.

    Returns
    -------
    DataFrame
        Key columns (``group`` if given, then ``wave``), ``n_persons``,
        ``mean``, ``sd`` and, with ``category``, ``pct_category`` – one row per
        key with at least one row in ``scores`` (``n_persons`` may be 0).
    """
    _require_columns(scores, subject=subject, wave=wave, outcome=outcome, group=group,
                     category_col=category_col if category is not None else None)
    keys = ([group] if group else []) + [wave]
    valid = scores[pd.to_numeric(scores[outcome], errors="coerce").notna()]
    # one value per person and key: a person counted twice in a wave would inflate n
    per_person = valid.drop_duplicates(keys + [subject])
    rows = []
    for key, _ in scores.groupby(keys, sort=True, dropna=True):
        key = key if isinstance(key, tuple) else (key,)
        sel = per_person
        for col, val in zip(keys, key):
            sel = sel[sel[col] == val]
        y = pd.to_numeric(sel[outcome]).astype(float)
        rec: dict[str, Any] = dict(zip(keys, key))
        rec["n_persons"] = int(sel[subject].nunique())
        rec["mean"] = float(y.mean()) if len(y) else np.nan
        rec["sd"] = float(y.std(ddof=1)) if len(y) > 1 else np.nan
        if category is not None:
            rec["pct_category"] = float(100 * (sel[category_col] == category).mean()) if len(sel) else np.nan
        rows.append(rec)
    cols = keys + ["n_persons", "mean", "sd"] + (["pct_category"] if category is not None else [])
    return pd.DataFrame(rows, columns=cols)


def n_complete_pairs(
    scores: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    pre=1,
    post=2,
) -> int:
    """Number of persons with a valid score at both ``pre`` and ``post`` (0 when a wave is absent).

    Lets a chapter decide whether a paired analysis can be published before
    running it (:func:`~analysis.wellbeing.change.paired_change` needs both
    waves and at least three pairs).
    """
    _require_columns(scores, subject=subject, wave=wave, outcome=outcome)
    valid = scores[pd.to_numeric(scores[outcome], errors="coerce").notna()]
    at_pre = set(valid.loc[valid[wave] == pre, subject])
    at_post = set(valid.loc[valid[wave] == post, subject])
    return len(at_pre & at_post)


def forest_plot(
    frame: pd.DataFrame,
    *,
    label: str = "site",
    estimate: str = "mean_change",
    ci_low: str = "change_ci_low",
    ci_high: str = "change_ci_high",
    n: str | None = "n_pairs",
    overall: tuple[float, float, float] | None = None,
    overall_label: str = "all sites",
    null: float | None = 0.0,
    xlabel: str = "mean change (95% CI)",
    ax=None,
):
    """Horizontal forest plot of per-group estimates with intervals.

    Rows are drawn in the order of ``label`` (sorted), top to bottom, never
    by the size of the estimate.  ``overall`` = ``(estimate, low, high)``
    adds a shaded band and a diamond at the bottom.  Give it only rows that
    passed disclosure control.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    _require_columns(frame, label=label, estimate=estimate, ci_low=ci_low, ci_high=ci_high, n=n)
    t = frame.sort_values(label, key=lambda s: s.astype(str)).reset_index(drop=True)
    k = len(t)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 1.0 + 0.35 * (k + (2 if overall else 0))))
    ypos = np.arange(k)[::-1] + (2 if overall else 0)
    est = t[estimate].to_numpy(float)
    err = np.vstack([est - t[ci_low].to_numpy(float), t[ci_high].to_numpy(float) - est])
    ax.errorbar(est, ypos, xerr=err, fmt="s", color="black", ecolor="black", capsize=2, ms=5)
    names = [f"{lab} (n={int(m)})" if n else str(lab) for lab, m in
             zip(t[label], t[n] if n else [0] * k)]
    ticks, ticklabels = list(ypos), names
    if overall is not None:
        o, lo, hi = (float(v) for v in overall)
        ax.axvspan(lo, hi, color="tab:blue", alpha=0.12, lw=0)
        ax.axvline(o, color="tab:blue", lw=0.8)
        ax.fill([lo, o, hi, o], [0, 0.25, 0, -0.25], color="tab:blue")
        ticks.append(0)
        ticklabels.append(overall_label)
    if null is not None:
        ax.axvline(null, color="grey", lw=0.8, ls=":")
    ax.set_yticks(ticks, ticklabels)
    ax.set_ylim(-0.8, max(ticks, default=0) + 0.8)
    ax.set_xlabel(xlabel)
    return ax


def remark_counts(result) -> tuple[list[int], list[tuple[int, int]]]:
    """Person counts a result's remarks may state, and pairs whose difference is a count.

    Returns
    -------
    (counts, pairs) : tuple
        ``counts``: whole numbers of persons; ``pairs``: ``(a, b)`` such that
        ``a − b`` persons is itself a count (e.g. baseline and completers).
    """
    counts: list[int] = []
    pairs: list[tuple[int, int]] = []
    if isinstance(result, PairedChangeResult):
        counts += [result.n_pairs, result.n_baseline, result.n_zero, result.n_baseline - result.n_pairs]
        pairs.append((result.n_baseline, result.n_pairs))
        if len(result.by_site):
            counts += [int(x) for x in result.by_site["n_pairs"]]
    elif isinstance(result, ReliableChangeResult):
        counts += [result.n_pairs] + [int(x) for x in result.table["n"]]
    elif isinstance(result, ReliabilityResult):
        counts += [int(x) for x in result.table["n"]]
    elif isinstance(result, AttritionResult):
        c = result.counts.set_index("status")["n"]
        counts += [result.n_baseline] + [int(x) for x in c]
        counts.append(result.n_baseline - int(c.get(COMPLETED, 0)))
        pairs.append((result.n_baseline, int(c.get(COMPLETED, 0))))
        if len(result.comparisons):
            counts += [int(x) for x in result.comparisons["n_lost"]] + [int(x) for x in result.comparisons["n_completed"]]
    elif isinstance(result, MixedModelResult):
        counts += [result.n_subjects]
    elif isinstance(result, ParticipationGroups):
        counts += [int(x) for x in result.to_frame()["n"]]
        src = result.persons["source"].value_counts()
        counts += [int(x) for x in src] + [len(result.persons)]
    elif isinstance(result, ParticipationChangeResult):
        t = result.table
        counts += [int(t["n_participants"].iloc[0]), int(t["n_comparison"].iloc[0]), *result.n_baseline]
    elif isinstance(result, CompletersVsAllResult):
        counts += [int(x) for x in result.table["n_subjects"]] + [result.mixed.n_subjects]
        pairs += [(result.mixed.n_subjects, int(x)) for x in result.table["n_subjects"]]
    else:
        raise TypeError(
            f"publishable_remarks does not know the person counts of {type(result).__name__}; "
            "pass a wellbeing result (PairedChangeResult, ReliableChangeResult, ReliabilityResult, "
            "AttritionResult, MixedModelResult, CompletersVsAllResult)"
        )
    return counts, pairs


def _states(remark: str, value: int) -> bool:
    return re.search(rf"(?<![\w.,−-]){value}(?![\w%]|[.,]\d)", remark) is not None


def publishable_remarks(
    result,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    *,
    remarks: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The remarks of ``result`` that state no small number of persons.

    Parameters
    ----------
    result : wellbeing result
        Supplies the person counts (see :func:`remark_counts`) and, unless
        ``remarks`` is given, the remarks.
    policy : DisclosurePolicy or mapping, optional
        The threshold (default 10).
    remarks : sequence of str, optional
        Remarks to check instead of ``result.remarks``.

    Returns
    -------
    tuple of str
        The safe remarks in their order, followed by one sentence saying how
        many were withheld (if any), as a reader sees them
        (:func:`analysis.reader.reader_text`: code hints removed, code names
        in words).

    Examples
    --------
    A remark stating that 4 respondents had no change is withheld at the
    default threshold of 10 (see the tests for worked cases).
    """
    pol = as_policy(policy)
    counts, pairs = remark_counts(result)
    small = sorted({int(c) for c in counts if c > 0 and pol.is_small(int(c))})
    risky_pairs = [(a, b) for a, b in pairs if a != b and pol.is_small(abs(int(a) - int(b)))]
    # a remark naming a site whose count is small tells which hidden cell is the small one
    small_sites = []
    if isinstance(result, PairedChangeResult) and len(result.by_site):
        small_sites = [str(s) for s, k in zip(result.by_site["site"], result.by_site["n_pairs"])
                       if pol.is_small(int(k))]
    out, withheld = [], 0
    for r in result.remarks if remarks is None else remarks:
        bad = any(_states(r, c) for c in small) or any(_states(r, a) and _states(r, b) for a, b in risky_pairs)
        bad = bad or any(re.search(rf"(?<!\w){re.escape(s)}(?!\w)", r) for s in small_sites)
        if bad:
            withheld += 1
        else:
            out.append(r)
    if withheld:
        out.append(WITHHELD_REMARK.format(k=withheld, threshold=pol.threshold))
    # for readers: code hints such as "(pass ci_method=...)" removed, code names in words (analysis/labels.yaml)
    return tuple(reader_text(r) for r in out)
