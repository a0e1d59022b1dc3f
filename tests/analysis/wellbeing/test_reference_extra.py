"""Signed-rank test as R decides, Hedges' g_av, psych::alpha pairwise and
standardised — against tests/reference/wellbeing/reference_extra.R
(r_results_extra.json; R 4.2.2, psych 2.2.9)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.results import Result
from analysis.wellbeing import cronbach_alpha, paired_change
from analysis.wellbeing.change import wilcoxon_signed_rank

from .conftest import REF

R = json.loads((REF / "r_results_extra.json").read_text())
DEP = pd.read_csv(REF / "depression.csv")


def depression_long():
    return pd.concat([DEP.assign(wave=1, score=DEP["pre"]), DEP.assign(wave=2, score=DEP["post"])])[
        ["pid", "wave", "score"]]


def test_nine_pairs_exact_by_default_as_R():
    res = paired_change(depression_long(), site=None, pre=1, post=2)
    # R: wilcox.test(x, y, paired = TRUE)$p.value  -- exact: 0.0390625 (the approximation says 0.044)
    assert res.p_wilcoxon == pytest.approx(R["depression"]["default"]["p"], abs=1e-12)
    assert res.wilcoxon.exact and res.wilcoxon_v == R["depression"]["default"]["V"]
    assert "exact" in res.to_frame().index[4]
    # R: t.test(x, y, paired = TRUE)$statistic
    assert res.t == pytest.approx(R["depression"]["t"], abs=1e-10)
    # R: J * mean(d) / ((sd(x) + sd(y)) / 2), J = exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df-1)/2))
    assert res.g_av == pytest.approx(R["depression"]["g_av"], abs=1e-10)
    assert res.d_av == pytest.approx(R["depression"]["d_av"], abs=1e-10)
    lo, hi = res.g_av_ci
    assert lo < res.g_av < hi and "Hedges' g_av" in res.to_frame().index


@pytest.mark.parametrize(("kwargs", "key"), [
    # R: wilcox.test(x, y, paired = TRUE, alternative = "greater")$p.value
    ({"alternative": "greater"}, "greater"),
    # R: wilcox.test(x, y, paired = TRUE, alternative = "less")$p.value
    ({"alternative": "less"}, "less"),
    # R: wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE)$p.value
    ({"exact": False}, "approx_correct"),
    # R: wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = FALSE)$p.value
    ({"exact": False, "correct": False}, "approx_nocorrect"),
    # R: wilcox.test(x, y, paired = TRUE, exact = FALSE, alternative = "greater")$p.value
    ({"exact": False, "alternative": "greater"}, "approx_greater"),
])
def test_signed_rank_options_against_R(kwargs, key):
    res = wilcoxon_signed_rank(DEP["post"] - DEP["pre"], **kwargs)
    assert isinstance(res, Result)
    assert res.p_val == pytest.approx(R["depression"][key]["p"], abs=1e-12)
    assert res.v == R["depression"][key]["V"]


def test_exact_switch_at_fifty_as_R():
    # R: wilcox.test(d49)$p.value  -- 49 non-zero differences: exact
    r49 = wilcoxon_signed_rank(R["n49"]["d"])
    assert r49.exact and r49.p_val == pytest.approx(R["n49"]["p"], abs=1e-12)
    # R: wilcox.test(d50)$p.value  -- 50: normal approximation with continuity correction
    r50 = wilcoxon_signed_rank(R["n50"]["d"])
    assert not r50.exact and r50.p_val == pytest.approx(R["n50"]["p"], abs=1e-12)
    # R: wilcox.test(d50, exact = TRUE)$p.value
    assert wilcoxon_signed_rank(R["n50"]["d"], exact=True).p_val == pytest.approx(R["n50"]["p_exact"], abs=1e-12)


def test_ties_or_zeros_fall_back_to_the_approximation():
    res = wilcoxon_signed_rank([1.0, 2.0, 2.0, -0.5, 3.0], exact=True)
    assert not res.exact and res.ties and "approximation" in res.method
    with pytest.raises(ValueError, match="alternative"):
        wilcoxon_signed_rank([1.0, 2.0], alternative="two.sided")


def bfi():
    a = pd.read_csv(REF / "bfi_agreeableness.csv")
    a["A1"] = 7 - a["A1"]
    return a


def test_alpha_pairwise_and_standardised_against_psych():
    ref = R["bfi_alpha"]
    res = cronbach_alpha(bfi(), missing="pairwise")
    assert res.n == ref["n_rows"]
    # R: psych::alpha(A)$total$raw_alpha  (use = "pairwise", all 2800 rows)
    assert res.alpha == pytest.approx(ref["pairwise_raw"], abs=1e-10)
    # R: psych::alpha(A)$total$std.alpha
    assert res.alpha_std == pytest.approx(ref["pairwise_std"], abs=1e-10)
    # R: psych::alpha(A)$feldt  (n = 2800)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref["pairwise_feldt"]), abs=1e-10)
    listwise = cronbach_alpha(bfi())
    assert listwise.n == ref["complete_n"]
    # R: psych::alpha(Ac)$total$raw_alpha, $std.alpha  (complete rows)
    assert listwise.alpha == pytest.approx(ref["complete_raw"], abs=1e-10)
    assert listwise.alpha_std == pytest.approx(ref["complete_std"], abs=1e-10)
    assert isinstance(listwise, Result) and "alpha_std" in listwise.to_frame()
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(bfi(), missing="available")
