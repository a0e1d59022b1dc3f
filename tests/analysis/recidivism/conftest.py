import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis.recidivism.simulate import simulate_outcomes  # noqa: E402


def episode(**kw):
    """One release episode of the outcomes() contract with sensible defaults."""
    row = dict(
        pid="A", site="S01", entry_date="2020-01-01", eligible=True, first_contact_date=None,
        release_date="2020-06-01", followup_end="2023-06-01", extract_date="2024-06-30",
        offence_date=None, conviction_date=None, reoffence_kind=None, death_date=None,
        deportation_date=None, age_at_release=30.0, sex="male", prior_incarcerations=1,
        sentence_months=6.0, primary_substance="cocaine", index_offence="drugs",
    )
    row.update(kw)
    return row


def frame(*rows):
    df = pd.DataFrame(list(rows))
    for col in df.columns:
        if col.endswith("_date") or col == "followup_end":
            df[col] = pd.to_datetime(df[col])
    return df


@pytest.fixture(scope="session")
def simulated():
    return simulate_outcomes(800, seed=7)


REF_DIR = __import__("pathlib").Path(__file__).resolve().parents[2] / "reference" / "recidivism"


@pytest.fixture(scope="session")
def rossi():
    return pd.read_csv(REF_DIR / "rossi.csv")


@pytest.fixture(scope="session")
def synthetic():
    return pd.read_csv(REF_DIR / "synthetic.csv")


@pytest.fixture(scope="session")
def ref():
    """Look up R's numbers in tests/reference/recidivism/r_reference.csv (written by reference.R)."""
    table = pd.read_csv(REF_DIR / "r_reference.csv", dtype={"group": str, "key": str}, keep_default_na=False,
                        na_values={"value": ["NA"]})

    def get(dataset, analysis, stat, group=None):
        sel = (table["dataset"] == dataset) & (table["analysis"] == analysis) & (table["stat"] == stat)
        if group is not None:
            sel &= table["group"] == str(group)
        out = table.loc[sel]
        assert len(out), (dataset, analysis, stat, group)
        return out

    return get
