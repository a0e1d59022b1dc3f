import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test as ll_logrank

from analysis.recidivism.logrank import logrank_test

RTOL = 1e-10  # same arithmetic as survdiff


@pytest.mark.parametrize(
    "dataset,duration,event,group,strata",
    [
        ("rossi", "week", "arrest", "fin", None),
        ("rossi", "week", "arrest", "fin", "wexp"),
        ("synthetic", "duration", "event", "group", None),
        ("synthetic", "duration", "event", "group", "site"),
    ],
)
def test_logrank_against_R(request, ref, dataset, duration, event, group, strata):
    data = request.getfixturevalue(dataset)
    res = logrank_test(data, duration=duration, event=event, group=group, strata=strata)
    an = "logrank" if strata is None else "logrank_strata"
    # R: survdiff(Surv(duration, event) ~ group [+ strata(site)], data)$chisq
    assert res.chisq == pytest.approx(ref(dataset, an, "chisq")["value"].iloc[0], rel=RTOL)
    # R: survdiff(...)$obs, $exp (summed over strata), diag($var)
    np.testing.assert_allclose(res.table["observed"], ref(dataset, an, "observed")["value"], rtol=RTOL)
    np.testing.assert_allclose(res.table["expected"], ref(dataset, an, "expected")["value"], rtol=RTOL)
    diff = res.table["observed"] - res.table["expected"]
    np.testing.assert_allclose(diff**2 / res.table["oe2_v"], ref(dataset, an, "var")["value"], rtol=RTOL)
    assert res.df == 1
    # the model's own detectable hazard ratio is an attribute, never a remark (one MDE convention in the report)
    assert res.detectable is not None and not any("power (two-sided" in r for r in res.remarks)
    if strata:
        assert strata in res.title


def test_three_groups_agree_with_lifelines_multivariate(rossi):
    from lifelines.statistics import multivariate_logrank_test

    data = rossi.assign(prio_cat=pd.cut(rossi["prio"], [-1, 0, 2, 100], labels=["none", "1-2", "3+"]).astype(str))
    res = logrank_test(data, duration="week", event="arrest", group="prio_cat")
    ll = multivariate_logrank_test(data["week"], data["prio_cat"], data["arrest"])
    assert res.df == 2
    assert res.chisq == pytest.approx(ll.test_statistic, rel=1e-9)
    assert res.detectable is None
    two = ll_logrank(rossi.week[rossi.fin == 0], rossi.week[rossi.fin == 1], rossi.arrest[rossi.fin == 0],
                     rossi.arrest[rossi.fin == 1])
    assert logrank_test(rossi, duration="week", event="arrest", group="fin").chisq == pytest.approx(
        two.test_statistic, rel=1e-9)


def test_logrank_result_shape(synthetic):
    res = logrank_test(synthetic, strata="site")
    assert list(res.to_frame().columns) == ["n", "observed", "expected", "oe2_e", "oe2_v"]
    assert res.table["observed"].sum() == synthetic["event"].sum()
    assert res.table["observed"].sum() == pytest.approx(res.table["expected"].sum())
    assert "Log-rank" in str(res)
    assert len(res.plot().patches) == 4


def test_errors(synthetic):
    with pytest.raises(KeyError, match="pass strata="):
        logrank_test(synthetic, strata="prison")
    with pytest.raises(ValueError, match="single level"):
        logrank_test(synthetic.assign(group="x"))
