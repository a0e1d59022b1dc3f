"""The same ordinal question asked of two groups: a proportional-odds comparison.

:func:`ordinal_comparison` fits a cumulative-logit (proportional-odds) model
of the answer on the group, with prison as a fixed effect (statsmodels
``OrderedModel``), and reports the odds ratio of answering higher for the
``compare`` group against the ``reference`` group with its Wald interval. It
reproduces R's ``MASS::polr(y ~ group + site, Hess = TRUE)`` and
``ordinal::clm`` (same parametrisation: ``logit P(Y <= j) = theta_j - x'beta``;
see ``tests/reference/items``).

Beside the model it gives a rank-based effect size needing no
proportional-odds assumption: the probability that a random member of the
compare group answers higher than one of the reference group, ties counting
half (``P(X > Y) + 0.5 P(X = Y)``, the Vargha–Delaney A / the Brunner–Munzel
effect), with the Brunner–Munzel interval (``scipy.stats.brunnermunzel`` for
the test; the interval inverts its t statistic on the effect's scale, as R's
``brunnermunzel::brunnermunzel.test`` reports it).

**Prison is handled in the proportional-odds model only.** The rank-based
effect pools the prisons (its row is labelled so): it is not stratified.
A van Elteren-type stratified estimate (per-prison effects weighted by
``n_x n_y / (n + 1)``) would need a within-prison variance, and with one to
three peer workers per prison most strata have a single member of a group,
for which the Brunner–Munzel variance does not exist. The unstratified
effect is reported as a model-free description of the pooled answers, not
as a prison-adjusted comparison.

Nonresponse codes and empty cells are left out of both (the count left out
is a remark).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result

from .spec import ItemSpec, as_specs

__all__ = ["OrdinalComparison", "ordinal_comparison", "probability_of_superiority"]


def probability_of_superiority(x, y, *, alpha: float = 0.05) -> tuple[float, float, float]:
    """``P(X > Y) + 0.5 P(X = Y)`` with the Brunner–Munzel (1 − alpha) interval.

    With ranks in the pooled sample (``R``) and within each group (``R*``),
    ``S_x² = Σ (R − R* − mean(R_x) + (n_x + 1)/2)² / (n_x − 1)`` (likewise
    ``S_y²``), the standard error is ``sqrt(n_x S_x² + n_y S_y²) / (n_x n_y)``
    and the degrees of freedom are Welch–Satterthwaite's, as in
    ``scipy.stats.brunnermunzel``. Returns (estimate, low, high), the interval
    clipped to [0, 1].
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = len(x), len(y)
    pooled = stats.rankdata(np.concatenate([x, y]))
    rx, ry = pooled[:nx], pooled[nx:]
    a = (rx.mean() - (nx + 1) / 2) / ny  # P(X > Y) + 0.5 P(X = Y)
    sx = np.sum((rx - stats.rankdata(x) - rx.mean() + (nx + 1) / 2) ** 2) / (nx - 1)
    sy = np.sum((ry - stats.rankdata(y) - ry.mean() + (ny + 1) / 2) ** 2) / (ny - 1)
    se = np.sqrt(nx * sx + ny * sy) / (nx * ny)
    denom = (nx * sx) ** 2 / (nx - 1) + (ny * sy) ** 2 / (ny - 1)
    if denom == 0:
        return (float(a), np.nan, np.nan)
    df = (nx * sx + ny * sy) ** 2 / denom
    t = stats.t.ppf(1 - alpha / 2, df)
    return (float(a), float(max(0.0, a - t * se)), float(min(1.0, a + t * se)))


