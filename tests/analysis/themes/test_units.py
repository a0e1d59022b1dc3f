import hashlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.themes import check_offsets, segments_to_units, sha256_text, units_from_text

TEXT = (
    "I: Hoe gaat het?\r\n"
    "R: Goed. Dr. Peeters zegt bv. dat het beter gaat! \"Echt?\" Ja.\n"
    "\n   \n"
    "I: En de peer worker…  Hij helpt.\n"
)


def spans(units):
    return [units.text[s:e] for s, e in units.spans]


def test_paragraphs_trimmed_and_blank_lines_skipped():
    units = units_from_text("T1", TEXT, unit="paragraph")
    assert spans(units) == [
        "I: Hoe gaat het?",
        "R: Goed. Dr. Peeters zegt bv. dat het beter gaat! \"Echt?\" Ja.",
        "I: En de peer worker…  Hij helpt.",
    ]
    assert units.rule == "paragraph/v1"


def test_sentences_keep_abbreviations_and_stay_in_paragraphs():
    units = units_from_text("T1", TEXT, unit="sentence")
    assert spans(units) == [
        "I: Hoe gaat het?",
        "R: Goed.",
        "Dr. Peeters zegt bv. dat het beter gaat!",
        "\"Echt?\"",
        "Ja.",
        "I: En de peer worker…",
        "Hij helpt.",
    ]


def test_sha256_is_of_the_utf8_text_as_given():
    units = units_from_text("T1", TEXT)
    assert units.sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest() == sha256_text(TEXT)
    assert units_from_text("T1", TEXT.replace("\r\n", "\n")).sha256 != units.sha256
    frame = units.to_frame()
    assert list(frame.columns) == ["transcript_id", "unit_id", "start", "end", "text", "sha256"]
    assert frame["unit_id"].tolist() == [0, 1, 2]


def test_bad_unit_named():
    with pytest.raises(ValueError, match="'paragraph' or 'sentence'"):
        units_from_text("T1", TEXT, unit="line")
    with pytest.raises(TypeError, match="str"):
        units_from_text("T1", None)


texts = st.text(alphabet=st.sampled_from(list("ab .!?\n\r é…")), max_size=80)


@settings(max_examples=150, deadline=None)
@given(texts, st.sampled_from(["paragraph", "sentence"]))
def test_units_are_ordered_disjoint_trimmed_and_cover_all_words(text, unit):
    units = units_from_text("T", text, unit=unit)
    last = 0
    covered = set()
    for s, e in units.spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "\n" not in text[s:e] and "\r" not in text[s:e]
        covered.update(range(s, e))
        last = e
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered


def test_sentences_refine_paragraphs():
    paragraphs = units_from_text("T", TEXT).spans
    for s, e in units_from_text("T", TEXT, unit="sentence").spans:
        assert any(ps <= s and e <= pe for ps, pe in paragraphs)


def segments_frame(rows):
    return pd.DataFrame(rows, columns=["segment_id", "transcript_id", "start", "end", "text"])


def test_check_offsets_reports_each_problem():
    transcripts = pd.DataFrame({
        "transcript_id": ["T1", "T2"],
        "text": [TEXT, "Korte tekst."],
        "sha256": [sha256_text(TEXT), "0" * 64],
    })
    data = segments_frame([
        ("S1", "T1", 3, 16, "Hoe gaat het?"),            # fine
        ("S2", "T1", 3, 16, "Hoe  gaat\nhet?"),          # fine: whitespace differs only
        ("S3", "T1", 3, 16, "Hoe gaat het nu?"),         # text-mismatch
        ("S4", "T2", 0, 500, "Korte tekst."),            # out-of-range
        ("S5", "T9", 0, 5, "xx"),                        # transcript-missing
    ])
    report = check_offsets(data, transcripts)
    assert report[["segment_id", "transcript_id", "problem"]].values.tolist() == [
        [None, "T2", "hash-mismatch"],
        ["S3", "T1", "text-mismatch"],
        ["S4", "T2", "out-of-range"],
        ["S5", "T9", "transcript-missing"],
    ]


def test_check_offsets_errors_name_the_fix():
    transcripts = pd.DataFrame({"transcript_id": ["T1"], "text": [TEXT]})
    with pytest.raises(KeyError, match="pass start="):
        check_offsets(segments_frame([]).drop(columns="start"), transcripts)
    with pytest.raises(ValueError, match="end after start"):
        check_offsets(segments_frame([("S1", "T1", 5, 5, "")]), transcripts)
    with pytest.raises(ValueError, match="one text per transcript"):
        check_offsets(segments_frame([]), pd.concat([transcripts, transcripts]))


def test_segments_map_to_every_unit_they_overlap():
    units = units_from_text("T1", TEXT).to_frame()   # [0,16) [18,79) [85,118)
    data = segments_frame([
        ("S1", "T1", 3, 16, ""),     # unit 0
        ("S2", "T1", 10, 20, ""),    # units 0 and 1
        ("S3", "T1", 79, 85, ""),    # only whitespace between units: none
        ("S4", "T1", 78, 86, ""),    # units 1 and 2
    ])
    mapped = segments_to_units(data, units)
    assert mapped[["segment_id", "unit_id"]].values.tolist() == [
        ["S1", 0], ["S2", 0], ["S2", 1], ["S4", 1], ["S4", 2],
    ]


def test_overlapping_units_are_refused():
    units = pd.DataFrame({"transcript_id": ["T1", "T1"], "unit_id": [0, 1], "start": [0, 5], "end": [10, 12]})
    with pytest.raises(ValueError, match="overlap"):
        segments_to_units(segments_frame([("S1", "T1", 0, 3, "")]), units)


@settings(max_examples=40, deadline=None)
@given(texts, st.lists(st.tuples(st.integers(0, 79), st.integers(1, 30)), max_size=12))
def test_mapping_matches_brute_force(text, raw):
    units = units_from_text("T1", text).to_frame()
    data = segments_frame([(f"S{i}", "T1", s, s + n, "") for i, (s, n) in enumerate(raw)])
    mapped = segments_to_units(data, units)
    expected = [
        [sid, u.unit_id]
        for sid, s, e in zip(data["segment_id"], data["start"], data["end"])
        for u in units.itertuples()
        if s < u.end and e > u.start
    ]
    assert mapped[["segment_id", "unit_id"]].values.tolist() == expected
