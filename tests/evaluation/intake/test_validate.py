"""Validation collects every problem in one pass, with row, column and code."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from evaluation.intake.problems import Report
from evaluation.intake.validate import validate

TODAY = dt.date(2026, 11, 1)


def good_rows(mini, n=3):
    rows = []
    for k in range(n):
        row = {c: np.nan for c in mini.columns()}
        row.update({
            "prison_number": f"A{1000 + k}", "site": "P01", "wave": 1, "date": "15/03/2026",
            "used_drugs_30d": 1, "days_used": 4, "support_kind_1": 1, "support_kind_2": 0, "support_kind_3": 0,
            "hours": 2.5, "comment": "free text",
            **{f"who5_{i}": 3 for i in range(1, 6)},
        })
        rows.append(row)
    return pd.DataFrame(rows)


def run(mini, frame, site="P01", **kw):
    v = validate(mini, frame, site=site, today=TODAY, **kw)
    report = Report(file="f.csv", problems=v.problems)
    return v, report


def test_clean_file_has_no_problems(mini):
    v, report = run(mini, good_rows(mini).astype(str))
    assert report.valid, report.text()
    assert v.frame["date"].iloc[0] == pd.Timestamp("2026-03-15")
    assert v.frame["hours"].tolist() == [2.5] * 3
    assert v.frame["_row"].tolist() == [2, 3, 4]


def test_every_problem_at_once(mini):
    df = good_rows(mini, 4).astype(object)
    df.loc[0, "days_used"] = "veel"           # not a number
    df.loc[1, "days_used"] = 45               # out of range
    df.loc[2, "used_drugs_30d"] = 0           # skip logic: days_used not asked
    df.loc[3, "used_drugs_30d"] = 7           # not a code
    df.loc[3, "who5_1"] = np.nan              # fine: not required
    df.loc[1, "site"] = "P02"                 # another site
    df.loc[2, "date"] = "31/02/2026"          # impossible date
    df = df.rename(columns={"hours": "hourz"})
    _, report = run(mini, df)
    flat = report.flatten(["row", "column", "code"])
    assert flat == [
        [None, "hours", "column-missing"],
        [None, "hourz", "column-unknown"],
        [2, "days_used", "type-error"],
        [3, "days_used", "range-error"],
        [3, "site", "site-mismatch"],
        [4, "date", "type-error"],
        [4, "days_used", "not-asked-answered"],
        [5, "used_drugs_30d", "choice-error"],
    ]


def test_constraint_message_in_language(mini):
    df = good_rows(mini, 1)
    df.loc[0, "days_used"] = 31
    v, report = run(mini, df)
    codes = [p.code for p in report.problems]
    assert "range-error" in codes
    report.lang = "fr"
    assert "Ligne 2, question 2 (colonne « days_used »)" in report.text()


def test_nonresponse_codes_only_where_declared(mini):
    df = good_rows(mini, 3)
    df.loc[0, "used_drugs_30d"] = -8   # refused: declared
    df.loc[0, "days_used"] = np.nan
    df.loc[1, "used_drugs_30d"] = -9   # not applicable: not declared for this item
    df.loc[2, "hours"] = -7            # don't know: declared for hours
    v, report = run(mini, df)
    assert report.flatten(["row", "column", "code"]) == [[3, "used_drugs_30d", "choice-error"]]
    assert v.frame["used_drugs_30d"].iloc[0] == -8 and v.frame["hours"].iloc[2] == -7


def test_required_missing_and_identifier_missing(mini):
    df = good_rows(mini, 2).astype(object)
    df.loc[0, "used_drugs_30d"] = np.nan
    df.loc[0, "days_used"] = np.nan
    df.loc[1, "prison_number"] = "  "
    _, report = run(mini, df)
    assert report.flatten(["row", "column", "code"]) == [
        [2, "used_drugs_30d", "required-missing"], [3, "prison_number", "identifier-missing"]]


def test_duplicate_respondent_wave_never_echoes_identifier(mini):
    df = good_rows(mini, 3)
    df.loc[2, "prison_number"] = "a-1000"  # same person as row 2 once normalised
    _, report = run(mini, df)
    dups = [p for p in report.problems if p.code == "duplicate-respondent-wave"]
    assert [(p.row, p.params["other_rows"]) for p in dups] == [(2, "4"), (4, "2")]
    assert "1000" not in report.to_json()


def test_free_text_never_echoed(mini):
    df = good_rows(mini, 1).astype(object)
    df.loc[0, "prison_number"] = "SECRET-ID-99"
    df.loc[0, "site"] = "P01"
    df.loc[0, "wave"] = "nonsense"
    _, report = run(mini, df)
    assert "SECRET" not in report.to_json()


def test_typed_labels_and_wave_names(mini):
    df = good_rows(mini, 2).astype(object)
    df.loc[0, "used_drugs_30d"] = "Oui"
    df.loc[1, "used_drugs_30d"] = "nee"
    df.loc[1, "days_used"] = np.nan
    df.loc[1, "wave"] = "followup"
    df.loc[1, "date"] = "2026-05-20"
    df.loc[1, "prison_number"] = "A1000"
    v, report = run(mini, df)
    assert report.valid, report.text()
    assert v.frame["used_drugs_30d"].tolist() == [1, 0]
    assert v.frame["wave"].tolist() == [1, 2]


def test_spss_value_labels_taken_into_account(mini):
    df = good_rows(mini, 2)
    df["used_drugs_30d"] = [2.0, 1.0]  # file coded Yes=1, No=2
    df.loc[0, "days_used"] = np.nan
    labels = {"used_drugs_30d": {1.0: "Yes", 2.0: "No"}}
    v, report = run(mini, df, value_labels=labels)
    assert report.valid, report.text()
    assert v.frame["used_drugs_30d"].tolist() == [0, 1]


def test_dates_excel_serial_text_and_future(mini):
    df = good_rows(mini, 4).astype(object)
    df["prison_number"] = ["A1", "A2", "A3", "A4"]
    df.loc[0, "date"] = 46086            # Excel serial number
    df.loc[1, "date"] = dt.datetime(2026, 3, 5)
    df.loc[2, "date"] = "2030-01-01"     # in the future
    df.loc[3, "date"] = "15.03.2026"
    v, report = run(mini, df)
    assert report.flatten(["row", "column", "code"]) == [[4, "date", "date-impossible"]]
    assert v.frame["date"].iloc[0] == pd.Timestamp("2026-03-05")


def test_followup_before_baseline_and_window(mini):
    df = good_rows(mini, 4)
    df["prison_number"] = ["A1", "A1", "A2", "A2"]
    df["wave"] = [1, 2, 1, 2]
    df["date"] = ["05/03/2026", "01/03/2026", "05/03/2026", "05/04/2026"]
    _, report = run(mini, df)
    # every date can be read day first or month first: read day first, and said so
    assert report.flatten(["row", "code", "severity"]) == [
        [None, "date-order-assumed", "warning"], [3, "date-order", "error"], [5, "wave-window", "warning"]]
    assert report.valid is False


def test_multiple_choice_values(mini):
    df = good_rows(mini, 1)
    df.loc[0, "support_kind_2"] = 2
    _, report = run(mini, df)
    assert report.flatten(["row", "column", "code"]) == [[2, "support_kind_2", "choice-error"]]


def test_site_unknown(mini):
    df = good_rows(mini, 1)
    df.loc[0, "site"] = "X99"
    _, report = run(mini, df, site=None)
    assert report.flatten(["column", "code", "value"]) == [["site", "site-unknown", "X99"]]


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_report_text_every_language(mini, lang):
    df = good_rows(mini, 1)
    df.loc[0, "days_used"] = 99
    _, report = run(mini, df)
    report.lang = lang
    text = report.text()
    assert "days_used" in text and "99" in text and "?" not in text.split("\n", 2)[2]


def test_typed_nonresponse_and_tick_labels_are_codes_with_a_note(mini):
    df = good_rows(mini, 3).astype(object)
    df.loc[0, "used_drugs_30d"] = "Weet niet"     # a nonresponse label, typed
    df.loc[0, "days_used"] = np.nan
    df.loc[1, "support_kind_2"] = "Aangekruist"   # a ticked box, typed
    df.loc[2, "used_drugs_30d"] = "Ja"
    v, report = run(mini, df)
    assert report.valid, report.text()
    assert v.frame["used_drugs_30d"].tolist() == [-7, 1, 1] and v.frame["support_kind_2"].tolist() == [0, 1, 0]
    notes = [(p.code, p.column, p.params["count"]) for p in report.problems if p.code == "labels-converted"]
    assert sorted(notes) == [("labels-converted", "support_kind_2", 1), ("labels-converted", "used_drugs_30d", 2)]
    report.lang = "nl"
    assert "2 antwoorden waren als tekst ingevuld" in report.text() and "-7 = Weet niet" in report.text()
