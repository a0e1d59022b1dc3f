"""Coverage of the perspectives chapter's intervals in a seeded simulation of this design.

Ten prisons, sizes and between-prison differences like the demo's: staff 8–25
per prison, peer workers 1–3, eligible releases 270–330, detainees 80–150 with
about 60% answering both questionnaires. Each prison has its own level (a
normal prison effect on the logit or latent scale, and a champion in every
other prison for the staff). The chapter's intervals are computed by the very
functions the chapter calls, on data drawn from known truths, and the share of
replicates whose 95% interval holds the truth is the coverage.

**Which truth.** The ten prisons are the project's prisons, not a sample of
prisons: the chapter's estimands are about the people of these ten prisons
(as the reoffending chapter's, whose prison effects are fixed). In the
simulation the prison effects are therefore drawn once per seed and held
fixed while people are drawn anew in every replicate (``prisons="fixed"``);
the truth is the expected value in these prisons at their sizes. For the
agreement shares the coverage is also measured with prisons drawn anew in
every replicate (``prisons="random"``, the truth then being the population
value over prisons): that is what an interval would need to cover to speak
about prisons beyond these ten, which the chapter does not claim. The
design-effect-adjusted Wilson interval (:func:`deff_wilson`: effective sample
size ``n / (1 + (m̄ − 1)·ICC)`` with the one-way ANOVA estimate of the ICC)
is measured beside it.

Quantities (the chapter's):

* ``staff_agree`` — share of staff agreeing with a question, Wilson
  interval (``analysis.items.wilson_interval``), ~200 staff;
* ``role_or`` — proportional-odds odds ratio, peer workers vs staff, prison
  fixed effect (``analysis.items.ordinal_comparison``), true OR 3;
* ``reach`` — share of eligible releases reached in one prison, Wilson;
* ``injecting_diff`` — McNemar paired difference of injecting
  (``analysis.service.paired_proportion``);
* ``days_change`` — mean change in days of use, 0–30 with many zeros
  (``analysis.wellbeing.paired_change``).

Everything is synthetic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from analysis.results import Result

__all__ = ["CalibrationResult", "simulate_perspectives", "deff_wilson", "QUANTITIES", "calibration_record", "RECORD", "CHECK_REPS"]

#: the test re-runs this many replicates and compares them with the record's first ones
CHECK_REPS = 20
QUANTITIES = ("staff_agree", "staff_agree_deff", "staff_agree_random", "staff_agree_deff_random", "role_or",
              "reach", "injecting_diff", "days_change")
N_SITES = 10
TRUE_LOG_OR = np.log(3.0)


def deff_wilson(agree: np.ndarray, cluster: np.ndarray, *, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson interval on the effective sample size ``n / deff``, deff from the ANOVA ICC (truncated at 0)."""
    from statsmodels.stats.proportion import proportion_confint

    agree = np.asarray(agree, dtype=float)
    df = pd.DataFrame({"y": agree, "g": cluster})
    n, k = len(df), df["g"].nunique()
    sizes = df.groupby("g").size()
    m0 = (n - (sizes ** 2).sum() / n) / (k - 1)
    means = df.groupby("g")["y"].mean()
    msb = (sizes * (means - agree.mean()) ** 2).sum() / (k - 1)
    msw = ((df["y"] - df["g"].map(means)) ** 2).sum() / (n - k)
    icc = max((msb - msw) / (msb + (m0 - 1) * msw), 0.0) if msb + (m0 - 1) * msw > 0 else 0.0
    deff = 1 + (sizes.mean() - 1) * icc
    n_eff = n / deff
    lo, hi = proportion_confint(agree.mean() * n_eff, n_eff, alpha=alpha, method="wilson")
    return float(lo), float(hi)


@dataclass(frozen=True, eq=False)
class CalibrationResult(Result):
    """Coverage per quantity: ``table`` (quantity, reps, covered, coverage, mc_se, truth, mean estimate)."""

    table: pd.DataFrame
    seed: int
    reps: int
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def coverage(self, quantity: str) -> float:
        return float(self.table.set_index("quantity").loc[quantity, "coverage"])


class _Design:
    """The fixed part of the design: prison sizes and (for fixed prisons) prison effects."""

    def __init__(self, rng: np.random.Generator):
        self.staff_n = rng.integers(8, 26, N_SITES)
        self.pw_n = rng.integers(1, 4, N_SITES)
        self.eligible_n = rng.integers(270, 331, N_SITES)
        self.pairs_n = np.rint(rng.integers(80, 151, N_SITES) * 0.6).astype(int)
        self.champion = (np.arange(N_SITES) % 2 == 0).astype(float)
        self.draw_effects(rng)

    def draw_effects(self, rng):
        self.agree_logit = -0.2 + 0.9 * self.champion + rng.normal(0, 0.5, N_SITES)
        self.latent_site = rng.normal(0, 0.5, N_SITES)
        self.reach_p = expit(rng.normal(np.log(0.35 / 0.65), 0.4, N_SITES))
        self.inj_site = rng.normal(0, 0.5, N_SITES)
        self.use_site = rng.normal(0, 0.4, N_SITES)


