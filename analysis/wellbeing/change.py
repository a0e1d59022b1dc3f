"""Pre/post change for respondents with both waves (completers).

Conventions
-----------
Change is ``post − pre`` per respondent with a score at both waves; invalid
scores (NaN) do not count.  With ``n`` pairs and differences ``d``:

* **Paired t-test** on ``d`` (df = n − 1) and the t interval for the mean
  change (``t.test(post, pre, paired = TRUE)`` in R).
* **Wilcoxon signed-rank test** as R's ``wilcox.test(post, pre, paired =
  TRUE)`` decides: exact with fewer than 50 non-zero differences and neither
  ties nor zeros, otherwise the normal approximation with tie correction and
  (``correct=True``) continuity correction; ``exact=`` and ``alternative=``
  as in R.  ``statistic`` is R's ``V``, the sum of
  the ranks of the positive differences.  Zero differences:
  ``zero_method="wilcox"`` (default, R's behaviour) drops them before
  ranking; ``"pratt"`` ranks them with the others and then drops their ranks
  (Pratt 1959), as ``scipy.stats.wilcoxon`` names the two.  Tied absolute
  differences get mid-ranks.
* **d_z** = mean(d) / sd(d).  Its interval inverts the noncentral t: the
  limits of the noncentrality δ with ``P(T ≤ t_obs | δ)`` = 1 − γ/2 and γ/2,
  divided by √n.
* **Hedges' g_z** = J·d_z with the exact small-sample factor
  ``J = Γ(df/2) / (√(df/2)·Γ((df − 1)/2))``, df = n − 1; its interval is the
  d_z interval times J.
* **d_av** = mean(d) / ((sd_pre + sd_post)/2) (Cumming; Lakens 2013).  Its
  interval is approximate: the noncentral-t limits for d_z rescaled by
  sd(d)/s_av, i.e. treating the ratio of the two standard deviations as
  known.  It is too narrow when the pre–post correlation is low or n small.
* **Hedges' g_av** = J·d_av with the same J (df = n − 1; Lakens 2013 uses
  the approximation 1 − 3/(4·df − 1)); its interval is the d_av interval
  times J.
* **Minimum detectable d_z** at the given power (default 80 %, two-sided
  5 %) for ``n`` pairs from the noncentral t (see :mod:`.power`).  Observed
  power is never reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lgamma, log, sqrt, exp

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, t_ci, wide
from analysis.wellbeing.power import min_detectable_dz, nct_cdf

__all__ = ["PairedChangeResult", "SignedRankResult", "paired_change", "dz_ci", "hedges_j",
           "wilcoxon_signed_rank"]

SMALL_SITE = 10
NO_COMPARISON = (
    "Change from before to after, without a comparison group, is not an effect of the project: "
    "time, regression to the mean, release dates and who stays in the study all change scores too."
)


def hedges_j(df: float) -> float:
    """Exact small-sample correction ``Γ(df/2) / (√(df/2) Γ((df−1)/2))``."""
    if df <= 1:
        return float("nan")
    return exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))


def _ncp_limits(t_obs: float, df: float, ci: float) -> tuple[float, float]:
    g = 1 - ci

    def solve(target):
        f = lambda ncp: nct_cdf(t_obs, df, ncp) - target  # noqa: E731
        lo, hi = t_obs - 10, t_obs + 10
        while f(lo) < 0:
            lo -= 10
        while f(hi) > 0:
            hi += 10
        return optimize.brentq(f, lo, hi, xtol=1e-12)

    return solve(1 - g / 2), solve(g / 2)


def dz_ci(d_z: float, n: int, *, ci: float = 0.95) -> tuple[float, float]:
    """Noncentral-t interval for d_z with ``n`` pairs (see module notes)."""
    if n < 3 or not np.isfinite(d_z):
        return (np.nan, np.nan)
    lo, hi = _ncp_limits(d_z * sqrt(n), n - 1, ci)
    return (lo / sqrt(n), hi / sqrt(n))


ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class SignedRankResult(Result):
    """Wilcoxon signed-rank test of paired differences.

    Unpacks as ``(V, p, n_zero)``.
    """

    v: float
    p_val: float
    n_zero: int
    n_nonzero: int
    exact: bool
    correct: bool
    alternative: str
    zero_method: str
    ties: bool

    def __iter__(self):
        return iter((self.v, self.p_val, self.n_zero))

    @property
    def method(self) -> str:
        if self.exact:
            return "exact"
        return "normal approximation" + (" with continuity correction" if self.correct else "")

    @property
    def title(self) -> str:
        return f"Wilcoxon signed-rank test ({self.method}, {self.alternative})"

    def to_frame(self) -> pd.DataFrame:
        """One row: ``V``, ``p_val``, ``method``, ``alternative``, ``n_nonzero``, ``n_zero``."""
        return pd.DataFrame([{"V": self.v, "p_val": self.p_val, "method": self.method,
                              "alternative": self.alternative, "n_nonzero": self.n_nonzero,
                              "n_zero": self.n_zero}])


def wilcoxon_signed_rank(d, *, zero_method: str = "wilcox", exact: bool | None = None, correct: bool = True,
                         alternative: str = "two-sided") -> SignedRankResult:
    """Signed-rank test of differences ``d`` deciding exact or approximate as R does.

    Parameters
    ----------
    d : array-like
        Differences (post − pre); NaN dropped.
    zero_method : {"wilcox", "pratt"}
        ``"wilcox"`` drops zero differences before ranking (R); ``"pratt"``
        ranks them and drops their ranks (always the normal approximation).
    exact : bool or None
        ``None`` (R's default): exact when fewer than 50 non-zero differences.
        Either way the exact distribution is used only without ties and zeros,
        as ``wilcox.test`` does; otherwise the normal approximation with tie
        correction.
    correct : bool
        Continuity correction in the normal approximation.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: differences tend to be positive.

    Returns
    -------
    SignedRankResult
        ``v`` is R's ``V`` (sum of the ranks of the positive differences);
        the p-value comes from ``scipy.stats.wilcoxon``.
    """
    if zero_method not in ("wilcox", "pratt"):
        raise ValueError(f"zero_method must be 'wilcox' (R's default) or 'pratt', got {zero_method!r}")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}")
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    n_zero = int((d == 0).sum())
    nz = d[d != 0]
    ties = len(np.unique(np.abs(nz))) < len(nz)
    if zero_method == "wilcox":
        ranks = stats.rankdata(np.abs(nz))
        v = float(ranks[nz > 0].sum())
    else:
        ranks = stats.rankdata(np.abs(d))
        v = float(ranks[d > 0].sum())
    use_exact = (len(nz) < 50 if exact is None else bool(exact)) and not ties and n_zero == 0 \
        and zero_method == "wilcox"
    if len(nz) == 0:
        return SignedRankResult(v=v, p_val=float("nan"), n_zero=n_zero, n_nonzero=0, exact=False, correct=correct,
                                alternative=alternative, zero_method=zero_method, ties=ties)
    res = stats.wilcoxon(d, zero_method=zero_method, correction=correct and not use_exact,
                         method="exact" if use_exact else "approx", alternative=alternative)
    return SignedRankResult(v=v, p_val=float(res.pvalue), n_zero=n_zero, n_nonzero=int(len(nz)), exact=use_exact,
                            correct=correct and not use_exact, alternative=alternative, zero_method=zero_method,
                            ties=ties)


@dataclass(frozen=True)
class PairedChangeResult(Result):
    """Completer pre/post change, tests, effect sizes and per-site means.

    Attributes hold the numbers shown by :meth:`to_frame`; ``by_site`` has one
    row per site: ``site``, ``n_pairs``, ``mean_pre``, ``pre_ci_low``,
    ``pre_ci_high``, ``mean_post``, ``post_ci_low``, ``post_ci_high``,
    ``mean_change``, ``change_ci_low``, ``change_ci_high``.  ``pairs`` holds
    the individual pairs; it is used only by ``plot(individuals=True)`` and is
    never part of ``to_frame()``.
    """

    outcome: str
    pre: object
    post: object
    n_baseline: int
    n_pairs: int
    mean_pre: float
    sd_pre: float
    mean_post: float
    sd_post: float
    r_pre_post: float
    mean_change: float
    sd_change: float
    change_ci: tuple[float, float]
    t: float
    df: int
    p_t: float
    wilcoxon_v: float
    p_wilcoxon: float
    wilcoxon: SignedRankResult
    zero_method: str
    n_zero: int
    d_z: float
    d_z_ci: tuple[float, float]
    g_z: float
    g_z_ci: tuple[float, float]
    d_av: float
    d_av_ci: tuple[float, float]
    g_av: float
    g_av_ci: tuple[float, float]
    mdes_dz: float
    power: float
    alpha: float
    ci: float
    by_site: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def title(self) -> str:
        return f"Pre/post change in {self.outcome} ({self.pre} → {self.post}), completers"

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: ``estimate``, ``ci_low``, ``ci_high``,
        ``statistic``, ``df``, ``p_val``, ``n``."""
        n = self.n_pairs
        nan = np.nan
        rows = [
            ("mean pre", self.mean_pre, *t_ci(self.pairs["pre"], self.ci)[1:3], nan, nan, nan),
            ("mean post", self.mean_post, *t_ci(self.pairs["post"], self.ci)[1:3], nan, nan, nan),
            ("mean change (post − pre)", self.mean_change, *self.change_ci, nan, nan, nan),
            ("paired t-test", nan, nan, nan, self.t, self.df, self.p_t),
            (f"Wilcoxon signed-rank (V, {self.wilcoxon.method}, zeros: {self.zero_method})", nan, nan, nan,
             self.wilcoxon_v, nan, self.p_wilcoxon),
            ("d_z", self.d_z, *self.d_z_ci, nan, nan, nan),
            ("Hedges' g_z", self.g_z, *self.g_z_ci, nan, nan, nan),
            ("d_av", self.d_av, *self.d_av_ci, nan, nan, nan),
            ("Hedges' g_av", self.g_av, *self.g_av_ci, nan, nan, nan),
            (f"minimum detectable d_z ({self.power:.0%} power)", self.mdes_dz, nan, nan, nan, nan, nan),
        ]
        out = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high", "statistic", "df", "p_val"])
        out["n"] = n
        return out.set_index("quantity")

    def plot(self, ax=None, *, individuals: bool = False):
        """Means with CIs at both waves, one line per site (completers).

        Individual respondents' lines are drawn only with
        ``individuals=True``; never use that for a published figure.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        if individuals:
            for _, r in self.pairs.iterrows():
                ax.plot([0, 1], [r["pre"], r["post"]], color="grey", alpha=0.25, lw=0.7)
        k = max(len(self.by_site), 1)
        for i, r in enumerate(self.by_site.itertuples(index=False)):
            off = (i - (k - 1) / 2) * 0.03
            x = np.array([0 + off, 1 + off])
            y = np.array([r.mean_pre, r.mean_post])
            err = np.array([[r.mean_pre - r.pre_ci_low, r.mean_post - r.post_ci_low],
                            [r.pre_ci_high - r.mean_pre, r.post_ci_high - r.mean_post]])
            ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=f"{r.site} (n={r.n_pairs})")
        ax.set_xticks([0, 1], [str(self.pre), str(self.post)])
        ax.set_xlim(-0.4, 1.4)
        ax.set_ylabel(f"mean {self.outcome} ({self.ci:.0%} CI)")
        ax.set_title("Completers' mean at each wave, per site")
        if len(self.by_site):
            ax.legend(fontsize="x-small", ncol=2, loc="best")
        return ax


def paired_change(
    data: pd.DataFrame,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    site: str | None = "site",
    pre=None,
    post=None,
    zero_method: str = "wilcox",
    exact: bool | None = None,
    correct: bool = True,
    alternative: str = "two-sided",
    ci: float = 0.95,
    power: float = 0.8,
    alpha: float = 0.05,
) -> PairedChangeResult:
    """Pre/post change among completers: tests, effect sizes and what n can detect.

    Parameters
    ----------
    data : DataFrame
        Long scores frame, one row per subject × wave (e.g. from
        :func:`~analysis.wellbeing.scoring.score_scale`); NaN scores count as
        missing.
    subject, wave, outcome, site : str, keyword-only
        Column names; ``site=None`` skips the per-site summary.
    pre, post : wave labels, optional
        Baseline and follow-up; inferred (sorted) when the data hold exactly
        two waves.
    zero_method : {"wilcox", "pratt"}
        Handling of zero differences in the signed-rank test (module notes).
    exact, correct, alternative
        Signed-rank test options as in R's ``wilcox.test`` (module notes); the
        t-test stays two-sided.
    ci : float
        Interval coverage for means and effect sizes.
    power, alpha : float
        For the minimum detectable d_z (two-sided).

    Returns
    -------
    PairedChangeResult
    """
    if zero_method not in ("wilcox", "pratt"):
        raise ValueError(f"zero_method must be 'wilcox' (R's default) or 'pratt', got {zero_method!r}")
    pre, post = resolve_waves(data, wave, pre, post)
    w = wide(data, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post, site=site)
    n_baseline = int(w["pre"].notna().sum())
    pairs = w.dropna(subset=["pre", "post"]).reset_index(drop=True)
    n = len(pairs)
    if n < 3:
        raise ValueError(f"only {n} respondents have a valid {outcome} at both {pre!r} and {post!r}; need at least 3")
    x0, x1 = pairs["pre"].to_numpy(float), pairs["post"].to_numpy(float)
    d = x1 - x0
    m, s = d.mean(), d.std(ddof=1)
    df = n - 1
    if s > 0:
        t = m / (s / sqrt(n))
        p_t = 2 * stats.t.sf(abs(t), df)
    else:
        t, p_t = np.nan, np.nan
    half = stats.t.ppf(0.5 + ci / 2, df) * s / sqrt(n)
    sr = wilcoxon_signed_rank(d, zero_method=zero_method, exact=exact, correct=correct, alternative=alternative)
    v, p_w, n_zero = sr
    sd0, sd1 = x0.std(ddof=1), x1.std(ddof=1)
    d_z = m / s if s > 0 else np.nan
    d_z_ci = dz_ci(d_z, n, ci=ci)
    j = hedges_j(df)
    s_av = (sd0 + sd1) / 2
    d_av = m / s_av if s_av > 0 else np.nan
    ratio = s / s_av if s_av > 0 else np.nan
    r = float(np.corrcoef(x0, x1)[0, 1]) if sd0 > 0 and sd1 > 0 else np.nan
    mdes = min_detectable_dz(n, power=power, alpha=alpha)

    by_site = pd.DataFrame()
    if site is not None:
        recs = []
        for key, g in pairs.groupby(site, sort=True):
            mp, lp, hp, k = t_ci(g["pre"], ci)
            mq, lq, hq, _ = t_ci(g["post"], ci)
            mc, lc, hc, _ = t_ci(g["post"] - g["pre"], ci)
            recs.append(dict(site=key, n_pairs=k, mean_pre=mp, pre_ci_low=lp, pre_ci_high=hp, mean_post=mq,
                             post_ci_low=lq, post_ci_high=hq, mean_change=mc, change_ci_low=lc,
                             change_ci_high=hc))
        by_site = pd.DataFrame(recs)

    remarks = [NO_COMPARISON]
    if n < n_baseline:
        remarks.append(
            f"Only {n} of {n_baseline} respondents with a baseline score also have a follow-up score; "
            "those who left may differ: see the attrition analysis and the mixed model, which uses all data."
        )
    remarks.append(
        f"With {n} complete pairs the study has {power:.0%} power (two-sided {alpha:.0%}) only for "
        f"standardised changes (mean change divided by the standard deviation of the changes) of {mdes:.2f} or "
        "more; smaller changes may go undetected."
    )
    if n_zero:
        how = "dropped before ranking (as R does)" if zero_method == "wilcox" else "ranked, then their ranks dropped (Pratt)"
        remarks.append(f"{n_zero} respondent(s) had no change; in the signed-rank test these zeros were {how}.")
    if len(by_site) and (by_site["n_pairs"] < SMALL_SITE).any():
        small = ", ".join(map(str, by_site.loc[by_site["n_pairs"] < SMALL_SITE, "site"]))
        remarks.append(
            f"Fewer than {SMALL_SITE} pairs at {small}: those site means are imprecise and must pass "
            "disclosure control before publication."
        )
    remarks.append("The intervals of the changes standardised by the two waves' average standard deviation are "
                   "approximate: the limits of the change standardised by its own standard deviation, rescaled.")
    remarks.append(f"The signed-rank p-value is {sr.method} ({alternative}).")

    return PairedChangeResult(
        outcome=outcome, pre=pre, post=post, n_baseline=n_baseline, n_pairs=n,
        mean_pre=float(x0.mean()), sd_pre=float(sd0), mean_post=float(x1.mean()), sd_post=float(sd1),
        r_pre_post=r, mean_change=float(m), sd_change=float(s), change_ci=(float(m - half), float(m + half)),
        t=float(t), df=int(df), p_t=float(p_t), wilcoxon_v=v, p_wilcoxon=p_w, wilcoxon=sr, zero_method=zero_method,
        n_zero=n_zero, d_z=float(d_z), d_z_ci=d_z_ci, g_z=float(j * d_z),
        g_z_ci=(j * d_z_ci[0], j * d_z_ci[1]), d_av=float(d_av),
        d_av_ci=(d_z_ci[0] * ratio, d_z_ci[1] * ratio), g_av=float(j * d_av),
        g_av_ci=(j * d_z_ci[0] * ratio, j * d_z_ci[1] * ratio), mdes_dz=mdes, power=power, alpha=alpha, ci=ci,
        by_site=by_site, pairs=pairs, remarks=tuple(remarks),
    )
