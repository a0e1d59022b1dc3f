"""The seeded simulation that calibrates the wellbeing intervals (analysis.wellbeing.calibration).

The full run (1,000 replicates per scenario) is benchmarks/wellbeing_calibration.py; its record
(_calibration_record.py) is what the chapter publishes. These tests re-run a few replicates."""

import numpy as np
import pytest

from analysis.wellbeing.calibration import (ANCOVA, PRIMARY, calibrate, published, simulate_study, structure,
                                            true_values)


@pytest.fixture(scope="module")
def few():
    from analysis.wellbeing._calibration_record import RECORD

    return calibrate(3, seed=RECORD["seed"]), RECORD


def test_ten_prisons_of_unequal_size_with_attrition():
    ps = structure()
    assert len(ps.sizes) == 10 and len(set(ps.sizes)) == 10
    assert len(set(ps.effect)) == 10  # the participation effect differs between prisons
    scores, groups, released = simulate_study(np.random.default_rng(1), effect_raw=1.5, ps=ps)
    n = sum(ps.sizes)
    assert (scores["wave"] == 1).sum() == n and 0.4 * n < (scores["wave"] == 2).sum() < 0.8 * n
    assert 0.1 < released.mean() < 0.4
    share = (groups["group"] == "participant").mean()
    assert 0.2 < share < 0.6


def test_truth_of_the_null_is_zero_and_the_effect_is_clipped():
    ps = structure()
    assert true_values(0.0, ps, n=20_000)["primary"] == 0.0
    eff = true_values(1.5, ps, n=50_000)["primary"]
    assert 4.5 < eff < 6.5  # 4 x 1.5 x the prisons' mean multiplier, a little less for clipping


def test_record_reproduced_by_re_running_its_first_replicates(few):
    res, record = few
    got = res.replicates.set_index(["scenario", "replicate", "interval"]).sort_index()
    for row in record["first_replicates"]:
        r = got.loc[(row["scenario"], int(row["replicate"]), row["interval"])]
        r = r.iloc[0] if r.ndim > 1 else r  # per-prison rows: the first prison
        if row["interval"].startswith("paired change by prison"):
            continue
        assert r["estimate"] == pytest.approx(row["estimate"], abs=1e-9)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((row["ci_low"], row["ci_high"]), abs=1e-9)
    assert res.truths["effect"]["primary"] == pytest.approx(record["truths"]["effect"]["primary"], abs=1e-9)


def test_published_primary_interval_meets_the_targets():
    rec = published()
    assert rec.summary["replicates"].min() >= 1000
    # type-I error of the published interval under the true null: 3.5-6.5%
    assert 0.035 <= rec.rate("null", PRIMARY, "excludes_zero") <= 0.065
    # coverage of the true ATT under the null and under the effect: 93.5-96.5%
    assert 0.935 <= rec.rate("null", PRIMARY) <= 0.965
    assert 0.935 <= rec.rate("effect", PRIMARY) <= 0.965
    assert 0.935 <= rec.rate("effect", "paired change, t (completers)") <= 0.965
    assert any("replicates per scenario" in r for r in rec.remarks)


def test_few_replicates_summary_shape(few):
    res, _ = few
    s = res.to_frame().set_index(["scenario", "interval"])
    assert set(s.index.get_level_values("interval")) == {PRIMARY, ANCOVA, "paired change, t (completers)",
                                                        "paired change by prison, t"}
    assert (s.loc[("null", PRIMARY), "replicates"]) == 3
    assert s.loc[("null", "paired change by prison, t"), "replicates"] == 30
    assert s["coverage"].between(0, 1).all()
