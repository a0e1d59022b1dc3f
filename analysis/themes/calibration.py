"""A seeded simulation study that calibrates the themes chapter's kappa intervals.

The design (ten prisons, as the developers' guide requires)
-----------------------------------------------------------
* **Ten prisons**, each with a fixed number of double-coded transcripts
  (:data:`SIZES`, 1 to 4, 24 in all: about a third of the interviews, as in
  the project) and its own prevalence of the theme (log-odds offsets drawn
  once from ``structure_seed``) and its own difficulty for the second coder
  (transcripts from some prisons are harder to code).
* **Transcripts of 3 to 6 paragraphs**; a transcript raises the theme with
  its prison's prevalence, and then each paragraph carries it with
  probability 0.5 (at least one).
* **Two coders** judge every paragraph. Coder A finds a present theme with
  probability 0.92 and marks an absent one with 0.04; coder B with its
  prison's sensitivity (about 0.85) — except that in one transcript in five
  coder B misreads the interview and finds a present theme with probability
  0.35 only, in all its paragraphs at once. These shared slips make
  paragraphs of one transcript dependent, as in real coding.
* A coder applied the theme to a **transcript** when they applied it to any
  of its paragraphs.

Truths (:func:`true_kappas`): Cohen's kappa of the two coders on the whole
population of units this design produces (the ten prisons in their
proportions): computed from the pooled table of 20,000 simulated studies, for
transcripts and for paragraphs.

Intervals, as the chapter computes them
---------------------------------------
* **Wald** (:func:`analysis.themes.reliability.cohen_kappa`): kappa ± z·SE with
  the large-sample SE, units independent;
* **bootstrap over transcripts**
  (:func:`analysis.themes.bootstrap.cluster_bootstrap_kappa`): transcripts
  resampled with all their units; kappa ± t(m − 1)·SE with the bootstrap SE
  (the chapter's), and the percentile limits of the same resamples.

Each replicate draws from its own seed (``SeedSequence(seed).spawn``), so
replicate *i* is the same whatever the number of replicates. The runner is
``benchmarks/themes_calibration.py``; its ``--record`` writes
``analysis/themes/_calibration_record.py``, which the chapter publishes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from .bootstrap import cluster_bootstrap_kappa
from .reliability import cohen_kappa

__all__ = ["SIZES", "ThemesStructure", "structure", "simulate_study", "true_kappas", "calibrate",
           "KappaCalibration", "record_source", "published", "WALD", "BOOTSTRAP", "PERCENTILE", "LEVELS"]

SIZES = (1, 1, 2, 2, 2, 3, 3, 3, 3, 4)
WALD = "Wald (units independent)"
BOOTSTRAP = "bootstrap over transcripts, t"
PERCENTILE = "bootstrap over transcripts, percentile"
LEVELS = ("transcript", "paragraph")
SENS_A, FALSE_A, FALSE_B, SLIP_P, SLIP_SENS = 0.92, 0.04, 0.05, 0.2, 0.35


@dataclass(frozen=True)
class ThemesStructure:
    """The ten prisons (fixed): double-coded transcripts, prevalence and coder B's sensitivity."""

    sizes: tuple[int, ...]
    prevalence: tuple[float, ...]
    sensitivity_b: tuple[float, ...]


def structure(structure_seed: int = 13, sizes=SIZES) -> ThemesStructure:
    """Draw the prisons' fixed differences once."""
    rng = np.random.default_rng(structure_seed)
    k = len(sizes)
    prevalence = 1 / (1 + np.exp(-(np.log(0.45 / 0.55) + rng.normal(0, 0.7, k))))
    sens_b = 1 / (1 + np.exp(-(1.75 + rng.normal(0, 0.6, k))))
    return ThemesStructure(tuple(int(s) for s in sizes), tuple(np.round(prevalence, 4).tolist()),
                           tuple(np.round(sens_b, 4).tolist()))


def simulate_study(rng: np.random.Generator, ps: ThemesStructure, copies: int = 1) -> pd.DataFrame:
    """One study (``copies`` > 1 stacks independent studies): a row per paragraph with ``transcript``,
    ``site``, ``a`` and ``b`` (0/1 judgements of the two coders)."""
    site = np.repeat(np.arange(len(ps.sizes)), np.asarray(ps.sizes) * copies)
    n_t = len(site)
    n_par = rng.integers(3, 7, n_t)
    raises = rng.random(n_t) < np.asarray(ps.prevalence)[site]
    slip = rng.random(n_t) < SLIP_P
    t_idx = np.repeat(np.arange(n_t), n_par)
    present = (rng.random(len(t_idx)) < 0.5) & raises[t_idx]
    first = np.r_[0, np.cumsum(n_par)[:-1]]
    present[first] |= raises                                   # at least one paragraph when raised
    u_a, u_b = rng.random(len(t_idx)), rng.random(len(t_idx))
    a = np.where(present, u_a < SENS_A, u_a < FALSE_A)
    sens_b = np.where(slip[t_idx], SLIP_SENS, np.asarray(ps.sensitivity_b)[site[t_idx]])
    b = np.where(present, u_b < sens_b, u_b < FALSE_B)
    return pd.DataFrame({"transcript": t_idx, "site": site[t_idx], "a": a.astype(int), "b": b.astype(int)})


def _by_transcript(paragraphs: pd.DataFrame) -> pd.DataFrame:
    return paragraphs.groupby("transcript", sort=True).agg(site=("site", "first"), a=("a", "max"), b=("b", "max"))


def _kappa(table: pd.DataFrame) -> float:
    return cohen_kappa(table[["a", "b"]].to_numpy()).estimate


