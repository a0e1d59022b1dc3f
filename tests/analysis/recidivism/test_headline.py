import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recidivism.headline import newcombe_interval, one_year_rate, wilson_interval


@pytest.mark.parametrize("x,n", [(56, 70), (48, 80), (0, 10), (10, 10), (81, 263)])
def test_wilson_against_R(ref, x, n):
    r = ref("wilson", "wilson", "lower").set_index("key")["value"]
    u = ref("wilson", "wilson", "upper").set_index("key")["value"]
    # R: prop.test(x, n, correct=FALSE)$conf.int
    np.testing.assert_allclose(wilson_interval(x, n), (r[f"{x}/{n}"], u[f"{x}/{n}"]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("x1,n1,x2,n2", [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29)])
def test_newcombe_against_R_and_the_paper(ref, x1, n1, x2, n2):
    key = f"{x1}/{n1}-{x2}/{n2}"
    lo = ref("newcombe", "newcombe", "lower").set_index("key")["value"][key]
    hi = ref("newcombe", "newcombe", "upper").set_index("key")["value"][key]
    # R (reference.R): p1 - p2 -+ sqrt(...) from prop.test(..., correct=FALSE) Wilson limits
    np.testing.assert_allclose(newcombe_interval(x1, n1, x2, n2), (lo, hi), rtol=1e-9)
    # Newcombe (1998), Stat Med 17:873, Table II, method 10: 56/70 - 48/80 -> 0.0524 to 0.3339
    if key == "56/70-48/80":
        assert np.round(newcombe_interval(x1, n1, x2, n2), 4).tolist() == [0.0524, 0.3339]
    # 9/10 - 3/10 -> 0.1705 to 0.8090 (ibid.)
    if key == "9/10-3/10":
        assert np.round(newcombe_interval(x1, n1, x2, n2), 4).tolist() == [0.1705, 0.8090]


def _data(x1, n1, x2, n2):
    return pd.DataFrame({
        "group": ["participant"] * n1 + ["non-participant"] * n2,
        "reoffended_1y": [1] * x1 + [0] * (n1 - x1) + [1] * x2 + [0] * (n2 - x2),
        "eligible_1y": True,
    })


def test_headline_sentence_and_frame():
    res = one_year_rate(_data(30, 200, 60, 200))
    lo, hi = newcombe_interval(30, 200, 60, 200)
    assert res.lower == pytest.approx(lo) and res.upper == pytest.approx(hi)
    assert res.sentence() == (f"For every 100 participants, between {round(-100 * hi)} and {round(-100 * lo)} "
                              "fewer reoffended within one year than in the comparison group.")
    assert res.remarks[0] == res.sentence()
    frame = res.to_frame()
    assert frame.loc["participant", "rate"] == pytest.approx(0.15)
    assert frame.loc["difference (participant - non-participant)", "rate"] == pytest.approx(-0.15)
    assert not any("detect a hazard ratio" in r for r in res.remarks) and res.detectable.mde_hr < 1
    assert len(res.plot().get_yticklabels()) == 2
    more = one_year_rate(_data(80, 200, 50, 200))
    assert "more reoffended" in more.sentence()
    unclear = one_year_rate(_data(50, 200, 52, 200))
    assert "cannot tell" in unclear.sentence()


def test_only_eligible_people_count_and_counts_per_100():
    d = _data(30, 100, 40, 100)
    d.loc[:9, "eligible_1y"] = False  # ten participants without full window
    d["n_reoffences"] = d["reoffended_1y"] * 2
    res = one_year_rate(d, count="n_reoffences")
    assert res.rates.loc["participant", "n"] == 90
    assert res.rates.loc["participant", "reoffended"] == 20
    assert res.rates.loc["participant", "per_100"] == pytest.approx(200 * 20 / 90)
    assert res.count_difference[1] < res.count_difference[0] < res.count_difference[2]


def test_small_cells_are_flagged():
    res = one_year_rate(_data(3, 40, 20, 60))
    assert any("suppress" in r for r in res.remarks)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(1, 200), st.data())
def test_interval_properties(n1, n2, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    lo, hi = wilson_interval(x1, n1)
    assert 0 <= lo <= x1 / n1 <= hi <= 1
    dlo, dhi = newcombe_interval(x1, n1, x2, n2)
    assert -1 <= dlo <= x1 / n1 - x2 / n2 <= dhi <= 1
    # swapping the groups mirrors the interval
    slo, shi = newcombe_interval(x2, n2, x1, n1)
    assert slo == pytest.approx(-dhi) and shi == pytest.approx(-dlo)


def test_per_100_sentence_never_says_zero_more():
    from analysis.recidivism.headline import _per_100_sentence

    text = _per_100_sentence(-0.153, 0.002, "participant", "one year")
    assert "between 15 fewer and 0.2 more" in text
    assert "between 3 and 12 fewer" in _per_100_sentence(-0.12, -0.03, "participant", "one year")
    assert "between 3 and 12 more" in _per_100_sentence(0.03, 0.12, "participant", "one year")


def test_per_100_sentence_in_the_three_editions():
    from analysis.recidivism.headline import per_100_editions

    fewer = per_100_editions(-0.25, -0.03, "participant", "one year").texts
    assert fewer["en"] == "For every 100 participants, between 3 and 25 fewer reoffended within one year than in the comparison group."
    assert fewer["nl"] == "Per 100 deelnemers recidiveerden er binnen een jaar tussen 3 en 25 minder dan in de vergelijkingsgroep."
    assert "entre 3 et 25 de moins ont récidivé dans l’année" in fewer["fr"]
    unclear = per_100_editions(-0.05, 0.004, "participant", "one year").texts
    assert "tussen 5 minder en 0,4 meer" in unclear["nl"] and "entre 5 de moins et 0,4 de plus" in unclear["fr"]
    # a group without Dutch or French words keeps the English sentence
    assert per_100_editions(-0.2, -0.1, "mentee", "one year").texts["nl"].startswith("For every 100 mentees")
