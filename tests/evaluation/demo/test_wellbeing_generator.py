"""The demo's wellbeing generator: unique prison numbers, and the participation effect over seeds.

The recorded run over 100 generator seeds (evaluation/demo/_wellbeing_seeds_record.py, written by
benchmarks/wellbeing_demo_seeds.py --record) is the principled check that the demo's truth is recovered:
one demo is one draw, whose 95% interval misses the truth 1 time in 20; over seeds the interval must cover
it at the nominal rate and the estimates must centre on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.demo import surveys as surveys_module
from evaluation.demo.people import simulate_population
from evaluation.demo.surveys import _next_free, simulate_surveys
from evaluation.demo.truth import SCALES, Effects, expected_changes
from evaluation.instruments import Catalogue

ROOT = Path(__file__).resolve().parents[3]


def _benchmark():
    spec = importlib.util.spec_from_file_location("wellbeing_demo_seeds", ROOT / "benchmarks" / "wellbeing_demo_seeds.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_next_free_skips_numbers_in_use_and_wraps():
    assert _next_free("1000005", {"1000005", "1000006"}) == "1000007"
    assert _next_free("9999999", {"9999999"}) == "1000000"
    assert _next_free("1234567", set()) == "1234567"


def test_made_up_prison_numbers_never_clash(monkeypatch):
    """Force the draw to hit numbers already in use: every detainee still has a number of their own."""
    cat = Catalogue()
    defs = {i: cat.instrument(i) for i in ("detainee", "peer_worker", "staff", "release_outcomes", "contacts")}
    rng = np.random.default_rng(3)
    pop = simulate_population(["P01", "P02"], SCALES["small"], Effects(), rng)
    in_use = list(pop.episodes["prison_number"].astype(str))

    def clashing(rng, n):  # the population's own numbers, then the same ones again for the next prison
        rng.choice(9_000_000, size=n, replace=False)   # consume the stream as the real draw does
        return (in_use * (n // len(in_use) + 1))[:n]

    monkeypatch.setattr(surveys_module, "_unique_numbers", clashing)
    sv = simulate_surveys(pop, defs, SCALES["small"], Effects(), rng, 3)
    det = pd.concat(list(sv.detainee.values()), ignore_index=True)
    assert not det.duplicated(["prison_number", "wave"]).any()
    assert sv.truth["prison_number"].is_unique


@pytest.fixture(scope="module")
def record():
    from evaluation.demo._wellbeing_seeds_record import RECORD

    return RECORD


def test_record_is_reproduced_by_re_running_its_first_seeds(record):
    bench = _benchmark()
    cat = Catalogue()
    for row in record["per_seed"][:2]:
        got = bench.one_seed(row["seed"], cat)[record["interval"]]
        assert got[0] == pytest.approx(row["estimate"], abs=1e-9)
        assert (got[2], got[3]) == pytest.approx((row["ci_low"], row["ci_high"]), abs=1e-9)
    assert record["truth"] == pytest.approx(expected_changes(Effects())["who5_participation_effect"], abs=1e-9)


def test_truth_recovered_over_demo_seeds_at_the_nominal_rate(record):
    per_seed = record["per_seed"]
    n = len(per_seed)
    assert n >= 100
    truth = record["truth"]
    covered = sum(r["ci_low"] <= truth <= r["ci_high"] for r in per_seed)
    # 95% intervals: the number covering is Binomial(n, 0.95); refuse only what is implausible at the 0.1% level
    assert stats.binomtest(covered, n, 0.95).pvalue > 0.001, covered
    # the estimates centre on the truth: their mean within 3.29 Monte-Carlo SEs
    est = np.array([r["estimate"] for r in per_seed])
    assert abs(est.mean() - truth) < 3.29 * est.std(ddof=1) / np.sqrt(n)
    # and the SEs describe the spread of the estimates over seeds (within 20%)
    assert np.mean([r["se"] for r in per_seed]) == pytest.approx(est.std(ddof=1), rel=0.2)
    assert record["coverage"] == pytest.approx(covered / n)
