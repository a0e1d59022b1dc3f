"""Synthetic, seeded data for the reference values of analysis/items (no real person).

role_clarity.csv: two groups (staff 120, peer workers 40) in 6 prisons answer one
5-point agreement item; peer workers answer higher on a latent logit scale
(true log odds ratio 1.0) and prisons differ; 5% "don't know" (-7).

domain.csv: 150 respondents, four 5-point items driven by one latent factor,
item 4 reverse-worded, a few nonresponse codes (-7, -8).

Run from the repository root: python tests/reference/items/make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20251202)
    group = np.array(["staff"] * 120 + ["peer_worker"] * 40)
    site = rng.choice([f"P0{i}" for i in range(1, 7)], len(group))
    site_eff = dict(zip([f"P0{i}" for i in range(1, 7)], rng.normal(0, 0.6, 6)))
    eta = 1.0 * (group == "peer_worker") + np.array([site_eff[s] for s in site])
    latent = eta + rng.logistic(size=len(group))
    y = np.digitize(latent, [-1.5, -0.3, 0.8, 2.2]) + 1
    y = np.where(rng.random(len(y)) < 0.05, -7, y)
    pd.DataFrame({"group": group, "site": site, "role_clear": y}).to_csv(HERE / "role_clarity.csv", index=False)

    n = 150
    f = rng.normal(0, 1, n)
    items = {}
    for j, load in enumerate([0.8, 0.7, 0.6, -0.65], start=1):
        x = np.clip(np.rint(3 + 1.1 * (load * f + rng.normal(0, 0.7, n))), 1, 5)
        items[f"d{j}"] = x
    frame = pd.DataFrame(items).astype(int)
    for j, col in enumerate(frame.columns):
        rows = rng.choice(n, 4, replace=False)
        frame.loc[rows, col] = -7 if j % 2 else -8
    frame.to_csv(HERE / "domain.csv", index=False)


if __name__ == "__main__":
    main()
