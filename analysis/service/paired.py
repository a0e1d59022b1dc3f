"""A yes/no outcome at two waves of the same persons: McNemar's test and the paired difference in proportions.

Conventions
-----------
* Pairs: persons with a 0/1 answer at both ``pre`` and ``post`` (one row per
  person and wave; a person with a missing answer at either wave is left out
  and counted in ``remarks``).
* ``b`` = yes before, no after; ``c`` = no before, yes after. The difference
  is *post − pre* = (c − b) / n.
* McNemar's test (statsmodels ``mcnemar``): the exact binomial test on the
  discordant pairs when b + c < 25 (R: ``binom.test(min(b, c), b + c)``),
  otherwise the chi-square test with continuity correction (R:
  ``mcnemar.test``, ``correct = TRUE``).
* Interval for the difference: the Wald interval for paired proportions,
  se = sqrt(b + c − (b − c)² / n) / n (Agresti, *Categorical Data
  Analysis*, 10.1.1). Written out because statsmodels has no public function
  for a paired difference (only a private ``_std_diff_prop``); three lines,
  checked against base R in tests/reference/service/.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from analysis.results import Result

__all__ = ["PairedProportion", "paired_proportion"]

EXACT_BELOW = 25


@dataclass(frozen=True, eq=False)
class PairedProportion(Result):
    """Counts of the 2 × 2 paired table, shares, the difference with its interval, McNemar's test."""

    outcome: str
    n_pairs: int
    table: np.ndarray  # rows: pre no/yes; columns: post no/yes
    share_pre: float
    share_post: float
    difference: float
    ci: tuple[float, float]
    statistic: float
    p_value: float
    exact: bool

    @property
    def title(self) -> str:
        return f"Paired change in {self.outcome}"

    @property
    def b(self) -> int:
        return int(self.table[1, 0])

    @property
    def c(self) -> int:
        return int(self.table[0, 1])

    def to_frame(self) -> pd.DataFrame:
        test = "McNemar exact (binomial)" if self.exact else "McNemar chi-square (continuity corrected)"
        rows = [
            {"quantity": "share before", "estimate": self.share_pre, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan},
            {"quantity": "share after", "estimate": self.share_post, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan},
            {"quantity": "difference (after − before)", "estimate": self.difference, "ci_low": self.ci[0],
             "ci_high": self.ci[1], "p": np.nan},
            {"quantity": test, "estimate": self.statistic, "ci_low": np.nan, "ci_high": np.nan, "p": self.p_value},
        ]
        return pd.DataFrame(rows).assign(n=self.n_pairs)[["quantity", "n", "estimate", "ci_low", "ci_high", "p"]]


def paired_proportion(data: pd.DataFrame, *, outcome: str, pre=1, post=2, subject: str = "pid", wave: str = "wave",
                      exact: bool | None = None, conf_level: float = 0.95) -> PairedProportion:
    """McNemar's test and the paired difference for a 0/1 ``outcome`` (see module notes).

    ``exact=None`` chooses the exact test when the discordant pairs are fewer than 25.
    """
    missing = [c for c in (outcome, subject, wave) if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} not found; pass outcome=/subject=/wave= with your column names")
    sub = data[data[wave].isin([pre, post])]
    dup = sub.duplicated([subject, wave])
    if dup.any():
        raise ValueError(f"{int(dup.sum())} person(s) answered a wave twice; keep one answer per person and wave")
    wide = sub.pivot(index=subject, columns=wave, values=outcome).reindex(columns=[pre, post])
    wide = wide.apply(pd.to_numeric, errors="coerce")
    ok = wide[pre].isin([0, 1]) & wide[post].isin([0, 1])
    pairs = wide[ok].astype(int)
    n = int(len(pairs))
    if n == 0:
        raise ValueError(f"no person has a 0/1 '{outcome}' at both waves {pre} and {post}")
    table = pd.crosstab(pairs[pre], pairs[post]).reindex(index=[0, 1], columns=[0, 1], fill_value=0).to_numpy()
    b, c = int(table[1, 0]), int(table[0, 1])
    use_exact = (b + c) < EXACT_BELOW if exact is None else bool(exact)
    res = mcnemar(table, exact=use_exact, correction=True)
    diff = (c - b) / n
    se = np.sqrt(max(b + c - (b - c) ** 2 / n, 0.0)) / n
    z = stats.norm.ppf(0.5 + conf_level / 2)
    remarks = [f"{n} person(s) with an answer at both waves; {b} changed from yes to no, {c} from no to yes.",
               ("McNemar's exact test (binomial on the discordant pairs)" if use_exact else
                "McNemar's chi-square test with continuity correction")
               + f"; Wald {conf_level:.0%} interval for the paired difference."]
    left_out = int((~ok).sum())
    if left_out:
        remarks.append(f"{left_out} person(s) without a yes/no answer at both waves are left out.")
    return PairedProportion(outcome=outcome, n_pairs=n, table=table, share_pre=float(pairs[pre].mean()),
                            share_post=float(pairs[post].mean()), difference=float(diff),
                            ci=(float(diff - z * se), float(diff + z * se)), statistic=float(res.statistic),
                            p_value=float(res.pvalue), exact=use_exact, remarks=tuple(remarks))
