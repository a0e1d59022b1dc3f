"""Cohort construction: from release episodes to time-to-reoffence data.

Conventions
-----------
* **Unit**: the primary cohort holds each person's *first eligible release* in
  the study period. Later releases of the same person are not independent
  observations; ``episodes="all"`` keeps them as a labelled sensitivity
  analysis (cluster on the person when you model them).
* **Time origin**: the release date. ``duration`` is in days.
* **Event**: the first reoffence of the chosen kind, dated by the *offence*
  date (not the conviction date). ``kind="reconviction"`` counts every
  recorded reoffence (a re-imprisonment follows a reconviction);
  ``kind="reimprisonment"`` counts only re-imprisonments. An episode whose
  first recorded offence is dated before release is excluded and counted
  (``pre_release="exclude"``): the extract holds only the first offence, so a
  later offence after release would be invisible.
* **Censoring**: at the administrative end of observation,
  ``min(followup_end, extract_date - lag)``: offences committed in the last
  ``lag_months`` before the extract may not have reached a court yet, so the
  window is closed early rather than counted as reoffence-free.
* **Competing events**: death (``status`` 2) and deportation (``status`` 3)
  before the reoffence end follow-up; an offence on the day of death counts as
  the reoffence.
* **Fixed-window rates**: a person enters the one-year (two-year) rate only if
  ``release + window + lag <= extract_date`` and follow-up covers the window.
* **Impossible dates** are not dropped silently: every problem is a row of
  :attr:`Cohort.problems` (episode row label, column, stable kebab-case code,
  message) and the episode leaves the analysis.

Status codes in the cohort frame: 0 censored, 1 reoffence, 2 death,
3 deportation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..results import Result
from ._checks import require_columns, require_frame

__all__ = ["Cohort", "build_cohort", "PROBLEM_CODES", "STATUS_LABELS"]

STATUS_LABELS = {0: "censored", 1: "reoffence", 2: "death", 3: "deportation"}

#: stable codes of date problems, with the message template
PROBLEM_CODES = {
    "missing-date": "{column} is missing",
    "release-before-entry": "release_date is before entry_date",
    "followup-before-release": "followup_end is before release_date",
    "extract-before-release": "extract_date is before release_date",
    "death-before-release": "death_date is before release_date",
    "deportation-before-release": "deportation_date is before release_date",
    "conviction-before-offence": "conviction_date is before offence_date",
    "date-after-extract": "{column} is after extract_date",
    "offence-after-death": "offence_date is after death_date",
    "unknown-kind": "reoffence_kind is not 'reconviction' or 'reimprisonment'",
    "kind-without-offence": "reoffence_kind is given but offence_date is missing",
    "offence-without-kind": "offence_date is given but reoffence_kind is missing",
}

KINDS = ("reconviction", "reimprisonment")


@dataclass(frozen=True, eq=False)
class Cohort(Result):
    """The analysis cohort and the table of date problems.

    Attributes
    ----------
    data : DataFrame
        One row per analysed episode: the identifying columns, ``duration``
        (days from release), ``event`` (1 = reoffence of the chosen kind),
        ``status`` (0 censored, 1 reoffence, 2 death, 3 deportation),
        ``end_date``, ``reoffended_1y`` / ``eligible_1y`` and the two-year
        equivalents, ``episode`` (1 = first eligible release of the person)
        and the covariates.
    problems : DataFrame
        Columns ``row`` (label of the episode in the input frame), ``column``,
        ``code`` (see :data:`PROBLEM_CODES`), ``message``.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    kind: str
    episodes: str
    lag_months: int
    counts: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        label = "" if self.episodes == "first" else " (SENSITIVITY: all episodes, not independent)"
        return f"Cohort: first {self.kind} after release{label}"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"count": pd.Series(self.counts, dtype="int64")}).rename_axis("step")

    def flatten(self, columns=("row", "column", "code")) -> list[list]:
        """Problems as a list of lists, e.g. ``[[4, 'release_date', 'release-before-entry']]``."""
        return self.problems.loc[:, list(columns)].values.tolist()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        counts = self.data["status"].map(STATUS_LABELS).value_counts()
        ax.barh(counts.index.astype(str), counts.to_numpy())
        ax.set_xlabel("episodes")
        ax.set_title("How follow-up ended")
        return ax


