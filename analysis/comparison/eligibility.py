"""Who can be compared: the comparison-eligibility rule.

A participant can only have a first peer contact after some time in a D&D
prison. A non-participant released after fewer days than that never had the
chance to take part, so keeping them would compare participants with people
who could not have been participants (and whose short stays differ in other
ways). The rule, explicit and configurable:

* ``days_to_first_contact`` of a participant = days from ``entry_date`` to the
  first contact dated on or before release (from ``contacts`` when given,
  otherwise from the ``first_contact_date`` column, ignoring a date after
  release);
* the threshold ``min_days`` is the ``quantile`` (default 0: the minimum) of
  the participants' ``days_to_first_contact``, unless given directly;
* a comparison episode is kept when ``days_in_custody = release_date -
  entry_date >= min_days`` and, when ``sites`` is given, its site is one of
  the D&D (or comparable, as the evaluation defines) prisons;
* participants are never excluded by the rule (their own custody time is at
  least their time to first contact).

Every exclusion is counted per group and reason in
:attr:`EligibilityResult.counts`; the excluded rows are kept in
:attr:`EligibilityResult.excluded` for the sensitivity analysis "without the
rule".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..recidivism._checks import require_columns, require_frame, two_groups
from ..results import Result

__all__ = ["EligibilityResult", "comparison_eligibility"]


@dataclass(frozen=True, eq=False)
class EligibilityResult(Result):
    """Episodes kept and excluded by the comparison-eligibility rule.

    Attributes
    ----------
    data : DataFrame
        Kept episodes, plus ``days_in_custody`` and ``days_to_first_contact``
        (missing for non-participants).
    excluded : DataFrame
        Excluded episodes with a ``reason`` column.
    min_days : float
        The threshold used.
    counts : DataFrame
        Per group: ``before``, one column per reason, ``after``.
    """

    data: pd.DataFrame
    excluded: pd.DataFrame
    min_days: float
    counts: pd.DataFrame
    rule: str
    group_column: str = "group"

    @property
    def title(self) -> str:
        return "Comparison-eligibility rule"

    @property
    def all_data(self) -> pd.DataFrame:
        """Kept and excluded episodes together (for the analysis without the rule)."""
        return pd.concat([self.data, self.excluded.drop(columns="reason")]).sort_index()

    def to_frame(self) -> pd.DataFrame:
        return self.counts

    def plot(self, ax=None):
        from ..recidivism._plots import axes

        ax = axes(ax)
        d = self.all_data
        for g, sub in d.groupby(self.group_column, sort=True):
            ax.hist(sub["days_in_custody"], bins=30, alpha=0.5, label=str(g))
        ax.axvline(self.min_days, color="black", linestyle="--", label=f"threshold {self.min_days:.0f} days")
        ax.set_xlabel("days in custody before release")
        ax.set_ylabel("episodes")
        ax.legend(frameon=False)
        return ax


def _first_contact_days(data, contacts, *, pid, entry_date, release_date, first_contact_date, contact_date):
    entry = pd.to_datetime(data[entry_date])
    release = pd.to_datetime(data[release_date])
    if contacts is not None:
        require_frame(contacts, "contacts")
        require_columns(contacts, "contacts", pid=pid, contact_date=contact_date)
        left = pd.DataFrame({"_row": np.arange(len(data)), "_pid": data[pid].to_numpy(),
                             "_lo": entry.to_numpy(), "_hi": release.to_numpy()})
        right = pd.DataFrame({"_pid": contacts[pid].to_numpy(), "_date": pd.to_datetime(contacts[contact_date])})
        both = left.merge(right, on="_pid")
        both = both.loc[(both["_date"] >= both["_lo"]) & (both["_date"] <= both["_hi"])]
        first = both.groupby("_row")["_date"].min().reindex(np.arange(len(data)))
        first = pd.Series(first.to_numpy(), index=data.index)
    else:
        require_columns(data, first_contact_date=first_contact_date)
        first = pd.to_datetime(data[first_contact_date])
        first = first.where((first >= entry) & (first <= release))
    return (first - entry).dt.days.astype(float)


def comparison_eligibility(
    data: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    *,
    group: str = "group",
    treated=None,
    min_days: float | None = None,
    quantile: float = 0.0,
    sites=None,
    site: str = "site",
    pid: str = "pid",
    entry_date: str = "entry_date",
    release_date: str = "release_date",
    first_contact_date: str = "first_contact_date",
    contact_date: str = "date",
    exposure: str | None = None,
) -> EligibilityResult:
    """Apply the comparison-eligibility rule (see module notes).

    Parameters
    ----------
    data : DataFrame
        One row per episode with ``group`` (e.g. ``derive_participation(...).data``).
    contacts : DataFrame, optional
        The ``contacts()`` frame; without it the ``first_contact_date`` column is used.
    group, treated : str
        Group column and its participant level (default ``"participant"``).
    min_days : float, optional
        Threshold in days; default: ``quantile`` of the participants' days to first contact.
    quantile : float
        0 (default) = the participants' minimum; e.g. 0.05 is more robust to one early contact.
    sites : sequence, optional
        Sites whose comparison episodes may be compared (D&D or comparable prisons).
    site, pid, entry_date, release_date, first_contact_date, contact_date : str
        Column names.
    exposure : str, optional
        Column of days in custody *while the project ran* (e.g. ``days_exposed`` from
        :func:`.timing.add_timing_covariates`). When given, the rule compares like with like: a
        non-participant is kept when their exposure is at least the ``quantile`` (default: the minimum)
        of the participants' exposure - nobody with less time inside during the project than any
        participant had. (Without it, the threshold is the participants' days from entry to first
        contact, which is 0 as soon as one participant met a peer worker on the day of entry, so that
        rule can exclude nobody.)

    Returns
    -------
    EligibilityResult
    """
    require_frame(data)
    require_columns(data, group=group, entry_date=entry_date, release_date=release_date,
                    site=site if sites is not None else None, pid=pid if contacts is not None else None)
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be between 0 and 1, got {quantile!r}")
    tr, other = two_groups(data[group], group, treated)
    d = data.copy()
    d["days_in_custody"] = (pd.to_datetime(d[release_date]) - pd.to_datetime(d[entry_date])).dt.days.astype(float)
    dfc = _first_contact_days(d, contacts, pid=pid, entry_date=entry_date, release_date=release_date,
                              first_contact_date=first_contact_date, contact_date=contact_date)
    is_tr = (d[group] == tr).to_numpy()
    d["days_to_first_contact"] = np.where(is_tr, dfc, np.nan)
    remarks = []
    if exposure is not None:
        require_columns(d, exposure=exposure)
        if min_days is None:
            min_days = float(np.quantile(d.loc[is_tr, exposure].astype(float), quantile))
            how = "the participants' minimum" if quantile == 0 else f"the {quantile:.0%} quantile of the participants'"
            rule = f"at least {min_days:.0f} days in custody while the project ran ({how})"
        else:
            rule = f"at least {float(min_days):.0f} days in custody while the project ran (set by the evaluation)"
    elif min_days is None:
        known = d.loc[is_tr, "days_to_first_contact"].dropna()
        if not len(known):
            raise ValueError("no participant has a dated first contact on or before release; pass min_days=")
        if known.size < is_tr.sum():
            remarks.append(f"{int(is_tr.sum() - known.size)} participant(s) have no dated pre-release contact; "
                           "the threshold uses the others.")
        min_days = float(np.quantile(known, quantile))
        how = "the participants' minimum" if quantile == 0 else f"the {quantile:.0%} quantile of the participants'"
        rule = f"at least {min_days:.0f} days in custody ({how} days from entry to first contact)"
    else:
        rule = f"at least {float(min_days):.0f} days in custody (set by the evaluation)"
    reason = pd.Series("", index=d.index, dtype=object)
    basis = d[exposure if exposure is not None else "days_in_custody"].to_numpy(dtype=float)
    short = (~is_tr) & (basis < min_days)
    reason[short] = "too short in custody"
    if sites is not None:
        outside = (~is_tr) & ~d[site].isin(list(sites)).to_numpy()
        reason[outside & ~short] = "not a comparable prison"
        rule += f", in one of {len(list(sites))} comparable prisons"
    drop = reason != ""
    kept, excluded = d.loc[~drop], d.loc[drop].assign(reason=reason[drop])
    counts = pd.DataFrame({"before": d.groupby(group).size()})
    for r in ("too short in custody", "not a comparable prison"):
        if r == "not a comparable prison" and sites is None:
            continue
        counts[f"excluded: {r}"] = excluded.loc[excluded["reason"] == r].groupby(group).size()
    counts["after"] = kept.groupby(group).size()
    counts = counts.fillna(0).astype(int).rename_axis("group")
    n_ex = int(drop.sum())
    remarks.insert(0, f"Comparison episodes kept if {rule}; {n_ex} of {int((~is_tr).sum())} comparison "
                      "episode(s) excluded, no participant.")
    if not n_ex:
        remarks.append("The rule excludes nobody here: the analysis with and without it is the same analysis.")
    if n_ex and n_ex / max((~is_tr).sum(), 1) > 0.3:
        remarks.append("The rule excludes more than 30% of the comparison group: report results without it too "
                       "(sensitivity.without_rule).")
    return EligibilityResult(data=kept, excluded=excluded, min_days=float(min_days), counts=counts, rule=rule,
                             group_column=group,
                             remarks=tuple(remarks))