def true_kappas(ps: ThemesStructure, *, copies: int = 20_000, seed: int = 7) -> dict:
    """Population kappa per level from ``copies`` pooled studies."""
    paragraphs = simulate_study(np.random.default_rng(seed), ps, copies=copies)
    return {"paragraph": float(_kappa(paragraphs)), "transcript": float(_kappa(_by_transcript(paragraphs)))}


def _one(rng, ps, truth, n_boot) -> list[dict]:
    paragraphs = simulate_study(rng, ps)
    boot_seed = int(rng.integers(2**31))
    out = []
    for level, units in (("transcript", _by_transcript(paragraphs).reset_index()), ("paragraph", paragraphs)):
        ratings = units[["a", "b"]].to_numpy()
        for name, stat in (
            (WALD, cohen_kappa(ratings)),
            (BOOTSTRAP, cluster_bootstrap_kappa(ratings, units["transcript"].to_numpy(), n_boot=n_boot,
                                                seed=boot_seed)),
            (PERCENTILE, cluster_bootstrap_kappa(ratings, units["transcript"].to_numpy(), n_boot=n_boot,
                                                 seed=boot_seed, method="percentile")),
        ):
            out.append({"level": level, "interval": name, "truth": truth[level], "estimate": stat.estimate,
                        "ci_low": stat.ci_lower, "ci_high": stat.ci_upper})
    return out


@dataclass(frozen=True)
class KappaCalibration(Result):
    """Coverage of the kappa intervals per level and interval."""

    summary: pd.DataFrame
    replicates: pd.DataFrame
    truths: dict
    seconds: float

    @property
    def title(self) -> str:
        return "Calibration of the kappa intervals by simulation (ten prisons)"

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def rate(self, level: str, interval: str, column: str = "coverage") -> float:
        return float(self.summary.set_index(["level", "interval"]).loc[(level, interval), column])


def summarise(reps: pd.DataFrame) -> pd.DataFrame:
    """Coverage (undefined intervals count as misses), width and bias per level and interval."""
    defined = reps["ci_low"].notna() & reps["ci_high"].notna()
    reps = reps.assign(covers=defined & (reps["ci_low"] <= reps["truth"]) & (reps["truth"] <= reps["ci_high"]),
                       undefined=~defined, width=reps["ci_high"] - reps["ci_low"])
    g = reps.groupby(["level", "interval"], sort=False)
    summary = pd.DataFrame({
        "replicates": g.size(), "truth": g["truth"].mean(), "mean_estimate": g["estimate"].mean(),
        "coverage": g["covers"].mean(), "undefined": g["undefined"].mean(), "mean_width": g["width"].mean(),
    }).reset_index()
    summary["miss_se"] = np.sqrt(summary["coverage"] * (1 - summary["coverage"]) / summary["replicates"])
    return summary


def calibrate(n_reps: int = 1000, *, seed: int = 2026, structure_seed: int = 13, n_boot: int = 999,
              truth_copies: int = 20_000) -> KappaCalibration:
    """Run ``n_reps`` replicates of the design (module notes)."""
    t0 = time.perf_counter()
    ps = structure(structure_seed)
    truths = true_kappas(ps, copies=truth_copies)
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_reps)):
        for rec in _one(np.random.default_rng(child), ps, truths, n_boot):
            rows.append({"replicate": i, **rec})
    reps = pd.DataFrame(rows)
    seconds = time.perf_counter() - t0
    remarks = (f"{n_reps} replicates (seed {seed}; prisons from structure seed {structure_seed}; {n_boot} "
               f"bootstrap resamples each); {seconds:.0f} s.",
               "Target coverage 93.5–96.5%; an undefined interval counts as a miss.")
    return KappaCalibration(summary=summarise(reps), replicates=reps, truths=truths, seconds=seconds,
                            remarks=remarks)


def record_source(res: KappaCalibration, *, n_reps: int, seed: int, command: str, first: int = 3) -> str:
    """Python source of :mod:`analysis.themes._calibration_record`: the summary, the truths and the first
    ``first`` replicates, so that a test can re-run them and check the record came from this code."""
    import pprint

    def plain(v):
        if isinstance(v, str):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        return None if np.isnan(v) else float(v)

    head = res.replicates[res.replicates["replicate"] < first]
    record = {
        "command": command, "seed": seed, "n_reps": n_reps, "seconds": round(res.seconds), "truths": res.truths,
        "summary": [{k: plain(v) for k, v in row.items()} for row in res.summary.to_dict("records")],
        "first_replicates": [{k: plain(v) for k, v in row.items()} for row in head.to_dict("records")],
    }
    return ('"""The recorded run of :func:`analysis.themes.calibration.calibrate` that the themes chapter\n'
            'publishes. GENERATED by benchmarks/themes_calibration.py --record: do not edit by hand;\n'
            'tests/analysis/themes/test_calibration.py re-runs its first replicates."""\n\n'
            f"RECORD = {pprint.pformat(record, width=110, sort_dicts=False)}\n")


def published() -> KappaCalibration:
    """The recorded calibration (``_calibration_record``) as a result object."""
    from ._calibration_record import RECORD

    summary = pd.DataFrame(RECORD["summary"]).fillna(np.nan).infer_objects()
    remarks = (f"{RECORD['n_reps']} replicates (seed {RECORD['seed']}), {RECORD['seconds']} s: {RECORD['command']}.",
               "Target coverage 93.5–96.5%; an undefined interval counts as a miss.")
    return KappaCalibration(summary=summary, replicates=pd.DataFrame(RECORD["first_replicates"]),
                            truths=RECORD["truths"], seconds=float(RECORD["seconds"]), remarks=remarks)
