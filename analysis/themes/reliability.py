"""Inter-coder reliability coefficients on a units × coders matrix.

The functions here know nothing of transcripts or codes: they take *reliability
data*, a 2-D array (or DataFrame) with one row per unit and one column per
coder, holding the value each coder gave to the unit, or missing (``NaN`` /
``None``) where the coder did not judge it. :func:`analysis.themes.coder_agreement`
builds such a matrix per code from coded segments. Every function returns an
:class:`AgreementStatistic` (the shared result object: ``to_frame()``,
``remarks``, HTML repr; ``float(result)`` is the estimate).

Conventions
-----------
- A unit enters a coefficient only if at least two coders judged it (it is
  *pairable*); units with a single value carry no information on agreement.
- **Percentage agreement** is the mean, over pairable units, of the share of
  coder pairs that agree on the unit (for two coders: the share of units on
  which they agree), times 100.
- **Cohen's kappa** (two coders; units missing either coder are dropped) is
  computed by ``statsmodels.stats.inter_rater.cohens_kappa``: unweighted, or
  weighted with linear (``1 - |i-j|/(k-1)``, irr's ``"equal"``), quadratic
  (``1 - (i-j)²/(k-1)²``, irr's ``"squared"``) or custom agreement weights
  (a k × k matrix, 1 on the diagonal, in [0, 1]); ``i, j`` are the positions of
  the categories in ``categories`` (default: the sorted observed values, as
  ``irr::kappa2`` orders numeric ratings). Two standard errors (Fleiss, Cohen &
  Everitt 1969): ``se`` is the large-sample one, used for the Wald interval
  ``kappa ± z·se`` clipped to [-1, 1] as ``psych::cohen.kappa`` does; ``se0`` is
  the one under kappa = 0, used for ``z = kappa/se0`` and its two-sided p-value as
  ``irr::kappa2`` reports them. For weighted kappa ``se`` is the Fleiss–Cohen–
  Everitt variance with ``w̄_i. = Σ_j p_.j w_ij``; ``psych::cohen.kappa``'s
  ``var.weighted`` weights row i by its own share instead and differs (measured
  on psych's bfi A2/A3, quadratic weights: 0.002206 against 0.000332 here and in
  the base-R transcription in tests/reference/themes/kappa.R).
- **Fleiss' kappa** (Fleiss 1971): ``(P̄ - P_e) / (1 - P_e)`` with ``P_e`` from the
  pooled category shares. With missing values the number of raters ``m_u`` may
  vary by unit: ``P_u = (Σ_c n_uc² - m_u) / (m_u (m_u - 1))`` and the pooled
  shares weight each unit by ``m_u``; with no missing values this is exactly
  Fleiss (1971). Its standard error is Fleiss, Nee & Landis (1979), the one
  under kappa = 0 that ``irr::kappam.fleiss`` uses for ``z``; the category-wise
  kappas (``detail=TRUE`` in irr) come with the category proportions ``p_j``. The
  SE, z and the category-wise kappas need the same number of coders on every
  unit; with a varying number they are left out (remarked).
  Own code rather than ``statsmodels.stats.inter_rater.fleiss_kappa``: that
  function takes the largest number of raters for every unit, which is wrong
  with missing judgements (measured: 0.7126 instead of 0.7608 on Krippendorff's
  2011 example); on complete data the two agree to 1e-12 (tested).
- **Conger's kappa** (Conger 1980; ``irr::kappam.fleiss(exact = TRUE)``): Fleiss'
  kappa with the chance agreement corrected for the coders' own marginals,
  ``P_e = Σ_j p_j² - Σ_j s²_j / (m - 1)`` with ``s²_j`` the variance over coders of
  coder-wise shares. Complete units only.
- **Krippendorff's alpha** (Krippendorff 2011) is computed by the
  ``krippendorff`` package from the units × values count table, nominal,
  ordinal, interval or ratio.
- A coefficient whose chance term leaves nothing to explain (every judgement in
  one category) is undefined and returned as ``NaN``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa as _sm_cohens_kappa

from ..results import Result

__all__ = [
    "AgreementStatistic",
    "KappaEstimate",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "LEVELS",
    "WEIGHTS",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("unweighted", "linear", "quadratic")
_NAN = float("nan")


@dataclass(frozen=True)
class AgreementStatistic(Result):
    """One agreement coefficient with its standard errors, test and interval.

    Attributes
    ----------
    statistic : str
        e.g. ``"Fleiss' kappa"``.
    estimate : float
    se : float
        Standard error used for the interval (NaN where none is defined).
    ci_lower, ci_upper : float
        Wald interval ``estimate ± z·se`` (NaN without ``se``).
    n_units, n_coders : int
        Units and coders that entered the coefficient.
    confidence : float
    z, p_val : float
        Test of "no agreement beyond chance" (NaN where not defined).
    se0 : float
        Standard error under kappa = 0 (the one ``z`` uses).
    weights : str
    categories : DataFrame
        Category-wise results (Fleiss' kappa): ``category``, ``proportion``,
        ``kappa``, ``se`` (under kappa = 0), ``z``, ``p_val``; empty otherwise.
    """

    statistic: str
    estimate: float
    se: float = _NAN
    ci_lower: float = _NAN
    ci_upper: float = _NAN
    n_units: int = 0
    confidence: float = 0.95
    n_coders: int = 0
    z: float = _NAN
    p_val: float = _NAN
    se0: float = _NAN
    weights: str = "unweighted"
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __float__(self) -> float:
        return float(self.estimate)

    @property
    def title(self) -> str:
        return self.statistic

    def to_frame(self) -> pd.DataFrame:
        """One row for the coefficient (``category`` = ``"(all)"``), then one row
        per category when category-wise values exist. Columns: ``statistic``,
        ``category``, ``proportion``, ``estimate``, ``se``, ``se0``, ``z``,
        ``p_val``, ``ci_low``, ``ci_high``, ``n_units``, ``n_coders``."""
        overall = {"statistic": self.statistic, "category": "(all)", "proportion": _NAN,
                   "estimate": self.estimate, "se": self.se, "se0": self.se0, "z": self.z, "p_val": self.p_val,
                   "ci_low": self.ci_lower, "ci_high": self.ci_upper, "n_units": self.n_units,
                   "n_coders": self.n_coders}
        rows = [overall]
        for r in self.categories.itertuples(index=False):
            rows.append({**overall, "category": r.category, "proportion": r.proportion, "estimate": r.kappa,
                         "se": _NAN, "se0": r.se, "z": r.z, "p_val": r.p_val, "ci_low": _NAN, "ci_high": _NAN})
        return pd.DataFrame(rows)


KappaEstimate = AgreementStatistic  # the name earlier versions exported


def _zcrit(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")


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
        return _NAN
    m = counts.sum(axis=1)
    return float(100 * (((counts**2).sum(axis=1) - m) / (m * (m - 1))).mean())


def _fleiss_from_counts(counts: np.ndarray) -> float:
    if counts.shape[0] == 0:
        return _NAN
    m = counts.sum(axis=1)
    p_bar = (((counts**2).sum(axis=1) - m) / (m * (m - 1))).mean()
    p_cat = counts.sum(axis=0) / m.sum()
    p_e = float((p_cat**2).sum())
    if np.isclose(p_e, 1.0):
        return _NAN
    return float((p_bar - p_e) / (1 - p_e))


def _alpha_from_counts(counts: np.ndarray, categories: np.ndarray, level: str) -> float:
    """Krippendorff's alpha from a units × values count table (``krippendorff`` package)."""
    if counts.shape[0] == 0 or len(categories) < 2:
        return _NAN
    domain = categories if level == "nominal" else categories.astype(float)
    if level == "nominal" and domain.dtype == object:
        domain = np.arange(len(categories))  # nominal: only identity matters
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level)
    return float(value) if np.isfinite(value) else _NAN


