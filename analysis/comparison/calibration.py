"""A seeded simulation study that calibrates the intervals of the primary result.

The design (issue 12 part 3): **ten prisons of unequal size** (fixed: they are
the ten D&D projects, not a sample of prisons), each with its own baseline
risk of reoffending and its own participation level (both fixed across
replicates, drawn once from ``structure_seed``); participation and
reoffending both depend on observed covariates (age, sex, prior
incarcerations, primary substance: confounding by indication); reoffending
follows a Weibull proportional-hazards model with death and removal from the
country competing; follow-up ends administratively between 150 and 800 days
after release. ``hr=1`` is the true null, ``hr<1`` a true effect.

The **truth** of the primary estimand (risk difference and ratio at
``time`` days among participants, ATT) is computed from the generating model:
for a large draw of people the cumulative incidence with and without
participation is integrated exactly (Gauss-Legendre on ``s = t**shape``, where
the integrand is smooth) and averaged with the true participation
probabilities as weights.

Every replicate runs exactly what the chapter runs:
:func:`.propensity.propensity_score` (prison as fixed effects) and
:func:`.primary.primary_risk`. The influence-function interval is checked on
every replicate; the bootstrap (``n_boot`` draws) on the first
``n_boot_reps`` replicates only, since it costs about a thousand times more.
Reported: the share of intervals that exclude the null (type-I error, under
``hr=1``) or that miss the truth (1 - coverage), with Monte-Carlo standard
errors. The command is ``python -m benchmarks.primary_simulation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from .primary import primary_risk
from .propensity import propensity_score

__all__ = ["PrisonStructure", "structure", "simulate_cohort", "true_effect", "CalibrationResult", "calibrate",
           "summarise", "record_source", "published", "record_table", "PUBLISHED_EXPLORATORY",
           "calibrate_weighted_hr"]

SUBSTANCES = np.array(["alcohol", "cannabis", "cocaine", "opioids"])
COVARIATES = ("age_at_release", "sex", "prior_incarcerations", "primary_substance")
SIZES = (95, 130, 160, 190, 220, 250, 280, 320, 360, 460)


@dataclass(frozen=True)
class PrisonStructure:
    """The ten prisons: sizes, log-hazard offsets and participation offsets (fixed)."""

    sizes: tuple[int, ...]
    log_hazard: tuple[float, ...]
    participation: tuple[float, ...]
    intercept: float  # participation intercept giving about 35% participants


def structure(structure_seed: int = 12, sizes=SIZES) -> PrisonStructure:
    rng = np.random.default_rng(structure_seed)
    k = len(sizes)
    lh = rng.normal(0.0, 0.25, k)
    # participation partly follows the prison's risk (prison confounds), partly not
    part = 0.8 * lh / lh.std() * 0.5 + rng.normal(0.0, 0.4, k)
    return PrisonStructure(tuple(int(s) for s in sizes), tuple(np.round(lh, 4)), tuple(np.round(part, 4)), -0.95)


def _people(rng, n, site_idx, ps: PrisonStructure):
    age = np.clip(np.rint(rng.normal(35, 9, n)), 18, 70)
    male = rng.random(n) < 0.93
    prior = np.minimum(rng.poisson(1.6, n), 20)
    sub = rng.choice(4, n, p=[0.3, 0.25, 0.25, 0.2])
    lin = (ps.intercept + 0.30 * (prior - 1.6) - 0.02 * (age - 35) + 0.5 * np.isin(sub, [2, 3])
           + np.asarray(ps.participation)[site_idx])
    e = 1 / (1 + np.exp(-lin))
    eta0 = (-0.02 * (age - 35) + 0.15 * prior + 0.20 * male + np.array([0.0, 0.05, 0.30, 0.45])[sub]
            + np.asarray(ps.log_hazard)[site_idx])
    return age, male, prior, sub, e, eta0


RATE, SHAPE, DEATH, DEPORTABLE, DEPORT = 0.35, 0.8, 0.012, 0.07, 1.0


def simulate_cohort(rng: np.random.Generator, *, hr: float, ps: PrisonStructure) -> pd.DataFrame:
    """One cohort: ``site, group, duration, status`` (0 censored, 1 reoffence, 2 death, 3 removal) + covariates."""
    site_idx = np.repeat(np.arange(len(ps.sizes)), ps.sizes)
    n = len(site_idx)
    age, male, prior, sub, e, eta0 = _people(rng, n, site_idx, ps)
    z = rng.random(n) < e
    eta = eta0 + np.log(hr) * z
    t_re = (rng.exponential(1.0, n) / (RATE * np.exp(eta))) ** (1 / SHAPE)
    t_death = rng.exponential(1.0, n) / (DEATH * np.where(sub == 3, 3.0, 1.0))
    t_dep = np.where(rng.random(n) < DEPORTABLE, rng.exponential(1.0, n) / DEPORT, np.inf)
    t_cens = rng.uniform(150, 800, n) / 365.25
    times = np.column_stack([t_cens, t_re, t_death, t_dep])
    status = np.argmin(times, axis=1)
    duration = np.ceil(times.min(axis=1) * 365.25)
    # censoring is administrative and counted in whole days: an event on the last day counts
    # a complete year: the administrative end of follow-up (extract minus lag) lies a year or more after release
    eligible_1y = t_cens * 365.25 >= 365.0
    return pd.DataFrame({
        "site": np.array([f"P{i + 1:02d}" for i in range(len(ps.sizes))])[site_idx],
        "group": np.where(z, "participant", "non-participant"),
        "duration": duration, "status": status, "event": (status == 1).astype(int),
        "age_at_release": age, "sex": np.where(male, "male", "female"), "prior_incarcerations": prior.astype(float),
        "primary_substance": SUBSTANCES[sub],
        "eligible_1y": eligible_1y, "reoffended_1y": ((status == 1) & (duration <= 365)).astype(int),
    })


def _risk(eta, sub, tau_years, nodes=48):
    """Exact cumulative incidence of reoffence by ``tau_years`` under the generating model, per person."""
    x, wq = np.polynomial.legendre.leggauss(nodes)
    smax = tau_years ** SHAPE
    s = (x + 1) / 2 * smax          # s = t**shape
    ws = wq / 2 * smax
    t = s ** (1 / SHAPE)
    lam = RATE * np.exp(eta)[:, None]
    death = (DEATH * np.where(sub == 3, 3.0, 1.0))[:, None]
    surv_comp = np.exp(-death * t) * (1 - DEPORTABLE + DEPORTABLE * np.exp(-DEPORT * t))
    return (lam * np.exp(-lam * s) * surv_comp) @ ws


def true_effect(hr: float, ps: PrisonStructure, *, time: float = 365.0, n: int = 400_000,
                seed: int = 7) -> dict:
    """The ATT risk difference (per 100) and ratio at ``time`` days under the generating model."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(ps.sizes, dtype=float)
    site_idx = rng.choice(len(sizes), n, p=sizes / sizes.sum())
    _, _, _, sub, e, eta0 = _people(rng, n, site_idx, ps)
    tau = time / 365.25
    f1 = _risk(eta0 + np.log(hr), sub, tau)
    f0 = _risk(eta0, sub, tau)
    r1, r0 = np.sum(e * f1) / e.sum(), np.sum(e * f0) / e.sum()
    # the unweighted groups' cumulative incidence (Gray, Wilson, Newcombe): non-participants as they are
    c0 = np.sum((1 - e) * f0) / np.sum(1 - e)
    return {"risk_participants": 100 * r1, "risk_counterfactual": 100 * r0, "risk_difference": 100 * (r1 - r0),
            "risk_ratio": r1 / r0, "crude_participants": r1, "crude_non_participants": c0,
            "crude_difference": r1 - c0,
            # what Kaplan-Meier (death and removal censoring) converges to at `time`, per group
            "km_participants": _km_limit(eta0 + np.log(hr), sub, e, tau),
            "km_non_participants": _km_limit(eta0, sub, 1 - e, tau),
            "km_weighted_comparison": _km_limit(eta0, sub, e, tau)}


