"""Timings for analysis.wellbeing on synthetic data (no real personal data).

Run:  .venv/bin/python benchmarks/wellbeing.py
"""

import time
import warnings

import numpy as np
import pandas as pd

from analysis.wellbeing import (attrition, completers_vs_all, mixed_model, paired_change, reliable_change,
                                scale_reliability, score_scale)

WHO5 = {"id": "who5", "items": [f"who5_{i}" for i in range(1, 6)], "method": "sum", "multiplier": 4,
        "item_min": 0, "item_max": 5, "max_missing": 1, "range": [0, 100], "missing_codes": [-9],
        "cutoffs": [{"label": "poor wellbeing", "max": 50}, {"label": "adequate", "min": 51}],
        "mic": 10, "retest_r": 0.83, "norm_sd": 20.0}


def responses(n_people: int, n_sites: int = 10, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    site = rng.integers(0, n_sites, n_people)
    f = rng.normal(size=n_people) + rng.normal(0, 0.3, n_sites)[site]
    rows = []
    for w, shift in (("T0", 0.0), ("T1", 0.3)):
        keep = np.ones(n_people, bool) if w == "T0" else rng.random(n_people) < 0.75
        z = 0.7 * (f + shift)[:, None] + 0.7 * rng.normal(size=(n_people, 5))
        x = np.clip(np.round(2.5 + 1.2 * z), 0, 5)
        x[rng.random(x.shape) < 0.02] = -9
        df = pd.DataFrame(x, columns=WHO5["items"])
        df.insert(0, "pid", [f"P{i:06d}" for i in range(n_people)])
        df.insert(1, "site", [f"site{s:02d}" for s in site])
        df.insert(2, "wave", w)
        df["reason"] = np.where(keep, None, rng.choice(["released", "transferred", "refused"], n_people))
        rows.append(df[keep] if w == "T1" else df)
    return pd.concat(rows, ignore_index=True)


def timed(label, fn, repeat=1):
    t = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    print(f"{label:<55s} {(time.perf_counter() - t) / repeat:8.3f} s")
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    big = responses(20_000)
    print(f"responses: {len(big)} rows")
    scores = timed("score_scale (WHO-5, 20 000 people x 2 waves)", lambda: score_scale(big, WHO5))
    timed("scale_reliability (alpha, omega, item-rest per wave)", lambda: scale_reliability(big, WHO5))
    timed("paired_change (incl. per-site summary)", lambda: paired_change(scores))
    timed("reliable_change", lambda: reliable_change(scores, WHO5))
    scores["reason"] = big["reason"].to_numpy()
    timed("attrition", lambda: attrition(scores))
    mid = score_scale(responses(3_000), WHO5)
    timed("mixed_model (3 000 people, 10 sites, wald-t, reml engine)", lambda: mixed_model(mid))
    timed("completers_vs_all (3 000 people)", lambda: completers_vs_all(mid))
    small = score_scale(responses(400), WHO5)
    timed("mixed_model (400 people, statsmodels engine)", lambda: mixed_model(small, engine="statsmodels"))
    timed("mixed_model bootstrap, 200 refits (3 000 people)",
          lambda: mixed_model(mid, ci_method="bootstrap", n_boot=200, seed=1))
