"""A synthetic population of release episodes and peer-support contacts (every person fictional).

:func:`simulate_population` draws, for each site, detainees released from a
prison with a D&D project (one release episode each), their covariates,
participation through dated contacts before release, dose, after-release
contacts, and what the administrative extract shows on
:data:`~evaluation.demo.truth.EXTRACT_DATE`: the first reoffence (offence and
conviction dates, reconviction or re-imprisonment), death and deportation.
The model is described in :mod:`evaluation.demo.truth`.

The frames hold raw (made-up) prison and national register numbers, in the
columns of the ``release_outcomes`` and ``contacts`` instruments, plus
hidden truth columns starting with ``_`` that are never written to a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.instruments.synthetic import synthetic_national_register

from .truth import EXTRACT_DATE, PROJECT_START, DemoScale, Effects

__all__ = ["Population", "simulate_population", "peer_worker_codes", "RELEASE_WINDOW"]

#: releases in the demo happen between these dates
RELEASE_WINDOW = (pd.Timestamp("2025-01-20"), pd.Timestamp("2026-06-30"))
SUBSTANCE_P = {0: 0.12, 1: 0.22, 2: 0.20, 3: 0.22, 4: 0.24}  # release_outcomes 'substance' codes
OFFENCE_P = {1: 0.30, 2: 0.35, 3: 0.20, 4: 0.03, 5: 0.05, 6: 0.07}


@dataclass
class Population:
    """Release episodes and contacts of the demo, and the peer workers per site."""

    episodes: pd.DataFrame  # release_outcomes columns + hidden _truth columns
    contacts: pd.DataFrame  # contacts columns
    peer_workers: dict[str, list[str]]  # site -> peer worker codes
    site_frailty: dict[str, float]


def peer_worker_codes(site: str, k: int) -> list[str]:
    """The research codes of a site's peer workers: ``P01-A``, ``P01-B``, ..."""
    return [f"{site}-{chr(ord('A') + i)}" for i in range(k)]


def _unique_numbers(rng: np.random.Generator, n: int) -> list[str]:
    return [str(v) for v in rng.choice(9_000_000, size=n, replace=False) + 1_000_000]


