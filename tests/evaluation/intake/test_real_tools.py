"""Files written the way coordinators' real tools write them: nothing silently altered, nothing valid refused.

Each test writes a file as the tool does (R haven's factor and tagged-missing
files through pyreadstat, GNU PSPP from a syntax file, 1904-date workbooks
and Excel-number identifiers through openpyxl, US-locale CSV dates, ODK
Central's CSV export shape) and checks what intake stores cell by cell, or
the one message that says what to fix.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import check_file, submit_file
from evaluation.store import Workspace, responses

CAT = Catalogue()
DET = CAT.instrument("detainee", "1.1")
TODAY = dt.date(2026, 6, 1)
NR = {"dont_know": {"nl": "Weet niet"}, "refused": {"nl": "Wil niet antwoorden"}}


@pytest.fixture
def key():
    return PseudonymKey.generate()


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path / "ws")


def items_of(kind):
    return [i for i in DET.items if i.type == kind and i.role is None]


def with_nonresponse(seed=3, n=20):
    """Synthetic valid rows with don't-know and refused answers on the items that allow them."""
    frame = synthetic_responses(DET, n, site="P03", seed=seed)
    from evaluation.instruments import parse

    rng = np.random.default_rng(seed)
    controlling = {n for i in DET.items if i.relevant for n in parse(i.relevant).names}
    for item in items_of("single_choice"):
        codes = list(DET.nonresponse_codes(item).values())
        if not codes or item.name in controlling:
            continue
        answered = frame[item.name].notna().to_numpy()
        pick = answered & (rng.random(n) < 0.15)
        frame.loc[pick, item.name] = rng.choice(codes, size=int(pick.sum()))
    return frame


def stored(ws, frame, columns):
    data, _ = responses(ws, "detainee", catalogue=CAT, free_text=True)  # free text is held out by default (issue 17)
    by = ["date"] + [c for c in columns if c != "date"]
    got = data.sort_values(by, kind="stable").reset_index(drop=True)
    want = frame.sort_values(by, kind="stable").reset_index(drop=True)
    return got[columns], want[columns].astype(got[columns].dtypes.to_dict())


def nr_labels(item, lang="nl"):
    from evaluation.exports.common import nonresponse_labels

    return nonresponse_labels(DET, item, lang)


# -- R haven: as_factor() then write_sav() ------------------------------------------------------


def factor_coded(frame):
    """What haven::as_factor + write_sav makes of single-choice columns: codes 1..k in value order."""
    out = frame.copy()
    labels = {}
    for item in items_of("single_choice"):
        ours = {c.code: c.label["nl"] for c in DET.choices[item.choices]} | nr_labels(item)
        order = sorted(ours)
        out[item.name] = frame[item.name].map({c: float(i + 1) for i, c in enumerate(order)})
        labels[item.name] = {float(i + 1): ours[c] for i, c in enumerate(order)}
    return out, labels


def test_factor_coded_sav_nonresponse_labels_map_to_nonresponse_codes(tmp_path, ws, key):
    frame = with_nonresponse()
    coded, labels = factor_coded(frame)
    path = tmp_path / "haven.sav"
    pyreadstat.write_sav(coded, str(path), variable_value_labels=labels)
    report = submit_file(path, site="P03", workspace=ws, key=key, lang="nl", today=TODAY)
    assert report.status == "accepted", report.text()
    recoded = [p for p in report.problems if p.code == "value-labels-recoded"]
    assert recoded and all(p.severity == "warning" for p in recoded)
    assert "Weet niet" in report.text() or "Wil niet antwoorden" in report.text()
    cols = [i.name for i in items_of("single_choice")]
    got, want = stored(ws, frame, cols)
    n_nr = int(want.isin([-7, -8]).sum().sum())
    assert n_nr > 10  # the file really holds don't-know and refused answers
    pd.testing.assert_frame_equal(got, want)


def test_label_set_that_disagrees_is_one_error_naming_the_column(tmp_path):
    frame = synthetic_responses(DET, 8, site="P03", seed=4)
    labels = {"consent": {1.0: "Ja", 0.0: "Nee"},
              "education": {1.0: "Lager", 2.0: "Middelbaar", 3.0: "Hoger", 4.0: "Universiteit"}}
    path = tmp_path / "other.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    report = check_file(path, site="P03", lang="nl", today=TODAY)
    problems = [p for p in report.problems if p.severity == "error"]
    assert [(p.code, p.column) for p in problems] == [("value-labels-mismatch", "education")]
    text = report.text()
    assert text.startswith("Dit bestand wordt niet aanvaard.")
    assert "Lager" in text and "1 = Geen diploma of enkel lagere school" in text


