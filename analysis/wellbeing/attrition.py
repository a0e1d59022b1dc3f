"""Attrition: who has a baseline score but no follow-up, and do they differ?

Conventions
-----------
* *Baseline*: a valid score at ``pre``; *completed*: also a valid score at
  ``post``.  Everyone else with a baseline is *lost*, split by the ``reason``
  column (read from the respondent's baseline row, else any row):
  ``"released"`` and ``"transferred"`` → "released or transferred" (leaving
  the prison, decided by the justice system); ``"refused"`` → "refused"; any
  other value or missing → "other or unknown".
* Each lost group (and all lost together) is compared with the completers on
  the baseline score and on each characteristic:

  - numeric: means, standardised difference
    ``(m_lost − m_completed) / √((s²_lost + s²_completed)/2)`` and Welch's
    t-test;
  - categorical: the share in each level, standardised difference for
    proportions ``(p_lost − p_completed) / √((p_l(1−p_l) + p_c(1−p_c))/2)``
    and Pearson's chi-squared test of the level × group table without
    continuity correction (Fisher's exact test for a 2 × 2 table with an
    expected count below 5).

* |standardised difference| ≥ 0.2 is called "noticeable" in the remarks.
* Shares lost per reason have Wilson intervals.
* Other sources of reasons map their own values with ``statuses`` and
  ``other``. When the questionnaire does not say why a follow-up is missing,
  :func:`release_reasons` derives what the release records can tell: a person
  released between their baseline questionnaire and the end of the follow-up
  window is "released"; for everyone else the reason is "not known (refusal,
  transfer or other)" — release records cannot tell a transfer from a refusal.
  Use ``attrition(..., statuses=RELEASE_STATUSES, other=NOT_KNOWN)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, t_ci, wide
from analysis.wellbeing.individual import wilson_ci

__all__ = ["AttritionResult", "attrition", "release_reasons", "NOTICEABLE_SMD", "RELEASED", "NOT_KNOWN",
           "RELEASE_STATUSES", "REASON_STATUSES"]

NOTICEABLE_SMD = 0.2
COMPLETED = "completed"
STRUCTURAL = "released or transferred"
REFUSED = "refused"
OTHER = "other or unknown"
ALL_LOST = "all lost"
RELEASED = "released"
NOT_KNOWN = "not known (refusal, transfer or other)"
#: reasons recorded by the site (the default of :func:`attrition`)
REASON_STATUSES = {"released": STRUCTURAL, "transferred": STRUCTURAL, "release": STRUCTURAL,
                   "transfer": STRUCTURAL, "refused": REFUSED, "refusal": REFUSED}
#: reasons derived from the release records (:func:`release_reasons`)
RELEASE_STATUSES = {RELEASED: RELEASED}
# how each status reads in the remarks: in the count ("12 refused") and as a group ("Those who refused")
_COUNT_TEXT = {OTHER: "for other or unknown reasons", NOT_KNOWN: "for reasons not known (refusal, transfer or other)"}
_WHO_TEXT = {STRUCTURAL: "released or transferred", REFUSED: "who refused", OTHER: "lost for other or unknown reasons",
             RELEASED: "released", NOT_KNOWN: "lost for reasons not known"}


def _status(reason_value, statuses: Mapping[str, str], other: str) -> str:
    if isinstance(reason_value, str):
        return statuses.get(reason_value.strip().lower(), other)
    return other


@dataclass(frozen=True)
class AttritionResult(Result):
    """Attrition counts and baseline comparisons.

    Attributes
    ----------
    counts : DataFrame
        ``status``, ``n``, ``share`` (of those with a baseline), ``ci_low``,
        ``ci_high`` (Wilson).
    comparisons : DataFrame
        ``comparison`` (e.g. "refused vs completed"), ``variable``, ``level``
        (categorical levels; empty for numeric), ``n_completed``,
        ``n_lost``, ``completed`` and ``lost`` (mean or share), ``smd``,
        ``test``, ``p_val``.
    """

    outcome: str
    n_baseline: int
    counts: pd.DataFrame
    comparisons: pd.DataFrame
    baseline: pd.DataFrame

    @property
    def title(self) -> str:
        return "Attrition between baseline and follow-up"

    def to_frame(self) -> pd.DataFrame:
        return self.comparisons.copy()

    def plot(self, ax=None, *, ci: float = 0.95):
        """Mean baseline score (t interval) per status: completed and each reason for loss."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3))
        labels, means, lows, highs = [], [], [], []
        for st in self.counts["status"]:
            vals = self.baseline.loc[self.baseline["status"] == st, "pre"]
            if len(vals) == 0:
                continue
            m, lo, hi, n = t_ci(vals, ci)
            labels.append(f"{st} (n={n})")
            means.append(m)
            lows.append(m - lo if np.isfinite(lo) else 0)
            highs.append(hi - m if np.isfinite(hi) else 0)
        y = np.arange(len(labels))
        ax.errorbar(means, y, xerr=[lows, highs], fmt="o", capsize=3)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(f"mean baseline {self.outcome} ({ci:.0%} CI)")
        ax.set_title(self.title)
        return ax


