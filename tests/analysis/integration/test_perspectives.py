"""The joint display per implementation factor: verdicts, withheld shares, theme prevalence."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd

from analysis.integration import factor_joint_display, factor_theme_prevalence
from analysis.items import factor_summary, item_distribution

AGREE5 = [{"code": c, "label": str(c)} for c in range(1, 6)]


def _persp(rows):
    return pd.DataFrame(rows, columns=["factor", "favourable", "n", "n_favourable", "n_unfavourable"])


def test_verdicts_and_withholding():
    staff = _persp([("a", 0.8, 100, 80, 20), ("b", 0.3, 100, 30, 70), ("c", 0.55, 100, 55, 45)])
    peer = _persp([("a", 0.7, 20, 14, 6), ("b", 0.2, 20, 4, 16), ("c", 0.95, 20, 19, 1)])
    det = _persp([("a", 0.75, 300, 225, 75)])
    jd = factor_joint_display({"staff": staff, "peer": peer, "detainees": det}, labels={"a": "A", "b": "B", "c": "C"})
    v = jd.to_frame().set_index("factor")["perspectives"]
    assert v["a"] == "converge: mostly favourable" and v["b"] == "converge: mostly unfavourable"
    assert v["c"] == "diverge"  # 0.55 vs 0.95
    protected = factor_joint_display({"staff": staff, "peer": peer}, min_count=10).to_frame().set_index("factor")
    # peer workers: 6 unfavourable (a), 4 favourable (b), 1 unfavourable (c): every share withheld
    assert protected["peer: favourable"].isna().all()
    assert protected["perspectives"].eq("one perspective only").all()
    assert "3 share(s) withheld" in factor_joint_display({"staff": staff, "peer": peer}, min_count=10).remarks[0]


def test_factor_summary_flips_reverse_items():
    data = pd.DataFrame({"x": [5, 5, 1, 3], "y": [1, 1, 5, 3]})
    specs = [{"name": "x", "label": "x", "choices": AGREE5, "factor": "f"},
             {"name": "y", "label": "y", "choices": AGREE5, "factor": "f", "reverse": True}]
    t = factor_summary(item_distribution(data, specs)).to_frame().iloc[0]
    # favourable: x agrees (2) + y disagrees (2) = 4 of 8 answers
    assert (t["n_favourable"], t["n_answers"], t["favourable"]) == (4, 8, 0.5)


def test_theme_prevalence_counts_everyone_interviewed():
    seg = pd.DataFrame({"pid": ["p1", "p1", "p2"], "code": ["org_training", "org_supervision", "org_training"]})
    interviews = pd.DataFrame({"pid": ["p1", "p2", "p3", "p4"]})
    t = factor_theme_prevalence(seg, interviews, {"training": ["org_training"], "structure": ["org_supervision"],
                                                  "none": ["zzz"]}).set_index("factor")
    assert t.loc["training", "n_raised"] == 2 and t.loc["training", "share"] == 0.5
    assert t.loc["structure", "share"] == 0.25 and t.loc["none", "n_raised"] == 0
    assert np.all(t["n_interviewed"] == 4)


def test_prison_profile_groups_small_prisons_until_the_group_passes():
    from analysis.integration import prison_profile

    m = pd.DataFrame({"site": ["P1", "P2", "P3", "P4"], "n": [40, 30, 6, 25],
                      "n_favourable": [20, 12, 3, 10], "n_unfavourable": [20, 18, 3, 15]})
    prof = prison_profile({"staff": m}, min_count=10)
    # P3 alone fails (6 persons); grouping it alone fails too, so the smallest shown prison (P4) joins it
    assert prof.grouped["staff"] == ("P3", "P4")
    t = prof.to_frame().set_index("site")["staff"]
    assert t["P1"] == 0.5 and np.isnan(t["P3"]) and t["prisons grouped"] == pytest.approx(13 / 31)
    shown = prof.display_frame()
    assert shown.loc["P4", "staff"] == "in group" and list(shown.index[:4]) == ["P1", "P2", "P3", "P4"]
    # peer workers: 1-3 per prison, every prison grouped; 12 in all but only 4 unfavourable: nothing shown
    pw = pd.DataFrame({"site": ["P1", "P2", "P3", "P4", "P5"], "n": [3, 2, 3, 2, 2],
                       "n_favourable": [2, 2, 2, 1, 1], "n_unfavourable": [1, 0, 1, 1, 1]})
    prof = prison_profile({"peer workers": pw}, min_count=10)
    assert len(prof.grouped["peer workers"]) == 5 and prof.to_frame()["peer workers"].isna().all()
