"""Synthetic survey answers of the demo: detainees (baseline and follow-up), peer workers, staff.

Detainees are surveyed at a baseline between March and May 2025 and again
10 to 16 weeks later. About half of them are people of the release
population who were in custody on the baseline date (their prison number
links the questionnaire to their release record and contacts); the others
were still inside at the extract. Follow-up is lost when the person was
released before it, transferred, or refused (refusal more likely with low
baseline wellbeing). WHO-5 and BARC-10 answers follow the latent model of
:mod:`evaluation.demo.truth`; every other answer is drawn by
:func:`evaluation.instruments.synthetic.synthetic_responses` (valid codes,
skip logic honoured). Peer workers (1–3 per site) answer twice, 22–32 weeks
apart; staff answer once (anonymous).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.instruments import InstrumentDefinition
from evaluation.instruments.synthetic import synthetic_responses

from .people import Population, _days, _unique_numbers
from .perspectives import apply_perspective_truths, contact_band, reported_contacts
from .truth import DemoScale, Effects, _barc10_items, _who5_items, who5_expected_effect

__all__ = ["Surveys", "simulate_surveys", "BASELINE_WINDOW"]

BASELINE_WINDOW = (pd.Timestamp("2025-03-03"), pd.Timestamp("2025-05-30"))
ATTRITION_REASONS = ("released", "transferred", "refused")


@dataclass
class Surveys:
    """Per site: the detainee frames by wave, peer workers (both waves), staff; plus what happened."""

    detainee: dict[tuple[str, str], pd.DataFrame]  # (site, wave name) -> frame
    peer_worker: dict[str, pd.DataFrame]
    staff: dict[str, pd.DataFrame]
    attrition: dict[str, int]  # reason -> people lost at follow-up
    sample: dict  # realised values for the truth file
    #: one row per detainee (never written to a file): prison number, site, participant as the chapter
    #: defines it, answered the follow-up, latent WHO-5 at both waves, age, sex
    truth: pd.DataFrame | None = None


def _age_band(age) -> np.ndarray:
    return np.digitize(np.asarray(age, dtype=float), [25, 35, 45, 55]) + 1.0


def _with_missing(items: np.ndarray, rng, share_one: float, share_two: float = 0.0) -> np.ndarray:
    """Blank one item in ``share_one`` of the rows and two in ``share_two``."""
    items = items.astype(float).copy()
    n, k = items.shape
    u = rng.random(n)
    for row in np.flatnonzero(u < share_one + share_two):
        n_blank = 2 if u[row] < share_two else 1
        items[row, rng.choice(k, n_blank, replace=False)] = np.nan
    return items


def _who5_total(items: np.ndarray) -> np.ndarray:
    """Scored as the instrument says: 4 x sum, invalid with any missing item."""
    return np.where(np.isnan(items).any(1), np.nan, 4 * np.nansum(items, 1))


def _barc10_total(items: np.ndarray) -> np.ndarray:
    """Sum, one missing item prorated (mean x 10), more missing invalid."""
    n_miss = np.isnan(items).sum(1)
    return np.where(n_miss <= 1, np.nanmean(items, 1) * 10, np.nan)


def _next_free(number: str, taken: set) -> str:
    """``number``, or the next number up (wrapping within 1000000–9999999) that is not in ``taken``."""
    v = int(number)
    while str(v) in taken:
        v = 1_000_000 + (v - 1_000_000 + 1) % 9_000_000
    return str(v)


def simulate_surveys(pop: Population, defs: dict[str, InstrumentDefinition], scale: DemoScale,
                     effects: Effects, rng: np.random.Generator, seed: int) -> Surveys:
    """Draw every survey frame (raw identifiers, instrument columns)."""
    e = effects
    det, pw_def, staff_def = defs["detainee"], defs["peer_worker"], defs["staff"]
    ep, contacts = pop.episodes, pop.contacts
    sites = list(pop.peer_workers)
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    lost = dict.fromkeys(ATTRITION_REASONS, 0)
    who5_changes, barc_changes, part_effects, truth_rows = [], [], [], []
    n_base_total = n_follow_total = n_linked = n_part = 0
    taken = set(ep["prison_number"].astype(str))  # prison numbers in use (each person has one)
    contacts_by_number = contacts[contacts["setting"] == 1].groupby("prison_number")["date"].apply(list).to_dict()
    span = (BASELINE_WINDOW[1] - BASELINE_WINDOW[0]).days
    band_rng = np.random.default_rng([seed, 11])
    for k, site in enumerate(sites):
        n = int(rng.integers(scale.detainees[0], scale.detainees[1] + 1))
        here = ep[(ep["site"] == site)]
        # in custody for at least a week inside the baseline window
        lo = (here["entry_date"] + pd.Timedelta(days=7)).clip(lower=BASELINE_WINDOW[0])
        hi = (here["release_date"] - pd.Timedelta(days=1)).clip(upper=BASELINE_WINDOW[1])
        inside = here[(hi >= lo).to_numpy()]
        n_link = min(len(inside), int(round(0.55 * n)))
        chosen = inside.iloc[np.sort(rng.choice(len(inside), n_link, replace=False))] if n_link else inside.iloc[:0]
        lo_c, hi_c = lo.loc[chosen.index], hi.loc[chosen.index]
        d_link = lo_c + _days((rng.random(n_link) * ((hi_c - lo_c).dt.days.to_numpy() + 1)).astype(int))
        d_new = BASELINE_WINDOW[0] + _days(rng.integers(0, span + 1, n - n_link))
        # made-up numbers for detainees without a release record: never one already in use (the release
        # records' people, or another prison's made-up ones); a clash takes the next free number, so the
        # random stream, and every draw after it, is the same as without the check
        numbers = list(chosen["prison_number"])
        for v in _unique_numbers(rng, n - n_link):
            numbers.append(_next_free(v, taken))
            taken.add(numbers[-1])
        base_date = pd.DatetimeIndex(list(d_link) + list(d_new))
        release = pd.DatetimeIndex(list(chosen["release_date"]) + [pd.NaT] * (n - n_link))
        age = np.concatenate([chosen["age_at_release"].to_numpy(), np.clip(np.rint(rng.normal(35, 9, n - n_link)), 18, 70)])
        sex = np.concatenate([chosen["sex"].to_numpy(), np.where(rng.random(n - n_link) < 0.93, 1.0, 2.0)])
        # peer contact in the 3 months before the questionnaire, from the contact log where linked
        recent = np.array([
            sum(1 for c in contacts_by_number.get(num, []) if d - pd.Timedelta(days=90) <= c <= d)
            for num, d in zip(numbers, base_date)])
        pc = np.where(np.arange(n) < n_link, (recent > 0).astype(float), (rng.random(n) < 0.35).astype(float))
        pc = np.where(rng.random(n) < 0.05, 1 - pc, pc)  # some misremember
        # the number of contacts the detainee reports, as a questionnaire band (one definition:
        # evaluation.demo.perspectives.CONTACT_BANDS); its own stream, so every other draw is unchanged
        band = contact_band(reported_contacts(recent, np.arange(n) < n_link, band_rng))
        # follow-up date first: participation counts in-custody contacts up to it
        f_date = base_date + _days(rng.integers(70, 113, n))
        # participant as the wellbeing chapter defines it: an in-custody contact in the log from 90 days
        # before baseline to the follow-up, or (the log silent) self-reported contact
        logged = np.array([
            any(d - pd.Timedelta(days=90) <= c <= f for c in contacts_by_number.get(num, []))
            for num, d, f in zip(numbers, base_date, f_date)])
        part = logged | (pc == 1)
        # latent wellbeing and recovery capital
        site_w = rng.normal(0, e.who5_site_sd)
        w0 = e.who5_baseline_raw + site_w + rng.normal(0, e.who5_person_sd, n)
        w1 = w0 + e.who5_shift_raw + e.who5_participation_raw * part + rng.normal(0, e.who5_change_sd, n)
        b0 = e.barc10_baseline_item + rng.normal(0, e.barc10_person_sd, n)
        b1 = b0 + e.barc10_shift_item + rng.normal(0, e.barc10_change_sd, n)
        who0 = _with_missing(_who5_items(w0, rng, e), rng, 0.03)
        who1 = _with_missing(_who5_items(w1, rng, e), rng, 0.03)
        bar0 = _with_missing(_barc10_items(b0, rng, e), rng, 0.04, 0.01)
        bar1 = _with_missing(_barc10_items(b1, rng, e), rng, 0.04, 0.01)
        # attrition
        released = release.notna() & (release <= f_date)
        transferred = ~released & (rng.random(n) < 0.07)
        p_refuse = 1 / (1 + np.exp(-(-1.6 - 0.08 * (w0 - e.who5_baseline_raw))))
        refused = ~released & ~transferred & (rng.random(n) < p_refuse)
        follow = ~(released | transferred | refused)
        lost["released"] += int(released.sum())
        lost["transferred"] += int(transferred.sum())
        lost["refused"] += int(refused.sum())

        def frame(wave, rows, dates, who, bar, s):
            fixed = {"peer_contact": pc[rows], "peer_contact_n": band[rows]}
            fixed |= {f"who5_{i + 1}": who[rows, i] for i in range(5)}
            fixed |= {f"barc10_{i + 1}": bar[rows, i] for i in range(10)}
            if wave == "baseline":
                fixed |= {"age_band": _age_band(age[rows]), "gender": sex[rows]}
            return synthetic_responses(det, int(rows.sum()) if rows.dtype == bool else len(rows), site=site,
                                       seed=s, wave=wave, people=[numbers[i] for i in np.flatnonzero(rows)],
                                       dates=dates[rows], fixed=fixed)

        all_rows = np.ones(n, dtype=bool)
        frames[(site, "baseline")] = frame("baseline", all_rows, base_date, who0, bar0, seed * 100 + 2 * k)
        frames[(site, "followup")] = frame("followup", follow, f_date, who1, bar1, seed * 100 + 2 * k + 1)
        both = follow & part & np.isfinite(_who5_total(who0)) & np.isfinite(_who5_total(who1))
        part_effects += list(who5_expected_effect(w1[both] - e.who5_participation_raw, e.who5_participation_raw, e))
        who5_changes += list((_who5_total(who1) - _who5_total(who0))[follow])
        barc_changes += list((_barc10_total(bar1) - _barc10_total(bar0))[follow])
        truth_rows.append(pd.DataFrame({"prison_number": numbers, "site": site, "participant": part,
                                        "followed_up": follow, "who5_latent_0": w0, "who5_latent_1": w1,
                                        "age": age, "sex": sex}))
        n_base_total += n
        n_part += int(part.sum())
        n_follow_total += int(follow.sum())
        n_linked += n_link

    peer = _peer_workers(pop, pw_def, rng, seed)
    staff = _staff(sites, staff_def, scale, rng, seed)
    perspectives = apply_perspective_truths(sites, staff, peer, frames, defs, effects, seed)
    w = np.array(who5_changes, dtype=float)
    b = np.array(barc_changes, dtype=float)
    sample = {
        "detainees_baseline": n_base_total,
        "detainees_followup": n_follow_total,
        "detainees_linked_to_release_records": n_linked,
        "followup_lost": dict(lost),
        "who5_mean_change": float(np.nanmean(w)),
        "who5_pairs": int(np.isfinite(w).sum()),
        "who5_participant_share": n_part / n_base_total if n_base_total else 0.0,
        # conditional ATT: participants with both WHO-5 scores, given their drawn latent levels (truth.py)
        "who5_participation_effect": float(np.mean(part_effects)) if part_effects else float("nan"),
        "barc10_mean_change": float(np.nanmean(b)),
        "barc10_pairs": int(np.isfinite(b).sum()),
        "peer_workers": sum(len(v) for v in pop.peer_workers.values()),
        "staff": sum(len(f) for f in staff.values()),
        "perspectives": perspectives,
    }
    return Surveys(frames, peer, staff, lost, sample, pd.concat(truth_rows, ignore_index=True))


def _peer_workers(pop: Population, defn, rng, seed) -> dict[str, pd.DataFrame]:
    out = {}
    for k, (site, codes) in enumerate(pop.peer_workers.items()):
        n = len(codes)
        d0 = pd.Timestamp("2025-02-03") + _days(rng.integers(0, 28, n))
        d1 = d0 + _days(rng.integers(22 * 7, 32 * 7 + 1, n))
        a = synthetic_responses(defn, n, site=site, seed=seed * 100 + 50 + 2 * k, wave="baseline",
                                people=codes, dates=d0)
        b = synthetic_responses(defn, n, site=site, seed=seed * 100 + 51 + 2 * k, wave="followup",
                                people=codes, dates=d1)
        out[site] = pd.concat([a, b], ignore_index=True)
    return out


def _staff(sites, defn, scale, rng, seed) -> dict[str, pd.DataFrame]:
    out = {}
    for k, site in enumerate(sites):
        n = int(rng.integers(scale.staff[0], scale.staff[1] + 1))
        dates = pd.Timestamp("2025-10-06") + _days(rng.integers(0, 25, n))
        out[site] = synthetic_responses(defn, n, site=site, seed=seed * 100 + 80 + k, dates=dates)
    return out