def _km_limit(eta, sub, weight, tau_years, nodes=48):
    """The limit of (weighted) Kaplan-Meier at ``tau_years`` when death and removal censor.

    In the population (density times ``weight``: e for participants and for the ATT-weighted
    comparison, 1 - e for the unweighted non-participants) the observable hazard of a reoffence is
    ``sum w_i lam_i S_i(t) / sum w_i S_i(t)`` with ``S_i`` the all-cause survival; KM tends to
    ``exp(-integral)`` of it (in ``s = t**shape`` the reoffence hazard is the constant ``lam_i``).
    """
    x, wq = np.polynomial.legendre.leggauss(nodes)
    smax = tau_years ** SHAPE
    s = (x + 1) / 2 * smax
    ws = wq / 2 * smax
    t = s ** (1 / SHAPE)
    lam = RATE * np.exp(eta)
    death = DEATH * np.where(sub == 3, 3.0, 1.0)
    comp = 1 - DEPORTABLE + DEPORTABLE * np.exp(-DEPORT * t)
    num, den = np.zeros(nodes), np.zeros(nodes)
    for a in range(0, len(lam), 50_000):  # in chunks: 400,000 people x 48 nodes at once is 150 MB per array
        b = slice(a, a + 50_000)
        surv = np.exp(-np.outer(lam[b], s) - np.outer(death[b], t)) * comp
        num += (weight[b] * lam[b]) @ surv
        den += weight[b] @ surv
    return float(np.exp(-np.sum(ws * num / den)))


