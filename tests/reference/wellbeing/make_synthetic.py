"""Write the seeded synthetic data sets used for the R reference values.

All data here is synthetic (numpy seed below) – no real person is in it.
Run from the repository root:

    .venv/bin/python tests/reference/wellbeing/make_synthetic.py

Known truth of ``synthetic_prepost.csv`` (score on a 0–100 wellbeing scale):
    score = 50 + 5·post + 3·post·participant + u_site + v_site·post + b_person + e
    u_site ~ N(0, 4²), v_site ~ N(0, 2²), b_person ~ N(0, 10²), e ~ N(0, 8²)
with 10 sites, about 60 % participants and follow-up missing for about a quarter
(refusal more likely at low baseline scores; release/transfer at random).
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SEED = 20240611


def prepost(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    pid = 0
    for s in range(10):
        site = f"site{s + 1:02d}"
        u, v = rng.normal(0, 4), rng.normal(0, 2)
        for _ in range(int(rng.integers(25, 46))):
            pid += 1
            part = rng.random() < 0.6
            b = rng.normal(0, 10)
            age = int(rng.integers(19, 60))
            sex = "female" if rng.random() < 0.15 else "male"
            y0 = 50 + u + b + rng.normal(0, 8)
            y1 = 50 + 5 + 3 * part + u + v + b + rng.normal(0, 8)
            p_refuse = 0.25 if y0 < 45 else 0.05
            r = rng.random()
            reason = None
            if r < p_refuse:
                reason = "refused"
            elif r < p_refuse + 0.10:
                reason = "released"
            elif r < p_refuse + 0.14:
                reason = "transferred"
            elif r < p_refuse + 0.16:
                reason = "other"
            base = dict(pid=f"P{pid:04d}", site=site, group="participant" if part else "comparison",
                        age=age, sex=sex, reason=reason)
            rows.append(base | dict(wave="T0", score=round(y0, 2)))
            if reason is None:
                rows.append(base | dict(wave="T1", score=round(y1, 2)))
    return pd.DataFrame(rows)


def who5_items(seed: int = SEED) -> pd.DataFrame:
    """WHO-5-like item responses (0–5) at two waves from a one-factor model,
    with some nonresponse codes (-9) and blanks."""
    rng = np.random.default_rng(seed + 1)
    load = np.array([0.8, 0.75, 0.7, 0.6, 0.5])
    rows = []
    for i in range(240):
        f = rng.normal()
        for w, shift in (("T0", 0.0), ("T1", 0.3)):
            z = load * (f + shift) + np.sqrt(1 - load**2) * rng.normal(size=5)
            x = np.clip(np.round(2.5 + 1.2 * z), 0, 5)
            x = x.astype(object)
            for j in range(5):
                u = rng.random()
                if u < 0.02:
                    x[j] = -9
                elif u < 0.04:
                    x[j] = None
            rows.append({"pid": f"P{i + 1:04d}", "site": f"site{i % 10 + 1:02d}", "wave": w,
                         **{f"who5_{j + 1}": x[j] for j in range(5)}})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    prepost().to_csv(HERE / "synthetic_prepost.csv", index=False)
    who5_items().to_csv(HERE / "synthetic_who5_items.csv", index=False)
