"""DisclosurePolicy: construction from the workspace config, rules and wording."""

from __future__ import annotations

import pytest

from analysis.disclosure import DEFAULT_POLICY, DisclosurePolicy


def test_defaults():
    p = DEFAULT_POLICY
    assert p.threshold == 10 and p.protect_zeros is False and p.symbol == "[c]"
    assert [p.is_small(n) for n in (0, 1, 9, 10, 250)] == [False, True, True, False, False]
    assert DisclosurePolicy(protect_zeros=True).is_small(0)


def test_from_mapping_round_trip_and_lists():
    cfg = {"threshold": 5, "bands": [3], "language": "nl", "texts": {"withheld": "verborgen"}}
    p = DisclosurePolicy.from_mapping(cfg)
    assert p.bands == (3,) and p.threshold == 5
    assert DisclosurePolicy.from_mapping(p.to_mapping()) == p
    assert DisclosurePolicy.from_mapping(None) == DEFAULT_POLICY
    assert p.text("withheld") == "verborgen"


def test_misspelt_setting_is_an_error_naming_the_known_settings():
    with pytest.raises(ValueError, match="treshold.*known settings"):
        DisclosurePolicy.from_mapping({"treshold": 5})


@pytest.mark.parametrize("bad", [0, 1, 2.5, True, "10"])
def test_threshold_must_be_an_integer_of_at_least_2(bad):
    with pytest.raises(ValueError, match="threshold"):
        DisclosurePolicy(threshold=bad)


def test_a_less_than_symbol_cannot_mark_complementary_cells():
    with pytest.raises(ValueError, match="small_symbol"):
        DisclosurePolicy(symbol="<{threshold}")
    p = DisclosurePolicy(small_symbol="<{threshold}")
    assert p.table_symbol(small=True) == "<10" and p.table_symbol(small=False) == "[c]"
    assert p.distinguishes_small
    assert p.note_symbol() == ["<10 = fewer than 10 persons", "[c] = suppressed to protect the people counted"]


def test_bands_and_prose():
    p = DisclosurePolicy(bands=(5,))
    assert [p.prose_small(n) for n in (1, 4, 5, 9)] == ["fewer than 5", "fewer than 5", "5 to 9", "5 to 9"]
    assert DEFAULT_POLICY.prose_small(7) == "fewer than 10"
    labelled = DisclosurePolicy(bands=(5,), band_labels=("a few", "several"))
    assert labelled.prose_small(6) == "several"
    with pytest.raises(ValueError, match="bands"):
        DisclosurePolicy(bands=(12,))
    with pytest.raises(ValueError, match="band_labels"):
        DisclosurePolicy(bands=(5,), band_labels=("one",))


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "3 cells with fewer than 10 persons suppressed"),
        ("nl", "3 cellen met minder dan 10 personen onderdrukt"),
        ("fr", "3 cellules de moins de 10 personnes masquées"),
    ],
)
def test_wording_in_three_languages(language, expected):
    p = DisclosurePolicy(language=language)
    assert p.plural("primary", 3, zeros="") == expected
    assert p.plural("secondary", 1).startswith("1 ")


def test_unknown_language_and_text_keys():
    with pytest.raises(ValueError, match="language"):
        DisclosurePolicy(language="de")
    with pytest.raises(ValueError, match="unknown entries"):
        DisclosurePolicy(texts={"nope": "x"})


def test_missing_or_negative_counts_are_errors():
    with pytest.raises(ValueError, match="person_counts"):
        DEFAULT_POLICY.is_small(float("nan"))
    with pytest.raises(ValueError, match="negative"):
        DEFAULT_POLICY.is_small(-1)


def test_policy_is_frozen():
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.threshold = 5  # type: ignore[misc]


def test_text_in_the_three_editions():
    from analysis.disclosure import DisclosurePolicy

    pol = DisclosurePolicy(threshold=10)
    words = pol.text_editions("withheld")
    assert words.texts == {"en": "not shown", "nl": "niet getoond", "fr": "non communiqué"} and not words.missing
    own = DisclosurePolicy(threshold=10, texts={"withheld": "hidden"})
    assert own.text_editions("withheld").texts["en"] == "hidden"
