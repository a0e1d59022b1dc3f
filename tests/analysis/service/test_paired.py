"""McNemar's test and the paired difference in proportions against base R (tests/reference/service/)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.service import paired_proportion

REF = Path(__file__).resolve().parents[2] / "reference" / "service"
R = json.loads((REF / "r_results.json").read_text())
DATA = pd.read_csv(REF / "injecting.csv")


def _fit(scenario, **kw):
    return paired_proportion(DATA[DATA["scenario"] == scenario], outcome="injecting", **kw)


def test_large_sample_chi_square_matches_r():
    res = _fit("large")
    r = R["large"]
    assert not res.exact  # 36 discordant pairs
    assert (res.n_pairs, res.b, res.c) == (r["n"], r["b"], r["c"])
    assert (res.share_pre, res.share_post) == pytest.approx((r["share_pre"], r["share_post"]), abs=1e-12)
    # R: mcnemar.test(tab, correct = TRUE)$statistic, $p.value
    assert res.statistic == pytest.approx(r["mcnemar_statistic"], rel=1e-10)
    assert res.p_value == pytest.approx(r["mcnemar_p"], rel=1e-8)
    # R: diff <- (c - b) / n; diff + c(-1, 1) * qnorm(0.975) * sqrt(b + c - (b - c)^2 / n) / n
    assert res.difference == pytest.approx(r["difference"], abs=1e-12)
    assert res.ci == pytest.approx((r["ci_low"], r["ci_high"]), abs=1e-10)
    # R: binom.test(min(b, c), b + c, p = 0.5)$p.value  (the exact test on request)
    assert _fit("large", exact=True).p_value == pytest.approx(r["exact_p"], rel=1e-8)


def test_few_discordant_pairs_use_the_exact_test_as_r():
    res = _fit("small")
    r = R["small"]
    assert res.exact and res.b + res.c < 25
    # R: binom.test(min(b, c), b + c, p = 0.5)$p.value
    assert res.p_value == pytest.approx(r["exact_p"], rel=1e-8)
    # R: diff + c(-1, 1) * qnorm(0.975) * sqrt(b + c - (b - c)^2 / n) / n
    assert res.ci == pytest.approx((r["ci_low"], r["ci_high"]), abs=1e-10)
    # R: mcnemar.test(tab, correct = TRUE)$p.value  (chi-square on request)
    assert _fit("small", exact=False).p_value == pytest.approx(r["mcnemar_p"], rel=1e-8)
    frame = res.to_frame()
    assert frame["quantity"].iloc[-1].startswith("McNemar exact") and (frame["n"] == r["n"]).all()


def test_bad_input_is_named():
    with pytest.raises(KeyError, match="outcome="):
        paired_proportion(DATA, outcome="nope")
    with pytest.raises(ValueError, match="twice"):
        paired_proportion(pd.concat([DATA, DATA.head(1)]), outcome="injecting")
