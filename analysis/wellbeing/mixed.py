"""All the data, not only completers: a linear mixed model across the sites.

Model
-----
For respondent *i* in site *s* at wave position *t* (0, 1, … in the order of
``waves``; with two waves *t* is the follow-up indicator, so the wave
coefficient is the mean change)::

    y = β0 + β1·t [+ β2·g + β3·t·g] + a_s + b_s·t + u_{s:i} + e
    (a_s, b_s) ~ N(0, G) (correlated),  u_{s:i} ~ N(0, σ²_u),  e ~ N(0, σ²)

i.e. lme4's ``y ~ t [* g] + (1 + t | site) + (1 | site:subject)`` –
random intercept and wave slope by site and a random intercept for the
respondent nested in site.  ``g`` are treatment-coded indicators of
``group`` when a comparison group exists.  It is fitted by REML.  The default
engine (``engine="reml"``, see :mod:`._reml`) profiles σ² out of the
restricted likelihood in lme4's parametrisation and exploits the nesting, so
it costs O(respondents) per evaluation; ``engine="statsmodels"`` fits the same
model with ``statsmodels`` ``MixedLM`` (site as the grouping factor,
respondent as a variance component, several optimisers, highest restricted
likelihood kept) – identical estimates, but its cost grows with the cube of
the rows per site.  Both are checked against ``lme4::lmer(REML = TRUE)``.
Fixed-effect standard errors are ``sqrt(diag((X'V⁻¹X)⁻¹))`` at the REML
estimates (as ``vcov()`` of lme4).

Everyone with at least one valid score contributes, so the estimates are
unbiased when dropout depends only on what was observed (missing at random),
which completer analyses do not allow.

Intervals with few sites
------------------------
With about ten sites the site-level variances (and so the SE of the wave
effect, which varies between sites) rest on ten numbers.  ``ci_method``:

* ``"wald-t"`` (default): estimate ± t(G − 1)·SE, with G the number of
  sites – the "between" degrees of freedom, conservative for effects that
  vary by site; p-values from the same t.
* ``"wald-z"``: normal quantiles; too narrow with few sites.
* ``"bootstrap"``: parametric bootstrap – ``n_boot`` data sets simulated from
  the fitted model, refitted, percentile intervals for fixed effects *and*
  variance components.  Slow (one REML fit per replicate); p-values remain
  the Wald-t ones.

None of these is exact; with ten sites treat the intervals as approximate,
and a site variance estimated at zero (a singular fit) as "small", not "none".

Convergence and singular fits
-----------------------------
Convergence is judged as lme4 does – by the gradient of the restricted
likelihood at the optimum over the parameters not on their boundary, scaled
by the Hessian (tolerance 0.002, see :mod:`._reml`) – never by the
optimiser's success flag, which fails at a boundary although the estimates
are right.  A fit is *singular* (lme4's ``isSingular``) when a site variance
is (almost) zero or the intercept–slope correlation is ±1.  **Rule**
(``random_slope="auto"``, after Bates, Kliegl, Vasishth & Baayen 2015,
"Parsimonious mixed models"): fit ``(1 + t | site)``; if singular, fit
``(1 + t || site)`` (no correlation); if still singular, fit ``(1 | site)``
(no random wave slope), and report that one whether singular or not.  The
remarks name the structure used and why.  Each step is checked against
``lme4::lmer`` in ``tests/reference/wellbeing/reference_extra.R``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing._reml import STRUCTURES, fit_reml
from analysis.wellbeing.scoring import _require_columns

__all__ = ["MixedModelResult", "mixed_model"]

CI_METHODS = ("wald-t", "wald-z", "bootstrap")
ENGINES = ("reml", "statsmodels")
STRUCTURE_LABELS = {"full": "correlated intercept and wave slope", "uncorrelated": "uncorrelated intercept and "
                    "wave slope", "intercept": "intercept only (no wave slope)"}
_NOT_IN = {"full": (), "uncorrelated": ("site intercept–slope correlation",),
           "intercept": ("site intercept–slope correlation", "site wave-slope variance")}


@dataclass(frozen=True)
class MixedModelResult(Result):
    """A fitted wave (× group) mixed model.

    Attributes
    ----------
    fixed : DataFrame
        ``term``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``p_val``.
    variance_components : DataFrame
        ``component`` (site intercept variance, site wave-slope variance,
        site intercept–slope correlation, respondent-in-site variance,
        residual variance), ``estimate``, ``ci_low``, ``ci_high`` (bootstrap
        only).
    cov_fixed : DataFrame
        Covariance of the fixed effects.
    waves : tuple
        Wave labels in position order (t = 0, 1, …).
    groups : tuple
        Group levels, reference first (empty without a group).
    """

    outcome: str
    fixed: pd.DataFrame
    variance_components: pd.DataFrame
    cov_fixed: pd.DataFrame
    waves: tuple
    groups: tuple
    n_obs: int
    n_subjects: int
    n_sites: int
    ci: float
    ci_method: str
    converged: bool
    reml_llf: float
    random_structure: str = "full"
    singular: bool = False
    max_gradient: float = float("nan")

    @property
    def title(self) -> str:
        return f"Mixed model of {self.outcome}: all respondents, {self.n_sites} sites"

    def to_frame(self) -> pd.DataFrame:
        f = self.fixed.assign(kind="fixed effect")
        v = self.variance_components.rename(columns={"component": "term"}).assign(kind="variance component")
        cols = ["kind", "term", "estimate", "se", "ci_low", "ci_high", "df", "p_val"]
        return pd.concat([f, v], ignore_index=True).reindex(columns=cols)

    def predicted_means(self) -> pd.DataFrame:
        """Model-based mean per wave (× group) with Wald intervals (same df as the fixed effects)."""
        beta = self.fixed.set_index("term")["estimate"]
        cov = self.cov_fixed.to_numpy()
        df = self.fixed["df"].iloc[0]
        q = stats.norm.ppf(0.5 + self.ci / 2) if not np.isfinite(df) else stats.t.ppf(0.5 + self.ci / 2, df)
        rows = []
        for grp in self.groups or (None,):
            for t, w in enumerate(self.waves):
                x = pd.Series(0.0, index=beta.index)
                x["(Intercept)"] = 1
                x["wave"] = t
                if grp is not None and grp != self.groups[0]:
                    x[f"group[{grp}]"] = 1
                    x[f"wave:group[{grp}]"] = t
                est = float(x @ beta)
                se = float(np.sqrt(x.to_numpy() @ cov @ x.to_numpy()))
                rows.append({"group": grp, "wave": w, "mean": est, "ci_low": est - q * se, "ci_high": est + q * se})
        return pd.DataFrame(rows)

    def plot(self, ax=None):
        """Model-based means per wave (and group) with their intervals."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 4))
        pm = self.predicted_means()
        for i, (grp, g) in enumerate(pm.groupby("group", dropna=False, sort=False)):
            x = np.arange(len(g)) + (i - 0.5) * 0.04
            ax.errorbar(x, g["mean"], yerr=[g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]], marker="o",
                        capsize=3, label=None if pd.isna(grp) else str(grp))
        ax.set_xticks(range(len(self.waves)), [str(w) for w in self.waves])
        ax.set_xlabel("wave")
        ax.set_ylabel(f"model-based mean {self.outcome} ({self.ci:.0%} CI)")
        ax.set_title("Mixed model, all respondents")
        if self.groups:
            ax.legend(fontsize="small")
        return ax


