"""The demo's settings and its known true effects (``<workspace>/demo_truth.yaml``).

The synthetic demo evaluation is generated from the parameters below, so
the book's estimates can be checked against the truth:

- **Reoffending** follows a proportional-hazards (Cox-type) model with a
  Weibull baseline: the hazard of the first reoffence after release is
  ``h0(t) * exp(log(HR) * participant + covariates + site frailty)``. The
  hazard ratio of participation (:attr:`Effects.hr_participation`) is the
  true *conditional* (covariate- and site-adjusted), *cause-specific* hazard
  ratio; death and deportation compete. Participation is more likely with
  more prior incarcerations, opioid or cocaine use, youth and a longer stay,
  which also raise the hazard: the unadjusted comparison is confounded.
- **Wellbeing**: a latent WHO-5 level per detainee shifts by
  :attr:`Effects.who5_shift_raw` raw points (0–25) between baseline and
  follow-up, participants (as the wellbeing chapter defines them) by
  :attr:`Effects.who5_participation_raw` more – the true participation
  effect, written as ``who5_participation_effect`` on the 0–100 scale; the items are rounded and clipped to 0–5, so the expected change
  of the 0–100 score is computed by simulation from the same model
  (:func:`expected_changes`, 400,000 draws: Monte Carlo error about 0.03 points) and written as the population
  truth. The changes realised in the generated sample (completers with a
  valid score at both waves) are written too: an estimate from the store must
  reproduce them exactly.
- **Which participation effect** (the estimand the wellbeing chapter's
  primary interval targets): the effect among participants (ATT) of those
  still detained at the follow-up ('while detained'), on the 0–100 score.
  In the generator participation does not depend on wellbeing and the latent
  effect is the same for everyone, so the ATT equals the population average
  effect; only the clipping of the items makes the effect depend a little on
  the person's level. Two values are written: the **population** value
  ``population.who5_participation_effect`` (the superpopulation truth, by
  simulation) and the **sample** value ``sample.who5_participation_effect``:
  the conditional ATT of the generated sample, i.e. the mean over the
  participants who answered both questionnaires of the expected score
  difference with and without the effect given their drawn latent levels
  (:func:`who5_expected_effect`, exact: expectation over the item noise by
  the normal distribution function). Neither is the realised difference
  between the groups' changes: that includes the sampling error of the
  comparison group, which the interval is there to cover. The default demo
  (seed 20250306) is a draw whose estimate lies 2.5 standard errors below
  the truth (its participants' latent change noise happens to be 0.39 raw
  points below the non-participants'); a 95% interval misses like this in
  about 1 of 75 draws. The truth is defined on the population the estimate
  targets (participants as the chapter classifies them — the store's
  classification reproduces the generator's exactly — still detained and
  answering at the follow-up); participation does not depend on the latent
  change, and attrition depends on the baseline level only, which the
  ANCOVA conditions on: no structural cause of the miss was found (issue 13,
  checked twice). Over demo seeds 1–100 (``benchmarks/wellbeing_demo_seeds.py
  --record``, kept in :mod:`evaluation.demo._wellbeing_seeds_record`) the
  estimate averages 5.64 (SD 1.20 against a mean standard error of 1.23) and
  its interval covers the truth in 92% (Monte-Carlo SE 2.7), consistent with
  95%; that record, not one seed, is what the demo test checks
  (``tests/evaluation/demo/test_wellbeing_generator.py``), and the
  calibration over 1,000 simulated studies is
  :mod:`analysis.wellbeing.calibration`.

Everything here is synthetic; no real person is described.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import yaml

__all__ = [
    "Effects",
    "DemoScale",
    "SCALES",
    "DEFAULT_SEED",
    "TRUTH_FILE",
    "PROJECT_START",
    "EXTRACT_DATE",
    "DEMO_TODAY",
    "expected_changes",
    "who5_expected_effect",
    "write_truth",
    "load_truth",
    "reoffending_att",
]

DEFAULT_SEED = 20250306
TRUTH_FILE = "demo_truth.yaml"
#: first day peer workers were active (contacts and surveys start here)
PROJECT_START = dt.date(2025, 1, 6)
#: date of the administrative release and reoffending extract
EXTRACT_DATE = dt.date(2026, 9, 30)
#: the date intake validates against ("not in the future"): fixed so the demo does not depend on the clock
DEMO_TODAY = dt.date(2026, 10, 15)


@dataclass(frozen=True)
class DemoScale:
    """How many of everything per site."""

    name: str
    detainees: tuple[int, int]  # baseline questionnaires per site (min, max)
    episodes: tuple[int, int]  # release episodes per site
    staff: tuple[int, int]
    peer_workers: tuple[int, int] = (1, 3)
    interviews: tuple[int, int] = (3, 5)  # transcripts per site


SCALES = {
    "full": DemoScale("full", detainees=(80, 150), episodes=(270, 330), staff=(8, 25)),
    "small": DemoScale("small", detainees=(30, 45), episodes=(110, 140), staff=(6, 12), interviews=(2, 3)),
}


@dataclass(frozen=True)
class Effects:
    """The generating model's parameters (log hazard ratios per unit unless named otherwise)."""

    hr_participation: float = 0.70
    participation_share: float = 0.35  # expected share of release episodes with a pre-release contact
    baseline_rate: float = 0.55  # Weibull scale: cumulative hazard at 1 year of the reference person
    weibull_shape: float = 0.8  # < 1: the hazard is highest just after release
    site_frailty_sd: float = 0.20  # SD of the site's log-hazard (site-stratified models remove it)
    log_hr_age_per_year: float = -0.02  # per year of age at release above 35
    log_hr_prior: float = 0.15  # per earlier incarceration
    log_hr_male: float = 0.20
    log_hr_substance: dict = field(default_factory=lambda: {0: 0.0, 1: 0.05, 2: 0.10, 3: 0.45, 4: 0.30})
    death_rate: float = 0.012  # per year (x3 for opioid users)
    deportable_share: float = 0.07
    deportation_rate: float = 1.0  # per year among the deportable
    # wellbeing (detainees)
    who5_baseline_raw: float = 11.0  # latent mean, raw 0-25
    who5_person_sd: float = 4.0
    who5_site_sd: float = 1.0
    who5_shift_raw: float = 2.0  # latent change baseline -> follow-up (= 8 points on 0-100)
    who5_change_sd: float = 3.0
    who5_participation_raw: float = 1.5  # extra latent change of participants (raw 0-25; about 6 points on 0-100)
    who5_item_sd: float = 0.7
    barc10_baseline_item: float = 3.6  # latent item mean, 1-6
    barc10_person_sd: float = 0.7
    barc10_shift_item: float = 0.3  # latent item change (= 3 points on the 10-60 total)
    barc10_change_sd: float = 0.5
    barc10_item_sd: float = 0.6
    # the three perspectives (staff, peer workers, detainees' experience): see evaluation.demo.perspectives
    champion_shift: float = 0.9  # staff readiness (latent, answer-scale points) where the prison has a champion
    role_clear_staff: float = 2.8  # latent mean of 'tasks clearly agreed' (1-5) among staff
    role_clear_peer: float = 4.1  # ... and 'I know clearly what my tasks are' among peer workers
    trust_per_band: float = 0.3  # detainees' trust (1-5) per band of more contacts (once ... more than 10)


