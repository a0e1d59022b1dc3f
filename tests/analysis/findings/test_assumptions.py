"""Assumption ratings: every rule's thresholds at the boundary, and the table as readers see it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.findings import (AGREEMENT_GREEN, BALANCE, ESS, EVALUE_RED, OVERLAP, AssumptionTable, rate_agreement,
                               rate_balance, rate_coding, rate_confounding, rate_ess, rate_overlap, rate_psychometrics,
                               rate_report_translation, rate_sensitivity, rate_spillover, rate_time_zero,
                               rate_translation, worst)

EPS = 1e-9


@pytest.mark.parametrize(("smd", "level"), [
    (0.0, "green"), (BALANCE[0], "green"), (BALANCE[0] + EPS, "amber"), (BALANCE[1], "amber"),
    (BALANCE[1] + EPS, "red"), (math.nan, "red")])
def test_balance_boundaries(smd, level):
    assert rate_balance(smd).level == level


@pytest.mark.parametrize(("share", "level"), [
    (0.0, "green"), (OVERLAP[0], "green"), (OVERLAP[0] + EPS, "amber"), (OVERLAP[1], "amber"),
    (OVERLAP[1] + EPS, "red"), (math.nan, "red")])
def test_overlap_boundaries(share, level):
    assert rate_overlap(share).level == level


@pytest.mark.parametrize(("ess", "n", "level"), [
    (100, 100, "green"), (50, 100, "green"), (50 - 1e-6, 100, "amber"), (25, 100, "amber"),
    (25 - 1e-6, 100, "red"), (math.nan, 100, "red"), (10, 0, "red")])
def test_effective_sample_size_boundaries(ess, n, level):
    assert ESS == (0.50, 0.25)
    assert rate_ess(ess, n).level == level


def test_sensitivity_rules():
    primary = (-8.0, -12.0, -4.0)  # half-width 4: tolerance 2
    assert rate_sensitivity("lag", primary, [(-10.0, -15.0, -5.0), (-6.0, -11.0, -1.0)]).level == "green"
    assert rate_sensitivity("lag", primary, [(-10.0 - EPS * 1e3, -15.0, -5.0)]).level == "amber"  # moved > 2
    assert rate_sensitivity("lag", primary, [(-5.0, -10.0, 0.5)]).level == "red"  # conclusion changes
    nan = (math.nan, math.nan, math.nan)
    assert rate_sensitivity("lag", primary, [(-8.5, -12.0, -4.5), nan]).level == "amber"  # one not computable
    assert rate_sensitivity("lag", primary, [nan]).level == "amber"
    # a primary with no clear difference: a variant with a clear one changes the conclusion
    assert rate_sensitivity("competing", (-1.0, -5.0, 3.0), [(-1.5, -5.5, 2.5)]).level == "green"
    assert rate_sensitivity("competing", (-1.0, -5.0, 3.0), [(-4.0, -7.0, -1.0)]).level == "red"
    found = rate_sensitivity("competing", primary, [(-7.5, -11.0, -4.0)]).found
    assert "-7.5 per 100 (primary: -8.0)" in found.texts["en"] and "-7,5" in found.texts["nl"]


def test_design_rules_that_the_data_cannot_check_are_never_green():
    assert rate_time_zero(True).level == "green" and rate_time_zero(False).level == "red"
    assert rate_spillover().level == "amber" and rate_spillover(bias_towards_null=False).level == "red"
    assert rate_confounding(EVALUE_RED).level == "amber"
    assert rate_confounding(EVALUE_RED - EPS).level == "red"
    assert rate_confounding(100.0).level == "amber"  # never green
    assert rate_confounding(math.nan).level == "red"


def test_psychometrics_and_translations():
    assert rate_psychometrics("WHO-5", True).level == "green"
    assert rate_psychometrics("WHO-5", False).level == "amber"
    assert "provisional" in rate_psychometrics("WHO-5", False).found.texts["en"]
    assert rate_translation("WHO-5", {"en": "original", "nl": "official", "fr": "validated"}).level == "green"
    project = rate_translation("WHO-5", {"en": "original", "nl": "project", "fr": "official"})
    assert project.level == "amber"
    assert "Dutch" in project.found.texts["en"] and "French" not in project.found.texts["en"]
    assert "Nederlands" in project.found.texts["nl"]
    assert rate_report_translation().level == "amber"


@pytest.mark.parametrize(("alpha", "threshold", "level"), [
    (AGREEMENT_GREEN, 0.667, "green"), (AGREEMENT_GREEN - EPS, 0.667, "amber"), (0.667, 0.667, "amber"),
    (0.667 - EPS, 0.667, "red"), (None, 0.667, "red"), (math.nan, 0.667, "red"),
    # a threshold above Krippendorff's 0.800: green only from the threshold, never below it
    (0.84, 0.85, "red"), (0.85, 0.85, "green")])
def test_agreement_boundaries_and_a_theme_below_the_threshold_is_never_green(alpha, threshold, level):
    assert rate_agreement("Stigma", alpha, threshold).level == level


def test_coding_rows_per_theme_skip_the_overall_row_and_hide_small_ones():
    table = pd.DataFrame({"code": ["stigma", "motivations", "role_definition", "(all codes)"],
                          "krippendorff_alpha": [0.9, 0.41, 0.95, 0.7], "n_units": [20, 20, 4, 20]})
    rows = rate_coding(table, threshold=0.667, labels={"stigma": "Stigma", "motivations": "Motivations"},
                       hide=["role_definition"])
    assert [r.level for r in rows] == ["green", "red", "red"]
    assert "Motivations" in rows[1].assumption.texts["en"]
    assert "0.95" not in rows[2].found.texts["en"]  # hidden: no number
    assert worst(r.level for r in rows) == "red"
    none = rate_coding(None, threshold=0.667)
    assert len(none) == 1 and none[0].level == "red"


def test_table_shows_rating_as_word_and_shape_and_states_the_rule():
    t = AssumptionTable(rows=(rate_balance(0.05), rate_agreement("Stigma", 0.41, 0.667)), caption="caption.measurement")
    m = t.multilingual()
    html = m.html["en"]
    assert "<caption>" in html and "Rating" in html and "Rule" in html
    assert "green</span>" in html and "red</span>" in html and "■" in html  # word and shape, not colour alone
    assert "0.10" in html  # the threshold the rule applies, written out
    assert "rood" in m.html["nl"] and "rouge" in m.html["fr"] and "Règle" in m.html["fr"]
    # rating column right after the assumption: kept in view on a phone
    assert html.index("Assumption") < html.index("Rating") < html.index("What the data show")
    assert t.levels() == {"balance": "green", "agreement:Stigma": "red"}
    assert list(t.to_frame()["level"]) == ["green", "red"]


def test_a_theme_below_the_threshold_is_never_green_on_the_page():
    """The path of the interviews chapter's last cell, on the synthetic reference interviews of
    tests/reference/themes (coder_agreement checked against R there): every theme the agreement analysis
    flags below its threshold is red in the table the assumptions page pastes."""
    from pathlib import Path

    from bs4 import BeautifulSoup

    from analysis.themes import OVERALL, coder_agreement

    ref = Path(__file__).parents[2] / "reference" / "themes"
    segments, coded = pd.read_csv(ref / "segments.csv"), pd.read_csv(ref / "coded.csv")
    segments, coded = segments[segments["coder"].isin(["C1", "C2"])], coded[coded["coder"].isin(["C1", "C2"])]
    agreement = coder_agreement(segments, coded=coded, unit="paragraph",
                                transcripts=pd.read_csv(ref / "transcripts.csv"), threshold=0.5)
    table = agreement.to_frame()
    flagged = set(agreement.flagged()["code"])
    assert flagged and set(table["code"]) - flagged - {OVERALL}  # the fixture has themes on both sides
    html = AssumptionTable(rows=tuple(rate_coding(table, threshold=agreement.threshold, overall=OVERALL)),
                           caption="caption.coding").multilingual().html["en"]
    rows = BeautifulSoup(html, "html.parser").select("tbody tr")
    assert len(rows) == len(table) - 1
    assert {tr["data-level"] for tr in rows} >= {"red", "amber"}  # trust: alpha 0.529 in R, above 0.5
    for tr in rows:
        theme = tr.find("td").get_text().split("“")[1].split("”")[0]
        if theme in flagged:
            assert tr["data-level"] == "red", theme
        assert tr["data-level"] != "green" or theme not in flagged