@dataclass(frozen=True, eq=False)
class CalibrationResult(Result):
    """Per-replicate intervals and their error rates.

    ``summary`` indexed by ``(scenario, interval)``: ``replicates``,
    ``miss`` (share of intervals not covering the truth), ``miss_se``,
    ``coverage``, ``excludes_null`` (share excluding no effect: the type-I
    error under the null, the power under an effect), ``mean_width``.
    """

    replicates: pd.DataFrame
    summary: pd.DataFrame
    truths: dict

    @property
    def title(self) -> str:
        return "Calibration of the primary intervals (seeded simulation, ten fixed prisons)"

    def to_frame(self) -> pd.DataFrame:
        return self.summary


#: the names of the exploratory intervals, as they appear in the summary and in the methods chapter
COX_STRATA = "Cox HR, prison strata (model-based)"
WCOX_ROBUST = "weighted Cox HR, prison-robust t(G-1) (not published)"
#: earlier names of intervals, as they appear in replicate files written before a rename
_RENAMED = {"weighted Cox HR, prison-robust t(G-1) (not published: fails)": WCOX_ROBUST}
WCOX_BOOT = "weighted Cox HR, bootstrap within groups"
WCOX_IF = "weighted Cox HR, influence function with the propensity model"
WKM_IF = "weighted KM band at day 365, influence function with the propensity model"
WKM_BAND = "weighted KM band at day 365, bootstrap"
MATCHED = "matched Cox HR, robust per person"
KM_GREENWOOD = "KM at day 365, Greenwood (log)"
GRAY = "cumulative incidence at day 365, Gray (log-log)"
WILSON = "complete-year rate, Wilson"
NEWCOMBE = "complete-year rate difference, Newcombe"
COMPLETE_YEAR = "complete-year weighted rate, refitted propensity, influence function"
LOGRANK = "log-rank stratified by prison (unadjusted: a difference, not an effect)"


