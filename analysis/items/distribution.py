"""Distributions of ordinal items, agreement with Wilson intervals, diverging bars.

:func:`item_distribution` counts, per item (and per group), every answer
category and every nonresponse code (don't know, refused, not applicable)
as a category of its own. From the substantive answers only it gives the
share agreeing (the ``positive`` codes of the :class:`~.spec.ItemSpec`) with
a Wilson score interval (``statsmodels`` ``proportion_confint``, which R's
``prop.test(x, n, correct = FALSE)$conf.int`` reproduces) and the median.

Conventions
-----------
* A respondent is counted once per item: ``n`` is rows, or distinct
  ``subject`` values when given (filter to one wave first).
* ``share`` is of everyone who gave an answer *or* a nonresponse code;
  ``share_answered`` is of the substantive answers only (the percentages the
  diverging bar chart shows). An empty cell (not asked, left blank) is counted
  in ``n_blank`` of the summary and nowhere else.
* The median is the median code of the substantive answers (``numpy.median``;
  a value between two codes is halfway between two categories).
* The diverging bar chart (Pew Research / R ``likert`` convention) centres
  each bar on the neutral answer: half of the neutral share lies left of zero
  and half right; items are sorted by their share agreeing; the number of
  substantive answers and the nonresponse share are printed beside each bar.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.results import Result

from .spec import ItemSpec, as_specs

__all__ = ["ItemDistribution", "item_distribution", "wilson_interval", "ticked_counts", "PLOT_TEXTS"]

#: wording of the chart's annotations per language
PLOT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {"n": "n = {n}", "nonresponse": "no answer¹ {pct:.0f}%", "axis": "% of answers (left: disagree, right: agree)",
           "footnote": "¹ don't know, refused or not applicable; not part of the bar"},
    "nl": {"n": "n = {n}", "nonresponse": "geen antwoord¹ {pct:.0f}%",
           "axis": "% van de antwoorden (links: niet akkoord, rechts: akkoord)",
           "footnote": "¹ weet niet, wil niet antwoorden of niet van toepassing; niet in de balk"},
    "fr": {"n": "n = {n}", "nonresponse": "sans réponse¹ {pct:.0f} %",
           "axis": "% des réponses (à gauche : pas d'accord, à droite : d'accord)",
           "footnote": "¹ ne sait pas, refuse de répondre ou sans objet ; hors de la barre"},
}


def wilson_interval(count: int, nobs: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for ``count`` out of ``nobs`` (NaN for ``nobs == 0``)."""
    if nobs <= 0:
        return (np.nan, np.nan)
    lo, hi = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    return (float(lo), float(hi))


