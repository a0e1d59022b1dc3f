"""Who had peer support by the time of a questionnaire: the contact log first, self-report where it is silent.

Conventions (as the reoffending chapter's :mod:`analysis.recidivism.participation`)
-------------------------------------------------------------------------------
* The **cut-off** of a questionnaire answered on ``date`` is that date, or the
  person's release date when the person was released on or before it
  (the latest such release): only contacts dated on or before the cut-off
  count. A contact after release, or after the questionnaire, cannot have
  shaped the answers (aftercare talked about, referral, appointment,
  continuity of opioid substitution) and would credit the group with time it
  had to survive to have the contact.
* The **contact log speaks** for a person who appears in the release records
  (``episodes``: the project's eligible population) or in the contact log:
  for them, no logged contact before the cut-off means no contact, whatever
  they answered.
* Where the log is **silent** (the person is in neither), the person's own
  answer to "did you have contact with a peer worker" is used; a nonresponse
  code (negative) or a blank leaves the group missing.
* ``source`` says which of the two decided each row; the log and the
  self-report are cross-tabulated where both exist (``agreement``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.results import Result

__all__ = ["SurveyParticipation", "survey_participation"]

LOG = "contact log"
SELF = "self-report"


@dataclass(frozen=True, eq=False)
class SurveyParticipation(Result):
    """``data``: the responses with ``group``, ``source``, ``cutoff`` and ``n_contacts`` (log) added.

    ``agreement``: persons the log speaks for, by log group × self-reported contact.
    """

    data: pd.DataFrame
    agreement: pd.DataFrame
    labels: tuple[str, str]

    @property
    def title(self) -> str:
        return "Participation by the questionnaire date"

    def to_frame(self) -> pd.DataFrame:
        """Rows per ``source`` × ``group`` (missing group as "unknown")."""
        g = self.data.assign(group=self.data["group"].fillna("unknown"))
        return g.groupby(["source", "group"]).size().rename("n").reset_index()

    def n_by_source(self) -> dict[str, int]:
        """Rows with a group, per source."""
        s = self.data.dropna(subset=["group"]).groupby("source").size()
        return {LOG: int(s.get(LOG, 0)), SELF: int(s.get(SELF, 0))}


def survey_participation(responses: pd.DataFrame, contacts: pd.DataFrame, episodes: pd.DataFrame | None = None, *,
                         subject: str = "pid", date: str = "date", contact_date: str = "date",
                         release: str = "release_date", self_report: str = "peer_contact",
                         labels: tuple[str, str] = ("had contact", "no contact")) -> SurveyParticipation:
    """Add ``group`` (``labels[0]`` / ``labels[1]``) and its ``source`` to questionnaire rows (see module notes)."""
    need = {"responses": [c for c in (subject, date, self_report) if c not in responses.columns],
            "contacts": [c for c in (subject, contact_date) if c not in contacts.columns],
            "episodes": [] if episodes is None else [c for c in (subject, release) if c not in episodes.columns]}
    problems = [f"{frame}: columns {cols} not found" for frame, cols in need.items() if cols]
    if problems:
        raise KeyError("; ".join(problems) + " (pass subject=/date=/contact_date=/release=/self_report=)")
    rows = responses.reset_index(drop=True)
    qdate = pd.to_datetime(rows[date])
    cutoff = qdate.copy()
    if episodes is not None and len(episodes):
        ep = pd.DataFrame({"_row": np.arange(len(rows)), "_pid": rows[subject].to_numpy(), "_q": qdate.to_numpy()})
        rel = pd.DataFrame({"_pid": episodes[subject].to_numpy(), "_rel": pd.to_datetime(episodes[release]).to_numpy()})
        m = ep.merge(rel, on="_pid", how="inner")
        m = m[m["_rel"] <= m["_q"]]
        last = m.groupby("_row")["_rel"].max()
        cutoff.loc[last.index] = last.to_numpy()
    left = pd.DataFrame({"_row": np.arange(len(rows)), "_pid": rows[subject].to_numpy(), "_cut": cutoff.to_numpy()})
    right = pd.DataFrame({"_pid": contacts[subject].to_numpy(), "_c": pd.to_datetime(contacts[contact_date]).to_numpy()})
    both = left.merge(right, on="_pid", how="inner")
    n_contacts = (both[both["_c"] <= both["_cut"]].groupby("_row").size()
                  .reindex(np.arange(len(rows)), fill_value=0).to_numpy())
    known = set(contacts[subject].dropna())
    if episodes is not None:
        known |= set(episodes[subject].dropna())
    covered = rows[subject].isin(known).to_numpy()
    said = pd.to_numeric(rows[self_report], errors="coerce")
    said_group = np.where(said == 1, labels[0], np.where(said == 0, labels[1], None))
    log_group = np.where(n_contacts > 0, labels[0], labels[1])
    out = responses.copy()
    out["cutoff"] = cutoff.to_numpy()
    out["n_contacts"] = np.where(covered, n_contacts, np.nan)
    out["source"] = np.where(covered, LOG, SELF)
    out["group"] = pd.Series(np.where(covered, log_group, said_group), index=out.index, dtype=object)
    both_known = covered & pd.notna(said_group)
    agreement = (pd.crosstab(pd.Series(log_group[both_known], name="contact log"),
                             pd.Series(said_group[both_known], name="self-report"))
                 if both_known.any() else pd.DataFrame())
    n_log, n_self = int(covered.sum()), int((~covered).sum())
    n_disagree = int((log_group[both_known] != said_group[both_known]).sum())
    remarks = (
        "Participation counts peer-support contacts in the contact log dated on or before the questionnaire "
        "(or the release, if the person was released before it); later contacts cannot have shaped the answers.",
        f"The contact log decided {n_log} row(s); self-report only where the log is silent ({n_self} row(s): "
        "persons in neither the release records nor the contact log).",
        f"Where both exist, the log and the person's own answer disagree for {n_disagree} row(s); the log is used.",
    )
    return SurveyParticipation(data=out, agreement=agreement, labels=tuple(labels), remarks=remarks)
