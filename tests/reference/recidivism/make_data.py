"""Write the two data sets the R reference script reads (run from the repository root).

* ``rossi.csv``: the Rossi, Berk & Lenihan (1980) recidivism data (432 men released from
  Maryland state prisons, followed for 52 weeks; a published public data set), as shipped
  by lifelines (``lifelines.datasets.load_rossi``) and R's carData.
* ``synthetic.csv``: 400 simulated release episodes (no real person), built with
  ``analysis.recidivism.simulate_outcomes(400, seed=20240611)`` -> ``build_cohort`` ->
  ``derive_participation``; durations in days, status 0 censored / 1 reoffence /
  2 death / 3 deportation.
* ``synthetic_startstop.csv``: the same episodes split at after-release contacts
  (``start_stop``), for the time-varying Cox model.

    .venv/bin/python tests/reference/recidivism/make_data.py
"""

from pathlib import Path

from lifelines.datasets import load_rossi

from analysis.recidivism.cohort import build_cohort
from analysis.recidivism.participation import derive_participation, start_stop
from analysis.recidivism.simulate import simulate_outcomes

HERE = Path(__file__).parent
COLUMNS = ["pid", "site", "group", "dose", "duration", "event", "status", "age_at_release", "sex",
           "prior_incarcerations", "sentence_months", "primary_substance"]


def main():
    load_rossi().to_csv(HERE / "rossi.csv", index=False)
    outcomes, contacts = simulate_outcomes(400, seed=20240611, n_sites=10, site_sd=0.3, baseline_rate=0.5)
    cohort = build_cohort(outcomes).data
    data = derive_participation(cohort, contacts).data
    data[COLUMNS].to_csv(HERE / "synthetic.csv", index=False)
    ss = start_stop(data, contacts, keep=("group", "age_at_release", "prior_incarcerations"))
    ss.to_csv(HERE / "synthetic_startstop.csv", index=False)


if __name__ == "__main__":
    main()