def _numeric_row(a, b):
    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    ma, mb = (a.mean() if len(a) else np.nan), (b.mean() if len(b) else np.nan)
    if len(a) >= 2 and len(b) >= 2:
        pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        smd = (ma - mb) / pooled if pooled > 0 else np.nan
        p = stats.ttest_ind(a, b, equal_var=False).pvalue if pooled > 0 else np.nan
    else:
        smd = p = np.nan
    return len(b), len(a), mb, ma, smd, p


def _categorical_rows(a, b):
    a, b = a.dropna().astype(str), b.dropna().astype(str)
    levels = sorted(set(a) | set(b))
    table = np.array([[int((b == lev).sum()), int((a == lev).sum())] for lev in levels])
    test, p = "chi-squared", np.nan
    if len(levels) >= 2 and len(a) and len(b):
        chi = stats.chi2_contingency(table, correction=False)
        p = chi.pvalue
        if table.shape == (2, 2) and chi.expected_freq.min() < 5:
            test, p = "Fisher exact", stats.fisher_exact(table).pvalue
    rows = []
    for lev, (nb_lev, na_lev) in zip(levels, table):
        pb = nb_lev / len(b) if len(b) else np.nan
        pa = na_lev / len(a) if len(a) else np.nan
        den = np.sqrt((pa * (1 - pa) + pb * (1 - pb)) / 2)
        smd = (pa - pb) / den if den > 0 else np.nan
        rows.append((lev, len(b), len(a), pb, pa, smd, test, p))
    return rows