def _agree_truth_fixed(d: _Design) -> float:
    return float(np.sum(d.staff_n * expit(d.agree_logit)) / d.staff_n.sum())


def _agree_truth_random(n_draws: int = 400_000, seed: int = 1) -> float:
    rng = np.random.default_rng(seed)
    champion = rng.random(n_draws) < 0.5
    return float(expit(-0.2 + 0.9 * champion + rng.normal(0, 0.5, n_draws)).mean())


# injecting: a person's latent propensity u ~ N(0, 1.2); injected at wave w if u + site + step_w + e > cut
INJ_CUT, INJ_STEP, INJ_SD = 1.3, -0.35, 1.2


def _inj_truth(d: _Design) -> float:
    """Expected paired difference (post − pre) in these prisons, by the normal distribution function."""
    sd = np.sqrt(INJ_SD ** 2 + 1.0)
    pre = stats.norm.sf((INJ_CUT - d.inj_site) / sd)
    post = stats.norm.sf((INJ_CUT - d.inj_site - INJ_STEP) / sd)
    return float(np.sum(d.pairs_n * (post - pre)) / d.pairs_n.sum())


def _days(latent: np.ndarray) -> np.ndarray:
    """Days of use in 30 from a latent level: none below 0, else a binomial count (many zeros, a ceiling)."""
    return np.where(latent > 0, np.minimum(30, np.rint(30 * expit(latent - 0.5))), 0)


def _days_truth(d: _Design, n_draws: int = 200_000, seed: int = 3) -> float:
    rng = np.random.default_rng(seed)
    out = []
    for j in range(N_SITES):
        u = rng.normal(0, 1.3, n_draws) + d.use_site[j]
        pre = _days(u + rng.normal(0, 0.7, n_draws))
        post = _days(u - 0.3 + rng.normal(0, 0.7, n_draws))
        out.append((post - pre).mean())
    return float(np.sum(d.pairs_n * np.array(out)) / d.pairs_n.sum())


def _one(d: _Design, rng: np.random.Generator, out: dict, truths: dict, role_spec: dict, random_design: _Design,
         fit_or: bool = True):
    from analysis.items import ordinal_comparison, wilson_interval
    from analysis.service import paired_proportion
    from analysis.wellbeing import paired_change

    def record(q, lo, hi, est):
        out.setdefault(q, []).append((lo <= truths[q] <= hi, est))

    # staff agreement, prisons fixed and prisons drawn anew
    for suffix, design in (("", d), ("_random", random_design)):
        site = np.repeat(np.arange(N_SITES), design.staff_n)
        agree = rng.random(len(site)) < expit(design.agree_logit)[site]
        lo, hi = wilson_interval(int(agree.sum()), len(agree))
        record("staff_agree" + suffix, lo, hi, agree.mean())
        lo, hi = deff_wilson(agree, site)
        record("staff_agree_deff" + suffix, lo, hi, agree.mean())
    # role clarity: latent logistic, prison effect, peer workers log(3) higher
    s_site = np.repeat(np.arange(N_SITES), d.staff_n)
    p_site = np.repeat(np.arange(N_SITES), d.pw_n)
    cuts = np.array([-1.5, -0.4, 0.6, 1.8])
    ys = 1 + np.searchsorted(cuts, d.latent_site[s_site] + rng.logistic(size=len(s_site)))
    yp = 1 + np.searchsorted(cuts, d.latent_site[p_site] + TRUE_LOG_OR + rng.logistic(size=len(p_site)))
    frame = pd.DataFrame({"site": np.concatenate([s_site, p_site]).astype(str),
                          "group": ["staff"] * len(s_site) + ["peer"] * len(p_site),
                          "role_clear": np.concatenate([ys, yp])})
    if fit_or:
        try:
            row = ordinal_comparison(frame, role_spec, group="group", reference="staff",
                                     compare="peer").to_frame().iloc[0]
            record("role_or", row["ci_low"], row["ci_high"], row["estimate"])
        except Exception:  # a replicate the model cannot fit (a category no one chose) counts as not covered
            out.setdefault("role_or", []).append((False, np.nan))
    # reach in one prison (each prison in turn)
    j = len(out.get("reach", [])) % N_SITES
    k = rng.binomial(d.eligible_n[j], d.reach_p[j])
    lo, hi = wilson_interval(int(k), int(d.eligible_n[j]))
    out.setdefault("reach", []).append((lo <= d.reach_p[j] <= hi, k / d.eligible_n[j]))
    # injecting and days of use: pairs
    site = np.repeat(np.arange(N_SITES), d.pairs_n)
    n = len(site)
    u = rng.normal(0, INJ_SD, n) + d.inj_site[site]
    pre = (u + rng.normal(0, 1, n) > INJ_CUT).astype(int)
    post = (u + INJ_STEP + rng.normal(0, 1, n) > INJ_CUT).astype(int)
    long = pd.DataFrame({"pid": np.tile(np.arange(n), 2), "wave": np.repeat([1, 2], n),
                         "injecting": np.concatenate([pre, post])})
    res = paired_proportion(long, outcome="injecting")
    record("injecting_diff", res.ci[0], res.ci[1], res.difference)
    v = rng.normal(0, 1.3, n) + d.use_site[site]
    days = pd.DataFrame({"pid": np.tile(np.arange(n), 2), "wave": np.repeat([1, 2], n), "site": np.tile(site, 2),
                         "days_used": np.concatenate([_days(v + rng.normal(0, 0.7, n)),
                                                      _days(v - 0.3 + rng.normal(0, 0.7, n))])})
    ch = paired_change(days, outcome="days_used", pre=1, post=2)
    record("days_change", ch.change_ci[0], ch.change_ci[1], ch.mean_change)


