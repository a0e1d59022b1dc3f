"""Known truths of the demo's staff, peer-worker and detainee-experience answers.

Applied after :func:`evaluation.instruments.synthetic.synthetic_responses`
has drawn valid answers (skip logic and nonresponse codes honoured): only
substantive answers (codes ≥ 1) of the items below are redrawn from a
latent model, so nonresponse and skipped questions stay as drawn.

- **Readiness higher where a prison has a champion.** Every other prison
  (the 1st, 3rd, …) has a champion. A staff member's latent readiness is
  ``N(0, 1) + champion_shift`` there; the items tagged organisational
  readiness, structural adjustments and commitment/leadership in the staff
  instrument (reverse-keyed ones flipped) are ``3 + latent·0.8 + N(0, 0.7)``
  rounded and clipped to 1–5 (5% of them "don't know"). ``ready_champion`` is Yes for 85% of staff at
  a champion prison, 20% elsewhere.
- **Staff and peer workers diverge on role clarity.** ``role_clear`` is
  ``role_clear_staff + N(0, 0.9)`` for staff and ``role_clear_peer + N(0,
  0.7)`` for peer workers, rounded and clipped to 1–5.
- **Trust higher among frequent contacts.** Detainees who had contact
  answer the seven trust items (``peer_passes_on`` reverse-keyed) as
  ``3.1 + trust_per_band·(band − 1) + N(0, 0.7) + N(0, 0.6)`` per item, where
  band is their number-of-contacts answer (1 once … 5 more than 10).

**The contact bands** have one definition, :data:`CONTACT_BANDS` (the
detainee questionnaire's ``contact_count`` answers: 1, 2–3, 4–6, 7–10, more
than 10), used by the survey generator to turn a number of contacts into
the answer ``peer_contact_n`` (:func:`contact_band`) and by the truth file
(``contact_bands``, ``peer_trust_mean_by_contact_band``). The number of
contacts a detainee reports is, for a detainee of the release population
(linked), the in-custody contacts of the contact log in the 90 days before
the questionnaire (at least one: a contact the log missed is still "once");
for a detainee outside it (the log does not cover them), ``1 + NB`` with mean
:data:`UNLINKED_MEAN_CONTACTS` − 1 and dispersion 1.5, from its own stream.
- **The champion truth on the domain score.** ``champion_readiness_difference``
  is the expected difference of the organisational-readiness domain score
  (mean answer 1–5) between staff of champion and other prisons: the items
  moved by the latent readiness contribute ``E[answer | champion] −
  E[answer | none]`` (rounded, clipped normal: exact by the normal
  distribution function), the domain's other items (role clarity) nothing;
  the don't-know answers are taken to fall at random over the items.

The draws use their own generator (seed + 7) so the other parts of the
demo draw exactly what they drew before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.instruments import Catalogue

__all__ = ["apply_perspective_truths", "TRUST_ITEMS", "READINESS_FACTORS", "CONTACT_BANDS", "contact_band",
           "reported_contacts", "expected_answer", "UNLINKED_MEAN_CONTACTS"]

TRUST_ITEMS = ("peer_trust", "peer_understands", "peer_credible", "peer_open", "peer_passes_on", "peer_respect",
               "peer_helped")
DONT_KNOW = 0.05  # share of staff answers to the readiness and role-clarity questions that are "don't know"
READINESS_FACTORS = ("organisational_readiness", "structural_adjustments", "commitment_leadership")
#: answer code of ``peer_contact_n`` (choice list ``contact_count``) -> the numbers of contacts it covers
#: (lowest, highest; ``None``: no upper bound)
CONTACT_BANDS = {1: (1, 1), 2: (2, 3), 3: (4, 6), 4: (7, 10), 5: (11, None)}
#: mean number of contacts in the last 3 months reported by a detainee with contact outside the release population
UNLINKED_MEAN_CONTACTS = 4.0
ITEM_NOISE = 0.7  # SD of a staff readiness answer around 3 + 0.8 * latent
LOADING = 0.8


def contact_band(counts) -> np.ndarray:
    """The ``peer_contact_n`` answer (1–5) for numbers of contacts (fewer than one counts as once)."""
    counts = np.maximum(np.asarray(counts, dtype=float), 1)
    lows = [lo for lo, _hi in CONTACT_BANDS.values()][1:]
    return np.digitize(counts, lows) + 1.0


def reported_contacts(log_counts, linked, rng: np.random.Generator) -> np.ndarray:
    """Contacts in the last 3 months a detainee reports: the log's count where linked, else a draw."""
    linked = np.asarray(linked, dtype=bool)
    r = 1.5  # negative binomial dispersion
    extra = rng.negative_binomial(r, r / (r + UNLINKED_MEAN_CONTACTS - 1), len(linked))
    return np.where(linked, np.asarray(log_counts, dtype=float), 1.0 + extra)


def expected_answer(mean: float, sd: float) -> float:
    """E[clip(round(X), 1, 5)] for X ~ N(mean, sd) (round half to even is immaterial: a continuous X)."""
    from scipy.stats import norm

    cuts = norm.cdf((np.array([1.5, 2.5, 3.5, 4.5]) - mean) / sd)
    p = np.diff(np.concatenate([[0.0], cuts, [1.0]]))
    return float(np.dot(p, np.arange(1, 6)))


def _answer(x) -> np.ndarray:
    return np.clip(np.rint(x), 1, 5)


