"""Key findings: the wording rules (direction, no clear difference, withheld) and the message catalogue."""

from __future__ import annotations

import math

import pytest

from analysis.editions import LANGUAGES
from analysis.findings import (KeyFinding, direction, message, messages, perspectives_finding, reoffending_finding,
                               wellbeing_finding)
from analysis.findings.catalogue import placeholders


def test_every_message_has_three_languages_with_the_same_placeholders():
    for key, texts in messages().items():
        assert set(texts) >= set(LANGUAGES), key
        names = {lang: placeholders(texts[lang]) for lang in LANGUAGES}
        assert names["nl"] == names["en"] == names["fr"], key


def test_a_missing_placeholder_is_named():
    with pytest.raises(KeyError, match="needs x"):
        message("reoffending.bound.more")


@pytest.mark.parametrize(("est", "lo", "hi", "null", "expected"), [
    (-5.0, -9.0, -1.0, 0.0, "below"),
    (5.0, 1.0, 9.0, 0.0, "above"),
    (-5.0, -9.0, 0.0, 0.0, "unclear"),   # the interval touches no difference: not clear
    (5.0, 0.0, 9.0, 0.0, "unclear"),
    (-5.0, -9.0, 2.0, 0.0, "unclear"),
    (2.0, 1.0001, 4.0, 1.0, "above"),    # a ratio: no difference is 1
    (2.0, 1.0, 4.0, 1.0, "unclear"),
    (0.5, 0.2, 0.9999, 1.0, "below"),
    (math.nan, -1.0, 1.0, 0.0, "unclear"),
    (1.0, None, 2.0, 0.0, "unclear"),
])
def test_direction_is_clear_only_when_the_interval_excludes_no_difference(est, lo, hi, null, expected):
    assert direction(est, lo, hi, null=null) == expected


def test_reoffending_fewer_more_and_no_clear_difference_in_three_languages():
    fewer = reoffending_finding(risk_participants=31.24, risk_comparison=38.9, difference=(-7.66, -12.31, -2.04),
                                label="primary")
    assert fewer.direction == "below"
    m = fewer.multilingual()
    assert "7.7 fewer per 100" in m.texts["en"] and "between 12.3 fewer and 2.0 fewer per 100" in m.texts["en"]
    assert "7,7 minder per 100" in m.texts["nl"] and "31,2 op de 100" in m.texts["nl"]
    assert "7,7 de moins pour 100" in m.texts["fr"]
    assert "Primary result" in m.html["en"] and "Primair resultaat" in m.html["nl"]
    assert "Résultat principal" in m.html["fr"]

    unclear = reoffending_finding(risk_participants=35.0, risk_comparison=36.0, difference=(-1.0, -6.0, 4.0),
                                  label="primary")
    assert unclear.direction == "unclear"
    assert "no clear difference" in str(unclear.multilingual())
    assert "between 6.0 fewer and 4.0 more per 100" in str(unclear.multilingual())

    more = reoffending_finding(risk_participants=40.0, risk_comparison=30.0, difference=(10.0, 0.04, 20.0),
                               label="exploratory")
    assert more.direction == "above" and "10.0 more per 100" in str(more.multilingual())
    # a bound that rounds to zero reads "no difference", not "0.0 more"
    assert "between no difference and 20.0 more" in str(more.multilingual())
    assert "Exploratory result" in more.multilingual().html["en"]


def test_withheld_finding_has_no_number():
    kf = reoffending_finding(risk_participants=31.24, risk_comparison=38.9, difference=(-7.66, -12.31, -2.04),
                             label="primary", withheld=True)
    text = str(kf.multilingual())
    assert "Too few people" in text and "31.2" not in text and kf.direction == "unclear"


def test_wellbeing_words_follow_the_sign_of_the_difference():
    up = wellbeing_finding(difference=(2.79, 0.41, 5.12), mic=10, label="primary")
    assert up.direction == "above"
    assert "2.8 points higher" in str(up.multilingual())
    assert "between 0.4 points higher and 5.1 points higher" in str(up.multilingual())
    assert "2,8 punten hoger" in up.multilingual().texts["nl"]
    assert "2,8 points plus haut" in up.multilingual().texts["fr"]
    down = wellbeing_finding(difference=(-2.79, -5.12, -0.41), mic=10, label="primary")
    assert "2.8 points lower" in str(down.multilingual())
    flat = wellbeing_finding(difference=(0.5, -1.5, 2.5), mic=10, label="primary")
    assert "no clear difference" in str(flat.multilingual())
    assert "between 1.5 points lower and 2.5 points higher" in str(flat.multilingual())


def test_perspectives_ratio_against_one_and_staff_share_in_percent():
    kf = perspectives_finding(odds_ratio=(2.3, 1.2, 4.4), staff_agree=(0.612, 0.52, 0.70), label="exploratory")
    assert kf.direction == "above"
    en = str(kf.multilingual())
    assert en.startswith("Exploratory result.") and "61% of the staff" in en and "2.3 times as high" in en
    flat = perspectives_finding(odds_ratio=(1.3, 0.8, 2.1), label="exploratory")
    assert flat.direction == "unclear" and "no clear difference" in str(flat.multilingual())
    low = perspectives_finding(odds_ratio=(0.4, 0.2, 0.8), label="exploratory")
    assert low.direction == "below" and "less clear" in str(low.multilingual())


def test_result_shape_and_label_check():
    kf = wellbeing_finding(difference=(2.79, 0.41, 5.12), mic=10, label="primary")
    assert isinstance(kf, KeyFinding)
    frame = kf.to_frame()
    assert list(frame.columns) == ["question", "label", "direction", "estimate", "lower", "upper", "withheld"]
    assert frame.loc[0, "label"] == "primary"
    with pytest.raises(ValueError, match="primary"):
        wellbeing_finding(difference=(1, 0, 2), mic=10, label="main")