def _problem_rows(df: pd.DataFrame, mask: pd.Series, column: str, code: str) -> list[dict]:
    msg = PROBLEM_CODES[code].format(column=column)
    return [{"row": r, "column": column, "code": code, "message": msg} for r in df.index[mask.to_numpy()]]


def _date_problems(df: pd.DataFrame, c: dict) -> pd.DataFrame:
    rows: list[dict] = []
    rel, ext = df[c["release_date"]], df[c["extract_date"]]
    for col in ("release_date", "followup_end", "extract_date"):
        rows += _problem_rows(df, df[c[col]].isna(), c[col], "missing-date")
    checks = [
        ("entry_date", df[c["entry_date"]] > rel, "release-before-entry", "release_date"),
        ("followup_end", df[c["followup_end"]] < rel, "followup-before-release", "followup_end"),
        ("extract_date", ext < rel, "extract-before-release", "extract_date"),
        ("death_date", df[c["death_date"]] < rel, "death-before-release", "death_date"),
        ("deportation_date", df[c["deportation_date"]] < rel, "deportation-before-release", "deportation_date"),
        (
            "conviction_date",
            df[c["conviction_date"]] < df[c["offence_date"]],
            "conviction-before-offence",
            "conviction_date",
        ),
        ("offence_date", df[c["offence_date"]] > df[c["death_date"]], "offence-after-death", "offence_date"),
    ]
    for _, mask, code, col in checks:
        rows += _problem_rows(df, mask.fillna(False), c[col], code)
    for col in ("offence_date", "conviction_date", "death_date", "deportation_date", "release_date"):
        rows += _problem_rows(df, (df[c[col]] > ext).fillna(False), c[col], "date-after-extract")
    kind = df[c["reoffence_kind"]]
    off = df[c["offence_date"]]
    rows += _problem_rows(df, kind.notna() & ~kind.isin(KINDS), c["reoffence_kind"], "unknown-kind")
    rows += _problem_rows(df, kind.isin(KINDS) & off.isna(), c["reoffence_kind"], "kind-without-offence")
    rows += _problem_rows(df, kind.isna() & off.notna(), c["reoffence_kind"], "offence-without-kind")
    out = pd.DataFrame(rows, columns=["row", "column", "code", "message"])
    if len(out):
        order = {r: i for i, r in enumerate(df.index)}
        out = out.assign(_o=out["row"].map(order)).sort_values(["_o", "column", "code"], kind="stable")
        out = out.drop(columns="_o").reset_index(drop=True)
    return out


