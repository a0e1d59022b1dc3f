"""The PH check computed from per-event-time sums gives what the n x p x p version gave (issue 18).

``tests/reference/recidivism/phcheck_before.csv`` holds the chi-squares and p-values of the earlier
implementation (two n x p x p arrays, commit 993d28f), evaluated at R's coefficients
(``r_reference.csv``) on the reference data, written before it was replaced.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.recidivism._design import design_matrix
from analysis.recidivism.cox import _terms
from analysis.recidivism.phcheck import ph_test

from .conftest import REF_DIR

ROSSI_COVS = ("age", "race", "wexp", "mar", "paro", "prio")
SYN_COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")


@pytest.fixture(scope="module")
def before():
    return pd.read_csv(REF_DIR / "phcheck_before.csv")


def r_name(term):
    return "fin" if term == "fin[1]" else term.replace("[", "").replace("]", "")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("model", ["rossi", "synthetic", "synthetic_strata"])
def test_ph_check_unchanged_on_reference_data(before, rossi, synthetic, ref, ties, model):
    if model == "rossi":
        data, dur, ev, grp, tr, covs = rossi, "week", "arrest", "fin", 1, ROSSI_COVS
    else:
        data, dur, ev, grp, tr, covs = synthetic, "duration", "event", "group", "participant", SYN_COVS
    gname = f"{grp}[{tr}]"
    x = pd.concat([(data[grp] == tr).astype(float).rename(gname), design_matrix(data, covs)], axis=1)
    analysis = ("cox_strata_" if model == "synthetic_strata" else "cox_") + ties
    coef = ref("rossi" if model == "rossi" else "synthetic", analysis, "coef").set_index("key")["value"]
    beta = coef.loc[[r_name(c) for c in x.columns]].to_numpy(dtype=float)
    got = ph_test(data[dur], data[ev], x, beta, strata=data["site"] if model == "synthetic_strata" else None,
                  ties=ties, terms=_terms(x.columns, gname, grp, covs))
    old = before.loc[(before["model"] == model) & (before["ties"] == ties)].set_index("term")
    assert list(got.index) == list(old.index)
    np.testing.assert_allclose(got["chisq"], old["chisq"], rtol=1e-10)
    np.testing.assert_allclose(got["p"], old["p"], rtol=1e-9, atol=1e-15)
    assert (got["df"].to_numpy() == old["df"].to_numpy()).all()


def test_ph_check_is_linear_in_memory():
    """A million rows with ten columns: the old code needed two 800 MB arrays; this one stays O(n p)."""
    import tracemalloc

    rng = np.random.default_rng(1)
    n, p = 200_000, 10
    x = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{j}" for j in range(p)])
    t = rng.integers(1, 700, n).astype(float)
    e = (rng.random(n) < 0.4).astype(int)
    tracemalloc.start()
    out = ph_test(t, e, x, np.zeros(p), strata=rng.integers(0, 10, n))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * n * p * 8  # the n x p x p version peaked above 2 * n * p * p * 8 = 320 MB
    assert out.loc["GLOBAL", "df"] == p
