"""Book-ready views: wave summaries, forest plot, remarks that state no small count."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from analysis.disclosure import DisclosurePolicy
from analysis.reader import reader_text
from analysis.wellbeing import attrition, paired_change, reliable_change, scale_reliability
from analysis.wellbeing.publish import forest_plot, n_complete_pairs, publishable_remarks, remark_counts, wave_summary

from .conftest import WHO5

matplotlib.use("Agg")


def long_scores(n_pre, n_post, *, zeros=0, seed=0):
    """n_pre people at wave 1, the first n_post of them at wave 2; `zeros` of those unchanged."""
    rng = np.random.default_rng(seed)
    pre = rng.normal(50, 15, n_pre).round()
    post = pre[:n_post] + rng.normal(5, 8, n_post).round()
    post[:zeros] = pre[:zeros]
    post[zeros:][post[zeros:] == pre[zeros:n_post]] += 1  # no accidental zero change
    rows = [{"pid": f"p{i}", "site": f"S{i % 3}", "wave": 1, "score": s} for i, s in enumerate(pre)]
    rows += [{"pid": f"p{i}", "site": f"S{i % 3}", "wave": 2, "score": s} for i, s in enumerate(post)]
    return pd.DataFrame(rows)


def test_wave_summary_counts_distinct_persons_with_valid_scores():
    d = pd.DataFrame({
        "pid": ["a", "b", "c", "a", "b", "c"],
        "wave": [1, 1, 1, 2, 2, 2],
        "score": [40.0, 60.0, 80.0, 44.0, np.nan, 52.0],
        "category": ["poor", "ok", "ok", "poor", None, "ok"],
    })
    out = wave_summary(d, category="poor")
    assert out["n_persons"].tolist() == [3, 2]
    assert out["mean"].tolist() == [60.0, 48.0]
    assert out["sd"].iloc[0] == pytest.approx(20.0)
    assert out["pct_category"].tolist() == pytest.approx([100 / 3, 50.0])


def test_wave_summary_by_group_and_missing_column():
    d = pd.DataFrame({"pid": list("abcd"), "wave": [1, 1, 1, 1], "g": ["x", "x", "y", "y"],
                      "score": [1.0, 2.0, 3.0, 5.0]})
    out = wave_summary(d, group="g")
    assert list(out.columns) == ["g", "wave", "n_persons", "mean", "sd"]
    assert out["mean"].tolist() == [1.5, 4.0]
    with pytest.raises(KeyError, match="subject="):
        wave_summary(d, subject="respondent")


def test_forest_plot_keeps_site_order_not_estimate_order():
    frame = pd.DataFrame({"site": ["P03", "P01", "P02"], "n_pairs": [12, 15, 20],
                          "mean_change": [9.0, -2.0, 4.0], "change_ci_low": [1.0, -8.0, 0.0],
                          "change_ci_high": [17.0, 4.0, 8.0]})
    ax = forest_plot(frame, overall=(3.0, 1.0, 5.0))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    ordered = [lab for _, lab in sorted(zip(ticks, labels), reverse=True)]
    assert ordered == ["P01 (n=15)", "P02 (n=20)", "P03 (n=12)", "all sites"]


def test_remarks_with_a_small_number_of_zero_changes_are_withheld():
    # 4 zero differences: paired_change states "4 respondent(s) had no change"
    res = paired_change(long_scores(60, 50, zeros=4))
    assert any("4 respondent(s) had no change" in r for r in res.remarks)
    safe = publishable_remarks(res, DisclosurePolicy())
    assert not any("had no change" in r for r in safe)
    assert safe[-1] == "1 remark(s) not shown because they state a number of fewer than 10 persons."
    # every other remark survives, in order
    assert list(safe[:-1]) == [reader_text(r) for r in res.remarks if "had no change" not in r]
    assert not any("_" in r for r in safe)   # for readers: no code names


def test_remark_from_which_a_small_difference_follows_is_withheld():
    # 55 of 60 completed: "Only 55 of 60 ..." tells that 5 were lost
    res = paired_change(long_scores(60, 55))
    assert any("Only 55 of 60" in r for r in res.remarks)
    safe = publishable_remarks(res)
    assert not any("55 of 60" in r for r in safe)
    # with 20 lost the same remark is fine
    res2 = paired_change(long_scores(60, 40))
    assert any("Only 40 of 60" in r for r in publishable_remarks(res2))


def test_lower_threshold_keeps_more():
    res = paired_change(long_scores(60, 50, zeros=4))
    safe = publishable_remarks(res, {"threshold": 3})
    assert any("4 respondent(s) had no change" in r for r in safe)


def test_attrition_summary_with_small_reason_groups_is_withheld():
    d = long_scores(40, 30)
    d["reason"] = np.where(d["pid"].isin([f"p{i}" for i in range(30, 36)]), "released", "refused")
    res = attrition(d)
    first = res.remarks[0]
    assert "6 released or transferred, 4 refused" in first
    safe = publishable_remarks(res)
    assert first not in safe and "not shown" in safe[-1]


def test_reliability_and_reliable_change_counts():
    rng = np.random.default_rng(2)
    lat = rng.normal(2.5, 1, 8)
    items = pd.DataFrame({f"who5_{j}": np.clip(np.round(lat + rng.normal(0, 0.6, 8)), 0, 5) for j in range(1, 6)})
    items["wave"] = 1
    rel = scale_reliability(items, WHO5)
    assert any("only 8 complete responses" in r for r in rel.remarks)
    assert not any("only 8" in r for r in publishable_remarks(rel))
    rc = reliable_change(long_scores(60, 45), WHO5)
    counts, _ = remark_counts(rc)
    assert rc.n_pairs in counts and set(rc.table["n"]) <= set(counts)


def test_unknown_result_type_is_refused_with_a_fix():
    with pytest.raises(TypeError, match="wellbeing result"):
        publishable_remarks(object())


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200), threshold=st.integers(2, 30), text=st.sampled_from([
    "{n} respondent(s) had no change.", "Only {n} of 500 respondents.", "n={n}", "({n})", "t({n}) df",
]))
def test_a_small_count_never_survives(n, threshold, text):
    res = paired_change(long_scores(40, 30))
    remark = text.format(n=n)
    # pretend the result states this count: pass it in as a zero count
    object.__setattr__(res, "n_zero", n)
    safe = publishable_remarks(res, {"threshold": threshold}, remarks=[remark])
    if n < threshold:
        assert remark not in safe
    # a count at or above the threshold is kept unless it is another small count of the result
    elif n not in {40 - 30}:
        assert remark in safe


def test_n_complete_pairs():
    d = long_scores(20, 12)
    d.loc[(d["pid"] == "p0") & (d["wave"] == 2), "score"] = np.nan
    assert n_complete_pairs(d) == 11
    assert n_complete_pairs(d[d["wave"] == 1]) == 0


def test_remark_naming_a_small_site_is_withheld():
    d = long_scores(60, 40)
    d.loc[d["pid"].isin([f"p{i}" for i in range(0, 40, 3)]), "site"] = "S0"  # S0 has 14 pairs
    d.loc[d["pid"].isin([f"p{i}" for i in range(40, 60)]), "site"] = "S9"   # baseline only
    d.loc[d["pid"].isin(["p1", "p2", "p4"]), "site"] = "S9"                 # S9: 3 pairs
    res = paired_change(d)
    assert any("S9" in r for r in res.remarks)
    assert not any("S9" in r for r in publishable_remarks(res))