# -- R haven: tagged missing values in Stata ----------------------------------------------------


def test_dta_tagged_missing_become_nonresponse_codes(tmp_path, ws, key):
    frame = synthetic_responses(DET, 20, site="P03", seed=6)
    from evaluation.instruments import parse

    controlling = {n for i in DET.items if i.relevant for n in parse(i.relevant).names}
    free = [i for i in items_of("single_choice") if not i.relevant and i.name not in controlling]
    optional = next(i for i in free if not i.required and i.nonresponse == ["dont_know", "refused"])
    required = DET.item("used_30d")  # required, and it controls the next questions
    assert required.required and required.nonresponse == ["dont_know", "refused"]
    dependents = [c for i in DET.items if i.relevant and "used_30d" in parse(i.relevant).names
                  for c in DET.item_columns(i)]
    frame.loc[[1, 2], dependents] = np.nan  # not asked after a don't-know or refused
    truth = frame.copy()
    dta = frame.copy()
    labels, missing = {}, {}
    for item, rows in ((optional, [0, 3, 5]), (required, [1, 2])):
        dta[item.name] = dta[item.name].astype(object)
        for k, r in enumerate(rows):
            letter = "ab"[k % 2] if "refused" in item.nonresponse else "a"
            dta.loc[r, item.name] = letter
            truth.loc[r, item.name] = -7.0 if letter == "a" else -8.0
        labels[item.name] = {c.code: c.label["nl"] for c in DET.choices[item.choices]} | {
            "a": "Weet niet", "b": "Wil niet antwoorden"}
        missing[item.name] = ["a", "b"]
    dta["date"] = dta["date"].dt.date
    path = tmp_path / "haven.dta"
    pyreadstat.write_dta(dta, str(path), variable_value_labels=labels, missing_user_values=missing)
    report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY)
    assert report.status == "accepted", report.text()
    got, want = stored(ws, truth, [optional.name, required.name])
    pd.testing.assert_frame_equal(got, want)
    assert (got == -7).sum().sum() + (got == -8).sum().sum() == 5


@pytest.mark.parametrize("column_labels", [True, False], ids=["labels-without-.a", "no-labels"])
def test_dta_tagged_missing_without_a_label_gets_its_own_message(tmp_path, ws, key, column_labels):
    """haven's ``tagged_na("a")`` written without ``c("Weet niet" = tagged_na("a"))``: which nonresponse is it?"""
    frame = synthetic_responses(DET, 20, site="P03", seed=6)
    from evaluation.instruments import parse

    controlling = {n for i in DET.items if i.relevant for n in parse(i.relevant).names}
    optional = next(i for i in items_of("single_choice") if not i.relevant and i.name not in controlling
                    and not i.required and i.nonresponse == ["dont_know", "refused"])
    required = DET.item("used_30d")
    dependents = [c for i in DET.items if i.relevant and "used_30d" in parse(i.relevant).names
                  for c in DET.item_columns(i)]
    frame.loc[[2], dependents] = np.nan
    dta = frame.copy()
    labels, missing = {}, {}
    for item, rows in ((optional, [0, 3]), (required, [2])):
        dta[item.name] = dta[item.name].astype(object)
        dta.loc[rows, item.name] = "a"
        if column_labels:
            labels[item.name] = {c.code: c.label["nl"] for c in DET.choices[item.choices]}
        missing[item.name] = ["a", "b"]
    dta.loc[[3], optional.name] = "b"
    dta["date"] = dta["date"].dt.date
    path = tmp_path / "haven.dta"
    pyreadstat.write_dta(dta, str(path), variable_value_labels=labels, missing_user_values=missing)

    report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY, lang="nl")
    assert report.status == "rejected"
    assert sorted((p.code, p.column, p.params["rows"], p.params["count"], p.params["letters"])
                  for p in report.problems) == sorted([
        ("stata-missing-unlabelled", required.name, "3", 1, ".a"),
        ("stata-missing-unlabelled", optional.name, "1, 4", 2, ".a, .b")])
    texts = {lang: [p.message(lang) for p in report.problems] for lang in ("nl", "fr", "en")}
    opt_nl = next(t for t in texts["nl"] if optional.name in t)
    assert "in de rijen 1, 4 staan 2 ontbrekende waarden van Stata zonder label (.a, .b)" in opt_nl
    assert "“Weet niet” of “Wil niet antwoorden”" in opt_nl and "-7 = Weet niet" in opt_nl
    assert opt_nl.startswith("Vraag ")
    req_fr = next(t for t in texts["fr"] if required.name in t)
    assert "la ligne 3 contient la valeur manquante Stata .a sans libellé" in req_fr
    req_en = next(t for t in texts["en"] if required.name in t)
    assert "row 3 holds Stata's missing value .a without a label" in req_en and "-8 = Refused" in req_en
    # neither "not an answer" nor "required but empty" for the same cells
    assert not any("is geen antwoord" in t or "verplicht" in t for t in texts["nl"]), texts["nl"]


