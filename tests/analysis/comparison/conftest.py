from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis.recidivism import build_cohort, derive_participation, simulate_outcomes  # noqa: E402

REF_DIR = Path(__file__).resolve().parents[2] / "reference" / "comparison"


@pytest.fixture(scope="session")
def synthetic():
    """tests/reference/comparison/synthetic.csv (simulated, see make_data.py)."""
    d = pd.read_csv(REF_DIR / "synthetic.csv", parse_dates=["entry_date", "release_date"])
    return d


@pytest.fixture(scope="session")
def ref():
    """Look up R's numbers in tests/reference/comparison/r_reference.csv (written by reference.R)."""
    table = pd.read_csv(REF_DIR / "r_reference.csv", dtype={"group": str, "key": str}, keep_default_na=False,
                        na_values={"value": ["NA"]})

    def get(analysis, stat, group=None) -> pd.Series:
        sel = (table["analysis"] == analysis) & (table["stat"] == stat)
        if group is not None:
            sel &= table["group"] == str(group)
        out = table.loc[sel]
        assert len(out), (analysis, stat, group)
        return out.set_index("key")["value"]

    return get


@pytest.fixture(scope="session")
def cohort_and_contacts():
    outcomes, contacts = simulate_outcomes(700, seed=11, hr_participation=0.7)
    data = derive_participation(build_cohort(outcomes).data, contacts).data
    return data, contacts


def confounded(n, *, hr, seed, censor_years=(1.0, 3.0)):
    """Episodes with two confounders of participation and reoffending; true conditional hazard ratio `hr`.

    Returns the frame and, for the truth, the propensity of each row.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    c = (rng.random(n) < 0.4).astype(float)
    p = 1 / (1 + np.exp(-(-0.4 + 0.8 * x + 0.6 * c)))
    z = rng.random(n) < p
    rate = 0.6 * np.exp(0.5 * x + 0.4 * c + np.log(hr) * z) / 365.25
    t = rng.exponential(1 / rate)
    cens = rng.uniform(*censor_years, n) * 365.25
    d = pd.DataFrame({
        "duration": np.ceil(np.minimum(t, cens)), "event": (t <= cens).astype(int),
        "group": np.where(z, "participant", "non-participant"), "x": x, "c": np.where(c == 1, "yes", "no"),
        "site": rng.choice([f"S{i}" for i in range(10)], n),
    })
    d["eligible_1y"] = True
    d["reoffended_1y"] = ((t <= 365) & (t <= cens)).astype(int)
    d.loc[(cens < 365) & (t > cens), "eligible_1y"] = False
    return d