def _unique_registers(rng: np.random.Generator, n: int) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        v = synthetic_national_register(rng)
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _calibrate(linear: np.ndarray, target: float) -> float:
    """The intercept giving a mean probability ``target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(mid + linear)))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _days(x) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.asarray(x, dtype="int64"), unit="D")


def simulate_population(sites: list[str], scale: DemoScale, effects: Effects,
                        rng: np.random.Generator) -> Population:
    """Draw the release episodes and contacts of every site (see the module docstring)."""
    e = effects
    n_site = rng.integers(scale.episodes[0], scale.episodes[1] + 1, len(sites))
    frailty = rng.normal(0, e.site_frailty_sd, len(sites))
    site = np.repeat(np.array(sites), n_site)
    site_idx = np.repeat(np.arange(len(sites)), n_site)
    m = int(n_site.sum())
    age = np.clip(np.rint(rng.normal(35, 9, m)), 18, 70)
    sex = np.where(rng.random(m) < 0.93, 1, 2)
    prior = np.minimum(rng.poisson(1.6, m), 20)
    substance = rng.choice(list(SUBSTANCE_P), m, p=list(SUBSTANCE_P.values()))
    offence = rng.choice(list(OFFENCE_P), m, p=list(OFFENCE_P.values()))
    sentence = np.round(np.clip(rng.gamma(2.0, 7.0, m), 1, 120), 1)
    stay = np.maximum(20, (sentence * 30.4 * rng.uniform(0.3, 0.8, m)).astype(int))
    span = (RELEASE_WINDOW[1] - RELEASE_WINDOW[0]).days
    release = RELEASE_WINDOW[0] + _days(rng.integers(0, span + 1, m))
    entry = release - _days(stay)
    start = pd.Timestamp(PROJECT_START)
    window_start = np.maximum(entry.values, start.to_datetime64())
    window = (release.values - window_start).astype("timedelta64[D]").astype(int)  # days with a peer worker

    # participation: confounded by indication (more priors, opioids/cocaine, younger, longer stay)
    lin = (0.30 * (prior - 1.6) - 0.02 * (age - 35) + 0.5 * np.isin(substance, [3, 4])
           + 0.4 * np.log(np.maximum(window, 1) / 120))
    can = window >= 7
    alpha = _calibrate(np.where(can, lin, -np.inf), e.participation_share)
    participant = can & (rng.random(m) < 1 / (1 + np.exp(-(alpha + lin))))
    eligible = np.where(participant, 1, np.where(rng.random(m) < 0.95, 1, 0))

    # time to first reoffence (years), Weibull proportional hazards
    beta_sub = np.vectorize(lambda s: e.log_hr_substance.get(int(s), 0.0))(substance)
    eta = (np.log(e.hr_participation) * participant + e.log_hr_age_per_year * (age - 35) + e.log_hr_prior * prior
           + e.log_hr_male * (sex == 1) + beta_sub + frailty[site_idx])
    t_re = (rng.exponential(1.0, m) / (e.baseline_rate * np.exp(eta))) ** (1 / e.weibull_shape)
    t_death = rng.exponential(1.0, m) / (e.death_rate * np.where(substance == 3, 3.0, 1.0))
    deportable = rng.random(m) < e.deportable_share
    t_dep = np.where(deportable, rng.exponential(1.0, m) / e.deportation_rate, np.inf)
    cap = 20.0
    t_re, t_death, t_dep = (np.minimum(t, cap) for t in (t_re, t_death, t_dep))

    ext = pd.Timestamp(EXTRACT_DATE)
    offence_date = release + _days(np.ceil(t_re * 365.25))
    conviction_date = offence_date + _days(1 + rng.gamma(2.0, 35.0, m).astype(int))
    death_date = release + _days(np.ceil(t_death * 365.25))
    dep_date = release + _days(np.ceil(t_dep * 365.25))
    dep_seen = deportable & (dep_date <= ext) & (dep_date < death_date)
    death_seen = death_date <= ext
    recorded = ((conviction_date <= ext) & (offence_date <= death_date)
                & ((offence_date <= dep_date) | ~deportable))
    kind = np.where(rng.random(m) < 0.4, 2, 1)  # 2 re-imprisonment, 1 reconviction

    # contacts before release (dose), then after release for some
    pw_k = rng.integers(scale.peer_workers[0], scale.peer_workers[1] + 1, len(sites))
    workers = {s: peer_worker_codes(s, int(k)) for s, k in zip(sites, pw_k)}
    who = np.flatnonzero(participant)
    dose = np.zeros(m, dtype=int)
    dose[who] = 1 + rng.poisson(1.0 + window[who] / 90)
    idx_in = np.repeat(who, dose[who])
    day_in = (rng.random(len(idx_in)) * (window[idx_in] + 1)).astype(int)
    date_in = pd.DatetimeIndex(window_start[idx_in]) + _days(day_in)
    at_large = np.minimum.reduce([t_re, t_death, t_dep, np.full(m, 0.5)]) * 365.25  # first 6 months
    at_large = np.minimum(at_large, (ext - release).days.to_numpy())
    rate = np.where(participant, 0.010, 0.0015)
    k_out = rng.poisson(rate * np.maximum(at_large, 0))
    idx_out = np.repeat(np.arange(m), k_out)
    date_out = release[idx_out] + _days(1 + (rng.random(len(idx_out)) * np.maximum(at_large[idx_out] - 1, 0)))
    idx = np.concatenate([idx_in, idx_out])
    kinds_in = rng.choice([1, 2, 3, 4], len(idx_in), p=[0.55, 0.22, 0.12, 0.11])
    kinds_out = rng.choice([1, 3, 4, 5], len(idx_out), p=[0.4, 0.3, 0.2, 0.1])
    pw = np.array([rng.choice(workers[site[i]]) for i in idx]) if len(idx) else np.array([], dtype=object)
    contacts = pd.DataFrame({
        "_episode": idx,
        "site": site[idx],
        "date": np.concatenate([date_in.values, date_out.values]),
        "setting": np.repeat([1, 2], [len(idx_in), len(idx_out)]),
        "kind": np.concatenate([kinds_in, kinds_out]),
        "duration_minutes": np.clip(np.rint(rng.gamma(3.0, 15.0, len(idx))), 5, 240).astype(float),
        "peer_worker_code": pw,
    }).sort_values(["site", "date", "_episode"], kind="stable").reset_index(drop=True)
    # a contact on the release day itself is an accompaniment at release
    first_contact = contacts.groupby("_episode")["date"].min()

    # release_outcomes 1.1: recorded at release, drawn from a child stream so that every other draw of the
    # demo is unchanged; they do not enter the hazard (removal is more likely without legal residence)
    rng_rel = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    release_type = rng_rel.choice([1, 2, 3, 4], m, p=[0.35, 0.15, 0.40, 0.10])
    residence = np.where(deportable, 2, 1)
    substitution = np.where(rng_rel.random(m) < np.where(substance == 3, 0.6, 0.02), 1, 0)

    prison_number = np.array(_unique_numbers(rng, m), dtype=object)
    episodes = pd.DataFrame({
        "prison_number": prison_number,
        "national_register": _unique_registers(rng, m),
        "site": site,
        "entry_date": entry,
        "eligible": eligible.astype(float),
        "first_contact_date": pd.Series(np.arange(m)).map(first_contact).to_numpy(),
        "release_date": release,
        "followup_end": ext,
        "extract_date": ext,
        "offence_date": offence_date.where(recorded),
        "conviction_date": conviction_date.where(recorded),
        "reoffence_kind": np.where(recorded, kind, np.nan),
        "death_date": death_date.where(death_seen),
        "deportation_date": dep_date.where(dep_seen),
        "age_at_release": age.astype(float),
        "sex": sex.astype(float),
        "prior_incarcerations": prior.astype(float),
        "sentence_months": sentence,
        "primary_substance": substance.astype(float),
        "index_offence": offence.astype(float),
        "release_type": release_type.astype(float),
        "residence_status": residence.astype(float),
        "opioid_substitution": substitution.astype(float),
        "_participant": participant,
        "_dose": dose,
        "_t_reoffence_days": t_re * 365.25,
    })
    contacts.insert(0, "prison_number", prison_number[contacts["_episode"].to_numpy()])
    return Population(episodes, contacts, workers, dict(zip(sites, frailty.round(4).tolist())))