# -- GNU PSPP: a .sav from a syntax file ----------------------------------------------------------


@pytest.mark.skipif(shutil.which("pspp") is None, reason="GNU PSPP is not installed")
def test_pspp_sav_with_own_codes_is_recoded_by_labels(tmp_path, ws, key):
    frame = synthetic_responses(DET, 6, site="P03", seed=8)
    # PSPP writes the file; its gender codes run 1 = Vrouw, 2 = Man, 9 = Wil niet antwoorden
    gender_pspp = {1.0: 2, 2.0: 1, -8.0: 9}
    cols = ["prison_number", "site", "wave", "date", "consent", "gender"]
    lines = []
    for _, r in frame.iterrows():
        g = r["gender"]
        lines.append(f"{r['prison_number']} {r['site']} {int(r['wave'])} {r['date']:%d.%m.%Y} {int(r['consent'])} "
                     f"{gender_pspp.get(g, 3) if g == g else '.'}")
    sps = tmp_path / "write.sps"
    out = tmp_path / "pspp.sav"
    sps.write_text(
        "DATA LIST LIST /prison_number (A8) site (A3) wave (F1.0) date (EDATE10) consent (F1.0) gender (F1.0).\n"
        "BEGIN DATA.\n" + "\n".join(lines) + "\nEND DATA.\n"
        "VALUE LABELS consent 1 'Ja' 0 'Nee' /gender 1 'Vrouw' 2 'Man' 3 'Ik omschrijf mezelf op een andere manier'"
        " 9 'Wil niet antwoorden'.\n"
        "MISSING VALUES gender (9).\n"
        f"SAVE OUTFILE='{out}'.\n", encoding="utf-8")
    subprocess.run(["pspp", "-O", "format=csv", "-o", str(tmp_path / "log.csv"), str(sps)], check=True,
                   capture_output=True, timeout=60)
    read, _ = pyreadstat.read_sav(str(out))
    assert list(read.columns) == cols
    report = check_file(out, site="P03", instrument="detainee@1.1", today=TODAY)
    codes = {p.code for p in report.problems}
    assert "value-labels-recoded" in codes and "value-labels-mismatch" not in codes
    from evaluation.intake.readers import read_file
    from evaluation.intake.validate import validate

    r = read_file(out)
    v = validate(DET, r.frame, site="P03", value_labels=r.value_labels, today=TODAY, first_data_row=1)
    assert v.frame["gender"].tolist() == frame["gender"].tolist() or \
        v.frame["gender"].fillna(-99).tolist() == frame["gender"].fillna(-99).tolist()


# -- openpyxl: the 1904 date system --------------------------------------------------------------


def write_workbook(path, header, rows, *, epoch_1904=False, before=(), sheets=None, number_cols=()):
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Gegevens"
    for extra in before:
        ws.append(extra)
    ws.append(header)
    for row in rows:
        ws.append(row)
    for name, content in (sheets or {}).items():
        other = wb.create_sheet(name)
        for row in content:
            other.append(row)
    wb.save(path)
    return path