def _who5_items(latent_raw, rng, e: Effects):
    per_item = np.asarray(latent_raw)[:, None] / 5.0
    return np.clip(np.rint(per_item + rng.normal(0, e.who5_item_sd, (len(per_item), 5))), 0, 5)


def _barc10_items(latent_item, rng, e: Effects):
    x = np.asarray(latent_item)[:, None]
    return np.clip(np.rint(x + rng.normal(0, e.barc10_item_sd, (len(x), 10))), 1, 6)


def who5_expected_effect(latent_raw, effect_raw: float, e: Effects) -> np.ndarray:
    """Expected WHO-5 (0–100) score with minus without the participation effect, per person, given the
    latent follow-up level without it (raw 0–25): exact over the item noise (each item is
    ``clip(rint(latent / 5 + N(0, item_sd)), 0, 5)``, so its mean is ``sum_k Phi((latent / 5 - k + 0.5) / sd)``
    over k = 1..5)."""
    from scipy.special import ndtr

    k = np.arange(1, 6)

    def item_mean(lat):
        return ndtr((np.asarray(lat, dtype=float)[:, None] / 5.0 - k + 0.5) / e.who5_item_sd).sum(1)

    return 20.0 * (item_mean(np.asarray(latent_raw) + effect_raw) - item_mean(latent_raw))


def expected_changes(e: Effects, n: int = 400_000, seed: int = 1, participant_share: float = 0.0) -> dict[str, float]:
    """Population mean change of the WHO-5 (0–100) and BARC-10 (10–60) totals under ``e``, by simulation,
    with ``participant_share`` participants; and the participation effect on the WHO-5 change (participants
    minus non-participants, the same draws with and without the participants' extra latent change)."""
    rng = np.random.default_rng(seed)
    site = rng.normal(0, e.who5_site_sd, n)
    w0 = e.who5_baseline_raw + site + rng.normal(0, e.who5_person_sd, n)
    w1 = w0 + e.who5_shift_raw + rng.normal(0, e.who5_change_sd, n)
    noise = rng.normal(0, e.who5_item_sd, (n, 5)), rng.normal(0, e.who5_item_sd, (n, 5))

    def total(latent, eps):
        return np.clip(np.rint(np.asarray(latent)[:, None] / 5.0 + eps), 0, 5).sum(1)

    base = total(w0, noise[0])
    without = 4 * (total(w1, noise[1]) - base)
    with_part = 4 * (total(w1 + e.who5_participation_raw, noise[1]) - base)
    effect = float((with_part - without).mean())
    who5 = without + participant_share * (with_part - without)
    b0 = e.barc10_baseline_item + rng.normal(0, e.barc10_person_sd, n)
    b1 = b0 + e.barc10_shift_item + rng.normal(0, e.barc10_change_sd, n)
    barc = _barc10_items(b1, rng, e).sum(1) - _barc10_items(b0, rng, e).sum(1)
    return {"who5_mean_change": round(float(who5.mean()), 3), "barc10_mean_change": round(float(barc.mean()), 3),
            "who5_participation_effect": round(effect, 3)}


