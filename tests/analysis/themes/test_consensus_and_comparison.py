"""Consensus coding for prevalence, group comparisons only where every guide asks,
and zeros in small groups protected."""

import pandas as pd
import pytest

from analysis.disclosure import DisclosurePolicy, protect_table
from analysis.themes import compare_groups, consensus_coding, theme_prevalence
from analysis.themes.coding import one_coding_per_transcript


def seg(rows):
    return pd.DataFrame(rows, columns=["segment_id", "transcript_id", "pid", "coder", "code"])


SEGS = seg([
    # T1: A applies hope and trust, B only hope; A codes more generously
    (1, "T1", "p1", "A", "hope"), (2, "T1", "p1", "A", "trust"), (3, "T1", "p1", "A", "trust"),
    (4, "T1", "p1", "B", "hope"),
    # T2: a consensus pass exists
    (5, "T2", "p2", "A", "trust"), (6, "T2", "p2", "B", "hope"), (7, "T2", "p2", "consensus", "hope"),
    # T3: one coder
    (8, "T3", "p3", "B", "stigma"),
])


def test_majority_merge_drops_what_one_of_two_coders_applied():
    res = consensus_coding(SEGS)
    kept = res.segments
    t1 = kept[kept["transcript_id"] == "T1"]
    assert set(t1["code"]) == {"hope"} and len(t1) == 1  # trust: 1 of 2 coders; no passage twice
    assert set(kept.loc[kept["transcript_id"] == "T2", "coder"]) == {"consensus"}
    assert set(kept.loc[kept["transcript_id"] == "T3", "code"]) == {"stigma"}
    methods = res.to_frame().set_index("transcript")["method"]
    assert methods.to_dict() == {"T1": "merged (majority)", "T2": "consensus pass", "T3": "single coder"}
    # the old fallback keeps the more generous coder: trust counts
    assert "trust" in set(one_coding_per_transcript(SEGS, prefer=()).query("transcript_id == 'T1'")["code"])
    assert consensus_coding(SEGS, rule="any").segments.query("transcript_id == 'T1'")["code"].nunique() == 2
    # a coder who coded T1 but applied nothing counts in the vote (coded=)
    coded = pd.DataFrame({"transcript_id": ["T1"] * 3, "coder": ["A", "B", "C"]})
    res3 = consensus_coding(SEGS[SEGS["transcript_id"] == "T1"], coded=coded)
    assert set(res3.segments["code"]) == {"hope"}  # hope: 2 of 3 coders (> half); trust: 1 of 3
    assert res3.to_frame()["n_coders"].iloc[0] == 3
    with pytest.raises(ValueError, match="rule"):
        consensus_coding(SEGS, rule="half")


def test_merge_by_theme_with_parents():
    res = consensus_coding(SEGS[SEGS["transcript_id"] == "T1"], parents={"hope": "service", "trust": "service"})
    assert res.segments["code"].isin(["hope", "trust"]).all() and len(res.segments) >= 1


@pytest.fixture
def prevalence():
    interviews = pd.DataFrame({"pid": [f"d{i}" for i in range(20)] + ["w1", "w2", "w3"],
                               "respondent_group": ["detainee"] * 20 + ["peer_worker"] * 3})
    rows = [(i, f"t{i}", f"d{i}", "A", "service_delivery") for i in range(15)]
    rows += [(100 + i, f"t{i}", f"d{i}", "A", "stigma") for i in range(12)]
    rows += [(200, "tw1", "w1", "A", "stigma")]
    return theme_prevalence(seg(rows), interviews=interviews, themes=["service_delivery", "stigma", "motivations"])


def test_comparison_only_where_every_guide_asks(prevalence):
    asked = {"detainee": {"service_delivery", "stigma"}, "peer_worker": {"stigma", "motivations"}}
    cmp = compare_groups(prevalence, asked=asked)
    t = cmp.to_frame().set_index("theme")
    assert t["comparable"].to_dict() == {"service_delivery": False, "stigma": True, "motivations": False}
    # service delivery is raised by most detainees, but only their guide asks about it
    assert cmp.most_raised("detainee") == "stigma"
    assert "targeted by some guides only" in cmp.remarks[0]


def test_zeros_of_a_small_group_are_suppressed(prevalence):
    policy = DisclosurePolicy.from_mapping({"threshold": 10})
    t = prevalence.control_counts(policy.threshold)
    pw = t[t["respondent_group"] == "peer_worker"].set_index("theme")
    assert pw.loc["service_delivery", "n_participants"] == 0 and pw.loc["service_delivery", "n_control"] == 1
    det = t[t["respondent_group"] == "detainee"].set_index("theme")
    assert det.loc["motivations", "n_control"] == 0  # a zero among 20 interviewed stays a zero
    out = protect_table(t.drop(columns=["n_participants"]), row="theme", col="respondent_group",
                        count="n_control", values=["share"], margins=False, policy=policy).to_frame("long")
    shown = out[(out["respondent_group"] == "peer_worker")]
    assert not (shown["share"].astype(str) == "0").any()
    assert not any(str(v) in ("0", "0.0") for v in shown["n_control"])


def test_offsets_carried_onto_the_deidentified_text():
    from analysis.themes import check_offsets, onto_deidentified

    original = "I met Johannes there.\nHe helped me a lot, Johannes did."
    text = "I met [name] there.\nHe helped me a lot, [name] did."
    o2, n2 = original.rindex("Johannes"), text.rindex("[name]")
    reps = f"[[6, 14, 6, 12], [{o2}, {o2 + 8}, {n2}, {n2 + 6}]]"
    segs = pd.DataFrame({"segment_id": [1, 2], "transcript_id": "T", "start": [22, 6],
                         "end": [original.index(" did"), 14], "text": ["He helped me a lot, [name]", "[name]"]})
    out = onto_deidentified(segs, pd.DataFrame({"transcript_id": ["T"], "replacements": [reps]}))
    assert [text[s:e] for s, e in zip(out["start"], out["end"])] == ["He helped me a lot, [name]", "[name]"]
    assert check_offsets(out, pd.DataFrame({"transcript_id": ["T"], "text": [text]})).empty


def test_comparison_phrases_in_three_languages_from_codebook_and_label_catalogue(prevalence):
    from analysis.themes.wording import comparison_phrases

    asked = {"detainee": {"service_delivery", "stigma"}, "peer_worker": {"stigma", "motivations"}}
    cmp = compare_groups(prevalence, asked=asked)
    labels = {"service_delivery": {"en": "Service delivery", "nl": "Dienstverlening", "fr": "Prestation de services"},
              "stigma": {"en": "Stigma", "nl": "Stigma", "fr": "Stigmatisation"},
              "motivations": {"en": "Motivations", "nl": "Motivaties", "fr": "Motivations"}}
    phrases = comparison_phrases(cmp, cmp.most_raised("detainee"), theme_labels=labels)
    assert phrases["compared_themes"].texts == {"en": "stigma", "nl": "stigma", "fr": "stigmatisation"}
    assert phrases["top_theme"].texts["fr"] == "stigmatisation"
    targeted = phrases["targeted_themes"].texts
    assert "service delivery (asked of detainees)" in targeted["en"]
    assert "dienstverlening (gevraagd aan gedetineerden)" in targeted["nl"]
    assert "prestation de services (abordé avec : détenus)" in targeted["fr"]
    assert "motivaties (gevraagd aan ervaringsdeskundigen)" in targeted["nl"]
    none = comparison_phrases(cmp, None, theme_labels=labels)["top_theme"].texts
    assert none == {"en": "none", "nl": "geen", "fr": "aucun"}