def frame_rows(frame, *, serial_epoch=None, text_ids=True):
    rows = []
    for _, r in frame.iterrows():
        row = []
        for c, v in r.items():
            if isinstance(v, pd.Timestamp):
                v = (v - serial_epoch).days if serial_epoch is not None else v.to_pydatetime()
            elif isinstance(v, float) and np.isnan(v):
                v = None
            elif c == "prison_number" and not text_ids:
                v = int(v)
            row.append(v)
        rows.append(row)
    return rows


def test_1904_workbook_serial_dates_are_not_shifted(tmp_path, ws, key):
    frame = synthetic_responses(DET, 12, site="P03", seed=9)
    path = write_workbook(tmp_path / "mac.xlsx", list(frame.columns),
                          frame_rows(frame, serial_epoch=pd.Timestamp("1904-01-01")), epoch_1904=True)
    report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY)
    assert report.status == "accepted", report.text()
    got, want = stored(ws, frame, ["date"])
    assert got["date"].tolist() == want["date"].tolist()


# -- Excel / Calc: prison numbers that lost their leading zeros ------------------------------------


def test_prison_numbers_without_leading_zero_are_flagged(tmp_path):
    frame = synthetic_responses(DET, 6, site="P03", seed=10)
    frame["prison_number"] = [f"0{k:06d}" for k in (123456, 234567, 345678, 456789, 567890, 678901)]
    path = write_workbook(tmp_path / "ids.xlsx", list(frame.columns), frame_rows(frame, text_ids=False))
    report = check_file(path, site="P03", lang="nl", today=TODAY)
    errors = [p for p in report.errors]
    assert [(p.code, p.column, p.row) for p in errors] == [("identifier-leading-zero", "prison_number", None)]
    text = report.text()
    assert "Excel of Calc las het nummer als getal" in text and "7 cijfers verwacht" in text
    assert "rijen 2, 3, 4, 5, 6, 7" in text
    # the same numbers kept as text are accepted
    path = write_workbook(tmp_path / "ids_text.xlsx", list(frame.columns), frame_rows(frame))
    assert check_file(path, site="P03", today=TODAY).valid


def test_numeric_identifier_with_an_empty_cell_keeps_its_digits(tmp_path, ws, key):
    frame = synthetic_responses(DET, 4, site="P03", seed=11)
    path = write_workbook(tmp_path / "num.xlsx", list(frame.columns), frame_rows(frame, text_ids=False))
    report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY)
    assert report.status == "accepted", report.text()
    from evaluation.intake.pseudonymise import Pseudonymiser

    data, _ = responses(ws, "detainee", catalogue=CAT, free_text=True)  # free text is held out by default (issue 17)
    want = {Pseudonymiser(key).pseudonym("prison_number", p) for p in frame["prison_number"]}
    assert set(data["pid"]) == want


# -- US-locale spreadsheets: month-first dates ---------------------------------------------------


def csv_with_dates(tmp_path, frame, fmt, name="us.csv"):
    out = frame.copy()
    out["date"] = out["date"].dt.strftime(fmt)
    path = tmp_path / name
    out.to_csv(path, index=False)
    return path


def test_month_first_dates_found_from_unambiguous_rows(tmp_path, ws, key):
    dates = [dt.date(2025, 3, d) for d in (3, 14, 5, 7, 20, 11)]
    frame = synthetic_responses(DET, 6, site="P03", seed=12, dates=dates)
    path = csv_with_dates(tmp_path, frame, "%m/%d/%Y")
    report = submit_file(path, site="P03", workspace=ws, key=key, lang="fr", today=TODAY)
    assert report.status == "accepted", report.text()
    assert [p.code for p in report.problems if p.code.startswith("date-order")] == ["date-order-month-first"]
    assert "03/14/2025 (ligne 3)" in report.text()
    got, want = stored(ws, frame, ["date"])
    assert got["date"].tolist() == want["date"].tolist()


def test_dates_that_cannot_be_told_are_flagged_and_an_order_can_be_given(tmp_path):
    dates = [dt.date(2025, m, d) for m, d in ((3, 4), (5, 2), (6, 11), (4, 9))]
    frame = synthetic_responses(DET, 4, site="P03", seed=13, dates=dates)
    path = csv_with_dates(tmp_path, frame, "%m/%d/%Y")
    report = check_file(path, site="P03", today=TODAY)
    assert "date-order-assumed" in [p.code for p in report.problems]
    assert "--date-order mdy" in report.text()
    from evaluation.intake.readers import read_file
    from evaluation.intake.validate import validate

    r = read_file(path)
    v = validate(DET, r.frame, site="P03", date_order="mdy", today=TODAY)
    assert v.frame["date"].dt.date.tolist() == dates
    assert not [p for p in v.problems if p.code.startswith("date-order")]