def _as_list(cols: str | Sequence[str] | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


@dataclass(frozen=True, eq=False)
class ItemDistribution(Result):
    """Answer distributions and agreement of ordinal items.

    Attributes
    ----------
    counts : DataFrame
        Long: the ``group`` columns, ``item``, ``label``, ``category``,
        ``code``, ``kind`` (``answer`` or the nonresponse kind), ``n``,
        ``share``, ``share_answered``.
    summary : DataFrame
        One row per item (× group): ``item``, ``label``, ``factor``,
        ``n_answered``, ``n_nonresponse``, ``n_blank``, ``n_agree``, ``agree``,
        ``agree_ci_low``, ``agree_ci_high``, ``median``, ``median_label``.
    specs : tuple of ItemSpec
    group : tuple of str
    """

    counts: pd.DataFrame
    summary: pd.DataFrame
    specs: tuple[ItemSpec, ...]
    group: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return "Item distributions"

    def to_frame(self) -> pd.DataFrame:
        """The per-item summary (agreement with Wilson 95% interval, median)."""
        return self.summary.copy()

    def spec(self, name: str) -> ItemSpec:
        return next(s for s in self.specs if s.name == name)

    def subset(self, items: Sequence[str] | None = None, **group_values) -> "ItemDistribution":
        """The same result restricted to some items and/or one value of each group column."""
        c, s = self.counts, self.summary
        if items is not None:
            keep = list(items)
            c, s = c[c["item"].isin(keep)], s[s["item"].isin(keep)]
        for col, value in group_values.items():
            if col not in self.group:
                raise KeyError(f"{col!r} is not a group column of this result (groups: {list(self.group)})")
            c, s = c[c[col] == value], s[s[col] == value]
        specs = tuple(sp for sp in self.specs if sp.name in set(s["item"]))
        return ItemDistribution(counts=c.reset_index(drop=True), summary=s.reset_index(drop=True), specs=specs,
                                group=self.group, remarks=self.remarks)

    def plot(self, ax=None, *, lang: str = "en", wrap: int = 48, colors: str = "RdBu",
             n_labels: Mapping[str, str] | None = None, nonresponse_labels: Mapping[str, str] | None = None):
        """Diverging stacked bars centred on the neutral answer, items sorted by agreement.

        With group columns, :meth:`subset` to one group first. ``n_labels`` / ``nonresponse_labels``
        (item -> text) replace the number of answers under a question and the nonresponse share beside its
        bar, e.g. by disclosure-safe texts where the nonresponse is a small count
        (:func:`analysis.disclosure.safe_part`); the footnote's marker is kept.
        """
        import matplotlib.pyplot as plt

        if self.group and self.summary[list(self.group)].drop_duplicates().shape[0] > 1:
            raise ValueError("several groups in this result: plot one at a time, e.g. dist.subset(group_col=value).plot()")
        texts = PLOT_TEXTS.get(lang, PLOT_TEXTS["en"])
        summ = self.summary.sort_values(["agree", "item"], ascending=[True, True]).reset_index(drop=True)
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 0.75 * len(summ) + 1.6))
        cmap = plt.get_cmap(colors)
        seen: dict[str, Any] = {}
        for y, row in summ.iterrows():
            spec = self.spec(row["item"])
            k = len(spec.codes)
            shares = (self.counts[(self.counts["item"] == spec.name) & (self.counts["kind"] == "answer")]
                      .set_index("code")["share_answered"].reindex(spec.codes).fillna(0.0) * 100)
            neg, neu = list(spec.negative), spec.neutral
            left = -(shares[neg].sum() + (shares[neu] / 2 if neu is not None else 0.0))
            for j, code in enumerate(spec.codes):
                width = shares[code]
                color = cmap(0.08 + 0.84 * j / (k - 1)) if code != neu else (0.82, 0.82, 0.82, 1.0)
                lab = spec.choice_label(code)
                bar = ax.barh(y, width, left=left, color=color, edgecolor="white", height=0.7,
                              label=lab if lab not in seen else None)
                seen.setdefault(lab, bar)
                if width >= 8:
                    ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center", fontsize=7)
                left += width
            n_nr = int(row["n_nonresponse"])
            total = int(row["n_answered"]) + n_nr
            if nonresponse_labels is not None:
                if row["item"] in nonresponse_labels:
                    ax.text(102, y, nonresponse_labels[row["item"]], va="center", fontsize=7, color="dimgray")
            elif n_nr and total:
                ax.text(102, y, texts["nonresponse"].format(pct=100 * n_nr / total), va="center", fontsize=7,
                        color="dimgray")
        labels = [textwrap.fill(str(r["label"]), wrap) + "\n"
                  + (n_labels[r["item"]] if n_labels is not None else texts["n"].format(n=int(r["n_answered"])))
                  for _, r in summ.iterrows()]
        ax.set_yticks(range(len(summ)), labels, fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
        ax.set_xlabel(texts["axis"])
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if len(summ):
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(seen), 5), fontsize=7,
                      frameon=False)
        if (summ["n_nonresponse"] > 0).any():
            ax.annotate(texts["footnote"], xy=(1.0, 0.0), xytext=(0, -40), textcoords="offset points",
                        xycoords="axes fraction", ha="right", va="top", fontsize=7, color="dimgray")
        return ax