@dataclass(frozen=True, eq=False)
class OrdinalComparison(Result):
    """Proportional-odds comparison of two groups on one ordinal item.

    Attributes
    ----------
    table : DataFrame
        One row per quantity: ``odds ratio (compare vs reference)`` and
        ``P(compare answers higher)``, with ``estimate``, ``ci_low``,
        ``ci_high``, ``p_val``.
    coefficients : DataFrame
        Every model parameter on the model's scale (log odds ratios and
        thresholds), as ``OrderedModel`` reports them.
    n : dict
        Substantive answers per group.
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    item: str
    reference: Any
    compare: Any
    n: Mapping[Any, int]
    n_left_out: int = 0

    @property
    def title(self) -> str:
        return f"{self.item}: {self.compare} vs {self.reference}"

    @property
    def odds_ratio(self) -> float:
        return float(self.table.loc[0, "estimate"])

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def ordinal_comparison(
    data: pd.DataFrame,
    item: ItemSpec | Mapping[str, Any],
    *,
    group: str,
    reference: Any,
    compare: Any,
    site: str | None = "site",
    alpha: float = 0.05,
) -> OrdinalComparison:
    """Compare two groups' answers to one ordinal item.

    Parameters
    ----------
    data : DataFrame
        One row per respondent: the item column, ``group`` and ``site``.
    item : ItemSpec or mapping
    group : str
        Column naming the group (e.g. ``respondent_group``).
    reference, compare : values of ``group``
        The odds ratio is ``compare`` against ``reference`` (> 1: ``compare``
        answers higher).
    site : str or None
        Fixed effect (dummy per prison); ``None`` for no adjustment.

    Returns
    -------
    OrdinalComparison
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    spec: ItemSpec = as_specs(item)[0]
    need = [spec.name, group] + ([site] if site else [])
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} not found in data; pass group=/site= with your column names")
    frame = data[data[group].isin([reference, compare])].copy()
    y = pd.to_numeric(frame[spec.name], errors="coerce")
    ok = y.isin(spec.codes)
    n_left_out = int((~ok).sum())
    frame, y = frame[ok.to_numpy()], y[ok]
    n = {g: int((frame[group] == g).sum()) for g in (reference, compare)}
    if min(n.values()) < 2:
        raise ValueError(f"{spec.name}: fewer than two answers in a group ({n}); nothing to compare")
    used = [c for c in spec.codes if (y == c).any()]
    endog = pd.Series(pd.Categorical(y, categories=used, ordered=True), index=frame.index)
    x = pd.DataFrame({f"{group}[{compare}]": (frame[group] == compare).astype(float)}, index=frame.index)
    remarks = []
    if site:
        dummies = pd.get_dummies(frame[site].astype(str), prefix=site, drop_first=True, dtype=float)
        x = pd.concat([x, dummies], axis=1)
    res = OrderedModel(endog, x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-8)
    term = x.columns[0]
    b, se = float(res.params[term]), float(res.bse[term])
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(res.pvalues[term])
    ci = res.conf_int(alpha=alpha)
    coefs = pd.DataFrame({"estimate": res.params, "se": res.bse, "ci_low": ci[0], "ci_high": ci[1],
                          "p_val": res.pvalues})
    a, a_lo, a_hi = probability_of_superiority(y[frame[group] == compare], y[frame[group] == reference], alpha=alpha)
    bm = stats.brunnermunzel(y[frame[group] == compare], y[frame[group] == reference])
    table = pd.DataFrame([
        {"quantity": f"odds ratio ({compare} vs {reference})", "estimate": np.exp(b), "ci_low": np.exp(b - z * se),
         "ci_high": np.exp(b + z * se), "p_val": p},
        {"quantity": f"P({compare} answers higher than {reference})" + (f", {site}s pooled" if site else ""),
         "estimate": a, "ci_low": a_lo,
         "ci_high": a_hi, "p_val": float(bm.pvalue)},
    ])
    if not res.mle_retvals.get("converged", True):
        remarks.append("The proportional-odds model did not converge; treat the odds ratio with caution.")
    if n_left_out:
        remarks.append(f"{n_left_out} answer(s) 'don't know', 'refused', 'not applicable' or blank left out.")
    remarks.append("Odds ratio from a proportional-odds (cumulative logit) model"
                   + (f" with {site} as a fixed effect" if site else "")
                   + "; Wald interval. The probability of answering higher (ties half) has the Brunner–Munzel "
                   + "interval" + (f" and is not adjusted for {site}: it pools the {site}s, which only the "
                                   "odds ratio takes into account." if site else "."))
    return OrdinalComparison(table=table, coefficients=coefs, item=spec.name, reference=reference, compare=compare,
                             n=n, n_left_out=n_left_out, remarks=tuple(remarks))
