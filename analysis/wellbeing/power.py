"""What a paired sample can detect: power and minimum detectable d_z.

The paired t-test with ``n`` complete pairs has ``df = n − 1`` and, for a true
standardised mean change ``d_z = μ_d / σ_d``, a noncentral t statistic with
noncentrality ``δ = d_z·√n``.  Its two-sided power at level α is computed
exactly from the noncentral t (both rejection regions counted, as
``power.t.test(..., type = "paired", strict = TRUE)`` in R does)::

    power = P(T > t_{1−α/2}) + P(T < −t_{1−α/2}),   T ~ t'(n − 1, δ)

The minimum detectable d_z is the d_z at which this power reaches the target
(default 80 %), solved by root finding – not the normal approximation
``(z_{1−α/2} + z_{power}) / √n``, which is too optimistic for small n.
This is a design quantity for the sample size at hand; observed ("post hoc")
power is deliberately not offered.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

__all__ = ["paired_power", "min_detectable_dz", "nct_cdf"]


def nct_cdf(x: float, df: float, ncp: float) -> float:
    """Noncentral t CDF, robust in the far tails.

    scipy's ``nct.cdf`` returns NaN for some far-tail arguments; then
    ``1 − sf(x)`` and the reflection ``P(T ≤ x | δ) = P(T ≥ −x | −δ)`` are
    tried in turn.
    """
    for value in (
        lambda: stats.nct.cdf(x, df, ncp),
        lambda: 1 - stats.nct.sf(x, df, ncp),
        lambda: stats.nct.sf(-x, df, -ncp),
        lambda: 1 - stats.nct.cdf(-x, df, -ncp),
    ):
        with np.errstate(all="ignore"):
            v = float(value())
        if np.isfinite(v):
            return min(max(v, 0.0), 1.0)
    return float("nan")


def paired_power(d_z: float, n_pairs: int, *, alpha: float = 0.05) -> float:
    """Two-sided power of the paired t-test for a true ``d_z`` with ``n_pairs`` pairs."""
    if n_pairs < 2:
        return float("nan")
    df = n_pairs - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    ncp = d_z * np.sqrt(n_pairs)
    return float(stats.nct.sf(crit, df, ncp) + nct_cdf(-crit, df, ncp))


def min_detectable_dz(n_pairs: int, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest d_z detected with the given two-sided power (noncentral t, exact).

    Parameters
    ----------
    n_pairs : int
        Number of complete pairs (respondents with both waves).
    power : float
        Target power, default 0.8.
    alpha : float
        Two-sided significance level, default 0.05.

    Returns
    -------
    float
        Positive d_z; NaN for fewer than 2 pairs.
    """
    if not 0 < power < 1 or not 0 < alpha < 1:
        raise ValueError("power and alpha must lie strictly between 0 and 1")
    if n_pairs < 2:
        return float("nan")
    if power <= alpha:
        return 0.0
    hi = 1.0
    while paired_power(hi, n_pairs, alpha=alpha) < power:
        hi *= 2
    return float(optimize.brentq(lambda d: paired_power(d, n_pairs, alpha=alpha) - power, 0.0, hi, xtol=1e-12))
