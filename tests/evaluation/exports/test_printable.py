"""Printable questionnaire (HTML)."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from evaluation.exports import read_embedded_ref
from evaluation.exports.printable import render_html, write_html


def doc(definition, lang):
    text = render_html(definition, lang)
    return text, lxml_html.document_fromstring(text)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_structure_numbering_and_boxes(mini, lang):
    text, tree = doc(mini, lang)
    assert tree.get("lang") == lang
    assert tree.findtext(".//h1") == {"nl": "Mini-vragenlijst", "fr": "Mini-questionnaire", "en": "Mini questionnaire"}[lang]
    assert {"nl": "Synthetische testvragenlijst.", "fr": "Questionnaire de test synthétique.",
            "en": "Synthetic test questionnaire."}[lang] in text
    numbers = [n.text_content() for n in tree.xpath('//span[@class="num"]')]
    assert numbers == [f"{i}." for i in range(1, 11)]  # 5 questions + 5 WHO-5 items; role items unnumbered
    q1 = tree.get_element_by_id("q-used_drugs_30d")
    assert len(q1.xpath('.//span[@class="box"]')) == 4  # yes, no, don't know, refused
    assert "(-8)" in q1.text_content()
    q3 = tree.get_element_by_id("q-support_kind")
    assert len(q3.xpath('.//span[@class="box"]')) == 3  # no nonresponse for multiple choice
    scale = tree.get_element_by_id("scale-who5")
    assert len(scale.xpath('.//tr')) == 6
    assert len(scale.xpath('.//span[@class="box"]')) == 5 * 8


def test_skip_instruction_in_words(mini):
    _, tree = doc(mini, "fr")
    skip = tree.get_element_by_id("q-days_used").find_class("skip")[0].text_content()
    assert skip == "→ Répondre uniquement si la question 1 est « Oui »."


def test_notices_copyright_and_footer(mini):
    text, tree = doc(mini, "en")
    notice = tree.find_class("notice")[0].text_content()
    assert "not yet validated" in notice and "Nederlands (nl), Français (fr)" in notice
    assert "© Psychiatric Research Unit" in tree.get_element_by_id("scale-who5").text_content()
    assert "peer-eval:mini@1.0" in tree.find(".//footer").text_content()
    assert "over the last two weeks" in text


def test_self_contained_and_print_friendly(mini):
    text, tree = doc(mini, "nl")
    assert not tree.xpath("//link | //script | //img | //iframe")
    assert not re.search(r"(?:src|href)\s*=|url\(|@import|https?://", text)
    assert "@media print" in text and "@page" in text


def test_licensed_scale_altered_and_placeholder(licensed):
    text, tree = doc(licensed, "nl")
    scale = tree.get_element_by_id("scale-lic").text_content()
    assert "Formulering aangepast ten opzichte van het origineel." in scale
    assert "© Synthetic Scale Authors 2020" in scale
    assert "licensed text not shipped" in scale
    notices = " ".join(n.text_content() for n in tree.find_class("notice"))
    assert "lic_1, lic_2" in notices
    assert "Alleen beantwoorden als vraag 1 is minstens 5 of “Datum” is beantwoord." in scale
    assert "not_applicable" not in text and "Niet van toepassing" in text


def test_supplied_texts_no_notice(licensed_supplied):
    text, tree = doc(licensed_supplied, "fr")
    assert "Je me sens bien" in text
    assert tree.find_class("notice") == []  # fr is a validated translation, texts supplied


def test_text_is_escaped(mini):
    import dataclasses

    meta = mini.meta.model_copy(update={"title": {"nl": "<b>A & B</b>", "fr": "x", "en": "x"}})
    text = render_html(dataclasses.replace(mini, meta=meta), "nl")
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in text and "<b>A" not in text


def test_written_file_carries_the_reference(mini, tmp_path):
    assert read_embedded_ref(write_html(mini, "fr", tmp_path / "q.html")) == "mini@1.0"
