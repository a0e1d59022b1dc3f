"""The seeded simulation that calibrates the themes chapter's kappa intervals, and the cluster bootstrap.

The full run (1,000 replicates) is benchmarks/themes_calibration.py; its record (_calibration_record.py)
is what the chapter publishes. These tests re-run a few replicates."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.themes.bootstrap import cluster_bootstrap_kappa
from analysis.themes.calibration import (BOOTSTRAP, WALD, calibrate, published, simulate_study, structure,
                                         true_kappas)


@pytest.fixture(scope="module")
def few():
    from analysis.themes._calibration_record import RECORD

    return calibrate(3, seed=RECORD["seed"], truth_copies=2000), RECORD


def test_ten_prisons_with_clustered_paragraphs():
    ps = structure()
    assert len(ps.sizes) == 10 and 20 <= sum(ps.sizes) <= 30
    assert len(set(ps.prevalence)) == 10 and len(set(ps.sensitivity_b)) == 10
    study = simulate_study(np.random.default_rng(1), ps)
    assert study["transcript"].nunique() == sum(ps.sizes) and study["site"].nunique() == 10
    assert study.groupby("transcript").size().between(3, 6).all()
    assert 0.2 < study["a"].mean() < 0.6


def test_record_reproduced_by_re_running_its_first_replicates(few):
    res, record = few
    got = res.replicates.set_index(["replicate", "level", "interval"]).sort_index()
    for row in record["first_replicates"]:
        r = got.loc[(int(row["replicate"]), row["level"], row["interval"])]
        assert r["estimate"] == pytest.approx(row["estimate"], abs=1e-12)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((row["ci_low"], row["ci_high"]), abs=1e-12)


def test_truths_are_stable_across_seeds():
    ps = structure()
    from analysis.themes._calibration_record import RECORD

    other = true_kappas(ps, copies=5000, seed=99)
    for level in ("transcript", "paragraph"):
        assert other[level] == pytest.approx(RECORD["truths"][level], abs=0.01)


def test_published_intervals_the_chapter_uses_meet_the_target_and_wald_does_not():
    rec = published()
    assert rec.summary["replicates"].min() >= 1000
    for level in ("transcript", "paragraph"):
        assert 0.935 <= rec.rate(level, BOOTSTRAP) <= 0.965
        assert rec.rate(level, WALD) < 0.935  # why the chapter does not publish the Wald interval
        assert rec.rate(level, BOOTSTRAP, "undefined") == 0


def test_bootstrap_estimate_is_statsmodels_kappa_and_resamples_whole_transcripts():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 3, 60)
    b = np.where(rng.random(60) < 0.7, a, rng.integers(0, 3, 60))
    clusters = np.repeat(np.arange(15), 4)
    res = cluster_bootstrap_kappa(np.c_[a, b], clusters, n_boot=500, seed=1)
    table = pd.crosstab(a, b).to_numpy()
    assert res.estimate == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)
    assert res.ci_lower < res.estimate < res.ci_upper and res.se > 0
    # identical clusters: a resample of 15 copies of one table is that table, so the SE is 0
    same = cluster_bootstrap_kappa(np.tile(np.c_[a[:4], b[:4]], (15, 1)), clusters, n_boot=200, seed=1)
    assert same.se == pytest.approx(0, abs=1e-12)
    again = cluster_bootstrap_kappa(np.c_[a, b], clusters, n_boot=500, seed=1)
    assert (again.ci_lower, again.ci_upper) == (res.ci_lower, res.ci_upper)   # seeded
    pct = cluster_bootstrap_kappa(np.c_[a, b], clusters, n_boot=500, seed=1, method="percentile")
    assert pct.se == res.se and pct.ci_lower != res.ci_lower
    with pytest.raises(ValueError, match="one per unit"):
        cluster_bootstrap_kappa(np.c_[a, b], clusters[:10])
