"""Domain scores (one per implementation factor) with alpha and omega.

Which item measures which factor is data (the instrument definitions tag
items with ``factor:``); the chapter passes the tags in through the specs
(:attr:`ItemSpec.factor`, :attr:`ItemSpec.reverse`).

Conventions
-----------
* Only factors with at least ``min_items`` (default 3) items of an ordinal
  answer scale (three or more choices) are scored; yes/no items are left out.
* Items are first put on one scale: codes are mapped to their rank among the
  item's answers (1…k), reverse-keyed items (``reverse``) are flipped
  (k + 1 − rank). Nonresponse codes and empty cells are missing.
* A person's domain score is the mean of the answered items when at least
  two thirds of the domain's items are answered, else missing.
* Reliability on complete rows (listwise): Cronbach's alpha with Feldt's
  interval and McDonald's omega total from a one-factor model — the
  functions of :mod:`analysis.wellbeing.reliability`, which are checked
  against R's ``psych``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Result
from analysis.wellbeing.reliability import cronbach_alpha, omega_total

from .spec import ItemSpec, as_specs

__all__ = ["DomainScores", "domain_scores", "ranked_items"]


def ranked_items(data: pd.DataFrame, specs: Sequence[ItemSpec]) -> pd.DataFrame:
    """The items as ranks 1…k (reverse-keyed flipped), nonresponse and blanks as NaN."""
    out = {}
    for s in specs:
        rank = {c: i + 1 for i, c in enumerate(s.codes)}
        x = pd.to_numeric(data[s.name], errors="coerce").map(rank).astype(float)
        out[s.name] = (len(s.codes) + 1 - x) if s.reverse else x
    return pd.DataFrame(out, index=data.index)


@dataclass(frozen=True, eq=False)
class DomainScores(Result):
    """Per-person domain scores and per-domain reliability.

    Attributes
    ----------
    scores : DataFrame
        ``data``'s index, the ``keep`` columns, then one column per factor.
    reliability : DataFrame
        ``factor``, ``n_items``, ``items``, ``n_complete``, ``alpha``,
        ``alpha_ci_low``, ``alpha_ci_high``, ``omega_total``, ``n_scored``,
        ``mean``, ``sd``.
    """

    scores: pd.DataFrame
    reliability: pd.DataFrame

    @property
    def title(self) -> str:
        return "Domain scores"

    def to_frame(self) -> pd.DataFrame:
        return self.reliability.copy()


def domain_scores(
    data: pd.DataFrame,
    items: Sequence[ItemSpec | Mapping[str, Any]],
    *,
    min_items: int = 3,
    keep: str | Sequence[str] | None = None,
) -> DomainScores:
    """Score each factor that has at least ``min_items`` ordinal items.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (one wave).
    items : list of ItemSpec or mappings
        Specs whose ``factor`` says which factor they measure.
    min_items : int
        Fewest items a scored domain may have (default 3: alpha and omega need
        at least three to mean much).
    keep : str or list of str, optional
        Columns of ``data`` carried into ``scores`` (``site``, ``pid``, …).

    Returns
    -------
    DomainScores
    """
    specs = [s for s in as_specs(items) if s.factor and len(s.codes) >= 3]
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    by_factor: dict[str, list[ItemSpec]] = {}
    for s in specs:
        by_factor.setdefault(s.factor, []).append(s)
    scores = data[keep].copy()
    rows, remarks = [], []
    for factor, group in by_factor.items():
        if len(group) < min_items:
            remarks.append(f"{factor}: {len(group)} ordinal item(s), fewer than {min_items}; not scored.")
            continue
        x = ranked_items(data, group)
        need = math.ceil(2 * len(group) / 3)
        score = x.mean(axis=1).where(x.notna().sum(axis=1) >= need)
        scores[factor] = score
        alpha, lo, hi, n_complete = cronbach_alpha(x.to_numpy())
        omega, _lam, heywood = omega_total(x.to_numpy())
        if heywood:
            remarks.append(f"{factor}: the one-factor model hit a Heywood case; omega is unstable.")
        rows.append({"factor": factor, "n_items": len(group), "items": ", ".join(s.name for s in group),
                     "n_complete": n_complete, "alpha": alpha, "alpha_ci_low": lo, "alpha_ci_high": hi,
                     "omega_total": omega, "n_scored": int(score.notna().sum()),
                     "mean": float(score.mean()) if score.notna().any() else np.nan,
                     "sd": float(score.std(ddof=1)) if score.notna().sum() > 1 else np.nan})
    remarks.append("Domain score: mean of the answered items on their rank scale (reverse-keyed items flipped), "
                   "when at least two thirds are answered. Alpha (Feldt 95% interval) and omega total on complete "
                   "rows.")
    cols = ["factor", "n_items", "items", "n_complete", "alpha", "alpha_ci_low", "alpha_ci_high", "omega_total",
            "n_scored", "mean", "sd"]
    return DomainScores(scores=scores, reliability=pd.DataFrame(rows, columns=cols), remarks=tuple(remarks))