def _design(data, *, subject, wave, outcome, site, group, waves, reference_group):
    _require_columns(data, subject=subject, wave=wave, outcome=outcome, site=site, group=group)
    d = data[data[wave].isin(waves)].copy()
    d = d[pd.to_numeric(d[outcome], errors="coerce").notna() & d[site].notna()]
    if group is not None:
        d = d[d[group].notna()]
    pos = {w: i for i, w in enumerate(waves)}
    frame = pd.DataFrame({
        "_y": pd.to_numeric(d[outcome]).astype(float).to_numpy(),
        "_t": d[wave].map(pos).astype(float).to_numpy(),
        "_site": d[site].astype(str).to_numpy(),
        "_pid": (d[site].astype(str) + "\x1f" + d[subject].astype(str)).to_numpy(),
    })
    names = ["(Intercept)", "wave"]
    cols = [np.ones(len(frame)), frame["_t"].to_numpy()]
    levels: tuple = ()
    if group is not None:
        present = list(pd.unique(d[group]))
        if len(present) < 2:
            raise ValueError(f"column {group!r} has a single level {present}; pass group=None for a one-group model")
        ref = reference_group if reference_group is not None else sorted(present, key=str)[0]
        if ref not in present:
            raise ValueError(f"reference_group={ref!r} is not a level of {group!r}: {present}")
        levels = (ref, *sorted((p for p in present if p != ref), key=str))
        gvals = d[group].to_numpy()
        for lev in levels[1:]:
            ind = (gvals == lev).astype(float)
            names.append(f"group[{lev}]")
            cols.append(ind)
        for lev in levels[1:]:
            names.append(f"wave:group[{lev}]")
            cols.append((gvals == lev).astype(float) * frame["_t"].to_numpy())
    x = np.column_stack(cols)
    order = np.argsort(frame["_site"].to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True), x[order], names, levels