def _exploratory(d, ps, hr, truth, *, n_boot_weighted=200, seed=0, min_at_risk=10):
    """The chapter's exploratory intervals on one replicate.

    Rows ``(interval, quantity, estimate, lower, upper, truth or NaN, null or NaN)``; a truth of NaN
    means that only the type-I error is checked (the marginal hazard ratio has no simple truth under an
    effect).
    """
    from ..recidivism import cox_model, cumulative_incidence, kaplan_meier, logrank_test, one_year_rate
    from .complete_year import complete_year_risk
    from .sensitivity import caliper_match, matched_comparison
    from .weighted import weighted_comparison, weighted_cox

    null_only = 1.0 if hr == 1 else np.nan
    out = []
    cox = cox_model(d, covariates=COVARIATES, site_as="strata", bootstrap=None)
    r = cox.summary.loc["group[participant]"]
    # the generating model is a Cox model with these covariates and a prison effect: the conditional HR is hr
    out.append((COX_STRATA, "hazard ratio", r["hr"], r["hr_lower"], r["hr_upper"], hr, 1.0))
    km = kaplan_meier(d, group="group", conf_type="log", times=(365,), min_at_risk=min_at_risk).survival_at
    for _, row in km.iterrows():
        key = "km_participants" if row["group"] == "participant" else "km_non_participants"
        out.append((KM_GREENWOOD, f"survival {row['group']}", row["surv"], row["lower"], row["upper"], truth[key],
                    np.nan))
    wc = weighted_cox(ps.data, site="site").summary.iloc[0]
    out.append((WCOX_ROBUST, "hazard ratio", wc["hr"], wc["hr_lower"], wc["hr_upper"], null_only, 1.0))
    # the chapter's weighted comparison: bootstrap within groups refitting the propensity model
    w = weighted_comparison(ps, n_boot=n_boot_weighted, seed=seed, cluster=None, outcome=None, eligible=None,
                            times=(365,), min_at_risk=min_at_risk)
    h = w.estimates.loc["hazard ratio"]
    out.append((WCOX_BOOT, "hazard ratio", h["estimate"], h["lower"], h["upper"], null_only, 1.0))
    for _, row in w.survival_at.iterrows():
        key = "km_participants" if row["group"] == "participant" else "km_weighted_comparison"
        out.append((WKM_BAND, f"survival {row['group']}", row["surv"], row["lower"], row["upper"], truth[key],
                    np.nan))
    m = matched_comparison(caliper_match(ps), site=None, outcome=None).table.iloc[0]
    out.append((MATCHED, "hazard ratio", m["hr"], m["hr_lower"], m["hr_upper"], null_only, 1.0))
    cif = cumulative_incidence(d, times=(365,), min_at_risk=min_at_risk).at_times.set_index("group")
    for g, key in (("participant", "crude_participants"), ("non-participant", "crude_non_participants")):
        c = cif.loc[g]
        out.append((GRAY, f"risk {g}", c["cif"], c["lower"], c["upper"], truth[key], np.nan))
    head = one_year_rate(d)
    for g, key in (("participant", "crude_participants"), ("non-participant", "crude_non_participants")):
        c = head.rates.loc[g]
        out.append((WILSON, f"rate {g}", c["rate"], c["lower"], c["upper"], truth[key], np.nan))
    out.append((NEWCOMBE, "rate difference", head.difference, head.lower, head.upper, truth["crude_difference"],
                0.0))
    cy = complete_year_risk(d, covariates=COVARIATES, min_at_risk=min_at_risk).estimates
    for q, key, null in (("risk difference", "risk_difference", 0.0), ("risk ratio", "risk_ratio", 1.0)):
        c = cy.loc[q]
        out.append((COMPLETE_YEAR, q, c["estimate"], c["lower"], c["upper"], truth[key], null))
    lr = logrank_test(d, strata="site")
    out.append((LOGRANK, "p < 0.05", float(lr.p_val), np.nan, np.nan, np.nan, 0.0))
    return out


