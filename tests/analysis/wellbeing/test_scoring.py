import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.wellbeing.scoring import ItemValueError, ScaleSpec, score_scale

from .conftest import BARC10, WEMWBS, WHO5


def frame(rows, items, **extra):
    df = pd.DataFrame(rows, columns=items)
    df.insert(0, "pid", [f"P{i}" for i in range(len(df))])
    df.insert(1, "site", "s1")
    df.insert(2, "wave", "T0")
    for k, v in extra.items():
        df[k] = v
    return df


def test_spec_from_mapping_who5():
    spec = ScaleSpec.from_mapping(WHO5)
    assert spec.items == tuple(WHO5["items"]) and spec.multiplier == 4
    assert spec.score_range == (0, 100) and spec.implied_range == (0, 100)
    assert [c.label for c in spec.cutoffs] == ["poor wellbeing", "adequate"]
    assert spec.missing_codes == (-7.0, -8.0, -9.0)


def test_spec_multiplier_defaults_to_one_and_range_is_checked():
    spec = ScaleSpec.from_mapping(BARC10)
    assert spec.multiplier == 1.0 and spec.implied_range == (10, 60)
    with pytest.raises(ValueError, match="range .* disagrees"):
        ScaleSpec.from_mapping(WHO5 | {"multiplier": None})


@pytest.mark.parametrize("bad, msg", [
    ({"method": "median"}, "method must be"),
    ({"reverse": ["who5_9"]}, "reverse-keyed"),
    ({"max_missing": 5}, "max_missing"),
    ({"retest_r": 1.2}, "retest_r"),
    ({"items": []}, "empty"),
])
def test_spec_rejects_malformed_definitions(bad, msg):
    with pytest.raises(ValueError, match=msg):
        ScaleSpec.from_mapping(WHO5 | bad)


def test_who5_scoring_prorating_invalid_and_categories():
    items = WHO5["items"]
    df = frame([[5, 5, 5, 5, 5], [2, 3, 2, 3, np.nan], [2, -9, np.nan, 3, 3], [0, 0, 0, 0, 0],
                [2, 3, 2, 3, 3], [-7, -8, -9, np.nan, np.nan]], items)
    out = score_scale(df, WHO5)
    assert list(out.columns) == ["pid", "site", "wave", "group", "score", "n_answered", "valid", "category"]
    assert out["score"].iloc[0] == 100
    # one item missing: prorated mean(2,3,2,3) * 5 * 4
    assert out["score"].iloc[1] == pytest.approx(2.5 * 5 * 4)
    # -9 is a missing code, so two items missing > max_missing=1
    assert np.isnan(out["score"].iloc[2]) and not out["valid"].iloc[2] and out["n_answered"].iloc[2] == 3
    assert out["score"].iloc[3] == 0
    assert out["score"].iloc[4] == 52
    assert out["n_answered"].tolist() == [5, 4, 3, 5, 5, 0]
    assert out["valid"].tolist() == [True, True, False, True, True, False]
    cats = out["category"].astype(object).where(out["category"].notna(), None)
    assert cats.tolist() == ["adequate", "poor wellbeing", None, "poor wellbeing", "adequate", None]


def test_category_upper_bound_is_authoritative_in_gaps():
    spec = ScaleSpec.from_mapping(WHO5)
    cats = spec.categorise([50.0, 50.5, 51.0, np.nan])
    assert list(cats[:3]) == ["poor wellbeing", "adequate", "adequate"] and pd.isna(cats[3])


def test_reverse_keying_and_mean_method():
    spec = WEMWBS | {"reverse": ["wemwbs_01"]}
    items = WEMWBS["items"]
    df = frame([[1] + [5] * 13, [5] * 14], items)
    out = score_scale(df, spec)
    assert out["score"].tolist() == [70, 66]  # 1 reversed to 5; 5 reversed to 1
    mean_spec = WEMWBS | {"method": "mean", "range": [1, 5], "cutoffs": []}
    assert score_scale(df, mean_spec)["score"].tolist() == [pytest.approx((1 + 13 * 5) / 14), pytest.approx(5)]


def test_sum_without_prorating_needs_all_items():
    df = frame([[1, 2, 3, 4, 5, 6, 1, 2, 3, np.nan], [1] * 10], BARC10["items"])
    out = score_scale(df, BARC10 | {"prorate": False})
    assert np.isnan(out["score"].iloc[0]) and not out["valid"].iloc[0]
    assert out["score"].iloc[1] == 10
    assert score_scale(df, BARC10)["score"].iloc[0] == pytest.approx(27 / 9 * 10)


def test_out_of_range_values_name_column_and_rows():
    df = frame([[1, 2, 3, 4, 5], [6, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], WHO5["items"])
    df.loc[3, "who5_4"] = -1
    with pytest.raises(ItemValueError) as err:
        score_scale(df, WHO5)
    msg = str(err.value)
    assert "'who5_1', row(s) 1" in msg and "'who5_4', row(s) 3" in msg and "missing codes" in msg


def test_non_numeric_values_are_errors_and_missing_columns_are_named():
    df = frame([[1, 2, 3, 4, "x"]], WHO5["items"])
    with pytest.raises(ItemValueError, match="'who5_5', row"):
        score_scale(df, WHO5)
    with pytest.raises(KeyError, match="who5_5"):
        score_scale(df.drop(columns="who5_5"), WHO5)
    with pytest.raises(KeyError, match="pass site=<your column name>"):
        score_scale(frame([[1, 2, 3, 4, 5]], WHO5["items"]).drop(columns="site"), WHO5)


def test_group_column_is_carried():
    df = frame([[1, 2, 3, 4, 5]], WHO5["items"], arm="participant")
    out = score_scale(df, WHO5, group="arm")
    assert out["arm"].tolist() == ["participant"]


def test_who5_scores_against_R(who5_items, r_results):
    out = score_scale(who5_items, WHO5)
    ref = r_results["who5_scores"]
    # R: valid <- (5 - rowSums(!is.na(x))) <= 1; sum(valid)
    assert int(out["valid"].sum()) == ref["n_valid"]
    # R: sum(ifelse(valid, rowMeans(x, na.rm=TRUE) * 5 * 4, NA), na.rm=TRUE); tolerance 1e-9
    assert out["score"].sum() == pytest.approx(ref["sum_score"], abs=1e-9)
    assert out["score"].head(12).tolist() == pytest.approx(ref["first_scores"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.one_of(st.integers(1, 6), st.just(-9), st.none()), min_size=10, max_size=10),
                min_size=1, max_size=20))
def test_barc10_scores_stay_in_range_and_validity_follows_the_rule(rows):
    df = frame(rows, BARC10["items"])
    out = score_scale(df, BARC10)
    arr = df[BARC10["items"]].replace(-9, np.nan).astype(float)
    n_ans = arr.notna().sum(axis=1)
    assert out["n_answered"].tolist() == n_ans.tolist()
    assert out["valid"].tolist() == (n_ans >= 8).tolist()
    valid = out["score"].dropna()
    assert ((valid >= 10 - 1e-9) & (valid <= 60 + 1e-9)).all()
    complete = n_ans == 10
    assert np.allclose(out.loc[complete.to_numpy(), "score"], arr[complete].sum(axis=1))
