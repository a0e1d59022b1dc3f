"""Shared fixtures: scale definitions as the evaluation side will pass them, and
the committed reference data (tests/reference/wellbeing/, see its README)."""

import json
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

REF = Path(__file__).resolve().parents[2] / "reference" / "wellbeing"

WHO5 = {
    "id": "who5", "version": "1.0",
    "items": ["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"],
    "method": "sum", "multiplier": 4, "reverse": [], "item_min": 0, "item_max": 5,
    "max_missing": 1, "prorate": True, "range": [0, 100],
    "cutoffs": [{"label": "poor wellbeing", "max": 50}, {"label": "adequate", "min": 51}],
    "mic": 10, "retest_r": 0.83, "retest_source": "synthetic test value",
    "norm_sd": 20.0, "norm_sd_source": "synthetic test value",
    "missing_codes": [-7, -8, -9], "higher_is_better": True,
}

BARC10 = {
    "id": "barc10", "version": "1.0", "items": [f"barc_{i}" for i in range(1, 11)],
    "method": "sum", "item_min": 1, "item_max": 6, "max_missing": 2, "prorate": True,
    "range": [10, 60], "cutoffs": [], "mic": None, "retest_r": None, "norm_sd": None,
    "missing_codes": [-9], "higher_is_better": True,
}

# licensed scale: only item names, never item texts
WEMWBS = {
    "id": "wemwbs", "version": "2.0", "items": [f"wemwbs_{i:02d}" for i in range(1, 15)],
    "method": "sum", "item_min": 1, "item_max": 5, "max_missing": 3, "prorate": True,
    "range": [14, 70], "cutoffs": [{"label": "low", "max": 40}, {"label": "average", "min": 41, "max": 58},
                                   {"label": "high", "min": 59}],
    "mic": 3, "retest_r": 0.83, "norm_sd": 8.7, "missing_codes": [], "higher_is_better": True,
}


@pytest.fixture(scope="session")
def r_results():
    return json.loads((REF / "r_results.json").read_text())


@pytest.fixture(scope="session")
def who5_items():
    return pd.read_csv(REF / "synthetic_who5_items.csv")


@pytest.fixture(scope="session")
def prepost():
    return pd.read_csv(REF / "synthetic_prepost.csv")


@pytest.fixture(scope="session")
def sleep_long():
    """R's ``sleep`` in our long scores shape: group 1 as the pre wave, group 2 as post."""
    s = pd.read_csv(REF / "sleep.csv")
    return pd.DataFrame({"pid": s["ID"], "site": "one", "wave": s["group"].map({1: "pre", 2: "post"}),
                         "score": s["extra"]})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
