"""Reach and dose (RE-AIM) of the peer support.

Conventions
-----------
* Reach: among release episodes marked ``eligible``, the share of distinct
  persons with at least one contact in custody dated on or before their
  release (the contact log's setting "in custody", code 1; a contact after release
  cannot count as having been reached inside). Wilson 95% interval.
* Reach by period (:func:`reach_by_period`): per group (prison) and month
  of release, months with fewer than ``min_count`` eligible episodes are
  pooled with the next months until the period has ``min_count`` (a short
  last period joins the one before; a group with fewer than ``min_count``
  in all keeps one short period, for disclosure control to withhold).
* Dose: per person with any contact, the number of contacts (median and
  quartiles); contacts by ``kind`` and ``setting`` count distinct persons
  (one person may be in several cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.results import Result

__all__ = ["Reach", "reach", "reach_by_period", "pooled_periods", "Dose", "dose"]


@dataclass(frozen=True, eq=False)
class Reach(Result):
    """``group`` (if any), ``n_eligible``, ``n_reached``, ``share``, ``ci_low``, ``ci_high``."""

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Reach"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def reach(episodes: pd.DataFrame, contacts: pd.DataFrame, *, group: str | list[str] | None = "site",
          subject: str = "pid",
          release: str = "release_date", eligible: str = "eligible", date: str = "date",
          setting: str = "setting", in_custody=("in custody", 1)) -> Reach:
    """Share of eligible persons reached in custody before release (see module notes).

    ``group``: one column, several (their combinations) or ``None`` (everyone).
    """
    ep = episodes[episodes[eligible].astype(float) == 1] if eligible in episodes else episodes
    inside = in_custody if isinstance(in_custody, (tuple, list, set)) else (in_custody,)
    c = contacts[contacts[setting].isin(list(inside))][[subject, date]]
    keys = [] if group is None else [group] if isinstance(group, str) else list(group)
    m = ep[[subject, release] + keys].merge(c, on=subject, how="left")
    m["hit"] = m[date].notna() & (pd.to_datetime(m[date]) <= pd.to_datetime(m[release]))
    per = m.groupby([subject] + keys, dropna=False)["hit"].any().reset_index()
    rows = []
    parts = per.groupby(keys) if keys else [((), per)]
    for key, sub in parts:
        n, k = int(len(sub)), int(sub["hit"].sum())
        lo, hi = proportion_confint(k, n, method="wilson") if n else (np.nan, np.nan)
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(keys, key))
        rows.append({**row, "n_eligible": n, "n_reached": k, "share": k / n if n else np.nan,
                     "ci_low": float(lo), "ci_high": float(hi)})
    remarks = ("Reached: at least one contact in custody on or before the release date; eligible release episodes, "
               "distinct persons; Wilson 95% interval.",)
    return Reach(table=pd.DataFrame(rows), remarks=remarks)


@dataclass(frozen=True, eq=False)
class Dose(Result):
    """``per_person`` (contacts per person: median, quartiles) and ``by_kind`` (persons per kind × setting)."""

    per_person: pd.DataFrame
    by_kind: pd.DataFrame

    @property
    def title(self) -> str:
        return "Dose"

    def to_frame(self) -> pd.DataFrame:
        return self.per_person.copy()


def dose(contacts: pd.DataFrame, *, subject: str = "pid", kind: str = "kind", setting: str = "setting") -> Dose:
    """Contacts per person and persons per kind of support and setting."""
    n = contacts.groupby(subject).size()
    per_person = pd.DataFrame([{"n_persons": int(n.size), "n_contacts": int(n.sum()),
                                "median": float(n.median()), "q1": float(n.quantile(0.25)),
                                "q3": float(n.quantile(0.75)), "mean": float(n.mean())}])
    by_kind = (contacts.groupby([kind, setting])[subject].nunique().rename("n_persons").reset_index())
    return Dose(per_person=per_person, by_kind=by_kind,
                remarks=("Persons per kind and setting: one person can appear in several cells.",))


def pooled_periods(episodes: pd.DataFrame, *, min_count: int, group: str = "site", release: str = "release_date",
                   eligible: str = "eligible") -> pd.DataFrame:
    """Eligible episodes with ``period`` (label), ``period_start`` and ``months`` (months pooled) added.

    Consecutive months of release within a group are pooled until they hold
    ``min_count`` episodes (see module notes); months without releases add
    nothing and are skipped.
    """
    ep = episodes[episodes[eligible].astype(float) == 1] if eligible in episodes else episodes
    ep = ep.assign(_month=pd.to_datetime(ep[release]).dt.to_period("M"))
    out = []
    for _key, sub in ep.groupby(group, sort=True):
        counts = sub.groupby("_month").size().sort_index()
        blocks, current, acc = [], [], 0
        for month, n in counts.items():
            current.append(month)
            acc += int(n)
            if acc >= min_count:
                blocks.append(current)
                current, acc = [], 0
        if current:
            if blocks:
                blocks[-1] = blocks[-1] + current
            else:
                blocks.append(current)
        label = {}
        for b in blocks:
            text = str(b[0]) if len(b) == 1 else f"{b[0]} to {b[-1]}"
            n_months = (b[-1] - b[0]).n + 1
            for mth in b:
                label[mth] = (text, b[0].start_time, n_months)
        info = sub["_month"].map(label)
        out.append(sub.assign(period=info.str[0], period_start=info.str[1], months=info.str[2]))
    if not out:
        return ep.drop(columns="_month").assign(period=pd.Series(dtype=object), period_start=pd.NaT, months=0)
    return pd.concat(out).drop(columns="_month")


def reach_by_period(episodes: pd.DataFrame, contacts: pd.DataFrame, *, min_count: int, group: str = "site",
                    release: str = "release_date", eligible: str = "eligible", **kw) -> Reach:
    """Reach per group × month of release, months with fewer than ``min_count`` eligible pooled (module notes)."""
    pooled = pooled_periods(episodes, min_count=min_count, group=group, release=release, eligible=eligible)
    res = reach(pooled, contacts, group=[group, "period_start", "period"], release=release, eligible=eligible, **kw)
    months = pooled.drop_duplicates([group, "period_start"]).set_index([group, "period_start"])["months"]
    table = res.table.join(months, on=[group, "period_start"]).sort_values([group, "period_start"], kind="stable")
    n_pooled = int((table["months"] > 1).sum())
    remarks = res.remarks + (
        f"Months of release with fewer than {min_count} eligible episodes are pooled with the following months "
        f"({n_pooled} period(s) cover more than one month); months without releases are skipped.",)
    return Reach(table=table.reset_index(drop=True), remarks=remarks)
