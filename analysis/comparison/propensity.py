"""Propensity score for participation and the balancing weights.

Model
-----
Logistic regression (statsmodels ``GLM``, binomial, logit link) of
participation on pre-release covariates. Numeric covariates enter linearly
(add transformed columns for curvature); text covariates are dummy-coded
against their first sorted level (R's factor order). ``site=...`` adds site
as fixed effects.

Missing covariates (never dropped silently)
-------------------------------------------
``missing="indicator"`` (default): a missing numeric value is replaced by
the mean of the observed values and an indicator ``<column>[missing]``
enters the model; a missing text value becomes the level ``"(missing)"``.
This balances the missingness pattern itself. ``missing="error"`` refuses
and counts the gaps. (Multiple imputation is not offered here: run the
analysis on each imputed data set and pool with Rubin's rules.)

Weights
-------
With ``e`` the propensity score (probability of participating):

* ``estimand="ATT"`` (default; what the Justice Data Lab estimates):
  participants 1, comparison ``e / (1 - e)``. The weighted comparison group
  resembles the participants.
* ``estimand="ATE"``: participants ``1 / e``, comparison ``1 / (1 - e)``.
* ``stabilize=True``: ATE weights times the marginal share of the person's
  group (``p`` or ``1 - p``); ATT comparison weights rescaled to sum to the
  number of comparison episodes. Point estimates are unchanged (weights are
  rescaled within groups), the weights are easier to read.
* ``trim=a``: episodes with ``e`` outside ``[a, 1 - a]`` leave the analysis
  (Crump et al. 2009 use 0.1), counted in the remarks - note that trimming
  changes the population the estimate refers to.
* ``cap=q``: weights above their ``q`` quantile (within each group) are
  truncated to it (e.g. 0.99), trading bias for variance.

:func:`propensity_score` returns the fitted frame *and* the specification
(:class:`PropensitySpec`), so the bootstrap in :mod:`.weighted` can refit the
same model inside every replicate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..recidivism._checks import require_columns, require_frame, two_groups
from ..recidivism._design import design_matrix
from ..recidivism.power import kish_effective_n
from ..results import Result

__all__ = ["PropensitySpec", "PropensityResult", "propensity_score", "DEFAULT_PS_COVARIATES"]

DEFAULT_PS_COVARIATES = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


@dataclass(frozen=True)
class PropensitySpec:
    """Everything needed to refit the propensity model on other rows."""

    group: str = "group"
    covariates: tuple[str, ...] = DEFAULT_PS_COVARIATES
    treated: object = None
    site: str | None = None
    estimand: str = "ATT"
    missing: str = "indicator"
    trim: float | None = None
    cap: float | None = None
    stabilize: bool = False


def _impute(data: pd.DataFrame, covariates, missing: str) -> tuple[pd.DataFrame, list[str], dict]:
    cols, extra, filled = [], {}, {}
    for col in covariates:
        s = data[col]
        n_miss = int(s.isna().sum())
        if n_miss and missing == "error":
            continue
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if n_miss:
                filled[col] = n_miss
                extra[f"{col}[missing]"] = s.isna().astype(float)
                s = s.fillna(s.mean())
            extra[col] = s.astype(float)
        else:
            if n_miss:
                filled[col] = n_miss
                s = s.astype(object).where(s.notna(), "(missing)")
            extra[col] = s
        cols.append(col)
    frame = pd.DataFrame(extra, index=data.index)
    if missing == "error":
        gaps = {c: int(data[c].isna().sum()) for c in covariates if data[c].isna().any()}
        if gaps:
            raise ValueError(f"covariates have missing values {gaps}; pass missing='indicator' or impute first")
    order = []
    for col in covariates:
        order.append(col)
        if f"{col}[missing]" in frame:
            order.append(f"{col}[missing]")
    return frame[order], order, filled


def _design(data: pd.DataFrame, spec: PropensitySpec):
    x, cols, filled = _impute(data, spec.covariates, spec.missing)
    if spec.site is not None:
        x[spec.site] = data[spec.site].astype(str)
        cols = cols + [spec.site]
    # constant columns (e.g. a level absent from a bootstrap replicate) are left out, not fatal
    keep = [c for c in cols if x[c].nunique(dropna=False) > 1]
    return design_matrix(x, keep), filled, [c for c in cols if c not in keep]


def weights_from_ps(ps, treated, *, estimand="ATT", stabilize=False) -> np.ndarray:
    """Balancing weights from propensity scores ``ps`` and a boolean ``treated``."""
    e = np.asarray(ps, dtype=float)
    z = np.asarray(treated, dtype=bool)
    if estimand == "ATT":
        w = np.where(z, 1.0, e / (1 - e))
        if stabilize:
            w[~z] *= (~z).sum() / w[~z].sum()
    else:
        w = np.where(z, 1 / e, 1 / (1 - e))
        if stabilize:
            p = z.mean()
            w *= np.where(z, p, 1 - p)
    return w


def fit_propensity(data: pd.DataFrame, spec: PropensitySpec):
    """Fit the model of ``spec`` on ``data``; return (ps, weights, keep mask, glm result, notes)."""
    import statsmodels.api as sm

    tr, _ = two_groups(data[spec.group], spec.group, spec.treated)
    z = (data[spec.group] == tr).to_numpy()
    X, filled, dropped = _design(data, spec)
    names = ["const"] + list(X.columns)
    Xa = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    res = sm.GLM(z.astype(float), Xa, family=sm.families.Binomial()).fit()
    res.term_names = names
    ps = np.asarray(res.fittedvalues, dtype=float)
    keep = np.ones(len(ps), dtype=bool)
    if spec.trim is not None:
        keep = (ps >= spec.trim) & (ps <= 1 - spec.trim)
    w = np.full(len(ps), np.nan)
    w[keep] = weights_from_ps(ps[keep], z[keep], estimand=spec.estimand, stabilize=spec.stabilize)
    if spec.cap is not None:
        for grp in (True, False):
            sel = keep & (z == grp)
            if sel.any():
                w[sel] = np.minimum(w[sel], np.quantile(w[sel], spec.cap))
    return ps, w, keep, res, {"filled": filled, "dropped": dropped, "treated": tr, "z": z}


@dataclass(frozen=True, eq=False)
class PropensityResult(Result):
    """A fitted propensity model and the balancing weights.

    Attributes
    ----------
    data : DataFrame
        Input rows kept (not trimmed) plus ``ps`` (propensity score),
        ``weight`` and ``treated`` (bool).
    trimmed : DataFrame
        Rows left out by ``trim`` (with their ``ps``).
    spec : PropensitySpec
        The specification, for refitting inside a bootstrap.
    coefficients : DataFrame
        Log-odds coefficients with standard errors and p-values.
    effective_n : dict
        Kish effective sample size per group.
    """

    data: pd.DataFrame
    trimmed: pd.DataFrame
    spec: PropensitySpec
    coefficients: pd.DataFrame
    effective_n: dict
    treated_level: object

    @property
    def title(self) -> str:
        return f"Propensity score for participation ({self.spec.estimand} weights)"

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients

    def plot(self, ax=None):
        """Propensity-score distributions of the two groups (mirrored histograms)."""
        from ..recidivism._plots import axes

        ax = axes(ax)
        bins = np.linspace(0, 1, 26)
        z = self.data["treated"].to_numpy()
        ps = self.data["ps"].to_numpy()
        h1, _ = np.histogram(ps[z], bins=bins)
        h0, _ = np.histogram(ps[~z], bins=bins)
        ax.bar(bins[:-1], h1, width=np.diff(bins), align="edge", alpha=0.7, label=str(self.treated_level))
        ax.bar(bins[:-1], -h0, width=np.diff(bins), align="edge", alpha=0.7, label="comparison")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("propensity score")
        ax.set_ylabel("episodes (comparison below the line)")
        ax.legend(frameon=False)
        return ax


def propensity_score(
    data: pd.DataFrame,
    *,
    group: str = "group",
    covariates=DEFAULT_PS_COVARIATES,
    treated=None,
    site: str | None = None,
    estimand: str = "ATT",
    missing: str = "indicator",
    trim: float | None = None,
    cap: float | None = None,
    stabilize: bool = False,
) -> PropensityResult:
    """Fit the propensity model and compute ATT (default) or ATE weights.

    Parameters
    ----------
    data : DataFrame
        One row per episode with ``group`` and the covariates.
    group, treated : str
        Group column and its participant level (default ``"participant"``).
    covariates : sequence of str
        Pre-release covariates (never anything measured after release).
    site : str, optional
        Site column to add as fixed effects.
    estimand : {"ATT", "ATE"}
    missing : {"indicator", "error"}
    trim : float, optional
        Leave out episodes with a propensity score outside ``[trim, 1 - trim]``.
    cap : float, optional
        Truncate weights at this quantile within each group.
    stabilize : bool
        Stabilised weights (see module notes).

    Returns
    -------
    PropensityResult
    """
    require_frame(data)
    if estimand not in ("ATT", "ATE"):
        raise ValueError(f"estimand={estimand!r} is not supported; pass estimand='ATT' (default) or 'ATE'")
    if missing not in ("indicator", "error"):
        raise ValueError(f"missing={missing!r} is not supported; pass missing='indicator' or 'error' "
                         "(for multiple imputation, fit on each imputed data set)")
    if trim is not None and not 0 < trim < 0.5:
        raise ValueError(f"trim must be between 0 and 0.5 (e.g. 0.05), got {trim!r}")
    if cap is not None and not 0.5 < cap <= 1:
        raise ValueError(f"cap must be a quantile between 0.5 and 1 (e.g. 0.99), got {cap!r}")
    covariates = tuple(covariates)
    require_columns(data, group=group, site=site, **{f"covariates[{i}]": c for i, c in enumerate(covariates)})
    spec = PropensitySpec(group=group, covariates=covariates, treated=treated, site=site, estimand=estimand,
                          missing=missing, trim=trim, cap=cap, stabilize=stabilize)
    ps, w, keep, res, notes = fit_propensity(data, spec)
    spec = replace(spec, treated=notes["treated"])
    z = notes["z"]
    out = data.assign(ps=ps, weight=w, treated=z)
    coef = pd.DataFrame({"coef": res.params, "se": res.bse, "odds_ratio": np.exp(res.params), "p_val": res.pvalues},
                        index=res.term_names)
    coef.index.name = "term"
    kept = out.loc[keep]
    ess = {str(notes["treated"]): kish_effective_n(kept.loc[kept["treated"], "weight"]),
           "comparison": kish_effective_n(kept.loc[~kept["treated"], "weight"])}
    remarks = [
        f"Propensity score: logistic regression of {group} == {notes['treated']!r} on "
        f"{', '.join(covariates)}" + (f" and {site} (fixed effects)" if site else "") + f"; {estimand} weights"
        + (", stabilised" if stabilize else "") + ".",
        f"Effective sample size (Kish): {ess[str(notes['treated'])]:.0f} participants of {int(kept['treated'].sum())},"
        f" {ess['comparison']:.0f} comparison of {int((~kept['treated']).sum())}.",
    ]
    if notes["filled"]:
        remarks.append("Missing covariates handled by the missing-indicator rule: "
                       + ", ".join(f"{c} ({n})" for c, n in notes["filled"].items()) + ".")
    if notes["dropped"]:
        remarks.append(f"Constant covariate(s) left out of the model: {', '.join(notes['dropped'])}.")
    if trim is not None:
        remarks.append(f"{int((~keep).sum())} episode(s) with a propensity score outside [{trim}, {1 - trim}] "
                       "were trimmed; the estimate refers to the remaining population.")
    if cap is not None:
        remarks.append(f"Weights truncated at their {cap:.0%} quantile within each group.")
    if ps[z].max() > ps[~z].max() or ps[z].min() < ps[~z].min():
        outside = int(((ps > ps[~z].max()) & z).sum())
        if outside:
            poor = " (poor overlap)" if outside > 0.05 * z.sum() else ""
            remarks.append(f"{outside} participant(s) have a propensity score above every comparison episode's: "
                           f"no comparable non-participant exists for them{poor}.")
    if not res.converged:
        remarks.append("The logistic regression did not converge (separation?); inspect the coefficients.")
    return PropensityResult(data=kept, trimmed=out.loc[~keep], spec=spec, coefficients=coef, effective_n=ess,
                            treated_level=notes["treated"], remarks=tuple(remarks))