def percent_agreement(ratings) -> AgreementStatistic:
    """Mean share of agreeing coder pairs over pairable units, in percent.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × coders
        Missing judgements as ``NaN``/``None``.

    Returns
    -------
    AgreementStatistic
        ``estimate`` 0–100; ``NaN`` when no unit was judged by two coders.
    """
    counts, _ = _counts(ratings, numeric=False)
    return AgreementStatistic(
        statistic="percentage agreement", estimate=_percent_from_counts(counts), n_units=int(counts.shape[0]),
        n_coders=_n_coders(ratings),
        remarks=("Percentage agreement does not correct for chance; read it beside kappa or alpha.",),
    )


def _n_coders(ratings) -> int:
    values = _as_object_matrix(ratings)
    return int((~pd.isna(values)).any(axis=0).sum())


def fleiss_kappa(ratings, *, confidence: float = 0.95) -> AgreementStatistic:
    """Fleiss' kappa for two or more coders, with Fleiss–Nee–Landis SE, z and category-wise kappas.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × coders
        Missing judgements allowed (see the module notes).
    confidence : float
        Level of the Wald intervals.

    Returns
    -------
    AgreementStatistic
        ``estimate``, ``se0`` (Fleiss, Nee & Landis 1979, under kappa = 0), ``z``,
        ``p_val`` (two-sided), and ``categories``: per category its proportion
        ``p_j``, kappa, SE, z and p (``irr::kappam.fleiss(detail = TRUE)``). No
        interval: the only closed-form SE here is the null one.
    """
    _check_confidence(confidence)
    counts, categories = _counts(ratings, numeric=False)
    kappa = _fleiss_from_counts(counts)
    n_units = int(counts.shape[0])
    remarks = []
    se = z = p = _NAN
    cats = pd.DataFrame(columns=["category", "proportion", "kappa", "se", "z", "p_val"])
    m = counts.sum(axis=1)
    if n_units and np.all(m == m[0]) and np.isfinite(kappa):
        nr, ns = float(m[0]), n_units
        pj = counts.sum(axis=0) / (ns * nr)
        qj = 1 - pj
        pq = float((pj * qj).sum())
        var = 2 / (pq**2 * ns * nr * (nr - 1)) * (pq**2 - float((pj * qj * (qj - pj)).sum()))
        se = float(np.sqrt(var)) if var > 0 else _NAN
        z = kappa / se
        p = float(2 * stats.norm.sf(abs(z)))
        with np.errstate(divide="ignore", invalid="ignore"):
            pjk = ((counts**2).sum(axis=0) - ns * nr * pj) / (ns * nr * (nr - 1) * pj)
            kappa_k = (pjk - pj) / (1 - pj)
        se_k = float(np.sqrt(2 / (ns * nr * (nr - 1))))
        cats = pd.DataFrame({"category": categories, "proportion": pj, "kappa": kappa_k, "se": se_k,
                             "z": kappa_k / se_k, "p_val": 2 * stats.norm.sf(np.abs(kappa_k / se_k))})
        remarks.append(
            "The standard error is Fleiss, Nee & Landis (1979), derived under no agreement beyond chance: "
            "it serves the z-test only and would give too narrow an interval, so no interval is given."
        )
    elif n_units:
        remarks.append(
            "Coders judged different numbers of units, so Fleiss' kappa uses each unit's own number of "
            "coders; its standard error, z-test and category-wise kappas assume the same number on every "
            "unit and are not given."
        )
    return AgreementStatistic(
        statistic="Fleiss' kappa", estimate=kappa, n_units=n_units,
        confidence=confidence, n_coders=_n_coders(ratings), z=z, p_val=p, se0=se, categories=cats,
        remarks=tuple(remarks),
    )


