"""A seeded simulation study that calibrates the wellbeing chapter's intervals.

The design (ten prisons, as the developers' guide requires)
-----------------------------------------------------------
* **Ten prisons of unequal size** (:data:`SIZES`, 45 to 200 baseline
  questionnaires, 1,150 in all). Prisons are fixed, not sampled: they are the
  ten D&D projects. Each has its own wellbeing level, its own change between
  the questionnaires, its own level of participation, its own share of
  detainees released before the follow-up and its own size of the
  participation effect (the effect differs between prisons), drawn once from
  ``structure_seed`` and kept across replicates (:func:`structure`).
* **Measurement as in the demo**: a latent WHO-5 level (raw 0–25) per
  person; each of the five items is the latent level / 5 plus noise (SD
  0.7), rounded and clipped to 0–5; the score is 4 × the sum (0–100).
* **Observed confounding of participation**: the chance to take part
  depends on the observed baseline score (those who report low wellbeing
  are referred more), age band, gender and prison; the latent change
  depends on age band and prison too. The chapter's conditioning set
  (baseline score, age band, gender, prison) blocks every back-door path.
* **Attrition**: release before the follow-up (by prison and age band) is
  the intercurrent event of the 'while detained' estimand: released people
  leave the estimand population. Refusal or transfer (more often with a low
  baseline score) is missing at random given the baseline score.
* **A true null** (no participation effect) and **a true effect** (a latent
  change of ``effect_raw`` raw points among participants, about 6 points on
  the 0–100 scale before clipping, times the prison's multiplier, which
  varies between 0.2 and 1.7). With effects that differ between prisons the
  propensity weights matter: weighted by ATT weights from a model with
  prison as fixed effects, the ANCOVA with prison fixed effects weights each
  prison by its number of participants (each prison's weighted comparison
  group is about as large as its participants), i.e. it estimates the ATT;
  the unweighted ANCOVA weights prisons by the variance of participation
  within them and omits age band, so it is shown as a contrast only.

Truths, from the generating model (:func:`true_values`, 400,000 draws)
-----------------------------------------------------------------------
* **primary** (ATT while detained): the mean over participants not released
  before the follow-up of Y(1) − Y(0), the 0–100 score with and without the
  participation effect, with the same latent and item noise (clipping makes
  it a little less than 4 × ``effect_raw``); averaged with the true
  participation probabilities as weights. Zero under the null.
* **paired change** (what the chapter's completers-only paired interval
  estimates): the expected follow-up minus baseline score among those who
  answer both questionnaires, overall and per prison. Not zero under the
  null: time inside changes scores, and completers are selected on their
  baseline score.

Every replicate runs the chapter's own calls: :func:`.participation_change`
(``mixed=False``: its propensity-weighted ANCOVA, HC1 intervals, is the
published primary interval; the plain ANCOVA is shown beside it) and
:func:`.paired_change` (overall t interval and the per-prison intervals of
the forest plot). Each replicate draws from its own seed
(``SeedSequence(seed).spawn``), so replicate *i* is the same whatever the
number of replicates. The runner is ``benchmarks/wellbeing_calibration.py``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.results import Result
from analysis.wellbeing.change import paired_change
from analysis.wellbeing.participation import NON_PARTICIPANT, PARTICIPANT, participation_change

__all__ = ["SIZES", "PrisonStructure", "structure", "simulate_study", "true_values", "CalibrationResult",
           "record_source", "published", "summarise",
           "calibrate", "PRIMARY", "ANCOVA"]

SIZES = (45, 60, 75, 90, 105, 120, 135, 150, 170, 200)
PRIMARY = "ANCOVA, propensity-weighted (ATT)"
ANCOVA = "ANCOVA (baseline score, prison)"
AGE_P = (0.18, 0.32, 0.26, 0.16, 0.08)  # age bands 1-5 (<25, 25-34, 35-44, 45-54, 55+)
BASE_RAW, PERSON_SD, SHIFT_RAW, CHANGE_SD, ITEM_SD = 11.0, 4.0, 2.0, 3.0, 0.7


@dataclass(frozen=True)
class PrisonStructure:
    """The ten prisons (fixed): sizes and offsets of level, change, participation and release."""

    sizes: tuple[int, ...]
    level: tuple[float, ...]  # latent wellbeing offset (raw points)
    change: tuple[float, ...]  # latent change offset (raw points)
    participation: tuple[float, ...]  # log-odds offset of taking part
    release: tuple[float, ...]  # share released before the follow-up
    effect: tuple[float, ...]  # prison's multiplier of the participation effect (heterogeneity)


def _t(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def structure(structure_seed: int = 13, sizes=SIZES) -> PrisonStructure:
    """Draw the ten prisons' fixed differences once."""
    rng = np.random.default_rng(structure_seed)
    k = len(sizes)
    return PrisonStructure(tuple(int(s) for s in sizes), _t(np.round(rng.normal(0, 1.0, k), 4)),
                           _t(np.round(rng.normal(0, 0.6, k), 4)), _t(np.round(rng.normal(0, 0.5, k), 4)),
                           _t(np.round(rng.uniform(0.12, 0.35, k), 4)),
                           _t(np.round(np.clip(1 + rng.normal(0, 0.4, k), 0.2, None), 4)))