def summarise(reps: pd.DataFrame) -> pd.DataFrame:
    """Per ``(hr, quantity, interval)``: replicates, truth, mean estimate, miss, excludes_null, width, coverage, MC SE."""
    reps = reps.copy()
    miss = ((reps["truth"] < reps["lower"]) | (reps["truth"] > reps["upper"])).astype(float)
    reps["miss"] = miss.where(reps["truth"].notna())
    excl = ((reps["null"] < reps["lower"]) | (reps["null"] > reps["upper"])).astype(float)
    reps["excludes_null"] = excl.where(reps["null"].notna())
    reps["width"] = reps["upper"] - reps["lower"]
    g = reps.groupby(["hr", "quantity", "interval"])
    summary = pd.DataFrame({
        "replicates": g.size(), "truth": g["truth"].first(), "mean_estimate": g["estimate"].mean(),
        "miss": g["miss"].mean(), "excludes_null": g["excludes_null"].mean(), "mean_width": g["width"].mean(),
    })
    summary["coverage"] = 1 - summary["miss"]
    summary["miss_se"] = np.sqrt(summary["miss"] * (1 - summary["miss"]) / summary["replicates"])
    p0 = summary["excludes_null"]
    summary["excludes_null_se"] = np.sqrt(p0 * (1 - p0) / summary["replicates"])
    return summary


def calibrate(n_rep: int = 1000, *, hrs=(1.0, 0.7), n_boot: int = 0, n_boot_reps: int = 0, seed: int = 2026,
              structure_seed: int = 12, time: float = 365.0, min_at_risk: int = 10,
              exploratory_reps: int = 0, n_boot_weighted: int = 200, start: int = 0) -> CalibrationResult:
    """Run the simulation; ``n_boot`` draws of the bootstrap on the first ``n_boot_reps`` replicates.

    ``exploratory_reps``: on that many first replicates also check the chapter's exploratory intervals
    (see :func:`_exploratory`: Cox HR with prison strata; the weighted comparison's bootstrap hazard-ratio
    interval and KM bands with ``n_boot_weighted`` draws, as the chapter; the matched hazard ratio; Gray's
    cumulative-incidence intervals; Wilson and Newcombe intervals of the complete-year rates; the
    complete-year weighted rate with its own propensity model; the prison-robust t(G-1) interval of the
    weighted hazard ratio, which fails and is not published; the stratified log-rank test).
    ``start``: begin at replicate ``start`` (the earlier cohorts are drawn and discarded, so that a run split
    into pieces gives the same replicates as one run).
    """
    ps_struct = structure(structure_seed)
    rows, truths = [], {}
    for hr in hrs:
        truth = true_effect(hr, ps_struct, time=time)
        truths[hr] = truth
        rng = np.random.default_rng([seed, int(round(hr * 1000))])
        for _ in range(start):
            simulate_cohort(rng, hr=hr, ps=ps_struct)
        for rep in range(start, start + n_rep):
            d = simulate_cohort(rng, hr=hr, ps=ps_struct)
            ps = propensity_score(d, covariates=COVARIATES, site="site")
            nb = n_boot if rep < n_boot_reps else 0
            r = primary_risk(ps, n_boot=nb, seed=seed + rep, time=time, min_at_risk=min_at_risk)
            est = r.estimates
            for q, null, true in (("risk difference", 0.0, truth["risk_difference"]),
                                  ("risk ratio", 1.0, truth["risk_ratio"])):
                row = est.loc[q]
                base = {"hr": hr, "rep": rep, "quantity": q, "estimate": row["estimate"], "truth": true,
                        "null": null}
                rows.append({**base, "interval": "influence function", "lower": row["lower"],
                             "upper": row["upper"]})
                if nb:
                    rows.append({**base, "interval": f"bootstrap ({nb})", "lower": row["boot_lower"],
                                 "upper": row["boot_upper"]})
            if rep < exploratory_reps:
                for name, q, estimate, lo, hi, true, null in _exploratory(d, ps, hr, truth, seed=seed + rep,
                                                                        min_at_risk=min_at_risk,
                                                                        n_boot_weighted=n_boot_weighted):
                    if q == "p < 0.05":  # a test: 'excludes_null' is rejection at 5%
                        lo, hi = (-np.inf, np.inf) if estimate >= 0.05 else (np.inf, np.inf)
                    rows.append({"hr": hr, "rep": rep, "quantity": q, "estimate": estimate, "truth": true,
                                 "null": null, "interval": name, "lower": lo, "upper": hi})
    reps = pd.DataFrame(rows)
    summary = summarise(reps)
    remarks = [
        f"{n_rep} replicates per scenario (hazard ratio {', '.join(f'{h:g}' for h in hrs)}), seed {seed}; ten "
        f"prisons of {min(ps_struct.sizes)}-{max(ps_struct.sizes)} people (structure seed {structure_seed}).",
        "Under hazard ratio 1, 'excludes_null' is the type-I error (target 3.5-6.5% at nominal 5%); 'coverage' "
        "is the share of intervals containing the true ATT risk difference or ratio (target 93.5-96.5%).",
    ]
    if n_boot and n_boot_reps:
        remarks.append(f"The bootstrap ({n_boot} draws) is checked on the first {n_boot_reps} replicates only.")
    return CalibrationResult(replicates=reps, summary=summary, truths=truths, remarks=tuple(remarks))


