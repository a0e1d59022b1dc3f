"""Synthetic release episodes and peer-support contacts (no real person in them).

Used by the tests, the R reference data set, the benchmark and demonstrations.
Everything is drawn from a seeded :class:`numpy.random.Generator`, so a seed
gives the same frames on every platform.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_outcomes"]

SUBSTANCES = ("alcohol", "cannabis", "cocaine", "opioids")


def simulate_outcomes(
    n: int = 1000,
    *,
    seed: int = 2024,
    n_sites: int = 10,
    hr_participation: float = 1.0,
    participation_rate: float = 0.4,
    repeat_share: float = 0.15,
    post_release_contact_rate: float = 0.004,
    site_sd: float = 0.2,
    baseline_rate: float = 0.35,
    extract_date: str = "2024-06-30",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the ``outcomes()`` and ``contacts()`` frames.

    Parameters
    ----------
    n : int
        Number of people; about ``repeat_share`` of them get a second release.
    hr_participation : float
        True hazard ratio of reoffending for participants (1 = no effect).
    participation_rate : float
        Average share of people with a peer-support contact before release;
        participation is more likely with more prior incarcerations
        (confounding by indication).
    post_release_contact_rate : float
        Rate per day at large of after-release contacts for participants
        (a quarter of it for non-participants). Contacts happen only while a
        person is still at large - the source of immortal-time bias in a naive
        "ever had a contact" definition.
    site_sd : float
        Standard deviation of a log-normal site frailty.
    baseline_rate : float
        Yearly reoffence hazard of the reference person.

    Returns
    -------
    outcomes, contacts : DataFrame
        Frames following the ``outcomes()`` and ``contacts()`` contracts.
    """
    rng = np.random.default_rng(seed)
    sites = np.array([f"S{i + 1:02d}" for i in range(n_sites)])
    site_effect = rng.normal(0.0, site_sd, n_sites)
    pid = np.array([f"P{i:06d}" for i in range(n)])
    n_rep = int(round(repeat_share * n))
    ep_pid = np.concatenate([pid, rng.choice(pid, n_rep, replace=False)])
    m = len(ep_pid)
    site_idx = rng.integers(0, n_sites, m)
    age = np.clip(rng.normal(34, 9, m), 18, 75).round(0)
    sex = np.where(rng.random(m) < 0.92, "male", "female")
    prior = rng.poisson(1.5, m)
    sentence = np.clip(rng.gamma(2.0, 6.0, m), 1, 120).round(0)
    substance = rng.choice(SUBSTANCES, m, p=[0.3, 0.25, 0.25, 0.2])
    offence = rng.choice(["drugs", "property", "violence", "other"], m)
    start = pd.Timestamp("2019-01-01")
    entry = start + pd.to_timedelta(rng.integers(0, 3 * 365, m), unit="D")
    stay_days = np.maximum(14, (sentence * 30.4 * rng.uniform(0.3, 0.9, m)).astype(int))
    release = entry + pd.to_timedelta(stay_days, unit="D")
    # second episodes start after the first release: shift them
    is_repeat = np.arange(m) >= n
    shift = pd.to_timedelta(np.where(is_repeat, 400 + rng.integers(0, 400, m), 0), unit="D")
    entry, release = entry + shift, release + shift

    logit = np.log(participation_rate / (1 - participation_rate)) + 0.25 * (prior - 1.5)
    participant = rng.random(m) < 1 / (1 + np.exp(-logit))
    lin = (
        -0.03 * (age - 34)
        + 0.15 * prior
        + 0.2 * (sex == "male")
        + np.select([substance == "opioids", substance == "cocaine"], [0.4, 0.2], 0.0)
        + site_effect[site_idx]
        + np.log(hr_participation) * participant
        - 0.15 * 1.5
    )
    t_reoff = np.minimum(rng.exponential(365.25 / (baseline_rate * np.exp(lin))), 20000.0)
    t_death = np.minimum(rng.exponential(365.25 / 0.02, m), 20000.0)
    deportable = rng.random(m) < 0.08
    t_deport = np.where(deportable, rng.exponential(365.25 / 0.5, m), np.inf)
    ext = pd.Timestamp(extract_date)
    followup_end = pd.Series(release + pd.Timedelta(days=3 * 365)).clip(upper=ext)
    offence_date = release + pd.to_timedelta(np.ceil(t_reoff), unit="D")
    conviction_date = offence_date + pd.to_timedelta(rng.gamma(2.0, 60.0, m).astype(int) + 1, unit="D")
    death_date = release + pd.to_timedelta(np.ceil(t_death), unit="D")
    deport_date = release + pd.to_timedelta(np.ceil(np.minimum(t_deport, 20000.0)), unit="D")
    # what the extract shows: a reoffence only when convicted before the extract
    # and committed before death, deportation and the end of follow-up
    recorded = (conviction_date <= ext) & (offence_date <= death_date) & (offence_date <= deport_date)
    recorded &= offence_date <= followup_end.to_numpy()
    kind = np.where(rng.random(m) < 0.4, "reimprisonment", "reconviction")
    death_seen = (death_date <= ext) & (death_date <= deport_date)
    deport_seen = np.isfinite(t_deport) & (deport_date <= ext)

    outcomes = pd.DataFrame(
        {
            "pid": ep_pid,
            "site": sites[site_idx],
            "entry_date": entry,
            "eligible": True,
            "first_contact_date": pd.NaT,
            "release_date": release,
            "followup_end": followup_end.to_numpy(),
            "extract_date": ext,
            "offence_date": offence_date.where(recorded),
            "conviction_date": conviction_date.where(recorded),
            "reoffence_kind": pd.Series(kind).where(recorded).to_numpy(),
            "death_date": death_date.where(death_seen),
            "deportation_date": deport_date.where(deport_seen),
            "age_at_release": age,
            "sex": sex,
            "prior_incarcerations": prior,
            "sentence_months": sentence,
            "primary_substance": substance,
            "index_offence": offence,
        }
    )

    end_at_large = np.minimum.reduce([t_reoff, t_death, t_deport, np.full(m, 3 * 365.0)])
    who = np.flatnonzero(participant)
    k_in = 1 + rng.poisson(3, len(who))
    idx_in = np.repeat(who, k_in)
    day_in = np.floor(rng.random(len(idx_in)) * (stay_days[idx_in] + 1)).astype(int)
    # after-release contacts while still at large: a homogeneous Poisson process
    # (no effect on reoffending), more frequent for those who participated inside
    rate_out = post_release_contact_rate * np.where(participant, 1.0, 0.25)
    k_out = rng.poisson(rate_out * end_at_large)
    idx_out = np.repeat(np.arange(m), k_out)
    day_out = (1 + rng.random(len(idx_out)) * np.maximum(end_at_large[idx_out] - 1, 0)).astype(int)
    idx = np.concatenate([idx_in, idx_out])
    date = np.concatenate(
        [entry[idx_in] + pd.to_timedelta(day_in, unit="D"), release[idx_out] + pd.to_timedelta(day_out, unit="D")]
    )
    rows = {
        "pid": ep_pid[idx],
        "site": sites[site_idx[idx]],
        "date": date,
        "setting": np.repeat(["custody", "after_release"], [len(idx_in), len(idx_out)]),
    }
    contacts = pd.DataFrame(rows)
    contacts["kind"] = np.where(contacts["setting"] == "custody", "individual", "outreach")
    outcomes["first_contact_date"] = outcomes["pid"].map(contacts.groupby("pid")["date"].min())
    # releases too close to the extract are not in it
    outcomes = outcomes.loc[outcomes["release_date"] <= ext - pd.Timedelta(days=240)]
    contacts = contacts.loc[contacts["date"] <= ext]
    outcomes = outcomes.sort_values(["release_date", "pid"], kind="stable").reset_index(drop=True)
    return outcomes, contacts.sort_values(["pid", "date"], kind="stable").reset_index(drop=True)