def _score(latent, eps):
    return 4.0 * np.clip(np.rint(np.asarray(latent)[:, None] / 5.0 + eps), 0, 5).sum(1)


def _people(rng, site_idx, ps: PrisonStructure):
    """Covariates, latent levels, observed baseline score and the true probabilities."""
    n = len(site_idx)
    age = rng.choice(5, n, p=AGE_P) + 1.0
    female = (rng.random(n) < 0.07).astype(float)
    w0 = BASE_RAW + np.asarray(ps.level)[site_idx] + rng.normal(0, PERSON_SD, n)
    pre = _score(w0, rng.normal(0, ITEM_SD, (n, 5)))
    e = 1 / (1 + np.exp(-(-0.55 - 0.025 * (pre - 44) - 0.25 * (age - 2.5) + 0.4 * female
                          + np.asarray(ps.participation)[site_idx])))
    p_rel = np.clip(np.asarray(ps.release)[site_idx] * np.where(age <= 2, 1.3, 0.8), 0, 0.9)
    p_ref = 1 / (1 + np.exp(-(-1.7 - 0.02 * (pre - 44))))
    change = SHIFT_RAW + np.asarray(ps.change)[site_idx] + 0.3 * (age - 2.5)
    return age, female, w0, pre, e, p_rel, p_ref, change


def simulate_study(rng: np.random.Generator, *, effect_raw: float, ps: PrisonStructure):
    """One study: the long scores frame (``pid, site, wave, score``) and the groups frame
    (``pid, group, age_band, gender``), with follow-up scores only for those who answered it."""
    site_idx = np.repeat(np.arange(len(ps.sizes)), ps.sizes)
    n = len(site_idx)
    age, female, w0, pre, e, p_rel, p_ref, change = _people(rng, site_idx, ps)
    z = rng.random(n) < e
    w1 = w0 + change + effect_raw * np.asarray(ps.effect)[site_idx] * z + rng.normal(0, CHANGE_SD, n)
    post = _score(w1, rng.normal(0, ITEM_SD, (n, 5)))
    released = rng.random(n) < p_rel
    transferred = rng.random(n) < 0.07
    refused = rng.random(n) < p_ref
    answered = ~(released | transferred | refused)
    pid = np.array([f"S{i:05d}" for i in range(n)])
    site = np.array([f"P{i + 1:02d}" for i in range(len(ps.sizes))])[site_idx]
    scores = pd.concat([pd.DataFrame({"pid": pid, "site": site, "wave": 1, "score": pre}),
                        pd.DataFrame({"pid": pid[answered], "site": site[answered], "wave": 2,
                                      "score": post[answered]})], ignore_index=True)
    groups = pd.DataFrame({"pid": pid, "group": np.where(z, PARTICIPANT, NON_PARTICIPANT), "age_band": age,
                           "gender": female + 1.0})
    return scores, groups, released


