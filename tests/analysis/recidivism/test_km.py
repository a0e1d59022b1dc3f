import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from analysis.recidivism.km import kaplan_meier, km_table, survfit_quantile

# Tolerance against R: 1e-10 relative (the same arithmetic, different order of operations).
RTOL = 1e-10


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
@pytest.mark.parametrize(
    "dataset,duration,event,group",
    [("rossi", "week", "arrest", "fin"), ("synthetic", "duration", "event", "group")],
)
def test_km_estimates_and_bands_against_R(request, ref, dataset, duration, event, group, conf_type):
    data = request.getfixturevalue(dataset)
    res = kaplan_meier(data, duration=duration, event=event, group=group, conf_type=conf_type)
    est = res.estimates.assign(group=lambda d: d["group"].astype(str))
    for stat, col in [("n_risk", "n_risk"), ("n_event", "n_event"), ("surv", "surv"), ("se_log", "se_log"),
                      ("lower", "lower"), ("upper", "upper")]:
        # R: fit <- survfit(Surv(duration, event) ~ group, data, conf.type=conf_type); fit$surv, fit$std.err, ...
        r = ref(dataset, f"km_{conf_type}", stat)
        assert len(r) == len(est)
        np.testing.assert_array_equal(r["group"].to_numpy(), est["group"].to_numpy())
        np.testing.assert_allclose(r["key"].astype(float), est["time"], rtol=0)
        np.testing.assert_allclose(est[col].to_numpy(dtype=float), r["value"].to_numpy(), rtol=RTOL, equal_nan=True)


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_survival_at_times_against_R(ref, rossi, synthetic, conf_type):
    cases = [("rossi", rossi, "week", "arrest", "fin", (10, 20, 52)),
             ("synthetic", synthetic, "duration", "event", "group", (180, 365, 730))]
    for dataset, data, duration, event, group, times in cases:
        res = kaplan_meier(data, duration=duration, event=event, group=group, conf_type=conf_type, times=times)
        at = res.survival_at.assign(group=lambda d: d["group"].astype(str))
        for stat in ("surv", "std_err", "lower", "upper", "n_risk"):
            # R: summary(fit, times=times)$surv / $std.err / $lower / $upper / $n.risk
            r = ref(dataset, f"at_{conf_type}", stat)
            np.testing.assert_allclose(at[stat].to_numpy(dtype=float), r["value"].to_numpy(), rtol=RTOL)


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_median_with_ci_against_R(ref, synthetic, rossi, conf_type):
    res = kaplan_meier(synthetic, group="group", conf_type=conf_type)
    for stat, col in [("median", "median"), ("lower", "lower"), ("upper", "upper")]:
        # R: quantile(survfit(Surv(duration, event) ~ group, syn, conf.type=conf_type), probs=0.5)
        r = ref("synthetic", f"median_{conf_type}", stat)
        np.testing.assert_allclose(res.medians[col].to_numpy(), r["value"].to_numpy(), rtol=RTOL)
    # Rossi: median never reached (R gives NA); other quantiles, incl. an NA upper limit
    rr = kaplan_meier(rossi, duration="week", event="arrest", group="fin", conf_type=conf_type)
    assert rr.medians["median"].isna().all()
    assert any("not reached" in r for r in rr.remarks)
    for g in (0, 1):
        e = rr.estimates.loc[rr.estimates["group"] == g]
        for p in (0.1, 0.2):
            got = survfit_quantile(e["time"], e["surv"], e["lower"], e["upper"], p)
            # R: quantile(survfit(Surv(week, arrest) ~ fin, rossi, conf.type=conf_type), probs=c(.1, .2))
            want = []
            for stat in ("quantile", "lower", "upper"):
                r = ref("rossi", f"quantile_{conf_type}", stat, g)
                want.append(r.loc[r["key"] == str(p), "value"].iloc[0])
            np.testing.assert_allclose(got, want, rtol=RTOL, equal_nan=True)


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_median_midpoint_rule_against_R(ref, conf_type):
    tiny = pd.DataFrame({"time": [1, 2, 3, 4, 2, 5, 6, 7, 8, 9], "event": [1, 1, 1, 1, 1, 1, 0, 1, 0, 1],
                         "g": list("aaaabbbbbb")})
    res = kaplan_meier(tiny, duration="time", group="g", conf_type=conf_type, min_at_risk=1)
    for stat, col in [("quantile", "median"), ("lower", "lower"), ("upper", "upper")]:
        # R: quantile(survfit(Surv(time, event) ~ g, tiny, conf.type=conf_type), probs=0.5)
        r = ref("tiny", f"median_{conf_type}", stat)
        np.testing.assert_allclose(res.medians[col].to_numpy(), r["value"].to_numpy(), rtol=RTOL, equal_nan=True)
    assert res.medians.loc["a", "median"] == 2.5