def test_day_first_and_month_first_rows_in_one_file_are_an_error(tmp_path):
    frame = synthetic_responses(DET, 3, site="P03", seed=14, dates=[dt.date(2025, 3, 3)] * 3)
    frame = frame.astype({"date": object})
    frame["date"] = ["14/03/2025", "03/15/2025", "03/03/2025"]
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    report = check_file(path, site="P03", today=TODAY)
    assert "date-order-mixed" in [p.code for p in report.errors]


def test_instrument_date_bounds_are_enforced(tmp_path):
    frame = synthetic_responses(DET, 3, site="P03", seed=15)
    frame.loc[1, "date"] = pd.Timestamp("2015-03-20")
    path = csv_with_dates(tmp_path, frame, "%d/%m/%Y", "old.csv")
    report = check_file(path, site="P03", lang="nl", today=TODAY)
    assert [(p.code, p.row) for p in report.errors] == [("date-before-min", 3)]
    assert "vóór 01/01/2025" in report.text() and "start van het onderzoek" in report.text()


# -- spreadsheets: the data sheet and the header row ---------------------------------------------


def test_workbook_with_notes_sheet_and_title_rows_is_read_exactly(tmp_path, ws, key):
    frame = synthetic_responses(DET, 10, site="P03", seed=16)
    path = write_workbook(tmp_path / "titled.xlsx", list(frame.columns), frame_rows(frame),
                          before=[["Vragenlijst gedetineerden - gevangenis P03"], [], ["Ingevuld door: coördinator"]],
                          sheets={"Opmerkingen": [["Rij 4: twijfel over datum"], ["Alles nagekeken"]],
                                  "Codeboek": [["variabele", "label"], ["consent", "Toestemming"]]})
    report = submit_file(path, site="P03", workspace=ws, key=key, lang="nl", today=TODAY)
    assert report.status == "accepted", report.text()
    assert {p.code for p in report.problems} >= {"sheet-ignored", "header-row-moved"}
    assert "De kolomnamen staan op rij 4" in report.text()
    cols = [c for c in frame.columns if c not in ("prison_number",)]
    got, want = stored(ws, frame, [c for c in cols if c in DET.columns() and c != "site"])
    pd.testing.assert_frame_equal(got, want)


def test_header_with_most_names_missing_is_one_message(tmp_path):
    frame = synthetic_responses(DET, 3, site="P03", seed=17)
    header = list(frame.columns[:4]) + [None] * (len(frame.columns) - 4)  # the names after D were deleted
    path = write_workbook(tmp_path / "noheader.xlsx", header, frame_rows(frame))
    report = check_file(path, site="P03", lang="nl", today=TODAY)
    assert [p.code for p in report.errors] == ["header-not-found"]
    assert "rij 1 heeft" in report.text() and "kolommen zonder naam" in report.text()


# -- ODK: the project's XLSForm and ODK Central's export -----------------------------------------


def odk_central_csv(frame, path):
    """ODK Central's CSV export: meta columns, group-prefixed names, space-separated multiple choice."""
    out = pd.DataFrame({"SubmissionDate": "2025-03-20T10:12:01.123Z"}, index=frame.index)
    for c in frame.columns:
        if c == "date":
            out[f"ident-{c}"] = frame[c].dt.strftime("%Y-%m-%d")
        elif c in ("prison_number", "site", "wave", "consent"):
            out[f"ident-{c}"] = frame[c]
    for item in DET.items:
        if item.role is not None or item.name == "consent":
            continue
        if item.type == "multiple_choice":
            cols = DET.item_columns(item)
            out[f"body-{item.name}"] = frame[cols].apply(
                lambda r: " ".join(c.rsplit("_", 1)[1] for c in cols if r[c] == 1) if r.notna().any() else "", axis=1)
        else:
            out[f"body-{item.name}"] = frame[item.name].map(
                lambda v: "" if v != v else (str(int(v)) if isinstance(v, float) and v.is_integer() else v))
    out["peer_eval_instrument"] = DET.ref
    out["meta-instanceID"] = [f"uuid:{i:08d}-0000-4000-8000-000000000000" for i in range(len(out))]
    for c, v in (("SubmitterID", 5), ("SubmitterName", "coordinator"), ("AttachmentsPresent", 0),
                 ("AttachmentsExpected", 0), ("Status", ""), ("ReviewState", ""), ("DeviceID", "collect:x"),
                 ("Edits", 0), ("FormVersion", DET.version)):
        out[c] = v
    out["KEY"] = out["meta-instanceID"]
    out.to_csv(path, index=False)
    return path


