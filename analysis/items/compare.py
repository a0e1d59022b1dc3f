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

**Prison.** The Brunner–Munzel effect pools the prisons (its row is
labelled so). With ``site`` given, a third row gives the van Elteren-type
stratified effect (:func:`stratified_superiority`): the per-prison
probabilities of a higher answer averaged with van Elteren's weights
``n_x n_y / (n + 1)``, and van Elteren's stratified rank test (the
conditional permutation variance of each prison's rank sum, ties
corrected). It has a p-value but **no interval**: with one to three peer
workers per prison most strata have a single member of a group, for which
no within-prison variance of the effect (Brunner–Munzel's) exists, and the
permutation variance holds only under "no difference". Checked by hand in
base R (``tests/reference/items``).

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

__all__ = ["OrdinalComparison", "ordinal_comparison", "probability_of_superiority", "stratified_superiority"]


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


def stratified_superiority(x, y, x_strata, y_strata) -> tuple[float, float, float, int]:
    """Van Elteren-type stratified ``P(X > Y) + 0.5 P(X = Y)`` and van Elteren's test.

    Per stratum ``s`` with both groups present: ``U_s`` (the Mann–Whitney
    count for X, midranks), weights ``1 / (N_s + 1)``. The estimate is
    ``Σ U_s / (N_s + 1) / Σ n_xs n_ys / (N_s + 1)`` (the per-stratum effects
    weighted by ``n_xs n_ys / (N_s + 1)``); the test statistic
    ``Z = Σ (W_s − E W_s) / (N_s + 1) / sqrt(Σ Var W_s / (N_s + 1)²)`` with
    ``Var W_s = n_xs n_ys / 12 · (N_s + 1 − Σ (t³ − t) / (N_s (N_s − 1)))``.
    Returns (estimate, z, two-sided normal p, strata used). Written out
    because neither scipy nor statsmodels has van Elteren's test.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    xs, ys = np.asarray(x_strata, dtype=object), np.asarray(y_strata, dtype=object)
    num = den = dev = var = 0.0
    used = 0
    for s in pd.unique(np.concatenate([xs, ys])):
        xv, yv = x[xs == s], y[ys == s]
        nx, ny = len(xv), len(yv)
        if nx == 0 or ny == 0:
            continue
        n = nx + ny
        r = stats.rankdata(np.concatenate([xv, yv]))
        w = r[:nx].sum()
        u = w - nx * (nx + 1) / 2
        _, t = np.unique(np.concatenate([xv, yv]), return_counts=True)
        v = nx * ny / 12 * (n + 1 - ((t ** 3 - t).sum() / (n * (n - 1)) if n > 1 else 0.0))
        num += u / (n + 1)
        den += nx * ny / (n + 1)
        dev += (w - nx * (n + 1) / 2) / (n + 1)
        var += v / (n + 1) ** 2
        used += 1
    if used == 0:
        return (np.nan, np.nan, np.nan, 0)
    est = num / den
    if var <= 0:
        return (float(est), np.nan, np.nan, used)
    z = dev / np.sqrt(var)
    return (float(est), float(z), float(2 * stats.norm.sf(abs(z))), used)


@dataclass(frozen=True, eq=False)
class OrdinalComparison(Result):
    """Proportional-odds comparison of two groups on one ordinal item.

    Attributes
    ----------
    table : DataFrame
        One row per quantity: ``odds ratio (compare vs reference)``,
        ``P(compare answers higher)`` (prisons pooled) and, with ``site``,
        the van Elteren stratified probability (no interval), with
        ``estimate``, ``ci_low``, ``ci_high``, ``p_val``.
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
    if site:
        is_c, is_r = (frame[group] == compare).to_numpy(), (frame[group] == reference).to_numpy()
        sa, _z, sp, n_strata = stratified_superiority(y[is_c], y[is_r], frame.loc[is_c, site], frame.loc[is_r, site])
        table = pd.concat([table, pd.DataFrame([{
            "quantity": f"P({compare} answers higher than {reference}), within {site}s (van Elteren)",
            "estimate": sa, "ci_low": np.nan, "ci_high": np.nan, "p_val": sp}])], ignore_index=True)
    if not res.mle_retvals.get("converged", True):
        remarks.append("The proportional-odds model did not converge; treat the odds ratio with caution.")
    if n_left_out:
        remarks.append(f"{n_left_out} answer(s) 'don't know', 'refused', 'not applicable' or blank left out.")
    remarks.append("Odds ratio from a proportional-odds (cumulative logit) model"
                   + (f" with {site} as a fixed effect" if site else "")
                   + "; Wald interval. The probability of answering higher (ties half) has the Brunner–Munzel "
                   + "interval" + (f" and pools the {site}s; the van Elteren row compares within each {site} "
                                   f"(weights n_x n_y / (n + 1), {n_strata} {site}(s) with both groups) and has a "
                                   "stratified rank test but no interval (a group of one in a prison has no "
                                   "within-prison variance)." if site else "."))
    return OrdinalComparison(table=table, coefficients=coefs, item=spec.name, reference=reference, compare=compare,
                             n=n, n_left_out=n_left_out, remarks=tuple(remarks))