def test_log_log_band_agrees_with_lifelines(rossi):
    res = kaplan_meier(rossi, duration="week", event="arrest", conf_type="log-log")
    kmf = KaplanMeierFitter().fit(rossi["week"], rossi["arrest"])
    ci = kmf.confidence_interval_.iloc[1:]  # lifelines adds time 0
    est = res.estimates
    np.testing.assert_allclose(est["lower"].to_numpy(), ci.iloc[:, 0].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(est["upper"].to_numpy(), ci.iloc[:, 1].to_numpy(), rtol=1e-8)


def test_curves_stop_below_the_disclosure_threshold(synthetic):
    res = kaplan_meier(synthetic, group="group", min_at_risk=30, at_risk_times=(0, 365, 730, 1095))
    pub = res.to_frame()
    assert pub["n_risk"].min() >= 30
    assert res.estimates["n_risk"].min() < 30
    assert ((res.at_risk.stack() >= 30) | (res.at_risk.stack() == 0)).all()
    assert res.at_risk.isna().any().any()
    assert res.at_risk.columns[0] == 0.0
    assert res.at_risk.loc["participant", 0.0] == (synthetic["group"] == "participant").sum()
    ax = res.plot()
    texts = [t.get_text() for t in ax.texts]
    assert "At risk" in texts and "participant" in texts
    assert len(ax.get_lines()) == 2
    # plotted curve ends at the last published time
    last = pub.loc[pub["group"] == "participant", "time"].max()
    assert ax.get_lines()[1].get_xdata()[-1] == last


def test_errors():
    df = pd.DataFrame({"duration": [1.0, -2.0], "event": [1, 0]})
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier(df)
    with pytest.raises(ValueError, match="conf_type="):
        kaplan_meier(df.abs(), conf_type="plain")
    with pytest.raises(KeyError, match="pass group="):
        kaplan_meier(df.abs(), group="arm")
    with pytest.raises(ValueError, match="0 \\(censored\\) or 1"):
        kaplan_meier(df.abs().assign(event=[2, 0]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=40))
def test_km_properties(rows):
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows], dtype=int)
    tab = km_table(t, e)
    s = tab["surv"].to_numpy()
    assert np.all(np.diff(s) <= 1e-15) and np.all((s >= 0) & (s <= 1))
    assert tab["n_event"].sum() == e.sum() and tab["n_censor"].sum() == (1 - e).sum()
    # without censoring, KM is one minus the empirical distribution function
    if e.all():
        np.testing.assert_allclose(s, 1 - np.searchsorted(np.sort(t), tab["time"], side="right") / len(t))
    res = kaplan_meier(pd.DataFrame({"duration": t, "event": e}), min_at_risk=1)
    ok = res.estimates["lower"].notna()
    assert (res.estimates.loc[ok, "lower"] <= res.estimates.loc[ok, "surv"] + 1e-12).all()
    assert (res.estimates.loc[ok, "upper"] >= res.estimates.loc[ok, "surv"] - 1e-12).all()