def item_distribution(
    data: pd.DataFrame,
    items: Sequence[ItemSpec | Mapping[str, Any]] | ItemSpec | Mapping[str, Any],
    *,
    group: str | Sequence[str] | None = None,
    subject: str | None = None,
    alpha: float = 0.05,
) -> ItemDistribution:
    """Distribution, share agreeing (Wilson interval) and median of ordinal items.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (filter to one wave first), one column per item
        holding the answer code, a nonresponse code, or empty.
    items : ItemSpec, mapping, or a list of them
        The items (see :mod:`analysis.items.spec`).
    group : str or list of str, optional
        Columns to break the results down by (e.g. respondent group).
    subject : str, optional
        Person identifier: counts are distinct persons (default: rows; the
        anonymous staff survey has no identifier).
    alpha : float
        1 − confidence level of the Wilson interval.

    Returns
    -------
    ItemDistribution
        ``counts`` (long, every category including nonresponse) and ``summary``
        (``to_frame()``), with the diverging bar chart as ``plot()``.

    Raises
    ------
    KeyError
        An item or group column is not in ``data``.
    ValueError
        A value that is neither an answer code nor a declared nonresponse code.
    """
    specs = as_specs(items)
    groups = _as_list(group)
    missing = [c for c in [*(s.name for s in specs), *groups, *_as_list(subject)] if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} not found in data; pass the responses frame of the instrument "
                       "that holds these items")
    problems = []
    for s in specs:
        vals = pd.to_numeric(data[s.name], errors="coerce").dropna().unique()
        odd = sorted(int(v) for v in vals if v not in s.codes and v not in s.nonresponse_codes)
        if odd:
            problems.append(f"{s.name}: codes {odd} are neither answers nor nonresponse codes")
    if problems:
        raise ValueError("; ".join(problems) + " — check the item specs against the instrument definition")

    keys = list(data.groupby(groups, sort=True, dropna=False).groups) if groups else [()]
    count_rows, summary_rows = [], []
    for key in keys:
        key = key if isinstance(key, tuple) else (key,)
        sub = data
        for col, value in zip(groups, key):
            sub = sub[sub[col] == value]
        gvals = dict(zip(groups, key))
        for s in specs:
            col = pd.to_numeric(sub[s.name], errors="coerce")

            def n_of(mask) -> int:
                return int(sub.loc[mask.to_numpy(), subject].nunique()) if subject else int(mask.sum())

            n_cat = {c: n_of(col == c) for c in (*s.codes, *s.nonresponse_codes)}
            n_ans = sum(n_cat[c] for c in s.codes)
            n_nr = sum(n_cat[c] for c in s.nonresponse_codes)
            total = n_ans + n_nr
            for c, text in s.choices:
                count_rows.append({**gvals, "item": s.name, "label": s.label, "category": text, "code": c,
                                   "kind": "answer", "n": n_cat[c],
                                   "share": n_cat[c] / total if total else np.nan,
                                   "share_answered": n_cat[c] / n_ans if n_ans else np.nan})
            for c, kind, text in s.nonresponse:
                count_rows.append({**gvals, "item": s.name, "label": s.label, "category": text, "code": c,
                                   "kind": kind or "nonresponse", "n": n_cat[c],
                                   "share": n_cat[c] / total if total else np.nan, "share_answered": np.nan})
            n_agree = sum(n_cat[c] for c in s.positive)
            lo, hi = wilson_interval(n_agree, n_ans, alpha=alpha)
            answered = col[col.isin(s.codes)]
            med = float(np.median(answered)) if len(answered) else np.nan
            summary_rows.append({
                **gvals, "item": s.name, "label": s.label, "factor": s.factor,
                "n_answered": n_ans, "n_nonresponse": n_nr, "n_blank": int(col.isna().sum()),
                "n_agree": n_agree, "agree": n_agree / n_ans if n_ans else np.nan,
                "agree_ci_low": lo, "agree_ci_high": hi, "median": med,
                "median_label": s.choice_label(int(med)) if np.isfinite(med) and float(med).is_integer() else
                (f"{s.choice_label(int(np.floor(med)))} / {s.choice_label(int(np.ceil(med)))}"
                 if np.isfinite(med) else ""),
            })
    counts = pd.DataFrame(count_rows)
    summary = pd.DataFrame(summary_rows)
    remarks = [
        f"Share agreeing: the answers above the neutral one (of the substantive answers), with a {100 * (1 - alpha):.0f}% Wilson score interval; 'don't know', 'refused' and "
        "'not applicable' are counted apart and are not in the denominator.",
    ]
    if (summary["n_answered"] == 0).any():
        remarks.append(f"{int((summary['n_answered'] == 0).sum())} item(s) have no substantive answer.")
    return ItemDistribution(counts=counts, summary=summary, specs=tuple(specs), group=tuple(groups),
                            remarks=tuple(remarks))


def ticked_counts(data: pd.DataFrame, columns: Mapping[str, str], *, subject: str | None = None,
                  label: str = "answer") -> pd.DataFrame:
    """Persons who ticked each answer of a multiple-choice item (one 0/1 column per answer).

    ``columns`` maps each column (``<item>_<code>``) to its answer label.
    Returns ``label``, ``n`` (ticked) and ``n_asked`` (rows with any answer
    to the item); a person may tick several answers.
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} not found in data; multiple-choice answers are stored as <item>_<code>")
    block = data[list(columns)].apply(pd.to_numeric, errors="coerce")
    asked = block.notna().any(axis=1)
    rows = []
    for col, text in columns.items():
        hit = block[col] == 1
        n = int(data.loc[hit.to_numpy(), subject].nunique()) if subject else int(hit.sum())
        rows.append({label: text, "n": n})
    n_asked = int(data.loc[asked.to_numpy(), subject].nunique()) if subject else int(asked.sum())
    return pd.DataFrame(rows).assign(n_asked=n_asked)
