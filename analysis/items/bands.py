"""Categorical answers of a small group, counted in coarser answer bands.

With a few dozen respondents (the peer workers), a table of every answer of
a categorical question (pay, contract, supervision frequency) would be
almost all small cells. :func:`banded_counts` counts distinct respondents per
*band* of answers (e.g. "paid" = codes 1 and 2), per item, with two more
rows: ``no answer`` (a nonresponse code: don't know, refused, not
applicable) and ``not asked or blank`` (an empty cell: skip logic or left
blank). Every answer code of the item must fall in exactly one band, so
nothing is silently dropped; the result goes through disclosure control like
any other table (zeros protected for a small group).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.results import Result

from .spec import ItemSpec, as_specs

__all__ = ["BandedCounts", "banded_counts", "NO_ANSWER", "NOT_ASKED"]

NO_ANSWER = "no answer"
NOT_ASKED = "not asked or blank"


@dataclass(frozen=True, eq=False)
class BandedCounts(Result):
    """``table``: ``item``, ``label`` (the question), ``answer`` (band), ``n`` (distinct respondents)."""

    table: pd.DataFrame

    @property
    def title(self) -> str:
        return "Answers in bands"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def banded_counts(data: pd.DataFrame, specs, bands: Mapping[str, Mapping[str, Sequence[int]]], *,
                  subject: str | None = None) -> BandedCounts:
    """Distinct respondents per item and answer band (see module notes).

    ``bands``: per item name, ``{band label: [answer codes]}`` in display order.
    ``subject``: count one row per respondent (the first) when given.
    """
    specs = {s.name: s for s in as_specs(specs)}
    problems = [f"{name}: no such item among the specs" for name in bands if name not in specs]
    for name, item_bands in bands.items():
        if name not in specs:
            continue
        codes = list(specs[name].codes)
        placed = [c for cs in item_bands.values() for c in cs]
        missing = [c for c in codes if c not in placed]
        unknown = [c for c in placed if c not in codes]
        twice = sorted({c for c in placed if placed.count(c) > 1})
        if missing:
            problems.append(f"{name}: answer code(s) {missing} are in no band")
        if unknown:
            problems.append(f"{name}: band code(s) {unknown} are not answers of the item")
        if twice:
            problems.append(f"{name}: answer code(s) {twice} are in more than one band")
        if name not in data.columns:
            problems.append(f"{name}: column not found")
    if problems:
        raise ValueError("; ".join(problems))
    frame = data.drop_duplicates(subject) if subject else data
    rows = []
    for name, item_bands in bands.items():
        spec: ItemSpec = specs[name]
        y = pd.to_numeric(frame[name], errors="coerce")
        for band, codes in item_bands.items():
            rows.append({"item": name, "label": spec.label, "answer": band, "n": int(y.isin(list(codes)).sum())})
        nonresp = [c for c, _kind, _label in spec.nonresponse]
        other = y.notna() & ~y.isin(list(spec.codes)) & ~y.isin(nonresp)
        if other.any():
            raise ValueError(f"{name}: {int(other.sum())} value(s) are neither answers nor nonresponse codes")
        rows.append({"item": name, "label": spec.label, "answer": NO_ANSWER, "n": int(y.isin(nonresp).sum())})
        rows.append({"item": name, "label": spec.label, "answer": NOT_ASKED, "n": int(y.isna().sum())})
    remarks = ("Answers counted in bands (distinct respondents); 'no answer' is don't know, refused or not "
               "applicable; 'not asked or blank' is an empty cell (skip logic or left blank).",)
    return BandedCounts(table=pd.DataFrame(rows), remarks=remarks)