def build_cohort(
    data: pd.DataFrame,
    *,
    kind: str = "reconviction",
    episodes: str = "first",
    lag_months: int = 6,
    study_start=None,
    study_end=None,
    pid: str = "pid",
    site: str = "site",
    entry_date: str = "entry_date",
    eligible: str = "eligible",
    release_date: str = "release_date",
    followup_end: str = "followup_end",
    extract_date: str = "extract_date",
    offence_date: str = "offence_date",
    pre_release: str = "exclude",
    conviction_date: str = "conviction_date",
    reoffence_kind: str = "reoffence_kind",
    death_date: str = "death_date",
    deportation_date: str = "deportation_date",
    covariates: tuple[str, ...] = (
        "age_at_release",
        "sex",
        "prior_incarcerations",
        "sentence_months",
        "primary_substance",
        "index_offence",
        "release_type",
        "residence_status",
        "opioid_substitution",
    ),
) -> Cohort:
    """Build the time-to-reoffence cohort from the ``outcomes()`` frame.

    Parameters
    ----------
    data : DataFrame
        One row per release episode (the ``outcomes()`` contract). Dates are
        datetimes; NaT when absent.
    kind : {"reconviction", "reimprisonment"}
        Which reoffence is the event (see module notes).
    episodes : {"first", "all"}
        ``"first"`` (primary analysis) keeps each person's first eligible
        release in the study period; ``"all"`` keeps every eligible release as
        a labelled sensitivity analysis.
    pre_release : {"exclude", "censor"}
        An episode whose first recorded offence is dated before release:
        ``"exclude"`` (default) leaves it out and counts it (a later offence
        after release would be invisible in the extract); ``"censor"`` keeps it
        as event-free (the older behaviour, biased towards no reoffending).
    lag_months : int
        Court-processing lag (default 6 months) applied before the extract date.
    study_start, study_end : date-like, optional
        Releases outside ``[study_start, study_end]`` are left out.
    pid, site, ... : str
        Column names (keyword-only), defaulting to the ``outcomes()`` contract.
    covariates : tuple of str
        Columns carried through unchanged (those absent are skipped).

    Returns
    -------
    Cohort
        ``.data`` (the analysis frame), ``.problems`` (impossible dates),
        ``.to_frame()`` (counts at each step), ``.remarks``.
    """
    require_frame(data)
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not supported; pass kind='reconviction' or kind='reimprisonment'")
    if episodes not in ("first", "all"):
        raise ValueError(f"episodes={episodes!r} is not supported; pass episodes='first' or episodes='all'")
    if not (isinstance(lag_months, (int, np.integer)) and lag_months >= 0):
        raise ValueError(f"lag_months must be a non-negative whole number of months, got {lag_months!r}")
    c = dict(
        pid=pid, site=site, entry_date=entry_date, eligible=eligible, release_date=release_date,
        followup_end=followup_end, extract_date=extract_date, offence_date=offence_date,
        conviction_date=conviction_date, reoffence_kind=reoffence_kind, death_date=death_date,
        deportation_date=deportation_date,
    )
    require_columns(data, **c)
    df = data.copy()
    for key in ("entry_date", "release_date", "followup_end", "extract_date", "offence_date",
                "conviction_date", "death_date", "deportation_date"):
        col = c[key]
        if not pd.api.types.is_datetime64_any_dtype(df[col]):
            try:
                df[col] = pd.to_datetime(df[col])
            except (ValueError, TypeError) as exc:
                raise TypeError(f"column {col!r} ({key}=) must hold dates; convert it with pd.to_datetime") from exc
    counts: dict[str, int] = {"episodes in data": len(df)}
    remarks: list[str] = []

    problems = _date_problems(df, c)
    bad = df.index.isin(problems["row"].unique())

    # eligibility and study period (on the dates as recorded)
    keep = df[c["eligible"]].fillna(False).astype(bool).to_numpy()
    if study_start is not None:
        keep &= (df[c["release_date"]] >= pd.Timestamp(study_start)).to_numpy()
    if study_end is not None:
        keep &= (df[c["release_date"]] <= pd.Timestamp(study_end)).to_numpy()
    df = df.loc[keep]
    bad = bad[keep]
    counts["eligible releases in study period"] = len(df)

    order = df.sort_values([c["pid"], c["release_date"]], kind="stable", na_position="last")
    episode_no = order.groupby(c["pid"], sort=False).cumcount() + 1
    df = df.assign(episode=episode_no.reindex(df.index))
    if episodes == "first":
        first = (df["episode"] == 1).to_numpy()
        df, bad = df.loc[first], bad[first]
        counts["first eligible release per person"] = len(df)
    n_bad = int(bad.sum())
    df = df.loc[~bad]
    counts["with impossible dates (excluded)"] = n_bad
    if n_bad:
        remarks.append(
            f"{n_bad} episode(s) were left out because of impossible dates; see .problems "
            "(row, column, code) and correct them at source."
        )

    lag = pd.DateOffset(months=int(lag_months))
    rel = df[c["release_date"]]
    admin_end = pd.concat([df[c["followup_end"]], df[c["extract_date"]] - lag], axis=1).min(axis=1)
    off = df[c["offence_date"]]
    kinds_counted = KINDS if kind == "reconviction" else ("reimprisonment",)
    is_kind = df[c["reoffence_kind"]].isin(kinds_counted)
    if pre_release not in ("exclude", "censor"):
        raise ValueError(f"pre_release={pre_release!r} is not supported; pass 'exclude' (default) or 'censor'")
    pre = (off < rel).fillna(False)
    n_pre = int((pre & is_kind).sum())
    counts["first offence dated before release (excluded)"] = n_pre if pre_release == "exclude" else 0
    if n_pre and pre_release == "exclude":
        # the extract holds only the first offence: a later post-release offence of these people is invisible,
        # so keeping them as event-free would understate reoffending; they leave the analysis and are counted
        remarks.append(
            f"{n_pre} episode(s) whose first recorded offence is dated before release were excluded (a later "
            "offence after release would not be visible in the extract)."
        )
        keep = ~(pre & is_kind)
        df, rel, admin_end, off, is_kind = df.loc[keep], rel[keep], admin_end[keep], off[keep], is_kind[keep]
        pre = pre[keep]
    elif n_pre:
        remarks.append(
            f"{n_pre} reoffence(s) committed before release were not counted as events (the "
            "extract holds only the first offence, so a later post-release offence of these "
            "people is not visible: they are censored at end of follow-up)."
        )
    pre_release = pre
    event_date = off.where(is_kind & ~pre_release)
    death, deport = df[c["death_date"]], df[c["deportation_date"]]
    cand = pd.DataFrame({1: event_date, 2: death, 3: deport})
    cand = cand.where(cand.le(admin_end, axis=0))
    first_date = cand.min(axis=1)
    # ties: reoffence first, then death, then deportation (column order)
    status = cand.eq(first_date, axis=0).idxmax(axis=1).where(first_date.notna(), 0).astype(int)
    end_date = first_date.fillna(admin_end)
    duration = (end_date - rel).dt.days.astype(float)
    if (duration < 0).any():  # administrative end (extract - lag) before release
        neg = duration < 0
        remarks.append(
            f"{int(neg.sum())} episode(s) released less than {lag_months} months before the "
            "extract have no usable follow-up and were left out."
        )
        df, status, end_date, duration, event_date = (
            df.loc[~neg], status[~neg], end_date[~neg], duration[~neg], event_date[~neg])
        rel, admin_end = rel[~neg], admin_end[~neg]
    counts["analysed"] = len(df)

    out = pd.DataFrame(
        {
            "pid": df[c["pid"]],
            "site": df[c["site"]],
            "entry_date": df[c["entry_date"]],
            "release_date": rel,
            "end_date": end_date,
            "duration": duration,
            "event": (status == 1).astype(int),
            "status": status,
            "episode": df["episode"].astype(int),
        },
        index=df.index,
    )
    for years in (1, 2):
        window_end = rel + pd.DateOffset(years=years)
        eligible_w = ((window_end + lag) <= df[c["extract_date"]]) & (df[c["followup_end"]] >= window_end)
        # deaths/deportations inside the window stay in the denominator (JDL-style)
        out[f"eligible_{years}y"] = eligible_w.to_numpy()
        out[f"reoffended_{years}y"] = ((event_date <= window_end) & (status == 1)).to_numpy().astype(int)
        counts[f"eligible for {years}-year rate"] = int(eligible_w.sum())
    for cov in covariates:
        if cov in df.columns:
            out[cov] = df[cov]
    for code, label in STATUS_LABELS.items():
        counts[f"ended: {label}"] = int((status == code).sum())

    if episodes == "all":
        remarks.insert(
            0,
            "SENSITIVITY ANALYSIS: all eligible releases are kept; later episodes of the same "
            "person are not independent, so cluster on pid (cox_model(..., cluster='pid')).",
        )
    if counts["ended: death"] + counts["ended: deportation"]:
        remarks.append(
            f"{counts['ended: death']} death(s) and {counts['ended: deportation']} "
            "deportation(s) end follow-up as competing events; 1 - Kaplan-Meier overstates "
            "the probability of reoffending when they are frequent (use cumulative_incidence)."
        )
    remarks.append(
        f"Follow-up is closed {lag_months} months before the extract date (court-processing lag); "
        "the event date is the offence date."
    )
    if kind == "reimprisonment":
        remarks.append(
            "Only the first reoffence is recorded: a re-imprisonment that followed an earlier "
            "non-custodial reconviction is not visible, so re-imprisonment is undercounted."
        )
    return Cohort(
        data=out,
        problems=problems,
        kind=kind,
        episodes=episodes,
        lag_months=int(lag_months),
        counts=counts,
        remarks=tuple(remarks),
    )
