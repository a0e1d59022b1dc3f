"""A per-prison profile: prisons as rows, perspectives as columns, small prisons grouped.

Prisons are listed in their code order, never sorted by a result: this is a
profile, not a league table.

Disclosure, per column (measure):

* a prison's share is shown when at least ``min_count`` persons answered and
  at least ``min_count`` answers (or persons) are favourable and as many are
  not — so a share never describes a small group, nor every member of one;
* the prisons that fail are pooled into one group, shown in the last row;
* if that group fails too, the prison with the fewest persons among those
  shown joins it, and so on, until the group passes or every prison is in
  it (then the column shows nothing per prison; its pooled value is
  published elsewhere). Grouping instead of withholding one prison also stops
  a withheld prison being recovered from the published total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result

__all__ = ["PrisonProfile", "prison_profile"]


@dataclass(frozen=True, eq=False)
class PrisonProfile(Result):
    """``table``: one row per prison plus the grouped row; a column per measure (share, NaN when grouped).

    ``grouped``: measure -> prisons in its group. ``table`` is safe to publish.
    """

    table: pd.DataFrame
    grouped: Mapping[str, tuple]
    site: str = "site"
    group_label: str = "prisons grouped"

    @property
    def title(self) -> str:
        return "Profile per prison"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def display_frame(self, *, fmt: str = "{:.0%}", grouped_text: str = "in group", empty: str = "–") -> pd.DataFrame:
        """Strings for the page: shares formatted, a grouped prison marked, an empty group '–'."""
        out = self.table.copy().astype(object)
        for col in self.grouped:
            members = set(self.grouped[col])
            for i, r in self.table.iterrows():
                v = r[col]
                if r[self.site] in members:
                    out.at[i, col] = grouped_text
                elif v is None or (isinstance(v, float) and np.isnan(v)):
                    out.at[i, col] = empty
                else:
                    out.at[i, col] = fmt.format(v)
        return out.set_index(self.site)


def prison_profile(measures: Mapping[str, pd.DataFrame], *, min_count: int, site: str = "site",
                   favourable: str = "n_favourable", unfavourable: str = "n_unfavourable", n: str = "n",
                   group_label: str = "prisons grouped") -> PrisonProfile:
    """Per prison, each measure's share of favourable answers, with small prisons grouped.

    Parameters
    ----------
    measures : mapping {name: DataFrame}
        Per measure one row per prison: ``site``, ``favourable`` and
        ``unfavourable`` counts and ``n`` persons (e.g. ``factor_summary`` of a
        distribution grouped by site, or reach with ``n_reached``).
    min_count : int
        The disclosure threshold.
    """
    sites = sorted({s for f in measures.values() for s in f[site]}, key=str)
    table = pd.DataFrame({site: sites + [group_label]})
    grouped, remarks = {}, []
    for name, frame in measures.items():
        missing = [c for c in (site, favourable, unfavourable, n) if c not in frame.columns]
        if missing:
            raise KeyError(f"measure {name!r} lacks columns {missing}")
        f = frame.set_index(site).reindex(sites)
        fav = f[favourable].fillna(0).astype(int)
        unf = f[unfavourable].fillna(0).astype(int)
        persons = f[n].fillna(0).astype(int)
        ok = (persons >= min_count) & (fav >= min_count) & (unf >= min_count)
        group = [s for s in sites if not ok[s]]

        def passes(members) -> bool:
            return (persons[members].sum() >= min_count and fav[members].sum() >= min_count
                    and unf[members].sum() >= min_count)

        while group and not passes(group) and len(group) < len(sites):
            shown = [s for s in sites if s not in group]
            group.append(min(shown, key=lambda s: (persons[s], str(s))))
        values = [float(fav[s] / (fav[s] + unf[s])) if s not in group and fav[s] + unf[s] else np.nan for s in sites]
        pooled = np.nan
        if group and passes(group) and len(group) < len(sites):
            pooled = float(fav[group].sum() / (fav[group].sum() + unf[group].sum()))
        table[name] = values + [pooled]
        grouped[name] = tuple(group)
        if group:
            remarks.append(f"{name}: {len(group)} prison(s) grouped" + ("" if np.isfinite(pooled)
                                                                         else " and not shown"))
    remarks.append(f"A prison's share is shown when at least {min_count} persons answered and at least {min_count} "
                   "answers are favourable and as many are not; other prisons are grouped. Prisons are in code "
                   "order: this is not a ranking.")
    return PrisonProfile(table=table, grouped=grouped, site=site, group_label=group_label, remarks=tuple(remarks))
