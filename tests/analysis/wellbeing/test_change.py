import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.wellbeing.change import dz_ci, hedges_j, paired_change, wilcoxon_signed_rank
from analysis.wellbeing.scoring import score_scale

from .conftest import WHO5


def check_against_R(res, ref):
    assert res.n_pairs == ref["n"]
    # R: mean(post - pre); tolerance 1e-10
    assert res.mean_change == pytest.approx(ref["mean_change"], abs=1e-10)
    # R: t.test(post, pre, paired = TRUE)$statistic / $parameter / $p.value / $conf.int; tolerance 1e-10
    assert res.t == pytest.approx(ref["t"], abs=1e-10)
    assert res.df == ref["df"]
    assert res.p_t == pytest.approx(ref["p_t"], rel=1e-8)
    assert res.change_ci == pytest.approx(tuple(ref["ci"]), abs=1e-10)
    # R: wilcox.test(post, pre, paired = TRUE, exact = FALSE, correct = TRUE)$statistic (V) / $p.value; 1e-10
    assert res.wilcoxon_v == ref["V"]
    assert res.p_wilcoxon == pytest.approx(ref["p_wilcoxon"], rel=1e-8)
    # R: mean(d) / sd(d); tolerance 1e-10
    assert res.d_z == pytest.approx(ref["d_z"], abs=1e-10)
    # R: uniroot(function(ncp) pt(t, df, ncp) - .975 / .025) / sqrt(n); tolerance 1e-7 (root finding)
    assert res.d_z_ci == pytest.approx(tuple(ref["d_z_ci"]), abs=1e-7)
    # R: exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df-1)/2)) * d_z, and times the d_z limits; 1e-7
    assert res.g_z == pytest.approx(ref["g_z"], abs=1e-10)
    assert res.g_z_ci == pytest.approx(tuple(ref["g_z_ci"]), abs=1e-7)
    # R: mean(d) / ((sd(pre) + sd(post)) / 2), and the d_z limits * sd(d) / s_av; tolerance 1e-7
    assert res.d_av == pytest.approx(ref["d_av"], abs=1e-10)
    assert res.d_av_ci == pytest.approx(tuple(ref["d_av_ci"]), abs=1e-7)
    # R: power.t.test(n = n, sd = 1, power = .8, type = "paired", strict = TRUE)$delta; tolerance 1e-8
    assert res.mdes_dz == pytest.approx(ref["mdes_dz"], abs=1e-8)
    assert res.n_zero == ref["n_zero"]


def test_sleep_against_R(sleep_long, r_results):
    res = paired_change(sleep_long, pre="pre", post="post")
    check_against_R(res, r_results["sleep"])


def test_who5_synthetic_with_many_zeros_against_R(who5_items, r_results):
    scores = score_scale(who5_items, WHO5)
    res = paired_change(scores)  # waves T0 < T1 are inferred
    check_against_R(res, r_results["who5_paired"])
    assert (res.pre, res.post) == ("T0", "T1")


def test_pratt_zero_method_matches_scipy_and_differs_from_wilcox(who5_items):
    scores = score_scale(who5_items, WHO5)
    res = paired_change(scores, zero_method="pratt")
    d = res.pairs["post"] - res.pairs["pre"]
    # scipy.stats.wilcoxon(d, zero_method="pratt", correction=True, method="approx")
    expected = stats.wilcoxon(d, zero_method="pratt", correction=True, method="approx").pvalue
    assert res.p_wilcoxon == pytest.approx(expected, rel=1e-12)
    assert res.p_wilcoxon != paired_change(scores).p_wilcoxon
    assert any("Pratt" in r for r in res.remarks)
    with pytest.raises(ValueError, match="zero_method"):
        paired_change(scores, zero_method="zsplit")


def test_wilcoxon_V_counts_positive_ranks():
    v, p, n_zero = wilcoxon_signed_rank([1.0, -2.0, 3.0, 0.0, 3.0])  # unpacks as (V, p, n_zero)
    # ranks of |1, -2, 3, 3| = 1, 2, 3.5, 3.5 -> V = 1 + 3.5 + 3.5
    assert v == 8.0 and n_zero == 1 and 0 < p < 1


def test_to_frame_remarks_and_mdes(sleep_long):
    res = paired_change(sleep_long, pre="pre", post="post")
    f = res.to_frame()
    assert {"estimate", "ci_low", "ci_high", "statistic", "df", "p_val", "n"} <= set(f.columns)
    assert "minimum detectable d_z (80% power)" in f.index
    text = str(res)
    assert "not an effect of the project" in text and "standardised changes (mean change divided by the standard deviation of the changes) of 1.00 or more" in text
    assert "Fewer than 10 pairs" not in text  # exactly 10 pairs
    small = paired_change(sleep_long[sleep_long["pid"] <= 8], pre="pre", post="post")
    assert any("Fewer than 10 pairs at one" in r for r in small.remarks)


def test_completers_only_and_attrition_remark(prepost):
    res = paired_change(prepost)
    assert res.n_pairs == 252 and res.n_baseline == 341
    assert any("Only 252 of 341" in r for r in res.remarks)
    assert len(res.by_site) == 10 and res.by_site["n_pairs"].sum() == 252
    row = res.by_site.iloc[0]
    assert row["pre_ci_low"] < row["mean_pre"] < row["pre_ci_high"]


def test_plot_shows_site_means_not_individuals_by_default(prepost):
    res = paired_change(prepost)
    ax = res.plot()
    assert len(ax.lines) == 10 * 3  # per site: the mean line and two error-bar caps lines
    ax2 = res.plot(individuals=True)
    assert len(ax2.lines) == 252 + 10 * 3


def test_wave_errors_name_the_fix(prepost):
    three = pd.concat([prepost, prepost.assign(wave="T2")])
    with pytest.raises(ValueError, match="pass pre=<baseline wave> and post=<follow-up wave>"):
        paired_change(three)
    with pytest.raises(ValueError, match="pre='T9' is not a wave"):
        paired_change(prepost, pre="T9", post="T1")
    with pytest.raises(KeyError, match="pass outcome=<your column name>"):
        paired_change(prepost, outcome="wellbeing")
    with pytest.raises(ValueError, match="more than one row"):
        paired_change(pd.concat([prepost, prepost.head(1)]))


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 60), st.floats(-1.5, 1.5), st.integers(0, 10_000))
def test_dz_interval_covers_estimate_and_g_shrinks_it(n, dz, seed):
    lo, hi = dz_ci(dz, n)
    assert lo < dz < hi
    j = hedges_j(n - 1)
    assert 0 < j < 1 and abs(j * dz) <= abs(dz)
    # coverage identity: the limits are where the observed t is at the 97.5% / 2.5% quantile
    assert stats.nct.cdf(dz * np.sqrt(n), n - 1, lo * np.sqrt(n)) == pytest.approx(0.975, abs=1e-6)


def test_hedges_j_small_sample_value():
    # J(9) = Γ(4.5) / (√4.5 Γ(4)) = 0.9138749 (R: exp(lgamma(4.5) - log(sqrt(4.5)) - lgamma(4)))
    assert hedges_j(9) == pytest.approx(0.913874891792553, abs=1e-12)
