"""Write primary_data.csv: one simulated cohort of analysis.comparison.calibration (no real person).

    PYTHONPATH=. .venv/bin/python tests/reference/comparison/make_primary_data.py
    Rscript tests/reference/comparison/primary.R
"""
from pathlib import Path

import numpy as np

from analysis.comparison.calibration import simulate_cohort, structure

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    d = simulate_cohort(np.random.default_rng(99), hr=0.8, ps=structure())
    d.insert(0, "id", np.arange(len(d)))
    d.to_csv(HERE / "primary_data.csv", index=False)