def _redraw(frame: pd.DataFrame, col: str, values: np.ndarray, dont_know=None) -> None:
    """Replace substantive answers (≥ 1) only: nonresponse codes and skipped cells stay.

    ``dont_know``: a boolean array; where true (and the answer was substantive) the answer becomes
    "don't know" (-7), so the demo shows nonresponse apart from the answers.
    """
    cur = pd.to_numeric(frame[col], errors="coerce")
    keep = (cur >= 1).to_numpy()
    frame.loc[keep, col] = values[keep]
    if dont_know is not None:
        frame.loc[keep & dont_know, col] = -7


def apply_perspective_truths(sites: list[str], staff: dict[str, pd.DataFrame], peer: dict[str, pd.DataFrame],
                             detainee: dict[tuple[str, str], pd.DataFrame], defs: dict, effects, seed: int) -> dict:
    """Redraw the answers that carry the truths (frames changed in place); returns the truth section."""
    e = effects
    rng = np.random.default_rng(seed + 7)
    champion = {s: i % 2 == 0 for i, s in enumerate(sites)}
    # the factor tags of the latest definition (the demo collects data with the latest published one)
    staff_def = Catalogue(defs["staff"].path.parents[1]).instrument("staff")
    tagged = [(it.name, it.factor.reverse) for it in staff_def.items
              if it.factor and it.factor.id in READINESS_FACTORS and it.type == "single_choice"
              and it.choices == "agree5" and it.name != "role_clear"]
    readiness_means = {True: [], False: []}
    for site in sites:
        f = staff[site]
        n = len(f)
        latent = rng.normal(0, 1, n) + (e.champion_shift if champion[site] else 0.0)
        for name, reverse in tagged:
            x = _answer(3 + LOADING * latent + rng.normal(0, ITEM_NOISE, n))
            _redraw(f, name, 6 - x if reverse else x, dont_know=rng.random(n) < DONT_KNOW)
        _redraw(f, "ready_champion", (rng.random(n) < (0.85 if champion[site] else 0.2)).astype(float))
        _redraw(f, "role_clear", _answer(e.role_clear_staff + rng.normal(0, 0.9, n)), dont_know=rng.random(n) < DONT_KNOW)
        readiness_means[champion[site]] += list(latent)
    pw_clear = []
    for site in sites:
        f = peer[site]
        _redraw(f, "role_clear", _answer(e.role_clear_peer + rng.normal(0, 0.7, len(f))))
        pw_clear += list(pd.to_numeric(f["role_clear"], errors="coerce"))
    st_clear = pd.concat([pd.to_numeric(staff[s]["role_clear"], errors="coerce") for s in sites])
    trust_by_band: dict[int, list[float]] = {}
    for (site, _wave), f in detainee.items():
        band = pd.to_numeric(f["peer_contact_n"], errors="coerce").to_numpy()
        person = rng.normal(0, 0.7, len(f))
        level = 3.1 + e.trust_per_band * (np.nan_to_num(band, nan=1.0) - 1) + person
        for name in TRUST_ITEMS:
            x = _answer(level + rng.normal(0, 0.6, len(f)))
            _redraw(f, name, 6 - x if name == "peer_passes_on" else x)
        t = pd.to_numeric(f["peer_trust"], errors="coerce")
        for b, v in zip(band, t):
            if np.isfinite(b) and v >= 1:
                trust_by_band.setdefault(int(b), []).append(float(v))
    moved = {name for name, _r in tagged}
    org = [it.name for it in staff_def.items if it.factor and it.factor.id == "organisational_readiness"
           and it.type == "single_choice" and it.choices == "agree5"]
    sd = float(np.hypot(LOADING, ITEM_NOISE))
    d_item = expected_answer(3 + LOADING * e.champion_shift, sd) - expected_answer(3.0, sd)
    pw = np.array([v for v in pw_clear if v >= 1])
    st = st_clear[st_clear >= 1].to_numpy()
    return {
        "champion_sites": [s for s in sites if champion[s]],
        "champion_meaning": "staff readiness (items tagged organisational readiness, structural adjustments, "
                            "commitment/leadership) is higher where the prison has a champion",
        "champion_shift_latent": e.champion_shift,
        "champion_readiness_difference": d_item * sum(n in moved for n in org) / len(org),
        "champion_readiness_meaning": "expected difference of the organisational-readiness domain score (mean "
                                      "answer 1-5) between staff of champion and other prisons",
        "role_clear_latent": {"staff": e.role_clear_staff, "peer_worker": e.role_clear_peer},
        "role_clear_mean": {"staff": float(st.mean()), "peer_worker": float(pw.mean())},
        "role_clear_meaning": "peer workers say their tasks are clear more often than staff say the peer workers' "
                              "tasks are clearly agreed (a divergence)",
        "trust_per_contact_band_latent": e.trust_per_band,
        "contact_bands": {code: {"contacts_from": lo, "contacts_to": hi} for code, (lo, hi) in CONTACT_BANDS.items()},
        "contact_band_meaning": "answer to 'how many times did you have contact with a peer worker in the last 3 "
                                "months': for a linked detainee the contact log's in-custody contacts in the 90 "
                                "days before the questionnaire, otherwise a draw (evaluation.demo.perspectives)",
        "peer_trust_mean_by_contact_band": {b: float(np.mean(v)) for b, v in sorted(trust_by_band.items())},
        "peer_trust_n_by_contact_band": {b: len(v) for b, v in sorted(trust_by_band.items())},
        "trust_meaning": "detainees with more contacts trust the peer worker more",
    }
