"""De-identification screen and count banding (all names and numbers invented)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.themes import band_count, check_deidentification, find_identifiers

NAMES = ["Jan Peeters", "Émile", "Fatima"]
PLACES = ["Haren", "Lantin", "Merksplas"]


def kinds(text, **kwargs):
    return [(f["kind"], f["match"]) for f in find_identifiers(text, names=NAMES, places=PLACES, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik sprak met jan peeters in Haren.", [("name", "jan peeters"), ("place", "Haren")]),
        ("Emile en FATIMA waren er.", [("name", "Emile"), ("name", "FATIMA")]),
        ("Janssens is geen Jan Peeters-fan", [("name", "Jan Peeters")]),
        ("In de gevangenis van Lantin-Sud", [("place", "Lantin")]),
        ("Mijn nummer is 85.07.30-033.28 toch", [("national_register", "85.07.30-033.28")]),
        ("rijksregister 85073003328.", [("national_register", "85073003328")]),
        ("bel 0475 12 34 56", [("phone", "0475 12 34 56")]),
        ("of +32 2 123 45 67", [("phone", "+32 2 123 45 67")]),
        ("of 02/123.45.67", [("phone", "02/123.45.67")]),
        ("mail me: jan.p@example.org", [("email", "jan.p@example.org")]),
        ("op 12/03/2019 vrijgekomen", [("date", "12/03/2019")]),
        ("sinds 2019-03-12", [("date", "2019-03-12")]),
        ("le 5 mai 2020 à", [("date", "5 mai 2020")]),
        ("on March 3, 2021", [("date", "March 3, 2021")]),
        ("in maart 2020", [("date", "maart 2020")]),
        ("mijn rolnummer is nr 4521", [("identifying_number", "nr 4521")]),
        ("numéro d'écrou n° 88213", [("identifying_number", "n° 88213")]),
        ("dossier 1234567", [("identifying_number", "1234567")]),
        ("Ik ben 34 en kreeg 20 euro in 2019.", []),
        ("Hij zei: dat mag niet.", []),
    ],
)
def test_findings(text, expected):
    assert kinds(text) == expected


def test_year_only_when_asked():
    assert kinds("In 2019 was het zwaar.", checks=["year"]) == [("year", "2019")]
    with pytest.raises(ValueError, match="unknown checks"):
        find_identifiers("x", checks=["shoe_size"])


def test_offsets_point_at_the_original_text():
    text = "Émile woont in Merksplas."
    for f in find_identifiers(text, names=NAMES, places=PLACES):
        assert text[f["start"]:f["end"]] == f["match"]


def test_check_per_quote_and_redaction():
    quotes = pd.DataFrame({"segment_id": ["q1", "q2"],
                           "text": ["Fatima belde me op 0475 12 34 56.", "De peer worker luistert."]})
    check = check_deidentification(quotes, names=NAMES, places=PLACES)
    assert check.to_frame()[["quote_id", "kind"]].values.tolist() == [["q1", "name"], ["q1", "phone"]]
    assert check.passed.to_dict() == {"q1": False, "q2": True}
    assert check.redacted()["q1"] == "[name] belde me op [phone]."
    assert not any("not checked" in r for r in check.remarks)
    assert any("names were not checked" in r for r in check_deidentification(quotes).remarks)


def test_check_errors():
    with pytest.raises(ValueError, match="duplicate ids"):
        check_deidentification(pd.DataFrame({"segment_id": [1, 1], "text": ["a", "b"]}))
    with pytest.raises(KeyError, match="pass text="):
        check_deidentification(pd.DataFrame({"segment_id": [1], "quote": ["a"]}))


@pytest.mark.parametrize(
    ("n", "kwargs", "expected"),
    [
        (0, {}, "0"),  # nobody: identifies no one (the project's policy shows zeros)
        (1, {}, "fewer than 5"),
        (4, {}, "fewer than 5"),
        (5, {}, "5"),
        (9, {"threshold": 10}, "fewer than 10"),
        (3, {"threshold": 10, "bands": (5,)}, "fewer than 5"),
        (7, {"threshold": 10, "bands": (5,)}, "5 to 9"),
        (12, {"threshold": 10, "bands": (5,)}, "12"),
        (3, {"language": "nl"}, "minder dan 5"),
        (3, {"policy": {"threshold": 10, "protect_zeros": True}}, "fewer than 10"),
    ],
)
def test_band_count(n, kwargs, expected):
    assert band_count(n, **kwargs) == expected


def test_band_count_vector_and_errors():
    assert band_count(pd.Series([1, 12])).tolist() == ["fewer than 5", "12"]
    with pytest.raises(ValueError, match="whole number"):
        band_count(2.5)
    with pytest.raises(ValueError, match="bands"):
        band_count(3, bands=(10, 5))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10_000), st.integers(2, 50))
def test_band_never_reveals_a_small_count(n, threshold):
    label = band_count(n, threshold=threshold)
    assert (label == f"fewer than {threshold}") == (n < threshold)