def record_source(pieces, *, command: str, first: int = 2) -> str:
    """Python source of :mod:`analysis.comparison._calibration_record` from the replicate CSVs of a run.

    Each CSV comes with a ``.json`` sidecar (seconds, seed, truths) written by
    ``benchmarks/primary_simulation.py --out``. The record keeps the summary, the truths, the total
    seconds and the first ``first`` replicates of each scenario, so that a test can re-run those.
    """
    import json
    import pprint
    from pathlib import Path

    frames, seconds, truths, seeds = [], 0.0, {}, set()
    for p in pieces:
        p = Path(p)
        frames.append(pd.read_csv(p))
        side = json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
        seconds += side["seconds"]
        truths.update(side["truths"])
        seeds.add(side["seed"])
    if len(seeds) != 1:
        raise ValueError(f"the pieces come from different seeds: {sorted(seeds)}")
    reps = pd.concat(frames, ignore_index=True)
    reps["interval"] = reps["interval"].replace(_RENAMED)
    reps = reps.drop_duplicates(["hr", "rep", "quantity", "interval"])
    summary = summarise(reps).reset_index()
    head = reps[reps["rep"] < first]

    def plain(v):
        if isinstance(v, str):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        v = float(v)
        return v if np.isfinite(v) else None  # NaN, and the infinite limits standing for a test

    record = {
        "command": command, "seed": seeds.pop(), "seconds": round(seconds),
        "replicates_per_scenario": {str(h): int(g["rep"].nunique()) for h, g in reps.groupby("hr")},
        "truths": truths,
        "summary": [{k: plain(v) for k, v in row.items()} for row in summary.to_dict("records")],
        "first_replicates": [{k: plain(v) for k, v in row.items()}
                             for row in head[["hr", "rep", "quantity", "interval", "estimate", "lower",
                                              "upper"]].to_dict("records")],
    }
    return ('"""The recorded run of :func:`analysis.comparison.calibration.calibrate` that the reoffending and\n'
            'methods chapters publish. GENERATED by benchmarks/primary_simulation.py --record: do not edit by\n'
            'hand; tests/analysis/comparison/test_calibration.py re-runs its first replicates."""\n\n'
            f"RECORD = {pprint.pformat(record, width=110, sort_dicts=False)}\n")


def published() -> pd.DataFrame:
    """The recorded calibration's summary (``_calibration_record``), indexed by ``(hr, quantity, interval)``."""
    from ._calibration_record import RECORD

    return pd.DataFrame(RECORD["summary"]).set_index(["hr", "quantity", "interval"]).sort_index()


#: the exploratory intervals the reoffending chapter publishes (the prison-robust t(G-1) one is not published)
PUBLISHED_EXPLORATORY = (COX_STRATA, KM_GREENWOOD, GRAY, WILSON, NEWCOMBE, WKM_IF, WCOX_IF, MATCHED,
                         COMPLETE_YEAR)


