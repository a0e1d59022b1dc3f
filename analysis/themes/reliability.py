"""Inter-coder reliability coefficients on a units × coders matrix.

The functions here know nothing of transcripts or codes: they take *reliability
data*, a 2-D array (or DataFrame) with one row per unit and one column per
coder, holding the value each coder gave to the unit, or missing (``NaN`` /
``None``) where the coder did not judge it. :func:`analysis.themes.coder_agreement`
builds such a matrix per code from coded segments.

Conventions
-----------
- A unit enters a coefficient only if at least two coders judged it (it is
  *pairable*); units with a single value carry no information on agreement.
- **Percentage agreement** is the mean, over pairable units, of the share of
  coder pairs that agree on the unit (for two coders: the share of units on
  which they agree), times 100.
- **Cohen's kappa** (two coders; units missing either coder are dropped):
  ``(p_o - p_e) / (1 - p_e)`` with ``p_e`` from each coder's own marginals.
  Its standard error is the large-sample one of Fleiss, Cohen & Everitt (1969),
  as in R's ``psych::cohen.kappa``; the interval is Wald ``kappa ± z * se``,
  clipped to [-1, 1].
- **Fleiss' kappa** (Fleiss 1971): ``(P̄ - P_e) / (1 - P_e)`` with ``P_e`` from the
  pooled category shares. With missing values the number of raters ``m_u`` may
  vary by unit: ``P_u = (Σ_c n_uc² - m_u) / (m_u (m_u - 1))`` and the pooled
  shares weight each unit by ``m_u``; with no missing values this is exactly
  Fleiss (1971).
- **Krippendorff's alpha** (Krippendorff 2011, "Computing Krippendorff's
  alpha-reliability"): ``1 - (n - 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck`` from the
  coincidence matrix ``o_ck = Σ_u (number of c-k pairs in u) / (m_u - 1)``, with
  ``δ²`` nominal (0/1), ordinal (``(Σ_{g=c..k} n_g - (n_c + n_k)/2)²``), interval
  (``(c - k)²``) or ratio (``((c - k)/(c + k))²``).
- A coefficient whose chance term leaves nothing to explain (every judgement in
  one category) is undefined and returned as ``NaN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "KappaEstimate",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "LEVELS",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class KappaEstimate:
    """Cohen's kappa with its large-sample standard error and Wald interval."""

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    n_units: int
    confidence: float = 0.95

    def __float__(self) -> float:
        return float(self.estimate)


def _as_object_matrix(ratings, argument: str = "ratings") -> np.ndarray:
    if isinstance(ratings, pd.DataFrame):
        values = ratings.to_numpy(dtype=object)
    else:
        values = np.asarray(ratings, dtype=object)
    if values.ndim != 2:
        raise ValueError(
            f"{argument} must be 2-D (units × coders), got {values.ndim} dimension(s); "
            "pass one row per unit and one column per coder"
        )
    return values


