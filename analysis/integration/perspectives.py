"""The three perspectives side by side, one row per implementation factor.

:func:`factor_theme_prevalence` turns coded interview segments into the
share of interviewees who raised a factor (through the codebook mapping of
codes to factors, which the chapter reads from ``instruments/factors.yaml``).
:func:`factor_joint_display` sets, per factor, what staff say, what peer
workers say, what detainees experience (shares of favourable answers, e.g.
:func:`analysis.items.factor_summary`) and how many interviewees raised it,
with a column saying whether the survey perspectives converge or diverge.

Convergence rule (stated in the table's remarks): among the perspectives with
a value, if the largest and smallest favourable shares differ by
``diverge_at`` (default 0.25) or more they **diverge**; otherwise they
**converge**, "mostly favourable" when all are at least one half, "mostly
unfavourable" when all are below one half, else "mixed". A factor measured
by one perspective only is labelled so. It is a reading aid, not a test.

Disclosure (``min_count``): a share is shown only when at least
``min_count`` answers are favourable *and* at least ``min_count`` are not
(for interviews: people who raised the factor and people who did not). A
share of 0% or 100% of a small group says what every member answered, and a
share resting on a handful of answers gives them back; such shares are
withheld (NaN), left out of the verdict, and counted in the remarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result

__all__ = ["FactorJointDisplay", "factor_joint_display", "factor_theme_prevalence", "CONVERGENCE_TEXTS"]

CONVERGENCE_TEXTS = {
    "en": {"diverge": "diverge", "fav": "converge: mostly favourable", "unfav": "converge: mostly unfavourable",
           "mixed": "converge: mixed", "one": "one perspective only", "none": "not measured"},
    "nl": {"diverge": "lopen uiteen", "fav": "komen overeen: overwegend gunstig",
           "unfav": "komen overeen: overwegend ongunstig", "mixed": "komen overeen: gemengd",
           "one": "slechts één perspectief", "none": "niet gemeten"},
    "fr": {"diverge": "divergent", "fav": "convergent : plutôt favorable", "unfav": "convergent : plutôt défavorable",
           "mixed": "convergent : mitigé", "one": "une seule perspective", "none": "non mesuré"},
}


def factor_theme_prevalence(segments: pd.DataFrame, interviews: pd.DataFrame,
                            codes: Mapping[str, Sequence[str]], *, subject: str = "pid",
                            code: str = "code") -> pd.DataFrame:
    """Share of interviewees with at least one segment coded with one of each factor's codes.

    Returns a frame ``factor``, ``n_raised``, ``n_interviewed``, ``share``;
    everyone in ``interviews`` is the denominator (also those who raised nothing).
    """
    for col in (subject, code):
        if col not in segments.columns:
            raise KeyError(f"column {col!r} not found in segments; pass {('subject', 'code')[col == code]}=")
    n_all = int(interviews[subject].nunique())
    rows = []
    for factor, cs in codes.items():
        n = int(segments.loc[segments[code].isin(list(cs)), subject].nunique())
        rows.append({"factor": factor, "n_raised": n, "n_interviewed": n_all, "share": n / n_all if n_all else np.nan})
    return pd.DataFrame(rows)


def _verdict(values: list[float], diverge_at: float, t: Mapping[str, str]) -> str:
    vals = [v for v in values if v is not None and np.isfinite(v)]
    if not vals:
        return t["none"]
    if len(vals) == 1:
        return t["one"]
    if max(vals) - min(vals) >= diverge_at:
        return t["diverge"]
    if min(vals) >= 0.5:
        return t["fav"]
    if max(vals) < 0.5:
        return t["unfav"]
    return t["mixed"]


@dataclass(frozen=True, eq=False)
class FactorJointDisplay(Result):
    """One row per factor: each perspective's favourable share and n, interview prevalence, verdict.

    Attributes
    ----------
    table : DataFrame
        ``factor``, ``label``, per perspective ``<name>: favourable`` and
        ``<name>: n``, then ``interviews: share`` and ``interviews: n`` (with
        themes), and ``perspectives`` (the verdict).
    """

    table: pd.DataFrame
    perspectives: tuple[str, ...]

    @property
    def title(self) -> str:
        return "Joint display by implementation factor"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def factor_joint_display(
    perspectives: Mapping[str, pd.DataFrame],
    *,
    themes: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    value: str = "favourable",
    n: str = "n",
    diverge_at: float = 0.25,
    lang: str = "en",
    min_count: int | None = None,
    favourable: str = "n_favourable",
    unfavourable: str = "n_unfavourable",
) -> FactorJointDisplay:
    """Per factor, the perspectives' favourable shares side by side with a converge/diverge verdict.

    Parameters
    ----------
    perspectives : mapping {name: DataFrame}
        Each frame has one row per ``factor`` with ``value`` and ``n``
        (e.g. ``factor_summary(...).to_frame()``).
    themes : DataFrame, optional
        :func:`factor_theme_prevalence` output.
    labels : mapping {factor: label}, optional
        Readers' names of the factors (from ``instruments/factors.yaml``).
    order : list of str, optional
        Factor order (default: as in ``labels``, then as met).
    diverge_at : float
        Difference of favourable shares from which perspectives diverge.
    lang : {"en", "nl", "fr"}
        Language of the verdict.
    min_count : int, optional
        Disclosure threshold (see module notes); needs ``favourable`` and
        ``unfavourable`` count columns in the frames (``factor_summary`` has them).
    """
    t = CONVERGENCE_TEXTS.get(lang, CONVERGENCE_TEXTS["en"])
    for name, frame in perspectives.items():
        missing = [c for c in ("factor", value, n) if c not in frame.columns]
        if missing:
            raise KeyError(f"perspective {name!r} lacks columns {missing}; pass factor_summary(...).to_frame()")
        if frame["factor"].duplicated().any():
            raise ValueError(f"perspective {name!r} has several rows per factor; filter it to one group first")
    seen = list(order or labels or [])
    for frame in perspectives.values():
        seen += [f for f in frame["factor"] if f not in seen]
    def small(a, b) -> bool:
        return min_count is not None and min(a, b) < min_count

    rows, withheld = [], 0
    for factor in seen:
        row = {"factor": factor, "label": (labels or {}).get(factor, factor)}
        vals = []
        for name, frame in perspectives.items():
            hit = frame[frame["factor"] == factor]
            v = float(hit[value].iloc[0]) if len(hit) else np.nan
            if len(hit) and min_count is not None and small(int(hit[favourable].iloc[0]),
                                                             int(hit[unfavourable].iloc[0])):
                v, withheld = np.nan, withheld + 1
            row[f"{name}: {value}"] = v
            row[f"{name}: n"] = int(hit[n].iloc[0]) if len(hit) else np.nan
            vals.append(v)
        if themes is not None:
            hit = themes[themes["factor"] == factor]
            v = float(hit["share"].iloc[0]) if len(hit) else np.nan
            if len(hit) and small(int(hit["n_raised"].iloc[0]),
                                  int(hit["n_interviewed"].iloc[0] - hit["n_raised"].iloc[0])):
                v, withheld = np.nan, withheld + 1
            row["interviews: share"] = v
            row["interviews: n"] = int(hit["n_interviewed"].iloc[0]) if len(hit) else np.nan
        row["perspectives"] = _verdict(vals, diverge_at, t)
        rows.append(row)
    remarks = ((f"{withheld} share(s) withheld: fewer than {min_count} answers (or people) on one side, "
                 "so the share would describe a small group or everyone in it.",) if withheld else ()) + (
        f"Perspectives diverge when their shares of favourable answers differ by {diverge_at:.0%} or more; "
        "otherwise they converge (mostly favourable when all are at least 50%, mostly unfavourable when all are "
        "below). A reading aid, not a statistical test.",
        "Interviews: share of everyone interviewed who raised a theme mapped to the factor (codebook mapping in "
        "instruments/factors.yaml). Side by side, not causal.",
    )
    return FactorJointDisplay(table=pd.DataFrame(rows), perspectives=tuple(perspectives), remarks=remarks)
