"""analysis.editions: one kernel value, written in each edition's language."""

import pytest
from IPython.core.formatters import format_display_data

from analysis.editions import GLUE_PREFIX, MIME, Multilingual, is_multilingual, number, select, text


def test_number_written_by_each_locale():
    n = number(1234.567, decimals=1)
    assert n.texts == {"en": "1,234.6", "nl": "1.234,6", "fr": "1\u202f234,6"}
    assert number(0.05, percent=True, decimals=1).texts["nl"] == "5,0%"
    assert number(3, signed=True).texts["fr"] == "+3"
    assert number(2463.0).texts["en"] == "2,463"  # a whole float is a count


def test_bundle_carries_other_editions_and_select_swaps_them():
    value = text(en="provisional", nl="voorlopig", fr="provisoire")
    data, _ = format_display_data(value)
    assert data["text/plain"] == "provisional" and is_multilingual(data)
    assert select(data, "nl") == {"text/plain": "voorlopig"}
    assert select(data, "en") == {"text/plain": "provisional"}
    glued = {GLUE_PREFIX + k: v for k, v in data.items()}
    assert select(glued, "fr") == {GLUE_PREFIX + "text/plain": "provisoire"}


def test_html_and_fallback():
    v = Multilingual({"en": "a", "nl": "b"}, html={"en": "<b>a</b>", "nl": "<b>b</b>"})
    assert v.texts["fr"] == "a" and v.bundle("nl") == {"text/plain": "b", "text/html": "<b>b</b>"}
    assert MIME in v._repr_mimebundle_()
    with pytest.raises(ValueError):
        Multilingual({"nl": "x"})


def test_a_missing_language_is_left_out_of_the_bundle_and_reported():
    from analysis.editions import lacks

    v = Multilingual({"en": "a", "nl": "b"})
    data = v._repr_mimebundle_()
    assert v.missing == ("fr",) and lacks(data, "fr") and not lacks(data, "nl") and not lacks(data, "en")
    assert select(data, "fr") == {"text/plain": "a"}  # the page still has a value; the build fails on it
    assert not lacks({"text/plain": "x"}, "fr")  # a plain output is the same in every edition
