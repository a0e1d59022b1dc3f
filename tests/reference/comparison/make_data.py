"""Write the synthetic data set the R reference values are computed on (no real person in it).

Run from the repository root: .venv/bin/python tests/reference/comparison/make_data.py
"""

from pathlib import Path

from analysis.comparison import propensity_score
from analysis.recidivism import build_cohort, derive_participation, simulate_outcomes

HERE = Path(__file__).resolve().parent
COLS = ["pid", "site", "entry_date", "release_date", "duration", "event", "eligible_1y", "reoffended_1y",
        "age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance", "group", "dose"]


def main():
    outcomes, contacts = simulate_outcomes(600, seed=20240612, hr_participation=0.75)
    cohort = build_cohort(outcomes)
    data = derive_participation(cohort.data, contacts).data[COLS]
    # a few missing ages, to check the missing-indicator rule against R
    data.loc[data.index[::37], "age_at_release"] = float("nan")
    data["days_in_custody"] = (data["release_date"] - data["entry_date"]).dt.days
    ps = propensity_score(data)
    out = ps.data.drop(columns=["treated"]).rename(columns={"ps": "ps_python", "weight": "weight_python"})
    out.to_csv(HERE / "synthetic.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
