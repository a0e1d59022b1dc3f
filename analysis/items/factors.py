"""Per implementation factor: the share of favourable answers over the factor's items.

For each factor, the substantive answers to all its items are pooled: an
answer is *favourable* when it agrees with an ordinary item or disagrees
with a reverse-keyed one (``ItemSpec.reverse``: agreeing means the factor is
weaker, e.g. "security rules make the work difficult"). The neutral answer
is neither. ``n`` is the largest number of respondents answering any one of
the factor's items (people, not answers); ``n_answers`` counts answers. The
Wilson interval treats answers as independent, which they are not (one
person answers several items): it is too narrow and is labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.results import Result

from .distribution import ItemDistribution, wilson_interval

__all__ = ["FactorSummary", "factor_summary"]


@dataclass(frozen=True, eq=False)
class FactorSummary(Result):
    """``factor``, ``n_items``, ``n``, ``n_answers``, ``n_favourable``, ``n_unfavourable``, ``favourable``,
    ``ci_low``, ``ci_high`` (per group)."""

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Favourable answers per factor"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def factor_summary(dist: ItemDistribution) -> FactorSummary:
    """Pool the answers of each factor's items (see module notes)."""
    counts = dist.counts[dist.counts["kind"] == "answer"]
    groups = list(dist.group)
    rows = []
    specs = [s for s in dist.specs if s.factor]
    keys = counts[groups].drop_duplicates().itertuples(index=False, name=None) if groups else [()]
    for key in keys:
        sub = counts
        for col, value in zip(groups, key):
            sub = sub[sub[col] == value]
        by_factor: dict[str, list] = {}
        for s in specs:
            c = sub[sub["item"] == s.name].set_index("code")["n"]
            good = sum(int(c.get(code, 0)) for code in (s.negative if s.reverse else s.positive))
            by_factor.setdefault(s.factor, []).append((good, int(c.sum())))
        for factor, parts in by_factor.items():
            fav, tot = sum(p[0] for p in parts), sum(p[1] for p in parts)
            lo, hi = wilson_interval(fav, tot)
            rows.append({**dict(zip(groups, key)), "factor": factor, "n_items": len(parts),
                         "n": max(p[1] for p in parts), "n_answers": tot, "n_favourable": fav,
                         "n_unfavourable": tot - fav,
                         "favourable": fav / tot if tot else float("nan"), "ci_low": lo, "ci_high": hi})
    remarks = ("Favourable: agreeing with an item, or disagreeing with a reverse-worded one; answers to all the "
               "factor's items pooled. The interval treats answers as independent and is too narrow.",)
    return FactorSummary(table=pd.DataFrame(rows), remarks=remarks)
