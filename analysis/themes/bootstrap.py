"""Cohen's kappa with a bootstrap interval that resamples whole transcripts.

Paragraphs (or sentences) of one transcript are not independent units: a coder
who misreads an interview misreads several of its paragraphs. The Wald interval
of :func:`analysis.themes.reliability.cohen_kappa` treats them as independent
and is too narrow then (``analysis.themes.calibration`` measures by how much).
This interval resamples transcripts with all their units (a cluster
bootstrap, Field & Welsh 2007): kappa ± t(m − 1)·SE with the bootstrap SE, or
percentile limits.

Own code: the bootstrap is vectorised over per-transcript contingency tables
(one matrix product for all resamples), which ``scipy.stats.bootstrap`` cannot
do for clustered data; kappa on each resample is the same formula as
statsmodels' ``cohens_kappa`` (guarded by a test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .reliability import AgreementStatistic

__all__ = ["cluster_bootstrap_kappa"]

_NAN = float("nan")


def _kappa_from_tables(tables: np.ndarray, k: int) -> np.ndarray:
    """Unweighted kappa of each flattened k × k table (rows: coder A, columns: coder B)."""
    t = tables.reshape(len(tables), k, k)
    n = t.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        po = np.trace(t, axis1=1, axis2=2) / n
        pe = (t.sum(axis=2) * t.sum(axis=1)).sum(axis=1) / n**2
        return (po - pe) / (1 - pe)


def cluster_bootstrap_kappa(ratings, clusters, *, n_boot: int = 2000, seed: int = 13,
                            confidence: float = 0.95, method: str = "t") -> AgreementStatistic:
    """Cohen's kappa (two coders, unweighted) with a percentile interval from resampled clusters.

    Parameters
    ----------
    ratings : array-like or DataFrame, units × 2
        Units with a missing judgement are dropped.
    clusters : array-like
        The cluster (transcript) of each unit.
    n_boot : int
        Resamples of whole clusters (with replacement, as many as there are).
    seed : int
        Seed of the resampling (fixed: the interval is reproducible).
    confidence : float
    method : {"t", "percentile"}
        ``"t"``: kappa ± t(m − 1)·SE, with SE the SD of the resampled kappas and
        m the number of transcripts (the default: with the project's 20–30
        double-coded transcripts, percentile limits cover too little, see
        ``analysis.themes.calibration``); ``"percentile"``: the resampled
        kappas' quantiles.

    Returns
    -------
    AgreementStatistic
        ``estimate`` (kappa on all units), ``se`` (SD of the resampled kappas),
        ``ci_lower``/``ci_upper`` (see ``method``), ``n_units``; a remark gives the
        number of clusters and resamples (and how many were undefined).
    """
    values = np.asarray(pd.DataFrame(ratings), dtype=object)
    clusters = np.asarray(clusters, dtype=object)
    if values.ndim != 2 or values.shape[1] != 2:
        raise ValueError("cluster_bootstrap_kappa needs exactly two coders (columns)")
    if len(clusters) != len(values):
        raise ValueError(f"clusters has {len(clusters)} entries for {len(values)} units; pass one per unit")
    if method not in ("t", "percentile"):
        raise ValueError(f"method must be 't' or 'percentile', got {method!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    keep = ~pd.isna(values).any(axis=1)
    values, clusters = values[keep], clusters[keep]
    n = len(values)
    label = "Cohen's kappa (bootstrap over transcripts)"
    if n == 0:
        return AgreementStatistic(statistic=label, estimate=_NAN, confidence=confidence, n_coders=2)
    codes, _ = pd.factorize(values.ravel(), sort=True)
    k = int(codes.max()) + 1
    codes = codes.reshape(values.shape)
    cid, uniq = pd.factorize(clusters)
    m = len(uniq)
    tables = np.zeros((m, k * k))
    np.add.at(tables, (cid, codes[:, 0] * k + codes[:, 1]), 1)
    estimate = float(_kappa_from_tables(tables.sum(axis=0, keepdims=True), k)[0])
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot).astype(float)
    boot = _kappa_from_tables(weights @ tables, k)
    ok = np.isfinite(boot)
    kind = f"kappa ± t({m - 1})·SE" if method == "t" else "Percentile interval"
    remarks = [f"{kind} from {n_boot} resamples of the {m} transcripts, each with all its units."]
    if (~ok).any():
        remarks.append(f"{int((~ok).sum())} resample(s) had kappa undefined (one category only) and were left out.")
    if ok.sum() < 2 or not np.isfinite(estimate):
        return AgreementStatistic(statistic=label, estimate=estimate, n_units=n, n_coders=2, confidence=confidence,
                                  remarks=tuple(remarks))
    tail = (1 - confidence) / 2
    se = float(boot[ok].std(ddof=1))
    if method == "percentile":
        lower, upper = np.quantile(boot[ok], [tail, 1 - tail])
    else:
        half = float(stats.t.ppf(1 - tail, max(m - 1, 1))) * se
        lower, upper = max(-1.0, estimate - half), min(1.0, estimate + half)
    return AgreementStatistic(statistic=label, estimate=estimate, se=se,
                              ci_lower=float(lower), ci_upper=float(upper), n_units=n, n_coders=2,
                              confidence=confidence, remarks=tuple(remarks))
