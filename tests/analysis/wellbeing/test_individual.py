import numpy as np
import pandas as pd
import pytest

from analysis.wellbeing.individual import reliable_change, wilson_ci
from analysis.wellbeing.scoring import score_scale

from .conftest import BARC10, WHO5


def long(pre, post):
    n = len(pre)
    ids = [f"P{i}" for i in range(n)]
    return pd.DataFrame({"pid": ids * 2, "wave": ["T0"] * n + ["T1"] * n, "score": list(pre) + list(post)})


def test_wilson_against_R(r_results):
    # R: prop.test(20, 235, correct = FALSE)$conf.int; tolerance 1e-10
    assert wilson_ci(20, 235) == pytest.approx(tuple(r_results["wilson_20_235"]), abs=1e-10)
    # R: prop.test(0, 12, correct = FALSE)$conf.int; tolerance 1e-10
    assert wilson_ci(0, 12) == pytest.approx(tuple(r_results["wilson_0_12"]), abs=1e-10)


def test_jacobson_truax_threshold_and_categories():
    # SE_diff = 20 * sqrt(2) * sqrt(1 - 0.83) = 11.662; 1.96 * SE_diff = 22.857
    data = long([40, 40, 40, 40, 40, 40], [64, 62, 50, 30, 16, 40])
    res = reliable_change(data, WHO5)
    assert res.se_diff == pytest.approx(20 * np.sqrt(2) * np.sqrt(0.17))
    assert res.rci_threshold == pytest.approx(22.8573, abs=1e-4)
    assert res.individual["rci_category"].tolist() == ["improved", "unchanged", "unchanged", "unchanged",
                                                       "deteriorated", "unchanged"]
    # MIC = 10: +24, +22, +10 improved; -10, -24 deteriorated; 0 unchanged
    assert res.individual["mic_category"].tolist() == ["improved", "improved", "improved", "deteriorated",
                                                       "deteriorated", "unchanged"]
    t = res.to_frame().set_index(["criterion", "category"])
    assert t.loc[("minimal important change", "improved"), "n"] == 3
    assert t.loc[("reliable change (RCI)", "improved"), "share"] == pytest.approx(1 / 6)
    lo, hi = wilson_ci(1, 6)
    assert t.loc[("reliable change (RCI)", "improved"), "ci_low"] == pytest.approx(lo)
    assert "not an effect of the project" in str(res)
    assert any("Only 6 respondents" in r for r in res.remarks)


def test_lower_is_better_flips_direction():
    data = long([20, 20], [40, 5])
    res = reliable_change(data, retest_r=0.9, sd=5, mic=3, higher_is_better=False)
    assert res.individual["rci_category"].tolist() == ["deteriorated", "improved"]


def test_sample_alpha_is_a_labelled_fallback_and_sd_from_baseline():
    rng = np.random.default_rng(0)
    pre = rng.normal(35, 6, 40)
    data = long(pre, pre + rng.normal(2, 4, 40))
    with pytest.raises(ValueError, match="pass retest_r=<test–retest r>"):
        reliable_change(data, BARC10)
    res = reliable_change(data, BARC10, sample_alpha=0.85)
    assert res.r == 0.85 and "fallback" in res.r_source
    assert any("Alpha measures internal consistency" in r for r in res.remarks)
    assert res.sd1 == pytest.approx(np.std(pre, ddof=1))
    assert any("SD1 is the SD of the 40 valid baseline scores" in r for r in res.remarks)
    assert set(res.table["criterion"]) == {"reliable change (RCI)"}  # BARC-10 has no MIC here


def test_end_to_end_from_items(who5_items):
    res = reliable_change(score_scale(who5_items, WHO5), WHO5)
    assert res.n_pairs == 235
    assert res.table.groupby("criterion")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    assert res.plot().get_xlim() == (0.0, 1.0)