def true_values(effect_raw: float, ps: PrisonStructure, *, n: int = 400_000, seed: int = 7) -> dict:
    """The truths of the primary estimand and of the paired change (overall and per prison), see module notes."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(ps.sizes, dtype=float)
    site_idx = rng.choice(len(sizes), n, p=sizes / sizes.sum())
    age, female, w0, pre, e, p_rel, p_ref, change = _people(rng, site_idx, ps)
    w1 = w0 + change + rng.normal(0, CHANGE_SD, n)
    eps = rng.normal(0, ITEM_SD, (n, 5))
    y0, y1 = _score(w1, eps), _score(w1 + effect_raw * np.asarray(ps.effect)[site_idx], eps)
    stay = 1 - p_rel
    primary = float(np.sum(e * stay * (y1 - y0)) / np.sum(e * stay))
    q = stay * 0.93 * (1 - p_ref)  # answers the follow-up
    d = e * y1 + (1 - e) * y0 - pre
    paired = float(np.sum(q * d) / q.sum())
    by_site = {f"P{k + 1:02d}": float(np.sum((q * d)[site_idx == k]) / q[site_idx == k].sum())
               for k in range(len(sizes))}
    return {"primary": primary, "paired": paired, "paired_by_site": by_site}


@dataclass(frozen=True, eq=False)
class CalibrationResult(Result):
    """Error rates of the chapter's intervals.

    ``summary``, one row per ``scenario`` × ``interval``: ``replicates``,
    ``truth`` (mean truth for per-prison rows), ``mean_estimate``,
    ``coverage``, ``miss_se`` (Monte-Carlo SE of the coverage),
    ``excludes_zero`` (the type-I error where the truth is zero, the power
    otherwise), ``mean_width``, ``sd_estimate``, ``mean_se``.
    ``replicates``: every interval of every replicate.
    """

    summary: pd.DataFrame
    replicates: pd.DataFrame
    truths: dict
    seconds: float

    @property
    def title(self) -> str:
        return "Calibration of the wellbeing intervals by simulation (ten prisons)"

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def rate(self, scenario: str, interval: str, column: str = "coverage") -> float:
        return float(self.summary.set_index(["scenario", "interval"]).loc[(scenario, interval), column])


def _one(rng, effect_raw, ps, truth) -> list[dict]:
    scores, groups, _ = simulate_study(rng, effect_raw=effect_raw, ps=ps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pc = participation_change(scores, groups, covariates=("age_band", "gender"), pre=1, post=2, mixed=False)
        ch = paired_change(scores, pre=1, post=2)
    t = pc.table.set_index("analysis")
    out = [dict(interval=k, truth=truth["primary"], estimate=t.loc[k, "estimate"], se=t.loc[k, "se"],
                ci_low=t.loc[k, "ci_low"], ci_high=t.loc[k, "ci_high"]) for k in (PRIMARY, ANCOVA)]
    out.append(dict(interval="paired change, t (completers)", truth=truth["paired"], estimate=ch.mean_change,
                    se=np.nan, ci_low=ch.change_ci[0], ci_high=ch.change_ci[1]))
    for r in ch.by_site.itertuples():
        out.append(dict(interval="paired change by prison, t", truth=truth["paired_by_site"][r.site],
                        estimate=r.mean_change, se=np.nan, ci_low=r.change_ci_low, ci_high=r.change_ci_high))
    return out


def summarise(reps: pd.DataFrame) -> pd.DataFrame:
    """The summary table of :class:`CalibrationResult` from the per-replicate intervals."""
    reps = reps.assign(covers=(reps["ci_low"] <= reps["truth"]) & (reps["truth"] <= reps["ci_high"]),
                       excludes_zero=(reps["ci_low"] > 0) | (reps["ci_high"] < 0),
                       width=reps["ci_high"] - reps["ci_low"])
    g = reps.groupby(["scenario", "interval"], sort=False)
    summary = pd.DataFrame({
        "replicates": g.size(), "truth": g["truth"].mean(), "mean_estimate": g["estimate"].mean(),
        "coverage": g["covers"].mean(), "excludes_zero": g["excludes_zero"].mean(), "mean_width": g["width"].mean(),
        "sd_estimate": g["estimate"].std(), "mean_se": g["se"].mean(),
    }).reset_index()
    summary["miss_se"] = np.sqrt(summary["coverage"] * (1 - summary["coverage"]) / summary["replicates"])
    return summary


def calibrate(n_reps: int = 1000, *, seed: int = 2026, effect_raw: float = 1.5, structure_seed: int = 13,
              truth_draws: int = 400_000) -> CalibrationResult:
    """Run ``n_reps`` replicates under the null and under the effect ``effect_raw`` (module notes)."""
    import time

    t0 = time.perf_counter()
    ps = structure(structure_seed)
    scenarios = {"null": 0.0, "effect": effect_raw}
    truths = {name: true_values(eff, ps, n=truth_draws) for name, eff in scenarios.items()}
    rows = []
    for s_idx, (name, eff) in enumerate(scenarios.items()):
        for i, child in enumerate(np.random.SeedSequence([seed, s_idx]).spawn(n_reps)):
            for rec in _one(np.random.default_rng(child), eff, ps, truths[name]):
                rows.append({"scenario": name, "replicate": i, **rec})
    reps = pd.DataFrame(rows)
    summary = summarise(reps)
    seconds = time.perf_counter() - t0
    remarks = (
        f"{n_reps} replicates per scenario (seed {seed}; prisons from structure seed {structure_seed}); "
        f"{seconds:.0f} s.",
        "Targets: type-I error 3.5–6.5% under the null, coverage 93.5–96.5%.",
        "Per-prison rows pool the ten prisons' intervals (replicates × 10).",
    )
    return CalibrationResult(summary=summary, replicates=reps, truths=truths, seconds=seconds, remarks=remarks)


def record_source(res: CalibrationResult, *, n_reps: int, seed: int, command: str, first: int = 3) -> str:
    """Python source of :mod:`analysis.wellbeing._calibration_record` (what :func:`published` returns):
    the summary, the truths and the first ``first`` replicates of each scenario, so that a test can re-run
    those replicates and check that the record came from this code and seed."""
    import pprint

    reps = res.replicates
    head = reps[reps["replicate"] < first][["scenario", "replicate", "interval", "estimate", "ci_low", "ci_high"]]
    def plain(v):
        if isinstance(v, str):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        return None if np.isnan(v) else float(v)

    record = {
        "command": command, "seed": seed, "n_reps": n_reps, "seconds": round(res.seconds),
        "truths": res.truths,
        "summary": [{k: plain(v) for k, v in row.items()} for row in res.summary.to_dict("records")],
        "first_replicates": [{k: plain(v) for k, v in row.items()} for row in head.to_dict("records")],
    }
    return ('"""The recorded run of :func:`analysis.wellbeing.calibration.calibrate` that the wellbeing chapter\n'
            'publishes. GENERATED by benchmarks/wellbeing_calibration.py --record: do not edit by hand;\n'
            'tests/analysis/wellbeing/test_calibration.py re-runs its first replicates."""\n\n'
            f"RECORD = {pprint.pformat(record, width=110, sort_dicts=False)}\n")


def published() -> CalibrationResult:
    """The recorded 1,000-replicate calibration (``_calibration_record``) as a result object."""
    from analysis.wellbeing._calibration_record import RECORD

    summary = pd.DataFrame(RECORD["summary"]).fillna(np.nan).infer_objects()
    remarks = (
        f"{RECORD['n_reps']} replicates per scenario (seed {RECORD['seed']}), {RECORD['seconds'] / 60:.0f} minutes: "
        f"{RECORD['command']}.",
        "Targets: type-I error 3.5–6.5% under the null, coverage 93.5–96.5%.",
        "Per-prison rows pool the ten prisons' intervals (replicates × 10).",
    )
    return CalibrationResult(summary=summary, replicates=pd.DataFrame(RECORD["first_replicates"]),
                             truths=RECORD["truths"], seconds=float(RECORD["seconds"]), remarks=remarks)