def attrition(
    data: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    pre=None,
    post=None,
    reason: str | None = "reason",
    characteristics: tuple[str, ...] | list[str] = (),
    statuses: Mapping[str, str] | None = None,
    other: str = OTHER,
) -> AttritionResult:
    """Compare respondents lost to follow-up with completers, by reason for loss.

    Parameters
    ----------
    data : DataFrame
        Long scores frame with, per respondent, the ``reason`` for a missing
        follow-up and baseline ``characteristics`` (columns of the baseline row).
    subject, wave, outcome : str, keyword-only
        Column names.
    pre, post : wave labels, optional
        Inferred when the data hold exactly two waves.
    reason : str or None
        Column of reasons ("released", "transferred", "refused", "other" or
        missing); None lumps all losses together as "other or unknown".
    characteristics : sequence of str
        Baseline characteristics to compare (numeric or categorical).
    statuses : mapping, optional
        Reason value (compared in lower case) → status; default
        :data:`REASON_STATUSES`. With reasons from :func:`release_reasons`,
        pass :data:`RELEASE_STATUSES`.
    other : str
        Status of a missing reason or one ``statuses`` does not list
        (:data:`NOT_KNOWN` with :func:`release_reasons`).

    Returns
    -------
    AttritionResult
    """
    characteristics = tuple(characteristics)
    statuses = REASON_STATUSES if statuses is None else {str(k).strip().lower(): v for k, v in statuses.items()}
    if COMPLETED in statuses.values() or other == COMPLETED:
        raise ValueError(f"statuses and other must not use {COMPLETED!r}: it is the status of those followed up")
    lost_order = list(dict.fromkeys([*statuses.values(), other]))
    if subject in characteristics or outcome in characteristics:
        raise ValueError("characteristics must not include the subject or outcome columns")
    pre, post = resolve_waves(data, wave, pre, post)
    extra = characteristics + ((reason,) if reason else ())
    w = wide(data, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post, extra=extra)
    if reason:
        # the reason may sit on any of the respondent's rows: take the first non-missing one
        rs = data.dropna(subset=[reason]).drop_duplicates(subject).set_index(subject)[reason]
        w[reason] = w[subject].map(rs)
    base = w[w["pre"].notna()].copy()
    n0 = len(base)
    if n0 == 0:
        raise ValueError(f"no respondent has a valid {outcome} at {pre!r}")
    base["status"] = np.where(
        base["post"].notna(), COMPLETED,
        base[reason].map(lambda v: _status(v, statuses, other)) if reason else other,
    )
    counts = []
    for st in (COMPLETED, *lost_order):
        k = int((base["status"] == st).sum())
        lo, hi = wilson_ci(k, n0)
        counts.append({"status": st, "n": k, "share": k / n0, "ci_low": lo, "ci_high": hi})
    counts = pd.DataFrame(counts)

    comp = base[base["status"] == COMPLETED]
    rows = []
    groups = [(ALL_LOST, base[base["status"] != COMPLETED])]
    groups += [(st, base[base["status"] == st]) for st in lost_order]
    variables = [("pre", f"baseline {outcome}")] + [(c, c) for c in characteristics]
    for label, lost in groups:
        if len(lost) == 0:
            continue
        cmp_name = f"{label} vs {COMPLETED}"
        for col, name in variables:
            if pd.api.types.is_numeric_dtype(base[col]) and not pd.api.types.is_bool_dtype(base[col]):
                nb, na, mb, ma, smd, p = _numeric_row(lost[col], comp[col])
                rows.append((cmp_name, name, "", nb, na, mb, ma, smd, "Welch t", p))
            else:
                for lev, nb, na, pb, pa, smd, test, p in _categorical_rows(lost[col], comp[col]):
                    rows.append((cmp_name, name, lev, nb, na, pb, pa, smd, test, p))
    comparisons = pd.DataFrame(rows, columns=["comparison", "variable", "level", "n_completed", "n_lost",
                                              "completed", "lost", "smd", "test", "p_val"])

    n_lost = n0 - int(counts.loc[counts["status"] == COMPLETED, "n"].iloc[0])
    c = counts.set_index("status")["n"]
    remarks = [
        f"Of {n0} respondents with a baseline score, {n_lost} ({n_lost / n0:.0%}) have no follow-up score: "
        + ", ".join(f"{c[st]} {_COUNT_TEXT.get(st, st)}" for st in lost_order) + "."
    ]
    per_group = comparisons[comparisons["comparison"] != f"{ALL_LOST} vs {COMPLETED}"].copy()
    per_group["_abs"] = per_group["smd"].abs()
    # one remark per group and variable: for categorical variables, the level that differs most
    top = per_group.sort_values("_abs", ascending=False).drop_duplicates(["comparison", "variable"])
    top = top.sort_index()
    for _, r in top.iterrows():
        if np.isfinite(r["smd"]) and abs(r["smd"]) >= NOTICEABLE_SMD:
            who = r["comparison"].split(" vs ")[0]
            what = r["variable"] + (f" = {r['level']}" if r["level"] else "")
            direction = "higher" if r["smd"] > 0 else "lower"
            fmt = (lambda v: f"{v:.1f}") if not r["level"] else (lambda v: f"{v:.0%}")
            small = " (a small group: read with care)" if r["n_lost"] < 10 else ""
            remarks.append(
                f"Those {_WHO_TEXT.get(who, f'lost ({who})')} differ noticeably from completers on {what}: {direction} "
                f"({fmt(r['lost'])} vs {fmt(r['completed'])}; standardised difference {r['smd']:+.2f}){small}."
            )
    remarks.append(
        "Release and transfer are decided by the justice system and are less likely to depend on wellbeing "
        "than refusal is. Where those lost differ from completers, completer-only change is biased; the mixed "
        "model uses everyone's baseline score and is less so (if dropout depends only on observed scores)."
    )
    if (counts["n"].between(1, 9)).any():
        remarks.append("Some groups have fewer than 10 respondents: apply disclosure control before publishing.")
    return AttritionResult(outcome=outcome, n_baseline=n0, counts=counts, comparisons=comparisons,
                           baseline=base, remarks=tuple(remarks))


