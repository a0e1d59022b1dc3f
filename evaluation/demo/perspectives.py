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

The draws use their own generator (seed + 7) so the other parts of the
demo draw exactly what they drew before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.instruments import Catalogue

__all__ = ["apply_perspective_truths", "TRUST_ITEMS", "READINESS_FACTORS"]

TRUST_ITEMS = ("peer_trust", "peer_understands", "peer_credible", "peer_open", "peer_passes_on", "peer_respect",
               "peer_helped")
DONT_KNOW = 0.05  # share of staff answers to the readiness and role-clarity questions that are "don't know"
READINESS_FACTORS = ("organisational_readiness", "structural_adjustments", "commitment_leadership")


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
    # the factor tags of the latest definition (the data are collected with the published one)
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
            x = _answer(3 + 0.8 * latent + rng.normal(0, 0.7, n))
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
    pw = np.array([v for v in pw_clear if v >= 1])
    st = st_clear[st_clear >= 1].to_numpy()
    return {
        "champion_sites": [s for s in sites if champion[s]],
        "champion_meaning": "staff readiness (items tagged organisational readiness, structural adjustments, "
                            "commitment/leadership) is higher where the prison has a champion",
        "champion_shift_latent": e.champion_shift,
        "role_clear_latent": {"staff": e.role_clear_staff, "peer_worker": e.role_clear_peer},
        "role_clear_mean": {"staff": float(st.mean()), "peer_worker": float(pw.mean())},
        "role_clear_meaning": "peer workers say their tasks are clear more often than staff say the peer workers' "
                              "tasks are clearly agreed (a divergence)",
        "trust_per_contact_band_latent": e.trust_per_band,
        "peer_trust_mean_by_contact_band": {b: float(np.mean(v)) for b, v in sorted(trust_by_band.items())},
        "trust_meaning": "detainees with more contacts trust the peer worker more",
    }