def test_odk_central_export_is_read_exactly(tmp_path, ws, key):
    frame = synthetic_responses(DET, 15, site="P03", seed=18)
    path = odk_central_csv(frame, tmp_path / "detainee.csv")
    report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY)
    assert report.status == "accepted", report.text()
    assert report.instrument == DET.ref
    assert "odk-columns-read" in [p.code for p in report.problems]
    cols = [c for c in DET.columns() if c not in ("prison_number", "site")]
    got, want = stored(ws, frame, cols)
    pd.testing.assert_frame_equal(got, want)


def test_xlsform_instrument_column_is_accepted(tmp_path):
    frame = synthetic_responses(DET, 4, site="P03", seed=19)
    frame["peer_eval_instrument"] = DET.ref
    path = tmp_path / "collect.csv"
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    report = check_file(path, site="P03", today=TODAY)
    assert report.valid, report.text()
    assert "column-unknown" not in {p.code for p in report.problems}


def test_relevance_on_an_empty_answer_as_odk_evaluates_it(tmp_path):
    from evaluation.intake.validate import validate

    frame = synthetic_responses(DET, 4, site="P03", seed=20)
    follow = next(i for i in DET.items if i.relevant == "main_substance != 0")
    frame["main_substance"] = np.nan  # left blank: ODK shows the follow-up question
    frame[follow.name] = frame[follow.name].fillna(DET.codes(follow)[0] if follow.choices else 1)
    v = validate(DET, frame, site="P03", today=TODAY)
    assert "not-asked-answered" not in {p.code for p in v.problems}


# -- the file argument -----------------------------------------------------------------------------


def _cli(*args):
    from evaluation.cli import main

    return main(list(args))


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "dangling"])
def test_file_argument_problems_exit_2_with_a_message(tmp_path, capsys, kind):
    path = tmp_path / "baseline.sav"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "gone.sav")
    for command in ("check", "submit"):
        extra = ["--site", "P03", "--workspace", str(tmp_path / "ws")] if command == "submit" else []
        assert _cli(command, str(path), "--lang", "nl", *extra) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "baseline.sav" in err
        assert {"missing": "bestaat niet", "dangling": "bestaat niet", "directory": "is een map",
                "fifo": "geen gewoon bestand"}[kind] in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n")
    path.chmod(0)
    assert _cli("check", str(path), "--lang", "fr") == 2
    assert "droit de le lire" in capsys.readouterr().err


def test_site_code_in_lower_case_and_a_note_without_site(tmp_path):
    frame = synthetic_responses(DET, 3, site="P03", seed=21)
    path = csv_with_dates(tmp_path, frame, "%Y-%m-%d", "ok.csv")
    assert check_file(path, site="p03", today=TODAY).valid
    report = check_file(path, today=TODAY, lang="nl")
    assert report.valid and "site-not-checked" in {p.code for p in report.problems}
    assert "De gevangenis werd niet nagekeken" in report.text()


def test_malformed_key_is_refused_in_the_coordinators_language(tmp_path, monkeypatch, capsys):
    frame = synthetic_responses(DET, 2, site="P03", seed=22)
    path = csv_with_dates(tmp_path, frame, "%Y-%m-%d", "k.csv")
    monkeypatch.setenv("PEER_EVAL_KEY", "not a key!")
    assert _cli("submit", str(path), "--site", "P03", "--workspace", str(tmp_path / "ws"), "--lang", "fr") == 2
    err = capsys.readouterr().err
    assert "n'a pas la bonne forme" in err and "Traceback" not in err and "not a key" not in err
