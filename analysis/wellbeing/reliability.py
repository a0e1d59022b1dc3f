"""Internal consistency: Cronbach's alpha, McDonald's omega, item–rest correlations.

Conventions
-----------
* Items are prepared as in scoring (missing codes → missing, reverse keys
  applied) and respondents with any missing item are dropped (listwise), per
  wave, unless ``missing="pairwise"`` (``psych::alpha``'s default: each
  covariance from the respondents who answered both items).
* Cronbach's alpha is the raw (covariance) alpha (computed by pingouin),
  ``k/(k-1) · (1 − Σ s²_i / s²_total)``, with Feldt's (1965) F-based interval
  as pingouin and ``psych::alpha`` report it: with ``df1 = n − 1`` and
  ``df2 = (n − 1)(k − 1)``, the ``1 − γ`` interval is
  ``[1 − (1 − α)·F(1 − γ/2; df1, df2),  1 − (1 − α)·F(γ/2; df1, df2)]``.
* McDonald's omega total comes from a one-factor model fitted to the Pearson
  correlation matrix by minimum residuals (unweighted least squares, the
  ``fm="minres"`` default of ``psych::fa``), computed here by iterated
  principal-axis factoring until the communalities change by < 1e-9.  With
  standardised loadings λ and uniquenesses ψ = 1 − λ², omega total is
  ``1 − Σψ / 1'R1`` – what ``psych::omega(x, nfactors = 1)`` reports as
  ``omega.tot``.  Communalities are capped at 0.995 (a Heywood case is
  remarked on).
* The item–rest correlation is the Pearson correlation of an item with the
  sum of the other items (``r.drop`` in ``psych::alpha``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing.scoring import ScaleSpec, prepare_items

__all__ = [
    "AlphaResult",
    "cronbach_alpha",
    "omega_total",
    "item_rest",
    "ReliabilityResult",
    "scale_reliability",
    "LOW_ALPHA",
]

LOW_ALPHA = 0.7


def _complete(items) -> np.ndarray:
    arr = np.asarray(items, dtype=float)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError("items must be a 2-D table with at least two item columns")
    return arr[~np.isnan(arr).any(axis=1)]


@dataclass(frozen=True)
class AlphaResult(Result):
    """Cronbach's alpha, raw and standardised, with Feldt's interval.

    Attributes
    ----------
    alpha : float
        Raw (covariance) alpha, ``psych::alpha(x)$total$raw_alpha``.
    alpha_std : float
        Standardised alpha from the correlation matrix, ``std.alpha``.
    ci_low, ci_high : float
        Feldt's interval for the raw alpha.
    n : int
        Respondents used (listwise: complete rows; pairwise: rows with any
        item answered — the ``n`` psych's Feldt interval uses).
    n_items : int
    missing : {"listwise", "pairwise"}
    ci : float
    """

    alpha: float
    alpha_std: float
    ci_low: float
    ci_high: float
    n: int
    n_items: int
    missing: str = "listwise"
    ci: float = 0.95

    def __iter__(self):  # ``a, lo, hi, n = cronbach_alpha(x)`` keeps working
        return iter((self.alpha, self.ci_low, self.ci_high, self.n))

    @property
    def title(self) -> str:
        return f"Cronbach's alpha ({self.missing})"

    def to_frame(self) -> pd.DataFrame:
        """One row: ``alpha``, ``alpha_std``, ``ci_low``, ``ci_high``, ``n``,
        ``n_items``, ``missing``."""
        return pd.DataFrame([{"alpha": self.alpha, "alpha_std": self.alpha_std, "ci_low": self.ci_low,
                              "ci_high": self.ci_high, "n": self.n, "n_items": self.n_items,
                              "missing": self.missing}])


def _feldt(alpha: float, n: int, k: int, ci: float) -> tuple[float, float]:
    g = 1 - ci
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (float(1 - (1 - alpha) * stats.f.ppf(1 - g / 2, df1, df2)),
            float(1 - (1 - alpha) * stats.f.ppf(g / 2, df1, df2)))


def cronbach_alpha(items, *, ci: float = 0.95, missing: str = "listwise") -> AlphaResult:
    """Cronbach's alpha (raw and standardised) with Feldt's interval.

    Parameters
    ----------
    items : 2-D array or DataFrame, respondents × items
    ci : float
        Coverage of Feldt's interval.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` drops respondents with any missing item;
        ``"pairwise"`` computes each covariance from the respondents who
        answered both items, as ``psych::alpha`` does by default.

    Returns
    -------
    AlphaResult
        Unpacks as ``(alpha, ci_low, ci_high, n)``.

    Notes
    -----
    The raw alpha is ``pingouin.cronbach_alpha``. The Feldt interval is
    computed here from pingouin's alpha because pingouin rounds its interval to
    three decimals (measured: 0.685 against psych's 0.6852643 on bfi
    agreeableness); the standardised alpha (which pingouin lacks) is
    ``k·r̄ / (1 + (k − 1)·r̄)`` from the mean inter-item correlation, the
    correlations scaled from the (pairwise) covariances as psych's ``cov2cor``.
    """
    import pingouin as pg

    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    arr = np.asarray(items, dtype=float)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError("items must be a 2-D table with at least two item columns")
    k = arr.shape[1]
    x = _complete(arr) if missing == "listwise" else arr[~np.isnan(arr).all(axis=1)]
    n = int(x.shape[0])
    nan = float("nan")
    frame = pd.DataFrame(x)
    if n < 3 or (frame.var(ddof=1) == 0).any() or frame.sum(axis=1).var(ddof=1) == 0:
        return AlphaResult(alpha=nan, alpha_std=nan, ci_low=nan, ci_high=nan, n=n, n_items=k, missing=missing,
                           ci=ci)
    alpha = float(pg.cronbach_alpha(data=frame, nan_policy=missing, ci=ci)[0])
    c = frame.cov().to_numpy()  # pairwise-complete covariances (all rows when listwise)
    r = c / np.sqrt(np.outer(np.diag(c), np.diag(c)))  # cov2cor, as psych::alpha does
    r_bar = (r.sum() - k) / (k * (k - 1))
    alpha_std = float(k * r_bar / (1 + (k - 1) * r_bar))
    lo, hi = _feldt(alpha, n, k, ci)
    return AlphaResult(alpha=alpha, alpha_std=alpha_std, ci_low=lo, ci_high=hi, n=n, n_items=k, missing=missing,
                       ci=ci)


def _one_factor_minres(r: np.ndarray, tol: float = 1e-9, max_iter: int = 10_000):
    """Standardised loadings of a one-factor minres/ULS fit (iterated PAF)."""
    k = r.shape[0]
    inv = np.linalg.pinv(r)
    h2 = np.clip(1 - 1 / np.diag(inv), 0.005, 0.995)  # squared multiple correlations
    heywood = False
    for _ in range(max_iter):
        rr = r.copy()
        np.fill_diagonal(rr, h2)
        vals, vecs = np.linalg.eigh(rr)
        lam = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        new = lam**2
        if (new > 0.995).any():
            heywood = True
            new = np.minimum(new, 0.995)
        if np.max(np.abs(new - h2)) < tol:
            h2 = new
            break
        h2 = new
    if lam.sum() < 0:
        lam = -lam
    return lam, heywood


def omega_total(items) -> tuple[float, np.ndarray, bool]:
    """McDonald's omega total from a one-factor minres model (see module notes).

    Returns
    -------
    (omega, loadings, heywood) : tuple
    """
    x = _complete(items)
    if x.shape[0] < 3 or (x.std(axis=0) == 0).any():
        return (np.nan, np.full(x.shape[1], np.nan), False)
    r = np.corrcoef(x, rowvar=False)
    lam, heywood = _one_factor_minres(r)
    psi = 1 - np.minimum(lam**2, 0.995)
    return (float(1 - psi.sum() / r.sum()), lam, heywood)


def item_rest(items) -> pd.DataFrame:
    """Item–rest correlation and alpha-if-dropped per item (complete rows).

    Returns
    -------
    DataFrame
        Index: item names; columns ``item_rest_r``, ``alpha_if_dropped``.
    """
    df = pd.DataFrame(items).dropna()
    total = df.sum(axis=1)
    rows = {}
    for col in df.columns:
        rest = total - df[col]
        r = np.corrcoef(df[col], rest)[0, 1] if df[col].std() > 0 and rest.std() > 0 else np.nan
        a = cronbach_alpha(df.drop(columns=col)).alpha if df.shape[1] > 2 else np.nan
        rows[col] = {"item_rest_r": r, "alpha_if_dropped": a}
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass(frozen=True)
class ReliabilityResult(Result):
    """Reliability of one scale per wave.

    Attributes
    ----------
    scale : str
    table : DataFrame
        One row per wave: ``wave``, ``n`` (complete responses), ``n_items``,
        ``alpha``, ``alpha_ci_low``, ``alpha_ci_high`` (Feldt), ``alpha_std``
        (standardised), ``omega_total``.
    items : DataFrame
        One row per wave × item: ``wave``, ``item``, ``item_rest_r``,
        ``alpha_if_dropped``, ``loading`` (one-factor minres).
    ci : float
    """

    scale: str
    table: pd.DataFrame
    items: pd.DataFrame
    ci: float = 0.95

    @property
    def title(self) -> str:
        return f"Reliability of {self.scale}"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Alpha with its Feldt interval and omega total, per wave."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3))
        t = self.table
        pos = np.arange(len(t))
        ax.errorbar(pos - 0.1, t["alpha"], yerr=[t["alpha"] - t["alpha_ci_low"], t["alpha_ci_high"] - t["alpha"]],
                    fmt="o", capsize=3, label=f"alpha ({self.ci:.0%} CI, Feldt)")
        ax.plot(pos + 0.1, t["omega_total"], "s", label="omega total")
        ax.axhline(LOW_ALPHA, ls=":", color="grey", lw=1)
        ax.set_xticks(pos, [str(w) for w in t["wave"]])
        ax.set_xlabel("wave")
        ax.set_ylabel("reliability")
        ax.set_ylim(min(0.0, float(np.nanmin(t["alpha_ci_low"])) if len(t) else 0.0), 1.0)
        ax.legend(loc="lower right", fontsize="small")
        ax.set_title(self.title)
        return ax


def scale_reliability(
    data: pd.DataFrame,
    spec: ScaleSpec | Mapping,
    *,
    wave: str | None = "wave",
    ci: float = 0.95,
    missing: str = "listwise",
) -> ReliabilityResult:
    """Cronbach's alpha (Feldt CI), omega total and item–rest correlations per wave.

    Parameters
    ----------
    data : DataFrame
        Responses frame with the item columns of ``spec``.
    spec : ScaleSpec or mapping
    wave : str or None, keyword-only
        Wave column; None treats all rows as one wave.
    ci : float
        Coverage of the alpha interval.
    missing : {"listwise", "pairwise"}
        For alpha (see :func:`cronbach_alpha`); omega and the item statistics
        always use complete responses.

    Returns
    -------
    ReliabilityResult
        Remarks flag alpha below 0.7, waves with fewer than 30 complete
        responses and Heywood cases in the factor model.
    """
    if not isinstance(spec, ScaleSpec):
        spec = ScaleSpec.from_mapping(spec)
    if wave is not None and wave not in data.columns:
        raise KeyError(f"column {wave!r} not found in data; pass wave=<your column name> (or wave=None)")
    items = prepare_items(data, spec)
    keys = data[wave] if wave is not None else pd.Series("all", index=data.index)
    rows, item_rows, remarks = [], [], []
    for w in sorted(keys.dropna().unique(), key=str) if wave is not None else ["all"]:
        sub = items[keys == w]
        res = cronbach_alpha(sub, ci=ci, missing=missing)
        a, lo, hi, n = res
        om, lam, heywood = omega_total(sub)
        rows.append({"wave": w, "n": n, "n_items": spec.n_items, "alpha": a,
                     "alpha_ci_low": lo, "alpha_ci_high": hi, "alpha_std": res.alpha_std, "omega_total": om})
        ir = item_rest(sub)
        ir["loading"] = lam
        ir.index.name = "item"
        ir = ir.reset_index()
        ir.insert(0, "wave", w)
        item_rows.append(ir)
        if np.isfinite(a) and a < LOW_ALPHA:
            remarks.append(
                f"Wave {w}: Cronbach's alpha is {a:.2f}, below {LOW_ALPHA}: the items of {spec.id} "
                "hang together poorly here, so its total score is a noisy measure in this sample."
            )
        if n < 30:
            remarks.append(f"Wave {w}: only {n} complete responses; reliability estimates are imprecise.")
        if heywood:
            remarks.append(f"Wave {w}: the one-factor model hit a Heywood case (a loading near 1); omega is unstable.")
    remarks.append(
        "Alpha's interval is Feldt's F-based interval; omega total is from a one-factor "
        "minimum-residual model on the correlation matrix. "
        + ("Rows with any missing item are left out." if missing == "listwise" else
           "Alpha uses pairwise-complete covariances; omega and the item statistics use complete rows.")
    )
    return ReliabilityResult(
        scale=spec.id, table=pd.DataFrame(rows),
        items=pd.concat(item_rows, ignore_index=True) if item_rows else pd.DataFrame(),
        ci=ci, remarks=tuple(remarks),
    )
