"""The reader's view of a result: labels in words, p-values and counts as people write them."""

from __future__ import annotations

import pandas as pd

from analysis.reader import format_number, format_p, label, looks_like_identifier, reader_frame, reader_html
from analysis.results import Result


def test_p_values_are_never_zero():
    assert format_p(0.0) == "< 0.001"
    assert format_p(0.00049) == "< 0.001"
    assert format_p(0.001) == "0.001"
    assert format_p(0.0312) == "0.031"
    assert format_p(float("nan")) == ""


def test_counts_are_whole_numbers_and_other_numbers_three_digits():
    frame = pd.DataFrame({"n": [2463.0, 12.0], "hr": [0.61344, 1.5], "p": [1e-6, 0.2]})
    shown = reader_frame(frame)
    assert list(shown.columns) == ["number", "hazard ratio", "p-value"]
    assert shown["number"].tolist() == ["2,463", "12"]
    assert shown["hazard ratio"].tolist() == ["0.613", "1.5"]
    assert shown["p-value"].tolist() == ["< 0.001", "0.200"]
    assert format_number(24630.0) == "24,630"


def test_numbers_are_written_the_way_each_language_writes_them():
    # Babel's locale data: decimal comma in Dutch and French, "." and a narrow space as thousands separators
    assert [format_number(0.61344, lang) for lang in ("en", "nl", "fr")] == ["0.613", "0,613", "0,613"]
    assert [format_number(24630, lang) for lang in ("en", "nl", "fr")] == ["24,630", "24.630", "24\u202f630"]
    assert [format_p(0.0001, language=lang) for lang in ("en", "nl", "fr")] == ["< 0.001", "< 0,001", "< 0,001"]
    assert format_p(0.0312, language="nl") == "0,031"
    assert format_number(12.345) == "12.3" and format_number(1.5) == "1.5" and format_number(250.4) == "250"
    frame = pd.DataFrame({"hr": [0.61344], "p": [0.2]})
    assert reader_frame(frame, "fr").iloc[0].tolist() == ["0,613", "0,200"]


def test_labels_from_the_catalogue_in_three_languages_and_identifiers_spelled_out():
    assert label("hr_lower") == "hazard ratio, lower 95% limit"
    assert label("hr_lower", "nl") == "hazardratio, ondergrens 95%"
    assert label("surv", "fr") == "part sans nouvelle infraction"
    assert label("WHO-5 change: n_pairs") == "WHO-5 change: persons with both questionnaires"
    assert label("service_delivery") == "Service delivery as detainees see it"  # an interview code: the codebook's words
    assert label("median_dose_xyz") == "median dose xyz"  # no entry: spelled out
    assert label("Already words") == "Already words"
    assert looks_like_identifier("mean_dose") and not looks_like_identifier("mean dose")


class _Cox(Result):
    def to_frame(self):
        return pd.DataFrame({"hr": [0.61], "hr_lower": [0.5], "hr_upper": [0.76], "p": [0.0]},
                            index=pd.Index(["participant"], name="term"))

    @property
    def title(self):
        return "Hazard ratio of reoffending"


def test_the_result_html_has_a_caption_labels_in_words_and_notes():
    html = _Cox(remarks=("Death is a competing event.",))._repr_html_()
    assert "<caption>Hazard ratio of reoffending</caption>" in html
    assert "hazard ratio, lower 95% limit" in html and "hr_lower" not in html
    assert "&lt; 0.001" in html and "0.000" not in html
    assert '<ol class="remarks"><li>Death is a competing event.</li></ol>' in html
    assert "<th></th>" not in reader_html(pd.DataFrame({"x": [1]}, index=["a"]))


def test_every_label_has_its_three_languages():
    from pathlib import Path

    import yaml

    import analysis

    catalogue = yaml.safe_load((Path(analysis.__file__).parent / "labels.yaml").read_text(encoding="utf-8"))
    missing = [f"{name}: {lang}" for name, entry in catalogue.items() for lang in ("en", "nl", "fr")
               if not (entry or {}).get(lang)]
    assert missing == []


def test_a_block_label_with_a_code_value_needs_only_the_block_translated():
    import pandas as pd

    from analysis.reader import untranslated_labels

    frame = pd.DataFrame({"estimate": [0.1, 0.2, 0.3]},
                         index=["prison: P02", "release quarter: 2025Q2", "mystery block: P03"])
    assert untranslated_labels(frame, None, "nl") == ["mystery block: P03"]


def test_an_analysts_to_be_confirmed_note_is_left_out_of_a_readers_remark():
    from analysis.reader import reader_text

    remark = ("A change counts as reliable when it exceeds 22.9 points (SD1 = 20.00: normative SD (To be confirmed: "
              "general-population SD (Topp et al. 2015 review).); r = 0.83 (To be confirmed against Topp et al. "
              "(2015) before the RCI is reported as final.)).")
    assert reader_text(remark) == "A change counts as reliable when it exceeds 22.9 points (SD1 = 20.00: normative SD; r = 0.83)."
    assert reader_text("No note here (n = 3).") == "No note here (n = 3)."