def release_reasons(
    responses: pd.DataFrame,
    releases: pd.DataFrame,
    *,
    window_weeks: float,
    baseline=None,
    subject: str = "pid",
    wave: str = "wave",
    date: str = "date",
    release_date: str = "release_date",
) -> pd.DataFrame:
    """Why a follow-up may be missing, as far as the release records can tell.

    A respondent is ``"released"`` (:data:`RELEASED`) when the release
    records hold a release on or after the date of their baseline
    questionnaire and on or before the end of their follow-up window
    (baseline date + ``window_weeks`` weeks); a release before the baseline
    belongs to an earlier stay. Everyone else — no release in the window, no
    release record, or no baseline date — gets :data:`NOT_KNOWN`: the records
    cannot tell a transfer to another prison from a refusal, an illness or a
    missed appointment.

    Parameters
    ----------
    responses : DataFrame
        Questionnaire rows with ``subject``, ``wave`` and ``date`` (the date
        the questionnaire was answered); only the baseline rows are used.
    releases : DataFrame
        Release episodes with ``subject`` and ``release_date`` (several
        episodes per person allowed), linked on the same pseudonymised ``subject``.
    window_weeks : float, keyword-only
        Length of the follow-up window after the baseline, in weeks (the
        follow-up wave's ``max_weeks``).
    baseline : wave label, optional
        The baseline wave; default the smallest value of ``wave``.
    subject, wave, date, release_date : str, keyword-only
        Column names.

    Returns
    -------
    DataFrame
        One row per respondent with a baseline row: ``subject``,
        ``baseline_date``, ``window_end``, ``release_date`` (the first release
        in the window, else missing) and ``reason`` (:data:`RELEASED` or
        :data:`NOT_KNOWN`). Merge ``reason`` onto the scores and call
        ``attrition(..., statuses=RELEASE_STATUSES, other=NOT_KNOWN)``.
    """
    for frame, name, cols in ((responses, "responses", (subject, wave, date)),
                              (releases, "releases", (subject, release_date))):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame, not {type(frame).__name__}")
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise KeyError(f"{name} has no column {missing[0]!r}; pass the column's name "
                           f"({'subject, wave, date' if name == 'responses' else 'subject, release_date'} arguments)")
    try:
        weeks = float(window_weeks)
    except (TypeError, ValueError):
        weeks = float("nan")
    if not np.isfinite(weeks) or weeks <= 0:
        raise ValueError(f"window_weeks must be a positive number of weeks, not {window_weeks!r} "
                         "(the follow-up wave's max_weeks)")
    waves = responses[wave].dropna().unique()
    if baseline is None:
        if len(waves) == 0:
            raise ValueError(f"responses has no {wave!r} values; pass baseline= or check the data")
        baseline = sorted(waves)[0]
    elif baseline not in set(waves):
        raise ValueError(f"baseline={baseline!r} is not a value of responses[{wave!r}] ({sorted(waves)!r})")
    base = responses.loc[responses[wave] == baseline, [subject, date]].copy()
    base[date] = pd.to_datetime(base[date], errors="coerce")
    # one baseline per respondent: the earliest dated one
    base = (base.sort_values(date, na_position="last", kind="stable").drop_duplicates(subject)
            .rename(columns={date: "baseline_date"}).reset_index(drop=True))
    base["window_end"] = base["baseline_date"] + pd.to_timedelta(weeks * 7, unit="D")
    rel = releases[[subject, release_date]].copy()
    rel[release_date] = pd.to_datetime(rel[release_date], errors="coerce")
    rel = rel.dropna(subset=[release_date]).rename(columns={release_date: "_release"})
    linked = base[[subject, "baseline_date", "window_end"]].merge(rel, on=subject, how="inner")
    inside = linked[(linked["_release"] >= linked["baseline_date"]) & (linked["_release"] <= linked["window_end"])]
    first = inside.groupby(subject)["_release"].min()
    base["release_date"] = base[subject].map(first)
    base["reason"] = np.where(base["release_date"].notna(), RELEASED, NOT_KNOWN)
    return base[[subject, "baseline_date", "window_end", "release_date", "reason"]]