HEADER = """# SYNTHETIC DATA - the known truth of the peer-eval demo evaluation.
# Every person, prison and number in this workspace is fictional.
# population: the parameters the data were generated with (what an estimator targets);
# sample: what the generated data realise (an estimate from the store must reproduce these).
"""


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 6)
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    return value


def write_truth(root: Path | str, *, seed: int, scale: DemoScale, sites: list[str], effects: Effects,
                sample: dict) -> Path:
    """Write ``demo_truth.yaml`` into the workspace folder ``root``; returns its path."""
    doc = {
        "synthetic": True,
        "seed": seed,
        "scale": scale.name,
        "sites": list(sites),
        "dates": {"project_start": PROJECT_START, "extract_date": EXTRACT_DATE},
        "population": {
            "hazard_ratio_participation": effects.hr_participation,
            "hazard_ratio_meaning": "conditional on age, sex, prior incarcerations, primary substance and "
                                    "site; cause-specific for the first reoffence (offence date) after "
                                    "release; death and deportation compete; constant over time (no "
                                    "dose-response)",
            **expected_changes(effects, participant_share=sample.get("who5_participant_share", 0.0)),
            "who5_latent_change_raw": effects.who5_shift_raw,
            "barc10_latent_change_per_item": effects.barc10_shift_item,
            "change_meaning": "expected mean change baseline -> follow-up of the scored WHO-5 (0-100) and "
                              "BARC-10 (10-60); for the WHO-5 with the sample's share of participants",
            "who5_participation_meaning": "expected difference in WHO-5 (0-100) change, participants minus "
                                          "non-participants (participant: an in-custody contact in the log "
                                          "from 90 days before baseline to follow-up, or self-reported "
                                          "contact); participation is unrelated to baseline wellbeing, so "
                                          "this population average is also the effect among participants "
                                          "(ATT) while detained; sample.who5_participation_effect is the "
                                          "same effect conditional on the generated participants who "
                                          "answered twice",
        },
        "generating_model": asdict(effects),
        "sample": sample,
    }
    path = Path(root) / TRUTH_FILE
    path.write_text(HEADER + yaml.safe_dump(_plain(doc), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def load_truth(root: Path | str) -> dict:
    """The demo's truth as written by :func:`write_truth` (``root``: the workspace folder)."""
    path = Path(root) / TRUTH_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: is {root} a demo workspace made by 'peer-eval demo'?")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def reoffending_att(episodes, site_frailty: dict, effects: Effects, *, time: float = 365.0) -> dict:
    """The primary estimand's truth in the generated sample (issue 12).

    Among the generated participants (``_participant``), the mean probability
    of a first reoffence within ``time`` days of release with death and
    deportation competing, as they were (with the participation hazard ratio)
    and had they not taken part: the *sample* ATT risk difference (per 100)
    and ratio. Computed exactly from the generating model (Gauss-Legendre on
    ``s = t ** shape``, where the integrand is smooth), not by simulation.
    """
    e = effects
    ep = episodes.loc[episodes["_participant"].astype(bool)]
    sub = ep["primary_substance"].to_numpy(dtype=int)
    beta_sub = np.array([e.log_hr_substance.get(int(s), 0.0) for s in sub])
    eta0 = (e.log_hr_age_per_year * (ep["age_at_release"].to_numpy() - 35)
            + e.log_hr_prior * ep["prior_incarcerations"].to_numpy()
            + e.log_hr_male * (ep["sex"].to_numpy() == 1) + beta_sub
            + ep["site"].map(site_frailty).to_numpy(dtype=float))
    x, wq = np.polynomial.legendre.leggauss(64)
    smax = (time / 365.25) ** e.weibull_shape
    s = (x + 1) / 2 * smax
    ws = wq / 2 * smax
    t = s ** (1 / e.weibull_shape)
    death = (e.death_rate * np.where(sub == 3, 3.0, 1.0))[:, None]
    surv_comp = np.exp(-death * t) * (1 - e.deportable_share + e.deportable_share * np.exp(-e.deportation_rate * t))

    def risk(eta):
        lam = e.baseline_rate * np.exp(eta)[:, None]
        return float(np.mean((lam * np.exp(-lam * s) * surv_comp) @ ws))

    r1, r0 = risk(eta0 + np.log(e.hr_participation)), risk(eta0)
    return {"days": float(time), "risk_participants_per_100": 100 * r1, "risk_had_they_not_per_100": 100 * r0,
            "risk_difference_per_100": 100 * (r1 - r0), "risk_ratio": r1 / r0,
            "meaning": "sample ATT among the generated participants: probability of a first reoffence (offence "
                       "date) within the horizon after release, death and deportation competing"}