def simulate_perspectives(reps: int = 1000, seed: int = 2026, *, or_reps: int | None = None,
                          progress=None) -> CalibrationResult:
    """Coverage of the chapter's 95% intervals over ``reps`` replicates (see the module notes).

    ``or_reps``: the proportional-odds model is fitted in the first ``or_reps`` replicates only (default
    all): statsmodels' ``OrderedModel`` with ten prison dummies takes about 0.3 s a fit (BFGS on a numerical
    gradient), the rest of a replicate about 0.05 s.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    design = _Design(rng)
    role_spec = {"name": "role_clear", "label": "tasks clear",
                 "choices": [{"code": c, "label": str(c)} for c in range(1, 6)]}
    truths = {"staff_agree": _agree_truth_fixed(design), "staff_agree_deff": _agree_truth_fixed(design),
              "role_or": float(np.exp(TRUE_LOG_OR)), "injecting_diff": _inj_truth(design),
              "days_change": _days_truth(design)}
    truths["staff_agree_random"] = truths["staff_agree_deff_random"] = _agree_truth_random()
    out: dict[str, list] = {}
    for r in range(reps):
        random_design = _Design.__new__(_Design)
        random_design.__dict__.update(design.__dict__)
        random_design.draw_effects(rng)  # prisons drawn anew (the same sizes)
        _one(design, rng, out, truths, role_spec, random_design, fit_or=or_reps is None or r < or_reps)
        if progress and (r + 1) % 100 == 0:
            progress(r + 1)
    rows = []
    for q in QUANTITIES:
        hits = np.array([h for h, _e in out[q]], dtype=float)
        est = np.array([e for _h, e in out[q]], dtype=float)
        cov = float(hits.mean())
        rows.append({"quantity": q, "reps": len(hits), "covered": int(hits.sum()), "coverage": cov,
                     f"covered_first_{CHECK_REPS}": int(hits[:CHECK_REPS].sum()),
                     "mc_se": float(np.sqrt(cov * (1 - cov) / len(hits))),
                     "truth": truths.get(q, float(np.mean(design.reach_p)) if q == "reach" else np.nan),
                     "mean_estimate": float(np.nanmean(est))})
    return CalibrationResult(table=pd.DataFrame(rows), seed=seed, reps=reps, seconds=time.perf_counter() - t0,
                             remarks=(f"{reps} replicates ({len(out['role_or'])} for the odds ratio), seed {seed}; "
                                      "ten prisons, prison effects fixed (the '_random' rows draw them anew in "
                                      "every replicate).",))


RECORD = __import__("pathlib").Path(__file__).with_name("calibration_record.json")


def calibration_record() -> pd.DataFrame:
    """The committed run of ``benchmarks/perspectives_calibration.py --record`` (one row per quantity, with the
    command, replicates and seed as columns)."""
    import json

    rec = json.loads(RECORD.read_text(encoding="utf-8"))
    return pd.DataFrame(rec["rows"]).assign(command=rec["command"], seed=rec["seed"], seconds=rec["seconds"])