def record_table() -> pd.DataFrame:
    """The record as the methods chapter shows it: one row per interval and quantity.

    Columns ``interval``, ``quantity``, ``replicates`` (per scenario), ``excludes no effect (null)`` (the
    type-I error where the null is true of the estimand; the rejection rate of a raw difference otherwise),
    ``coverage (null)``, ``coverage (effect)`` (shares, NaN where the estimand has no simple truth) and
    ``MC SE`` (the largest Monte-Carlo standard error of those shares).
    """
    s = published().reset_index()
    rows = []
    order = ["influence function", *PUBLISHED_EXPLORATORY, WKM_BAND, WCOX_BOOT, WCOX_ROBUST, LOGRANK]
    for (interval, quantity), g in s.groupby(["interval", "quantity"], sort=False):
        g = g.set_index("hr")
        null, eff = g.loc[1.0] if 1.0 in g.index else None, g.loc[0.7] if 0.7 in g.index else None
        shares = [x for x in (null["excludes_null"] if null is not None else np.nan,
                              null["coverage"] if null is not None else np.nan,
                              eff["coverage"] if eff is not None else np.nan) if np.isfinite(x)]
        reps = int(g["replicates"].min())
        rows.append({
            "interval": interval, "quantity": quantity, "replicates": reps,
            "excludes no effect (null)": null["excludes_null"] if null is not None else np.nan,
            "coverage (null)": null["coverage"] if null is not None else np.nan,
            "coverage (effect)": eff["coverage"] if eff is not None else np.nan,
            "MC SE": max(np.sqrt(p * (1 - p) / reps) for p in shares) if shares else np.nan,
            "_order": order.index(interval) if interval in order else len(order),
        })
    return (pd.DataFrame(rows).sort_values(["_order", "quantity"], kind="stable").drop(columns="_order")
            .reset_index(drop=True))


def calibrate_weighted_hr(n_rep: int = 1000, *, hrs=(1.0, 0.7), seed: int = 2026, structure_seed: int = 12,
                          start: int = 0, min_at_risk: int = 10) -> pd.DataFrame:
    """Replicate rows for the weighted comparison's influence-function intervals only.

    ``weighted_comparison(..., intervals="influence")`` as the chapter calls it: the weighted hazard ratio
    (``WCOX_IF``; the marginal hazard ratio has a simple truth only under the null, so only its type-I error
    is checked) and the weighted KM bands at day 365 (``WKM_IF``, against the limits of :func:`true_effect`).
    The same cohorts as :func:`calibrate` with the same ``seed`` (replicate ``k`` is the same data). Rows as
    :attr:`CalibrationResult.replicates` (combine with :func:`record_source`).
    """
    from .weighted import weighted_comparison

    ps_struct = structure(structure_seed)
    rows = []
    for hr in hrs:
        truth = true_effect(hr, ps_struct)
        rng = np.random.default_rng([seed, int(round(hr * 1000))])
        for _ in range(start):
            simulate_cohort(rng, hr=hr, ps=ps_struct)
        for rep in range(start, start + n_rep):
            d = simulate_cohort(rng, hr=hr, ps=ps_struct)
            ps = propensity_score(d, covariates=COVARIATES, site="site")
            # the band at day 365 does not depend on the plotting grid: a coarse grid keeps the run short
            w = weighted_comparison(ps, intervals="influence", cluster=None, site=None, outcome=None, eligible=None,
                                    times=(365,), min_at_risk=min_at_risk, grid_step=400.0)
            h = w.estimates.loc["hazard ratio"]
            rows.append({"hr": hr, "rep": rep, "quantity": "hazard ratio", "estimate": h["estimate"],
                         "truth": 1.0 if hr == 1 else np.nan, "null": 1.0, "interval": WCOX_IF,
                         "lower": h["lower"], "upper": h["upper"]})
            for _, row in w.survival_at.iterrows():
                key = "km_participants" if row["group"] == "participant" else "km_weighted_comparison"
                rows.append({"hr": hr, "rep": rep, "quantity": f"survival {row['group']}", "estimate": row["surv"],
                             "truth": truth[key], "null": np.nan, "interval": WKM_IF, "lower": row["lower"],
                             "upper": row["upper"]})
    return pd.DataFrame(rows)
