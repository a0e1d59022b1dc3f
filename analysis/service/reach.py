"""Reach and dose (RE-AIM) of the peer support.

Conventions
-----------
* Reach: among release episodes marked ``eligible``, the share of distinct
  persons with at least one contact in custody dated on or before their
  release (the contact log's setting "in custody", code 1; a contact after release
  cannot count as having been reached inside). Wilson 95% interval.
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

__all__ = ["Reach", "reach", "Dose", "dose"]


@dataclass(frozen=True, eq=False)
class Reach(Result):
    """``group`` (if any), ``n_eligible``, ``n_reached``, ``share``, ``ci_low``, ``ci_high``."""

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Reach"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def reach(episodes: pd.DataFrame, contacts: pd.DataFrame, *, group: str | None = "site", subject: str = "pid",
          release: str = "release_date", eligible: str = "eligible", date: str = "date",
          setting: str = "setting", in_custody=("in custody", 1)) -> Reach:
    """Share of eligible persons reached in custody before release (see module notes)."""
    ep = episodes[episodes[eligible].astype(float) == 1] if eligible in episodes else episodes
    inside = in_custody if isinstance(in_custody, (tuple, list, set)) else (in_custody,)
    c = contacts[contacts[setting].isin(list(inside))][[subject, date]]
    m = ep[[subject, release] + ([group] if group else [])].merge(c, on=subject, how="left")
    m["hit"] = m[date].notna() & (pd.to_datetime(m[date]) <= pd.to_datetime(m[release]))
    per = m.groupby([subject] + ([group] if group else []), dropna=False)["hit"].any().reset_index()
    keys = [group] if group else []
    rows = []
    parts = per.groupby(keys) if keys else [((), per)]
    for key, sub in parts:
        n, k = int(len(sub)), int(sub["hit"].sum())
        lo, hi = proportion_confint(k, n, method="wilson") if n else (np.nan, np.nan)
        row = {group: key[0] if isinstance(key, tuple) else key} if group else {}
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
