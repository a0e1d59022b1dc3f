import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recidivism.competing import aalen_johansen, cumulative_incidence
from analysis.recidivism.km import km_table

TIMES = (90, 180, 365, 730)


def test_cumulative_incidence_against_R_cmprsk(synthetic, ref):
    res = cumulative_incidence(synthetic, times=TIMES, min_at_risk=1)
    at = res.at_times
    for g in ("non-participant", "participant"):
        mine = at.loc[at["group"] == g].set_index("time")
        # R: timepoints(cuminc(syn$duration, syn$status, syn$group, cencode=0), c(90, 180, 365, 730))$est
        est = ref("synthetic", "cuminc", "est_1", g)["value"].to_numpy()
        np.testing.assert_allclose(mine["cif"].to_numpy(), est, rtol=1e-12)
        # R: ... $var   (Gray's variance)
        var = ref("synthetic", "cuminc", "var_1", g)["value"].to_numpy()
        np.testing.assert_allclose(mine["se"].to_numpy() ** 2, var, rtol=1e-10)
        # R: summary(survfit(Surv(duration, factor(status, 0:3)) ~ group, syn), times=...)$pstate
        ps = ref("synthetic", "aj_survfit", "pstate_1", g)["value"].to_numpy()
        np.testing.assert_allclose(mine["cif"].to_numpy(), ps, rtol=1e-12)
    # competing causes too: R cuminc est for causes 2 (death) and 3 (deportation)
    est = res.estimates
    for code, label in ((2, "death"), (3, "deportation")):
        for g in ("non-participant", "participant"):
            e = est.loc[est["group"] == g]
            idx = np.searchsorted(e["time"].to_numpy(), TIMES, side="right") - 1
            want = ref("synthetic", "cuminc", f"est_{code}", g)["value"].to_numpy()
            np.testing.assert_allclose(e[f"cif_{label}"].to_numpy()[idx], want, rtol=1e-12, atol=1e-15)


def test_cif_is_below_one_minus_km_and_remarks_explain(synthetic):
    res = cumulative_incidence(synthetic)
    assert (res.at_times["gap"] >= 0).all() and (res.at_times["gap"] > 0).any()
    assert any("overstates" in r for r in res.remarks)
    ax = res.plot()
    assert len(ax.get_lines()) == 4


def test_deterministic_under_row_order_unlike_lifelines_jitter(synthetic):
    a = cumulative_incidence(synthetic).estimates
    b = cumulative_incidence(synthetic.sample(frac=1.0, random_state=3)).estimates
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 3)), min_size=1, max_size=40))
def test_aalen_johansen_properties(rows):
    t = np.array([r[0] for r in rows], dtype=float)
    s = np.array([r[1] for r in rows])
    aj = aalen_johansen(t, s)
    cifs = [c for c in aj.columns if c.startswith("cif_")]
    # probabilities of all states add up to one
    np.testing.assert_allclose(aj[cifs].sum(axis=1) + aj["surv"], 1.0, atol=1e-12)
    if 1 in s:
        assert (aj["cif_1"] <= aj["one_minus_km"] + 1e-12).all()
    # without competing events the cumulative incidence is 1 - KM
    s1 = np.where(s > 1, 0, s)
    aj1 = aalen_johansen(t, s1)
    km = km_table(t, s1)
    if 1 in s1:
        np.testing.assert_allclose(aj1["cif_1"], 1 - km["surv"], atol=1e-12)


def test_errors(synthetic):
    with pytest.raises(KeyError, match="pass status="):
        cumulative_incidence(synthetic.drop(columns="status"))
    with pytest.raises(ValueError, match="status="):
        cumulative_incidence(synthetic.assign(status=np.nan))
