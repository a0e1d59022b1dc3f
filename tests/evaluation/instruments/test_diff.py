"""Diff between versions and harmonisation of older data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evaluation.instruments.diff import diff, harmonise


@pytest.fixture
def mini_diff(catalogue):
    return diff(catalogue.instrument("mini", "1.0"), catalogue.instrument("mini", "1.1"))


def test_kinds_of_change(mini_diff):
    assert mini_diff.added == ["naloxone"]
    assert mini_diff.removed == ["comment"]
    assert mini_diff.relabelled == ["days_used"]
    assert mini_diff.recoded == ["support_kind"]
    assert mini_diff.by_kind("renamed") == ["hours_week"]
    blocked = dict(mini_diff.not_harmonisable)
    assert set(blocked) == {"support_kind", "comment"}
    assert "Referral was split in two" in blocked["support_kind"]


def test_text_report(mini_diff):
    text = str(mini_diff)
    assert text.startswith("mini@1.0 -> mini@1.1")
    assert "cannot be harmonised:" in text and "hours_week: was 'hours' in 1.0" in text


def test_same_version_has_no_differences(catalogue):
    d = diff(catalogue.instrument("mini", "1.0"), catalogue.instrument("mini", "1.0"))
    assert d.changes == () and d.not_harmonisable == ()
    assert "no differences" in str(d)


def test_refuses_two_instruments(catalogue, instruments_root):
    import shutil
    shutil.copytree(instruments_root / "mini", instruments_root / "other")
    src = (instruments_root / "other" / "1.0.yaml").read_text(encoding="utf-8")
    (instruments_root / "other" / "1.0.yaml").write_text(src.replace("id: mini", "id: other"), encoding="utf-8")
    (instruments_root / "other" / "1.1.yaml").unlink()
    with pytest.raises(ValueError, match="two different instruments"):
        diff(catalogue.instrument("mini", "1.0"), catalogue.instrument("other", "1.0"))


def test_harmonise(mini_diff):
    old = pd.DataFrame({
        "submission_id": ["s1", "s1", "s1"],
        "prison_number": ["A", "B", "C"], "site": ["P01"] * 3, "wave": [1, 1, 1],
        "date": pd.to_datetime(["2026-01-05"] * 3),
        "used_drugs_30d": [1, 0, -8], "days_used": [4, np.nan, np.nan],
        "support_kind_1": [1, 0, 0], "support_kind_2": [0, 1, 0], "support_kind_3": [1, 0, 1],
        "hours": [2.5, -7, np.nan], "comment": ["free text", None, None],
        **{f"who5_{k}": [3, 4, 5] for k in range(1, 6)},
    })
    new, report = harmonise(old, mini_diff)
    assert list(new.columns) == ["submission_id", *mini_diff.new.columns()]
    assert new["hours_week"].tolist()[:2] == [2.5, -7]  # renamed; nonresponse kept by kind
    assert new["used_drugs_30d"].tolist() == [1, 0, -8]
    assert new["support_kind_1"].tolist() == [1, 0, 0]
    assert new[["support_kind_4", "support_kind_5"]].isna().all().all()
    assert new["naloxone"].isna().all()
    assert "comment" not in new
    lost = report.to_frame()
    assert lost.loc[lost["item"] == "support_kind", "values_lost"].item() == 2


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the diff is read-only
@given(st.lists(st.sampled_from([0, 1, -7, -8, None]), min_size=1, max_size=20))
def test_harmonise_identity_codes_roundtrip(mini_diff, values):
    old = pd.DataFrame({"used_drugs_30d": pd.Series(values, dtype="float")})
    new, report = harmonise(old, mini_diff)
    assert new["used_drugs_30d"].fillna(999).tolist() == old["used_drugs_30d"].fillna(999).tolist()
    assert report.lost == ()
