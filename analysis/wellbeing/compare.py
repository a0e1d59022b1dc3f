"""Completer-only and all-data (mixed model) estimates of change, side by side.

Completers: the mean change with a t interval (per group, and the difference
in mean change between each group and the reference with Welch's interval).
All data: :func:`~analysis.wellbeing.mixed.mixed_model` on the two waves –
the wave coefficient (per group: wave + wave:group, with its Wald interval
from the fixed-effect covariance, same df as the model's) and the wave ×
group terms.  A gap between the two hints that those who left differ from
those who stayed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, t_ci, wide
from analysis.wellbeing.mixed import MixedModelResult, mixed_model
from analysis.wellbeing.power import min_detectable_dz

__all__ = ["CompletersVsAllResult", "completers_vs_all"]


@dataclass(frozen=True)
class CompletersVsAllResult(Result):
    """Completer-only and mixed-model estimates of change, side by side.

    ``table`` columns: ``analysis`` ("completers" / "mixed model, all data"),
    ``quantity``, ``n_subjects``, ``n_obs``, ``estimate``, ``ci_low``,
    ``ci_high``.
    """

    table: pd.DataFrame
    mixed: MixedModelResult

    @property
    def title(self) -> str:
        return "Change: completers only vs all data (mixed model)"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Estimates with intervals, completers above the mixed model, per quantity."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * len(self.table)))
        t = self.table.iloc[::-1].reset_index(drop=True)
        colours = {"completers": "tab:blue"}
        for i, r in t.iterrows():
            ax.errorbar(r["estimate"], i, xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                        fmt="o", capsize=3, color=colours.get(r["analysis"], "tab:orange"))
        ax.set_yticks(range(len(t)), [f"{a}: {q}" for a, q in zip(t["analysis"], t["quantity"])], fontsize="small")
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set_xlabel(f"change in {self.mixed.outcome}")
        ax.set_title(self.title)
        return ax


def completers_vs_all(
    data: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    site: str = "site",
    group: str | None = None,
    pre=None,
    post=None,
    reference_group=None,
    ci: float = 0.95,
    ci_method: str = "wald-t",
    n_boot: int = 200,
    seed: int | None = None,
    engine: str = "reml",
) -> CompletersVsAllResult:
    """Completer-only and all-data (mixed model) estimates of pre→post change in one table.

    Completers: the mean change with a t interval (per group, and the
    difference in mean change between each group and the reference, Welch
    interval).  Mixed model: :func:`mixed_model` on the ``pre`` and ``post``
    waves; the wave coefficient (per group: wave + wave:group, with its
    interval from the fixed-effect covariance) and the wave × group terms.

    Returns
    -------
    CompletersVsAllResult
    """
    pre, post = resolve_waves(data, wave, pre, post)
    mm = mixed_model(data, subject=subject, wave=wave, outcome=outcome, site=site, group=group,
                     waves=(pre, post), reference_group=reference_group, ci=ci, ci_method=ci_method,
                     n_boot=n_boot, seed=seed, engine=engine)
    w = wide(data, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post, site=site,
             extra=(group,) if group else ())
    pairs = w.dropna(subset=["pre", "post"])
    pairs = pairs.assign(_d=pairs["post"] - pairs["pre"])
    rows = []
    fx = mm.fixed.set_index("term")
    df = fx["df"].iloc[0]
    q = stats.t.ppf(0.5 + ci / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + ci / 2)
    n_all = mm.n_subjects
    if group is None:
        m, lo, hi, n = t_ci(pairs["_d"], ci)
        rows.append(("completers", "mean change", n, 2 * n, m, lo, hi))
        r = fx.loc["wave"]
        rows.append(("mixed model, all data", "mean change (wave effect)", n_all, mm.n_obs, r.estimate,
                     r.ci_low, r.ci_high))
    else:
        ref = mm.groups[0]
        for lev in mm.groups:
            m, lo, hi, n = t_ci(pairs.loc[pairs[group] == lev, "_d"], ci)
            rows.append(("completers", f"mean change, {lev}", n, 2 * n, m, lo, hi))
        for lev in mm.groups[1:]:
            a = pairs.loc[pairs[group] == lev, "_d"].to_numpy()
            b = pairs.loc[pairs[group] == ref, "_d"].to_numpy()
            diff, lo, hi = _welch(a, b, ci)
            rows.append(("completers", f"difference in change, {lev} − {ref}", len(a) + len(b),
                         2 * (len(a) + len(b)), diff, lo, hi))
        cov = mm.cov_fixed
        for lev in mm.groups:
            if lev == ref:
                est, se = fx.loc["wave", "estimate"], fx.loc["wave", "se"]
                lo_, hi_ = fx.loc["wave", "ci_low"], fx.loc["wave", "ci_high"]
            else:
                k = f"wave:group[{lev}]"
                est = fx.loc["wave", "estimate"] + fx.loc[k, "estimate"]
                se = float(np.sqrt(cov.loc["wave", "wave"] + cov.loc[k, k] + 2 * cov.loc["wave", k]))
                lo_, hi_ = est - q * se, est + q * se
            rows.append(("mixed model, all data", f"mean change, {lev}", n_all, mm.n_obs, est, lo_, hi_))
        for lev in mm.groups[1:]:
            r = fx.loc[f"wave:group[{lev}]"]
            rows.append(("mixed model, all data", f"difference in change, {lev} − {ref}", n_all, mm.n_obs,
                         r.estimate, r.ci_low, r.ci_high))
    table = pd.DataFrame(rows, columns=["analysis", "quantity", "n_subjects", "n_obs", "estimate", "ci_low",
                                        "ci_high"])
    remarks = list(mm.remarks)
    n_pairs = len(pairs)
    mdes = min_detectable_dz(n_pairs) if n_pairs >= 2 else float("nan")
    remarks.insert(0, f"With {n_pairs} complete pairs a paired comparison has 80% power (two-sided 5%) only for "
                      f"standardised changes (mean change divided by the standard deviation of the changes) of "
                      f"{mdes:.2f} or more.")
    remarks.insert(0, "Completer rows use only respondents with both waves; mixed-model rows use everyone with "
                      "at least one score. A gap between them hints that those who left differ from those who stayed.")
    if group is not None and ci_method == "bootstrap":
        remarks.append("Per-group mixed-model change for non-reference groups uses Wald-t intervals.")
    return CompletersVsAllResult(table=table, mixed=mm, remarks=tuple(remarks))


def _welch(a, b, ci):
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return (np.nan, np.nan, np.nan)
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    diff = a.mean() - b.mean()
    se = np.sqrt(va + vb)
    dfw = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    q = stats.t.ppf(0.5 + ci / 2, dfw)
    return (float(diff), float(diff - q * se), float(diff + q * se))
