"""Overlap and balance: propensity distributions, effective sample sizes, SMDs, Love plot.

Standardised mean difference (SMD) of a covariate (for a text covariate,
of each level's indicator)::

    SMD = (m_1 - m_0) / sqrt((s_1^2 + s_0^2) / 2)

``m_g`` are the (weighted, after weighting) group means; the denominator is
the **unweighted** pooled standard deviation of the data *before* weighting,
used for both columns so that a change in the SMD reflects a change in the
means only (Austin 2009; cobalt's default for binary treatments with
``s.d.denom = "pooled"``). Weighted means use the analysis weights. A
missing value counts through a ``[missing]`` indicator and the covariate's
observed values.

Balance is "reached" when every ``|SMD| <= threshold`` (0.1 by default);
otherwise a remark names the covariates. Overlap is summarised per group and
per site: propensity quantiles, the share of participants whose score lies
above the comparison group's maximum, and Kish's effective sample size
``(sum w)^2 / sum w^2`` per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..recidivism._plots import axes
from ..recidivism.power import kish_effective_n
from ..results import Result
from .propensity import PropensityResult

__all__ = ["BalanceResult", "balance", "smd_table"]


def _columns(data: pd.DataFrame, covariates) -> pd.DataFrame:
    parts = {}
    for col in covariates:
        s = data[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            if s.isna().any():
                parts[f"{col}[missing]"] = s.isna().astype(float)
            parts[col] = s.astype(float)
        else:
            s = s.astype(object).where(s.notna(), "(missing)")
            for lev in sorted(pd.unique(s), key=str):
                parts[f"{col}[{lev}]"] = (s == lev).astype(float)
    return pd.DataFrame(parts, index=data.index)


def _wmean(x, w):
    ok = ~np.isnan(x)
    return float(np.sum(w[ok] * x[ok]) / np.sum(w[ok])) if ok.any() else np.nan


def smd_table(data: pd.DataFrame, *, treated, covariates, weights=None) -> pd.DataFrame:
    """SMDs before and (with ``weights``) after weighting; see module notes.

    Parameters
    ----------
    data : DataFrame
    treated : array-like of bool
        True for participants.
    covariates : sequence of str
    weights : array-like, optional

    Returns
    -------
    DataFrame
        Indexed by ``term``: ``mean_treated``, ``mean_comparison``, ``smd``, and
        with weights ``mean_treated_w``, ``mean_comparison_w``, ``smd_w``.
    """
    z = np.asarray(treated, dtype=bool)
    X = _columns(data, covariates)
    w = None if weights is None else np.asarray(weights, dtype=float)
    rows = {}
    for term in X.columns:
        x = X[term].to_numpy()
        x1, x0 = x[z], x[~z]
        sd = np.sqrt((np.nanvar(x1, ddof=1) + np.nanvar(x0, ddof=1)) / 2)
        row = {"mean_treated": np.nanmean(x1), "mean_comparison": np.nanmean(x0)}
        row["smd"] = (row["mean_treated"] - row["mean_comparison"]) / sd if sd > 0 else 0.0
        if w is not None:
            row["mean_treated_w"] = _wmean(x1, w[z])
            row["mean_comparison_w"] = _wmean(x0, w[~z])
            row["smd_w"] = (row["mean_treated_w"] - row["mean_comparison_w"]) / sd if sd > 0 else 0.0
        rows[term] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("term")


@dataclass(frozen=True, eq=False)
class BalanceResult(Result):
    """Balance before and after weighting, and overlap.

    Attributes
    ----------
    table : DataFrame
        :func:`smd_table` output.
    overlap : DataFrame
        Per ``site`` (and ``"all"``) and group: ``n``, ``ps_min``, ``ps_median``,
        ``ps_max``, ``ess`` (Kish), ``share_above_comparison_max``.
    threshold : float
    """

    table: pd.DataFrame
    overlap: pd.DataFrame
    threshold: float
    ps: pd.DataFrame

    @property
    def title(self) -> str:
        return f"Balance: standardised mean differences before and after weighting (threshold {self.threshold})"

    @property
    def balanced(self) -> bool:
        return bool((self.table["smd_w"].abs() <= self.threshold).all())

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def plot(self, ax=None):
        """Love plot: |SMD| per term before (open) and after (filled) weighting."""
        ax = axes(ax)
        t = self.table
        y = np.arange(len(t))[::-1]
        ax.scatter(t["smd"].abs(), y, facecolors="none", edgecolors="grey", label="before weighting")
        ax.scatter(t["smd_w"].abs(), y, color="black", label="after weighting")
        ax.axvline(self.threshold, color="red", linestyle="--", linewidth=1)
        ax.set_yticks(y)
        ax.set_yticklabels(t.index)
        ax.set_xlabel("absolute standardised mean difference")
        ax.legend(frameon=False, loc="lower right")
        return ax

    def plot_overlap(self, ax=None, *, by_site: bool = False):
        """Propensity-score distributions per group (box plots; per site with ``by_site=True``)."""
        ax = axes(ax)
        d = self.ps
        keys = ["site", "treated"] if by_site else ["treated"]
        groups = list(d.groupby(keys, sort=True))
        # no outlier points (each is one person) and whiskers at the 10th/90th percentiles (issue 17)
        ax.boxplot([g["ps"].to_numpy() for _, g in groups], orientation="horizontal", showfliers=False,
                   whis=(10, 90))
        ax.set_yticks(np.arange(1, len(groups) + 1))
        labels = [" ".join(str(v) for v in (k if isinstance(k, tuple) else (k,))) for k, _ in groups]
        ax.set_yticklabels([lab.replace("True", "participant").replace("False", "comparison") for lab in labels])
        ax.set_xlabel("propensity score")
        ax.set_xlim(0, 1)
        return ax


def _overlap(d: pd.DataFrame, site: str | None) -> pd.DataFrame:
    rows = []
    parts = [("all", d)] + (list(d.groupby(site, sort=True)) if site else [])
    for s, sub in parts:
        cmax = sub.loc[~sub["treated"], "ps"].max() if (~sub["treated"]).any() else np.nan
        for is_tr, g in sub.groupby("treated", sort=False):
            rows.append({
                "site": s, "group": "participant" if is_tr else "comparison", "n": len(g),
                "ps_min": g["ps"].min(), "ps_median": g["ps"].median(), "ps_max": g["ps"].max(),
                "ess": kish_effective_n(g["weight"]),
                "share_above_comparison_max": float((g["ps"] > cmax).mean()) if is_tr else np.nan,
            })
    return pd.DataFrame(rows).set_index(["site", "group"])


def balance(
    propensity: PropensityResult,
    *,
    covariates=None,
    weights: str = "weight",
    site: str | None = "site",
    threshold: float = 0.1,
) -> BalanceResult:
    """Balance table, overlap and effective sample sizes of a propensity weighting.

    Parameters
    ----------
    propensity : PropensityResult
        From :func:`.propensity.propensity_score` (or a matched sample's result).
    covariates : sequence of str, optional
        Default: the propensity model's covariates (check others too - balance on
        covariates outside the model is a useful diagnostic).
    weights : str
        Weight column of ``propensity.data``.
    site : str, optional
        Site column for the per-site overlap (``None`` to skip).
    threshold : float
        |SMD| above which balance is "not reached" (0.1).
    """
    if not isinstance(propensity, PropensityResult):
        raise TypeError("propensity must be the result of propensity_score(...)")
    d = propensity.data
    covariates = tuple(propensity.spec.covariates if covariates is None else covariates)
    if site is not None and site not in d.columns:
        raise KeyError(f"column {site!r} not found in data; pass site=<your column name> or site=None")
    if weights not in d.columns:
        raise KeyError(f"column {weights!r} not found in data; pass weights=<your column name>")
    table = smd_table(d, treated=d["treated"], covariates=covariates, weights=d[weights])
    ov = _overlap(d[["ps", "treated", weights] + ([site] if site else [])].rename(columns={weights: "weight"}),
                  site)
    remarks = []
    bad = table.index[table["smd_w"].abs() > threshold].tolist()
    if bad:
        remarks.append(f"Balance NOT reached: |SMD| > {threshold} after weighting for {', '.join(bad)}; "
                       "revise the propensity model (interactions, transformations) before estimating effects.")
    else:
        remarks.append(f"Balance reached: every |SMD| <= {threshold} after weighting "
                       f"(largest {table['smd_w'].abs().max():.3f}; before {table['smd'].abs().max():.3f}).")
    allrow = ov.loc["all"]
    share = allrow.loc["participant", "share_above_comparison_max"] if "participant" in allrow.index else 0
    ess_c = allrow.loc["comparison", "ess"] if "comparison" in allrow.index else np.nan
    n_c = allrow.loc["comparison", "n"] if "comparison" in allrow.index else np.nan
    if share > 0.05:
        remarks.append(f"Poor overlap: {share:.0%} of participants have a propensity score above every "
                       "comparison episode's; consider trimming or restricting the comparison.")
    if ess_c < 0.5 * n_c:
        remarks.append(f"Poor overlap: the weighted comparison group counts as {ess_c:.0f} of {n_c:.0f} episodes "
                       "(Kish); a few comparison episodes carry most of the weight.")
    if site:
        by_site = ov.drop(index="all", level="site")
        lone = sorted({s for s, _ in by_site.index} - {s for s, g in by_site.index if g == "comparison"}, key=str)
        if lone:
            remarks.append(f"Site(s) {', '.join(map(str, lone))} have no comparison episode: their participants are "
                           "compared with people from other prisons only.")
    remarks.append("SMD denominators: unweighted pooled SD before weighting (the same for both columns).")
    return BalanceResult(table=table, overlap=ov, threshold=float(threshold),
                         ps=d[["ps", "treated"] + ([site] if site else [])].copy(), remarks=tuple(remarks))