def conger_kappa(ratings, *, confidence: float = 0.95) -> AgreementStatistic:
    """Conger's (1980) kappa, ``irr::kappam.fleiss(ratings, exact = TRUE)``, with Gwet's standard error.

    Units with a missing judgement are dropped (as irr does). irr gives no
    standard error for the exact version; the one here is Gwet's linearisation
    (Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed.; irrCAC's
    ``conger.kappa.raw``): the variance over units of the influence terms
    ``kappa_i* = kappa_i − 2(1 − kappa)(pe_i − pe)/(1 − pe)``, divided by
    ``n(n − 1)``. The interval is ``kappa ± t(n−1)·se`` with its upper limit at
    most 1 (as irrCAC). Own code: the Python port of irrCAC pins SciPy 1.12,
    which this project cannot install beside its SciPy; checked against the
    same formula in base R (``tests/reference/themes/kappa.R``).
    """
    _check_confidence(confidence)
    values = _as_object_matrix(ratings)
    complete = ~pd.isna(values).any(axis=1)
    values = values[complete]
    ns, nr = values.shape
    dropped = int((~complete).sum())
    remarks = [f"{dropped} unit(s) with a missing judgement were left out."] if dropped else []
    if ns == 0 or nr < 2:
        return AgreementStatistic(statistic="Conger's kappa", estimate=_NAN, n_units=ns, n_coders=nr,
                                  confidence=confidence, remarks=tuple(remarks))
    codes, cats = pd.factorize(values.ravel(), sort=True)
    codes = codes.reshape(values.shape)
    k = len(cats)
    ttab = np.zeros((ns, k))
    np.add.at(ttab, (np.repeat(np.arange(ns), nr), codes.ravel()), 1)
    rtab = np.zeros((nr, k))
    np.add.at(rtab, (np.tile(np.arange(nr), ns), codes.ravel()), 1)
    rtab /= ns
    agree_i = ((ttab**2).sum(axis=1) - nr) / (nr * (nr - 1))
    agree = float(agree_i.mean())
    chance = float((ttab.sum(axis=0) ** 2).sum() / (ns * nr) ** 2
                   - (rtab.var(axis=0, ddof=1) * (nr - 1) / nr).sum() / (nr - 1))
    if np.isclose(chance, 1.0):
        return AgreementStatistic(statistic="Conger's kappa", estimate=_NAN, n_units=ns, n_coders=nr,
                                  confidence=confidence, remarks=tuple(remarks))
    kappa = (agree - chance) / (1 - chance)
    se = lower = upper = _NAN
    if ns >= 2:
        # Gwet: lambda_ig = r * mean_g(p_gk) - p_gk at the category k rater g gave unit i
        mean_k = rtab.mean(axis=0)
        lam = nr * mean_k[codes] - rtab[np.arange(nr)[None, :], codes]
        chance_i = lam.sum(axis=1) / (nr * (nr - 1))
        kappa_i = (agree_i - chance) / (1 - chance) - 2 * (1 - kappa) * (chance_i - chance) / (1 - chance)
        se = float(np.sqrt(((kappa_i - kappa) ** 2).sum() / (ns * (ns - 1))))
        t = float(stats.t.ppf(0.5 + confidence / 2, ns - 1))
        lower, upper = kappa - t * se, min(1.0, kappa + t * se)
        remarks.append("Standard error by Gwet's linearisation (Gwet 2014); interval kappa ± t(n−1)·SE.")
    return AgreementStatistic(statistic="Conger's kappa", estimate=float(kappa), se=se, ci_lower=lower,
                              ci_upper=upper, n_units=ns, n_coders=nr, confidence=confidence,
                              remarks=tuple(remarks))


