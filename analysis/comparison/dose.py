"""Dose-response: reoffending by the number of peer contacts before release.

Dose is the number of contacts dated on or before release
(:func:`analysis.recidivism.derive_participation`); contacts after release
never count (immortal time). Dose grows with time served - a longer stay
gives more occasions for contacts and is itself related to reoffending - so
every model here includes **time in custody** (``log(days in custody)``,
days from ``entry_date`` to ``release_date``, at least 1) and the
adjustment covariates, and the continuous model can use the **contact rate**
(contacts per 30 days in custody) instead of the raw count.

Models (Cox, Efron ties, cause-specific; site-robust SEs times
``sqrt(G/(G-1))`` with ``t(G-1)`` intervals, via :func:`.weighted.cox_table`):

* categorised: dose categories (default ``0``, ``1-2``, ``3-5``, ``6+``) against ``0``;
* continuous: ``per_contact`` (linear, HR per contact), ``log2`` (HR per
  doubling of ``1 + dose``) or ``rate`` (HR per contact per 30 days in custody).

``participants_only=True`` drops dose 0, so the comparison is among
participants only (it removes the participation decision from the contrast;
the reference is then the lowest participant category). Dose is not
randomised: these are adjusted associations, and a trend is suggestive of,
not proof of, an effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..recidivism._checks import durations_events, require_columns, require_frame
from ..recidivism._design import design_matrix
from ..recidivism._plots import forest
from ..recidivism.cox import DEFAULT_COVARIATES
from ..recidivism.headline import wilson_interval
from ..results import Result
from .weighted import cox_table

__all__ = ["DoseResponseResult", "dose_response", "dose_categories"]


def dose_categories(dose, bins=(0, 1, 3, 6)) -> pd.Series:
    """Label doses by ``bins`` (lower edges): with the default ``0``, ``1-2``, ``3-5``, ``6+``."""
    d = np.asarray(dose, dtype=float)
    edges = list(bins)
    if sorted(edges) != edges or len(set(edges)) != len(edges):
        raise ValueError(f"bins must be increasing lower edges, got {bins!r}")
    labels = []
    for lo, hi in zip(edges, edges[1:] + [np.inf]):
        if hi == np.inf:
            labels.append(f"{lo:g}+")
        elif hi - lo == 1:
            labels.append(f"{lo:g}")
        else:
            labels.append(f"{lo:g}-{hi - 1:g}")
    idx = np.searchsorted(edges, d, side="right") - 1
    if (idx < 0).any():
        raise ValueError(f"some doses are below the first bin edge {edges[0]}")
    cat = pd.Categorical(np.array(labels, dtype=object)[idx], categories=labels, ordered=True)
    return pd.Series(cat, name="dose_category")


@dataclass(frozen=True, eq=False)
class DoseResponseResult(Result):
    """Hazard ratios by dose category and per unit of dose, with a descriptive table.

    Attributes
    ----------
    categories : DataFrame
        Per category: ``n``, ``events``, ``median_days_in_custody``,
        ``n_1y``, ``rate_1y`` with Wilson ``lower_1y``/``upper_1y``, and ``hr``,
        ``hr_lower``, ``hr_upper`` (reference category: HR 1).
    continuous : DataFrame
        One row (the dose term): ``coef``, ``se_cr``, ``hr``, ``hr_lower``, ``hr_upper``, ``p_val``.
    models : dict
        Full coefficient tables of both models (incl. custody time and covariates).
    """

    categories: pd.DataFrame
    continuous: pd.DataFrame
    models: dict
    form: str

    @property
    def title(self) -> str:
        return "Reoffending by peer contacts before release (time in custody accounted for)"

    def to_frame(self) -> pd.DataFrame:
        return self.categories

    def plot(self, ax=None):
        c = self.categories
        ax = forest(ax, [str(i) for i in c.index], c["hr"], c["hr_lower"], c["hr_upper"],
                    xlabel="cause-specific hazard ratio vs reference (log scale)")
        ax.set_ylabel("contacts before release")
        return ax


def dose_response(
    data: pd.DataFrame,
    *,
    dose: str = "dose",
    duration: str = "duration",
    event: str = "event",
    entry_date: str = "entry_date",
    release_date: str = "release_date",
    custody: str | None = None,
    covariates=DEFAULT_COVARIATES,
    bins=(0, 1, 3, 6),
    form: str = "log2",
    participants_only: bool = False,
    site: str | None = "site",
    outcome: str | None = "reoffended_1y",
    eligible: str | None = "eligible_1y",
    conf_level: float = 0.95,
) -> DoseResponseResult:
    """Cox models of reoffending on dose, categorised and continuous (see module notes).

    Parameters
    ----------
    data : DataFrame
        One row per person with ``dose`` (e.g. ``derive_participation(...).data``).
    dose, duration, event, entry_date, release_date, site, outcome, eligible : str
        Column names.
    custody : str, optional
        Column of days in custody; default computed from ``entry_date`` and ``release_date``.
    covariates : sequence of str
        Adjustment covariates besides custody time.
    bins : sequence of int
        Lower edges of the dose categories.
    form : {"log2", "per_contact", "rate"}
        Continuous dose term.
    participants_only : bool
        Leave out dose 0.
    """
    require_frame(data)
    if form not in ("log2", "per_contact", "rate"):
        raise ValueError(f"form={form!r} is not supported; pass 'log2', 'per_contact' or 'rate'")
    require_columns(data, dose=dose, site=site, outcome=outcome, eligible=eligible if outcome else None,
                    custody=custody,
                    entry_date=entry_date if custody is None else None,
                    release_date=release_date if custody is None else None)
    d = data
    if participants_only:
        d = d.loc[d[dose] > 0]
        bins = tuple(b for b in bins if b > 0) or (1,)
        if bins[0] > 1:
            bins = (1,) + bins
    t, e = durations_events(d, duration, event)
    if custody is None:
        days = (pd.to_datetime(d[release_date]) - pd.to_datetime(d[entry_date])).dt.days.to_numpy(dtype=float)
    else:
        days = d[custody].to_numpy(dtype=float)
    if np.isnan(days).any() or (days < 0).any():
        raise ValueError("time in custody is missing or negative for some rows; check entry_date/release_date")
    days = np.maximum(days, 1.0)
    x_dose = d[dose].to_numpy(dtype=float)
    cat = dose_categories(x_dose, bins)
    cat.index = d.index
    present = [c for c in cat.cat.categories if (cat == c).any()]
    if len(present) < 2:
        raise ValueError("fewer than two dose categories occur in the data; pass other bins=")
    ref = present[0]
    base = pd.concat([pd.Series(np.log(days), index=d.index, name="log_days_in_custody"),
                      design_matrix(d, covariates)], axis=1)
    dummies = pd.DataFrame({f"dose[{c}]": (cat == c).astype(float) for c in present[1:]}, index=d.index)
    w = np.ones(len(d))
    clusters = None if site is None else d[site].to_numpy()
    cat_fit, G = cox_table(pd.concat([dummies, base], axis=1), t, e, w, clusters, conf_level)
    if form == "log2":
        term, xc = "log2(1 + dose)", np.log2(1 + x_dose)
    elif form == "per_contact":
        term, xc = "dose (per contact)", x_dose
    else:
        term, xc = "contacts per 30 days in custody", 30 * x_dose / days
    cont_fit, _ = cox_table(pd.concat([pd.Series(xc, index=d.index, name=term), base], axis=1), t, e, w, clusters,
                            conf_level)
    rows = []
    ok1 = d[eligible].fillna(False).astype(bool).to_numpy() if (outcome and eligible) else np.ones(len(d), bool)
    for c in present:
        sel = (cat == c).to_numpy()
        row = {"dose_category": c, "n": int(sel.sum()), "events": int(e[sel].sum()),
               "median_days_in_custody": float(np.median(days[sel]))}
        if outcome:
            y = d.loc[sel & ok1, outcome].to_numpy(dtype=int)
            row["n_1y"] = len(y)
            row["rate_1y"] = y.mean() if len(y) else np.nan
            row["lower_1y"], row["upper_1y"] = wilson_interval(int(y.sum()), len(y), conf_level) if len(y) else (
                np.nan, np.nan)
        if c == ref:
            row.update(hr=1.0, hr_lower=np.nan, hr_upper=np.nan, p_val=np.nan)
        else:
            r = cat_fit.loc[f"dose[{c}]"]
            row.update(hr=r["hr"], hr_lower=r["hr_lower"], hr_upper=r["hr_upper"], p_val=r["p_val"])
        rows.append(row)
    categories = pd.DataFrame(rows).set_index("dose_category")
    # the categories are a handful of planned comparisons with the reference: Holm (methods chapter)
    from ..multiplicity import holm

    others = categories.index != ref
    categories["p_holm"] = np.nan
    categories.loc[others, "p_holm"] = holm(categories.loc[others, "p_val"].to_numpy(dtype=float))
    continuous = cont_fit.loc[[term], ["coef", "se_cr", "hr", "hr_lower", "hr_upper", "p_val"]]
    rc = continuous.iloc[0]
    rho = float(pd.Series(x_dose).corr(pd.Series(np.log(days)), method="spearman"))
    remarks = [
        f"Adjusted for log(days in custody) and {', '.join(covariates) or 'nothing else'}: dose can grow with time "
        f"served (here the Spearman correlation of dose with log days in custody is {rho:.2f}).",
        f"Continuous dose ({term}): hazard ratio {rc['hr']:.2f} ({conf_level:.0%} CI {rc['hr_lower']:.2f} to "
        f"{rc['hr_upper']:.2f}, p = {rc['p_val']:.3f}).",
        f"Reference category: {ref} contacts" + (" (participants only)." if participants_only else ".")
        + f" The {int(others.sum())} comparisons with it have Holm-adjusted p-values (p_holm).",
        "Dose is not randomised: these are adjusted associations; who receives more contacts may differ in ways "
        "the covariates do not capture.",
    ]
    if G is not None:
        remarks.append(f"Site-robust SEs ({G} sites) times sqrt(G/(G-1)), t({G - 1}) intervals.")
    small = categories.index[categories["n"] < 10].tolist()
    if small:
        remarks.append(f"Categories with fewer than 10 people ({', '.join(map(str, small))}): suppress before "
                       "publication or merge categories (bins=).")
    return DoseResponseResult(categories=categories, continuous=continuous,
                              models={"categorised": cat_fit, "continuous": cont_fit}, form=form,
                              remarks=tuple(remarks))