def _model(frame, x, template=None):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    if template is not None:  # same design, new response (bootstrap)
        return sm.MixedLM(frame["_y"].to_numpy(), template.exog, groups=template.groups,
                          exog_re=template.exog_re, exog_vc=template.exog_vc)
    cols = [f"_x{j}" for j in range(x.shape[1])]
    df = pd.concat([frame, pd.DataFrame(x, columns=cols)], axis=1)
    return smf.mixedlm("_y ~ 0 + " + " + ".join(cols), df, groups="_site", re_formula="~_t",
                       vc_formula={"respondent": "0 + C(_pid)"})


def _fit(frame, x, start=None, template=None):
    """REML fit keeping the highest restricted likelihood over several optimisers.

    statsmodels' ``converged`` flag is unreliable near the boundary (a site
    variance at zero), where the best optimum is often flagged as failed; so
    the fit with the highest REML likelihood wins, and the result counts as
    converged when some optimiser reports convergence within 1e-3 of it.
    First fits try BFGS, L-BFGS and CG, then Nelder–Mead only if none
    converged; bootstrap refits (``start`` given) try BFGS and L-BFGS.
    """
    model = _model(frame, x, template)
    fits = []
    plan = [["bfgs"], ["lbfgs"], ["cg"], ["nm"]] if start is None else [["bfgs"], ["lbfgs"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in plan:
            if m == ["nm"] and any(r.converged for r in fits):
                break
            try:
                r = model.fit(reml=True, method=m, maxiter=3000, start_params=start)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if np.isfinite(r.llf):
                fits.append(r)
    if not fits:
        raise RuntimeError("the mixed model could not be fitted with any optimiser")
    best = max(fits, key=lambda r: r.llf)
    ok = any(r.converged and r.llf > best.llf - 1e-3 for r in fits)
    return best, ok


def _components(res) -> dict:
    g = np.asarray(res.cov_re)
    corr = g[0, 1] / np.sqrt(g[0, 0] * g[1, 1]) if g[0, 0] > 0 and g[1, 1] > 0 else np.nan
    return {
        "site intercept variance": float(g[0, 0]),
        "site wave-slope variance": float(g[1, 1]),
        "site intercept–slope correlation": float(corr),
        "respondent-in-site variance": float(np.asarray(res.vcomp)[0]),
        "residual variance": float(res.scale),
    }


def _cov_fixed(frame, x, comps, g) -> np.ndarray:
    p = x.shape[1]
    info = np.zeros((p, p))
    for s, idx in frame.groupby("_site", sort=False).indices.items():
        t = frame["_t"].to_numpy()[idx]
        z = np.column_stack([np.ones(len(idx)), t])
        codes, _ = pd.factorize(frame["_pid"].to_numpy()[idx])
        a = np.zeros((len(idx), codes.max() + 1))
        a[np.arange(len(idx)), codes] = 1
        v = z @ g @ z.T + comps["respondent-in-site variance"] * (a @ a.T) + comps["residual variance"] * np.eye(len(idx))
        xs = x[idx]
        info += xs.T @ np.linalg.solve(v, xs)
    return np.linalg.inv(info)


def _simulate(frame, x, beta, g, comps, rng) -> np.ndarray:
    vals, vecs = np.linalg.eigh(g)
    root = vecs @ np.diag(np.sqrt(np.clip(vals, 0, None)))
    y = x @ beta + rng.normal(0, np.sqrt(max(comps["residual variance"], 0)), len(frame))
    sites, site_idx = np.unique(frame["_site"].to_numpy(), return_inverse=True)
    b = rng.normal(size=(len(sites), 2)) @ root.T
    y += b[site_idx, 0] + b[site_idx, 1] * frame["_t"].to_numpy()
    pids, pid_idx = np.unique(frame["_pid"].to_numpy(), return_inverse=True)
    y += rng.normal(0, np.sqrt(max(comps["respondent-in-site variance"], 0)), len(pids))[pid_idx]
    return y


def _estimate(frame, x, engine, previous=None, structure="full") -> dict:
    """Fit with the chosen engine: beta, cov, variance components, G, convergence, REML log-likelihood."""
    if engine == "reml":
        f = fit_reml(frame["_y"].to_numpy(), x, frame["_t"].to_numpy(), frame["_site"].to_numpy(),
                     frame["_pid"].to_numpy(), start=None if previous is None else previous["theta"],
                     structure=structure)
        g = f.g
        corr = g[0, 1] / np.sqrt(g[0, 0] * g[1, 1]) if g[0, 0] > 0 and g[1, 1] > 0 else np.nan
        comps = {
            "site intercept variance": float(g[0, 0]),
            "site wave-slope variance": float(g[1, 1]),
            "site intercept–slope correlation": float(corr),
            "respondent-in-site variance": f.person_var,
            "residual variance": f.sigma2,
        }
        return {"beta": f.beta, "cov": f.cov_beta, "comps": comps, "g": g, "converged": f.converged,
                "llf": f.reml_llf, "theta": f.theta, "singular": f.singular, "max_gradient": f.max_gradient,
                "structure": structure}
    if previous is None:
        res, converged = _fit(frame, x)
    else:
        res, converged = _fit(frame, x, start=previous["params"], template=previous["model"])
    comps = _components(res)
    g = np.asarray(res.cov_re, dtype=float)
    singular = comps["site intercept variance"] < 1e-6 * comps["residual variance"] or \
        comps["site wave-slope variance"] < 1e-6 * comps["residual variance"] or \
        (np.isfinite(comps["site intercept–slope correlation"]) and
         abs(comps["site intercept–slope correlation"]) > 0.999)
    return {"beta": np.asarray(res.fe_params, dtype=float), "cov": _cov_fixed(frame, x, comps, g), "comps": comps,
            "g": g, "converged": converged, "llf": float(res.llf), "params": res.params_object,
            "model": res.model, "singular": singular, "max_gradient": float("nan"), "structure": "full"}


def mixed_model(
    data: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    site: str = "site",
    group: str | None = None,
    waves=None,
    reference_group=None,
    ci: float = 0.95,
    ci_method: str = "wald-t",
    n_boot: int = 200,
    seed: int | None = None,
    engine: str = "reml",
    random_slope: str = "auto",
) -> MixedModelResult:
    """Fit score ~ wave (× group) with site and respondent-in-site random effects (module notes).

    Parameters
    ----------
    data : DataFrame
        Long scores frame; rows with a missing score are left out, everyone
        else contributes whatever waves they have.
    subject, wave, outcome, site, group : str, keyword-only
        Column names; ``group=None`` fits the wave effect only.
    waves : sequence, optional
        Wave labels in time order (default: the sorted labels present).
    reference_group : optional
        Reference level of ``group`` (default: first in sorted order).
    ci : float
        Interval coverage.
    ci_method : {"wald-t", "wald-z", "bootstrap"}
        How intervals are computed (module notes).
    n_boot, seed : int
        Parametric bootstrap replicates and seed (``ci_method="bootstrap"``).
    engine : {"reml", "statsmodels"}
        ``"reml"`` (default): the profiled REML of this module (fast: cost
        grows with the number of respondents); ``"statsmodels"``:
        ``MixedLM`` with the respondent as a variance component – the same
        estimates, but its cost grows with the cube of the rows per site
        (about a minute for 1 000 respondents over ten sites).
    random_slope : {"auto", "full", "uncorrelated", "intercept"}
        Site random effects. ``"auto"`` (default) applies the stated rule
        (module notes, *Singular fits*): correlated intercept and wave slope,
        stepping down to uncorrelated and then to the intercept only while
        the fit is singular. The others force one structure (``"full"`` is
        the only one the statsmodels engine fits).

    Returns
    -------
    MixedModelResult
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {CI_METHODS}, got {ci_method!r}")
    _require_columns(data, wave=wave)
    if waves is None:
        present = list(pd.unique(data[wave].dropna()))
        try:
            waves = sorted(present)
        except TypeError:
            waves = sorted(present, key=str)
    waves = tuple(waves)
    if len(waves) < 2:
        raise ValueError(f"need at least two waves in column {wave!r}; found {list(waves)}")
    frame, x, names, levels = _design(data, subject=subject, wave=wave, outcome=outcome, site=site,
                                      group=group, waves=waves, reference_group=reference_group)
    n_sites = frame["_site"].nunique()
    if n_sites < 3:
        raise ValueError(f"only {n_sites} site(s) with data; a random slope by site needs at least 3 (better 10)")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if random_slope not in ("auto", *STRUCTURES):
        raise ValueError(f"random_slope must be 'auto' or one of {STRUCTURES}, got {random_slope!r}")
    if engine == "statsmodels" and random_slope not in ("auto", "full"):
        raise ValueError("engine='statsmodels' fits the full structure only; use engine='reml' for random_slope")
    plan = STRUCTURES if random_slope == "auto" and engine == "reml" else (
        ("full",) if random_slope == "auto" else (random_slope,))
    tried = []
    for structure in plan:
        est = _estimate(frame, x, engine, structure=structure)
        tried.append(est)
        if not est["singular"]:
            break
    structure = est["structure"]
    beta, cov, comps, g, converged = est["beta"], est["cov"], est["comps"], est["g"], est["converged"]
    se = np.sqrt(np.diag(cov))
    df = float(n_sites - 1) if ci_method != "wald-z" else np.inf
    q = stats.t.ppf(0.5 + ci / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + ci / 2)
    tval = beta / se
    p = 2 * (stats.t.sf(np.abs(tval), df) if np.isfinite(df) else stats.norm.sf(np.abs(tval)))
    lo, hi = beta - q * se, beta + q * se
    vc_lo = vc_hi = np.full(len(comps), np.nan)
    remarks = []
    if ci_method == "bootstrap":
        rng = np.random.default_rng(seed)
        boots_b, boots_v = [], []
        failed = 0
        for _ in range(n_boot):
            f2 = frame.assign(_y=_simulate(frame, x, beta, g, comps, rng))
            try:
                e2 = _estimate(f2, x, engine, previous=est, structure=structure)
            except RuntimeError:
                failed += 1
                continue
            boots_b.append(e2["beta"])
            boots_v.append(list(e2["comps"].values()))
        a = (1 - ci) / 2
        bb, bv = np.array(boots_b), np.array(boots_v)
        lo, hi = np.quantile(bb, a, axis=0), np.quantile(bb, 1 - a, axis=0)
        vc_lo, vc_hi = np.nanquantile(bv, a, axis=0), np.nanquantile(bv, 1 - a, axis=0)
        remarks.append(
            f"Intervals are parametric-bootstrap percentiles from {len(bb)} refits"
            + (f" ({failed} failed)" if failed else "")
            + f"; p-values are Wald with t({n_sites - 1}) df."
        )
    elif ci_method == "wald-t":
        remarks.append(
            f"Intervals and p-values are Wald with a t distribution on {n_sites} − 1 = {n_sites - 1} df "
            "(the number of sites, not of respondents, limits what is known about effects that vary by site). "
            "With so few sites they are approximate (pass ci_method='bootstrap' for a parametric-bootstrap check)."
        )
    else:
        remarks.append(
            f"Intervals are Wald with normal quantiles; with only {n_sites} sites they are likely too narrow "
            "(prefer ci_method='wald-t' or 'bootstrap')."
        )
    fixed = pd.DataFrame({"term": names, "estimate": beta, "se": se, "ci_low": lo, "ci_high": hi,
                          "df": df, "p_val": p})
    vcomp = pd.DataFrame({"component": list(comps), "estimate": list(comps.values()), "ci_low": vc_lo,
                          "ci_high": vc_hi})
    vcomp = vcomp.loc[~vcomp["component"].isin(_NOT_IN[structure])].reset_index(drop=True)
    if not converged:
        remarks.append(
            "The REML fit did not converge by lme4's criterion (the largest scaled gradient of the "
            f"restricted likelihood is {est['max_gradient']:.2g}, above 0.002); treat the estimates with caution."
            if engine == "reml" else
            "The optimiser did not report convergence; treat the estimates with caution.")
    if len(tried) > 1:
        remarks.append(
            f"Random effects by site: {STRUCTURE_LABELS[structure]}. The "
            + " and then the ".join(STRUCTURE_LABELS[e["structure"]] for e in tried[:-1])
            + " model" + (" was" if len(tried) == 2 else "s were")
            + " singular (a site variance at zero or the intercept–slope correlation at ±1, lme4's isSingular), "
            "so by the stated rule the next simpler model was fitted; a variance at zero means 'small', not "
            "'absent'."
        )
    if est["singular"]:
        remarks.append("Singular fit: a site variance is estimated at (almost) zero or the site correlation at ±1; "
                       "with this few sites read that as 'small', not 'absent'.")
    remarks.append(
        "Uses every respondent with at least one score; unbiased if dropout depends only on observed scores "
        "(missing at random). Change over time without a comparison group is not an effect of the project."
        if group is None else
        "Uses every respondent with at least one score; unbiased if dropout depends only on observed scores "
        "(missing at random). The wave × group terms compare change between groups; without randomisation "
        "they can still reflect who joined the project."
    )
    return MixedModelResult(
        outcome=outcome, fixed=fixed, variance_components=vcomp,
        cov_fixed=pd.DataFrame(cov, index=names, columns=names), waves=waves, groups=levels,
        n_obs=len(frame), n_subjects=frame["_pid"].nunique(), n_sites=n_sites, ci=ci, ci_method=ci_method,
        converged=bool(converged), reml_llf=float(est["llf"]), random_structure=structure,
        singular=bool(est["singular"]), max_gradient=float(est["max_gradient"]), remarks=tuple(remarks),
    )