def _weight_matrix(weights, k: int) -> tuple[np.ndarray, str]:
    """Agreement weights (1 on the diagonal) for ``k`` ordered categories."""
    if isinstance(weights, str):
        if weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {', '.join(WEIGHTS)} or a k × k matrix, got {weights!r}")
        if weights == "unweighted" or k < 2:
            return np.eye(k), weights
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        if weights == "linear":
            return 1 - np.abs(i - j) / (k - 1), weights
        return 1 - (i - j) ** 2 / (k - 1) ** 2, weights
    w = np.asarray(weights, dtype=float)
    if w.shape != (k, k):
        raise ValueError(
            f"weights must be a {k} × {k} matrix (one row and column per category), got shape {w.shape}; "
            "pass categories=<the ordered categories> to fix k"
        )
    if not np.allclose(np.diag(w), 1) or (w < 0).any() or (w > 1).any():
        raise ValueError("custom weights are agreement weights: 1 on the diagonal, between 0 and 1 elsewhere")
    return w, "custom"


def cohen_kappa(ratings, *, weights="unweighted", categories=None, confidence: float = 0.95) -> AgreementStatistic:
    """Cohen's kappa for exactly two coders, unweighted or weighted.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × 2
        Units with a missing judgement from either coder are dropped.
    weights : {"unweighted", "linear", "quadratic"} or array, keyword-only
        Linear and quadratic agreement weights by category position (irr's
        ``"equal"`` and ``"squared"``), or a custom k × k agreement-weight matrix.
    categories : sequence, optional
        The ordered categories (default: the sorted observed values). Give the
        full scale when a category may be unused: positions set the weights.
    confidence : float
        Level of the Wald interval.

    Returns
    -------
    AgreementStatistic
        ``estimate``, ``se`` (large-sample, ``psych::cohen.kappa``), ``se0``
        (under kappa = 0), ``z = estimate/se0`` and ``p_val`` (``irr::kappa2``),
        ``ci_lower``, ``ci_upper`` (clipped to [-1, 1]), ``n_units``.
    """
    values = _as_object_matrix(ratings)
    if values.shape[1] != 2:
        raise ValueError(
            f"cohen_kappa needs exactly two coders (columns), got {values.shape[1]}; "
            "use fleiss_kappa or krippendorff_alpha for more coders"
        )
    _check_confidence(confidence)
    complete = ~pd.isna(values).any(axis=1)
    a, b = values[complete, 0], values[complete, 1]
    n = len(a)
    label = "Cohen's kappa" + ("" if isinstance(weights, str) and weights == "unweighted" else
                               f" ({weights if isinstance(weights, str) else 'custom'} weights)")
    remarks = []
    if (~complete).any():
        remarks.append(f"{int((~complete).sum())} unit(s) judged by only one coder were left out.")
    if categories is None:
        observed = pd.unique(np.concatenate([a, b]))
        try:
            categories = sorted(observed)
        except TypeError:
            categories = sorted(observed, key=str)
    categories = list(categories)
    stray = set(pd.unique(np.concatenate([a, b]))) - set(categories)
    if stray:
        raise ValueError(f"ratings hold values not in categories: {sorted(map(str, stray))}; add them to categories")
    w, wname = _weight_matrix(weights, len(categories))
    if n == 0:
        return AgreementStatistic(statistic=label, estimate=_NAN, confidence=confidence, n_coders=2,
                                  weights=wname, remarks=tuple(remarks))
    position = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, ([position[x] for x in a], [position[x] for x in b]), 1)
    p_e = float((table.sum(axis=1) / n) @ w @ (table.sum(axis=0) / n))
    if np.isclose(p_e, 1.0):
        return AgreementStatistic(statistic=label, estimate=_NAN, n_units=n, confidence=confidence, n_coders=2,
                                  weights=wname, remarks=tuple(remarks))
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a zero null variance: z is NaN below
        res = _sm_cohens_kappa(table) if wname == "unweighted" else _sm_cohens_kappa(table, weights=1 - w)
        kappa, se, se0 = float(res.kappa), float(res.std_kappa), float(res.std_kappa0)  # weights: disagreement
    z = kappa / se0 if se0 > 0 else _NAN
    p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else _NAN
    zc = _zcrit(confidence)
    lo, hi = max(kappa - zc * se, -1.0), min(kappa + zc * se, 1.0)
    return AgreementStatistic(
        statistic=label, estimate=kappa, se=se, ci_lower=float(lo), ci_upper=float(hi), n_units=n,
        confidence=confidence, n_coders=2, z=float(z), p_val=p, se0=se0, weights=wname, remarks=tuple(remarks),
    )


def krippendorff_alpha(ratings, *, level: str = "nominal") -> AgreementStatistic:
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
    AgreementStatistic
        ``estimate``: alpha; ``NaN`` when fewer than two pairable values or no
        expected disagreement (all values equal). No standard error.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    counts, categories = _counts(ratings, numeric=level != "nominal")
    return AgreementStatistic(
        statistic=f"Krippendorff's alpha ({level})", estimate=_alpha_from_counts(counts, categories, level),
        n_units=int(counts.shape[0]), n_coders=_n_coders(ratings),
    )
