"""Synthetic, seeded data for the reference values of analysis/service (no real person).

injecting.csv: long format (pid, wave, injecting), 0/1 injecting in the last 30 days
at waves 1 and 2; scenario "large": 200 persons, injecting falls from about 30% to
about 20% (many discordant pairs: chi-square test); scenario "small": 30 persons, few
changes (discordant pairs < 25: exact test); a few missing answers.

Run from the repository root: python tests/reference/service/make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def scenario(rng, name, n, p_pre, p_stop, p_start):
    pre = (rng.random(n) < p_pre).astype(float)
    post = np.where(pre == 1, (rng.random(n) >= p_stop), (rng.random(n) < p_start)).astype(float)
    pre[rng.random(n) < 0.03] = np.nan
    post[rng.random(n) < 0.05] = np.nan
    pid = [f"{name}{i:03d}" for i in range(n)]
    return pd.concat([pd.DataFrame({"scenario": name, "pid": pid, "wave": 1, "injecting": pre}),
                      pd.DataFrame({"scenario": name, "pid": pid, "wave": 2, "injecting": post})])


def main() -> None:
    rng = np.random.default_rng(20261202)
    data = pd.concat([scenario(rng, "large", 200, 0.30, 0.45, 0.08), scenario(rng, "small", 30, 0.50, 0.60, 0.02)])
    data.to_csv(HERE / "injecting.csv", index=False)


if __name__ == "__main__":
    main()