def _counts(ratings, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Units × categories count table of the pairable units, and the categories."""
    try:  # fast path: numeric reliability data
        if isinstance(ratings, pd.DataFrame):
            values = ratings.to_numpy(dtype=float, na_value=np.nan)
        else:
            values = np.asarray(ratings, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is not None and values.ndim == 2:
        return _numeric_counts(values)
    values = _as_object_matrix(ratings)
    missing = pd.isna(values)
    observed = values[~missing]
    if numeric:
        try:
            observed = observed.astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "ordinal, interval and ratio levels need numeric values; "
                "recode the categories as numbers or use level='nominal'"
            ) from exc
    categories, codes = np.unique(observed, return_inverse=True) if observed.size else (np.array([]), np.array([], int))
    index = np.full(values.shape, -1)
    index[~missing] = codes
    counts = np.zeros((values.shape[0], len(categories)))
    for j in range(values.shape[1]):
        rows = np.nonzero(index[:, j] >= 0)[0]
        np.add.at(counts, (rows, index[rows, j]), 1)
    pairable = counts.sum(axis=1) >= 2
    return counts[pairable], categories


def _numeric_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    missing = np.isnan(values)
    categories, codes = np.unique(values[~missing], return_inverse=True)
    index = np.full(values.shape, -1)
    index[~missing] = codes
    counts = np.zeros((values.shape[0], len(categories)))
    for k in range(len(categories)):
        counts[:, k] = (index == k).sum(axis=1)
    return counts[counts.sum(axis=1) >= 2], categories


def _percent_from_counts(counts: np.ndarray) -> float:
    if counts.shape[0] == 0:
        return float("nan")
    m = counts.sum(axis=1)
    return float(100 * (((counts**2).sum(axis=1) - m) / (m * (m - 1))).mean())


def _fleiss_from_counts(counts: np.ndarray) -> float:
    if counts.shape[0] == 0:
        return float("nan")
    m = counts.sum(axis=1)
    p_bar = (((counts**2).sum(axis=1) - m) / (m * (m - 1))).mean()
    p_cat = counts.sum(axis=0) / m.sum()
    p_e = float((p_cat**2).sum())
    if np.isclose(p_e, 1.0):
        return float("nan")
    return float((p_bar - p_e) / (1 - p_e))


def _alpha_from_counts(counts: np.ndarray, categories: np.ndarray, level: str) -> float:
    if counts.shape[0] == 0:
        return float("nan")
    m = counts.sum(axis=1)
    weighted = counts / (m - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    marginals = coincidence.sum(axis=1)
    n = marginals.sum()
    delta2 = _delta2(categories, marginals, level)
    expected = float((np.outer(marginals, marginals) * delta2).sum())
    if expected <= 0 or n <= 1:
        return float("nan")
    observed = float((coincidence * delta2).sum())
    return float(1 - (n - 1) * observed / expected)


def percent_agreement(ratings) -> float:
    """Mean share of agreeing coder pairs over pairable units, in percent.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × coders
        Missing judgements as ``NaN``/``None``.

    Returns
    -------
    float
        0–100; ``NaN`` when no unit was judged by two coders.
    """
    counts, _ = _counts(ratings, numeric=False)
    return _percent_from_counts(counts)


def fleiss_kappa(ratings) -> float:
    """Fleiss' kappa for two or more coders, missing judgements allowed.

    See the module docstring for the formula with a varying number of coders per
    unit. Equals Fleiss (1971) when every unit has the same number of ratings.
    """
    counts, _ = _counts(ratings, numeric=False)
    return _fleiss_from_counts(counts)


def cohen_kappa(ratings, *, confidence: float = 0.95) -> KappaEstimate:
    """Cohen's (unweighted) kappa for exactly two coders.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × 2
        Units with a missing judgement from either coder are dropped.
    confidence : float
        Level of the Wald interval.

    Returns
    -------
    KappaEstimate
        ``estimate``, ``se`` (Fleiss, Cohen & Everitt 1969, as
        ``psych::cohen.kappa``), ``ci_lower``, ``ci_upper`` (clipped to [-1, 1]),
        ``n_units``.
    """
    values = _as_object_matrix(ratings)
    if values.shape[1] != 2:
        raise ValueError(
            f"cohen_kappa needs exactly two coders (columns), got {values.shape[1]}; "
            "use fleiss_kappa or krippendorff_alpha for more coders"
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    complete = ~pd.isna(values).any(axis=1)
    a, b = values[complete, 0], values[complete, 1]
    n = len(a)
    nan = float("nan")
    if n == 0:
        return KappaEstimate(nan, nan, nan, nan, 0, confidence)
    codes, categories = pd.factorize(np.concatenate([a, b]))
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, (codes[:n], codes[n:]), 1)
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float(np.trace(p))
    p_e = float(rows @ cols)
    if np.isclose(p_e, 1.0):
        return KappaEstimate(nan, nan, nan, nan, n, confidence)
    kappa = (p_o - p_e) / (1 - p_e)
    # Fleiss, Cohen & Everitt (1969), written as in psych::cohen.kappa.
    diag = np.diag(p) * ((1 - p_e) - (rows + cols) * (1 - p_o)) ** 2
    outer = cols[:, None] + rows[None, :]
    off = p * outer**2
    var = (diag.sum() + (1 - p_o) ** 2 * (off.sum() - np.trace(off)) - (p_o * p_e - 2 * p_e + p_o) ** 2) / (
        n * (1 - p_e) ** 4
    )
    se = float(np.sqrt(max(var, 0.0)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    lower, upper = max(kappa - z * se, -1.0), min(kappa + z * se, 1.0)
    return KappaEstimate(float(kappa), se, float(lower), float(upper), n, confidence)


def _delta2(categories: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    if level == "nominal":
        return 1.0 - np.eye(len(categories))
    c = categories.astype(float)
    if level == "interval":
        return (c[:, None] - c[None, :]) ** 2
    if level == "ratio":
        total = c[:, None] + c[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = ((c[:, None] - c[None, :]) / total) ** 2
        return np.where(total == 0, 0.0, d)
    # ordinal: categories are sorted; the distance is the mass between them.
    cum = np.concatenate([[0.0], np.cumsum(marginals)])
    i, j = np.meshgrid(np.arange(len(c)), np.arange(len(c)), indexing="ij")
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cum[hi + 1] - cum[lo]
    return (between - (marginals[i] + marginals[j]) / 2) ** 2


def krippendorff_alpha(ratings, *, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, missing judgements allowed.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × coders
        Missing judgements as ``NaN``/``None``. Ordinal, interval and ratio
        levels need numeric values (their order is the numeric order).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric of the difference function ``δ²``.

    Returns
    -------
    float
        Alpha; ``NaN`` when fewer than two pairable values or no expected
        disagreement (all values equal).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    counts, categories = _counts(ratings, numeric=level != "nominal")
    return _alpha_from_counts(counts, categories, level)
