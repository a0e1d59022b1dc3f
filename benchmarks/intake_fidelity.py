"""Intake fidelity: files as the coordinators' real tools write them, submitted and compared cell by cell.

Run:  .venv/bin/python benchmarks/intake_fidelity.py

Writes one file per case the way the tool writes it (GNU PSPP from a syntax
file; R haven's factor-coded .sav and tagged-missing .dta through pyreadstat;
openpyxl workbooks, 1904 date system and Excel-number identifiers included;
semicolon CSV as Belgian Excel/LibreOffice save it and month-first CSV as a
US-English locale does; ODK Central's CSV export shape; REFI-QDA projects
shaped like QualCoder's, ATLAS.ti's and NVivo's), submits each into a fresh
workspace, and classifies the outcome:

- *accepted exactly*: the file should be accepted, and what is stored equals
  what was written, cell by cell;
- *refused correctly*: the file holds an error the coordinator must fix, and
  it is refused;
- *refused wrongly*: a valid file refused;
- *altered*: stored values differ from what was written, or a file that must
  be refused was accepted (a wrong number in the report, nobody told);
- *flagged*: accepted with a warning that says how it was read and how to
  state otherwise (only month-first dates that no row can tell apart).

The same script runs on an older checkout (``PYTHONPATH=<old tree>``) for the
before/after table; it uses only ``submit_file`` / ``import_segments``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from evaluation.instruments import Catalogue, parse
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace, responses

CAT = Catalogue()
DET = CAT.instrument("detainee", "1.1")
TODAY = dt.date(2026, 6, 1)
NR_NL = {"dont_know": "Weet niet", "refused": "Wil niet antwoorden"}
CONTROLLING = {n for i in DET.items if i.relevant for n in parse(i.relevant).names}


def single_choice():
    return [i for i in DET.items if i.type == "single_choice" and i.role is None]


def nr_labels(item):
    return {DET.meta.nonresponse_codes[k]: NR_NL.get(k, "Niet van toepassing") for k in item.nonresponse}


def labels_nl():
    return {i.name: {float(c.code): c.label["nl"] for c in DET.choices[i.choices]} | {float(k): v for k, v in nr_labels(i).items()}
            for i in single_choice()}


def with_nonresponse(seed, n=20):
    frame = synthetic_responses(DET, n, site="P03", seed=seed)
    rng = np.random.default_rng(seed)
    for item in single_choice():
        codes = [DET.meta.nonresponse_codes[k] for k in item.nonresponse]
        if not codes or item.name in CONTROLLING:
            continue
        pick = frame[item.name].notna().to_numpy() & (rng.random(n) < 0.15)
        frame.loc[pick, item.name] = rng.choice(codes, size=int(pick.sum()))
    return frame


# -- writers, one per tool -------------------------------------------------------------------------


def pspp_sav(tmp, frame, name, gender_codes=None):
    """Every column of ``frame`` through a PSPP syntax file (DATA LIST, VALUE LABELS, MISSING VALUES, SAVE)."""
    gender_codes = gender_codes or {}
    labels = labels_nl()
    specs, rows = [], []
    for c in frame.columns:
        if c in ("prison_number", "site"):
            specs.append(f"{c} (A{8 if c == 'prison_number' else 3})")
        elif c == "date":
            specs.append(f"{c} (EDATE10)")
        else:
            specs.append(f"{c} (F8.2)")
    for _, r in frame.iterrows():
        cells = []
        for c, v in r.items():
            if c == "date":
                cells.append(f"{v:%d.%m.%Y}")
            elif isinstance(v, str):
                cells.append(v)
            elif v != v:
                cells.append(".")
            else:
                v = gender_codes.get(v, v) if c == "gender" else v
                cells.append(f"{float(v):g}")
        rows.append(" ".join(cells))
    vl = []
    for col, lab in labels.items():
        if col in frame.columns:
            if col == "gender" and gender_codes:
                lab = {float(gender_codes.get(k, k)): t for k, t in lab.items()}
            vl.append(f"/{col} " + " ".join(f"{k:g} '{t}'" for k, t in lab.items()))
    out = tmp / f"{name}.sav"
    sps = tmp / f"{name}.sps"
    sps.write_text("DATA LIST LIST /" + " ".join(specs) + ".\nBEGIN DATA.\n" + "\n".join(rows) + "\nEND DATA.\n"
                   "VALUE LABELS " + "\n".join(vl).lstrip("/") + ".\n"
                   f"SAVE OUTFILE='{out}'.\n", encoding="utf-8")
    subprocess.run(["pspp", "-O", "format=csv", "-o", str(tmp / f"{name}.log.csv"), str(sps)], check=True,
                   capture_output=True, timeout=120)
    return out


def haven_factor_sav(tmp, frame):
    out = frame.copy()
    labels = {}
    for item in single_choice():
        ours = {c.code: c.label["nl"] for c in DET.choices[item.choices]} | nr_labels(item)
        order = sorted(ours)
        out[item.name] = frame[item.name].map({c: float(i + 1) for i, c in enumerate(order)})
        labels[item.name] = {float(i + 1): ours[c] for i, c in enumerate(order)}
    path = tmp / "haven_factor.sav"
    pyreadstat.write_sav(out, str(path), variable_value_labels=labels)
    return path


def haven_labelled_sav(tmp, frame):
    path = tmp / "haven_labelled.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels_nl(),
                         missing_ranges={i.name: [-9, -8, -7] for i in single_choice() if i.nonresponse})
    return path


def haven_tagged_dta(tmp, frame, items):
    truth = frame.copy()
    dta = frame.copy()
    labels, missing = {}, {}
    for item in items:
        dta[item.name] = dta[item.name].astype(object)
        for k, r in enumerate((1, 2, 4)):
            letter = "ab"[k % 2]
            dta.loc[r, item.name] = letter
            truth.loc[r, item.name] = -7.0 if letter == "a" else -8.0
        labels[item.name] = {c.code: c.label["nl"] for c in DET.choices[item.choices]} | {
            "a": "Weet niet", "b": "Wil niet antwoorden"}
        missing[item.name] = ["a", "b"]
    dta["date"] = dta["date"].dt.date
    path = tmp / f"haven_tagged_{items[0].name}.dta"
    pyreadstat.write_dta(dta, str(path), variable_value_labels=labels, missing_user_values=missing)
    return path, truth


def workbook(path, frame, *, epoch_1904=False, before=(), sheets=None, ids_as_numbers=False, serial_dates=False):
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Gegevens"
    for row in before:
        ws.append(row)
    ws.append(list(frame.columns))
    epoch = pd.Timestamp("1904-01-01" if epoch_1904 else "1899-12-30")
    for _, r in frame.iterrows():
        row = []
        for c, v in r.items():
            if isinstance(v, pd.Timestamp):
                v = (v - epoch).days if serial_dates else v.to_pydatetime()
            elif isinstance(v, float) and np.isnan(v):
                v = None
            elif c == "prison_number" and ids_as_numbers:
                v = int(v)
            row.append(v)
        ws.append(row)
    for name, rows in (sheets or {}).items():
        other = wb.create_sheet(name)
        for row in rows:
            other.append(row)
    wb.save(path)
    return path


def csv_file(path, frame, date_format, sep=";"):
    out = frame.copy()
    out["date"] = out["date"].dt.strftime(date_format)
    out.to_csv(path, index=False, sep=sep)
    return path


def odk_central(path, frame):
    out = pd.DataFrame({"SubmissionDate": "2025-03-20T10:12:01.123Z"}, index=frame.index)
    for c in ("prison_number", "site", "wave", "date", "consent"):
        out[f"ident-{c}"] = frame[c].dt.strftime("%Y-%m-%d") if c == "date" else frame[c]
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
    out["meta-instanceID"] = [f"uuid:{uuid.UUID(int=i)}" for i in range(len(out))]
    for c, v in (("SubmitterID", 5), ("SubmitterName", "coordinator"), ("AttachmentsPresent", 0),
                 ("AttachmentsExpected", 0), ("Status", ""), ("ReviewState", ""), ("DeviceID", "collect:x"),
                 ("Edits", 0), ("FormVersion", DET.version)):
        out[c] = v
    out["KEY"] = out["meta-instanceID"]
    out.to_csv(path, index=False)
    return path


# -- the corpus ---------------------------------------------------------------------------------


def survey_cases(tmp):
    """``(tool, format, path, truth or None)``: truth None = the file must be refused."""
    cases = []
    f = synthetic_responses(DET, 12, site="P03", seed=1)
    if shutil.which("pspp"):
        g = with_nonresponse(15, 12)
        cols = ["date", *[i.name for i in single_choice()]]
        cases.append(("GNU PSPP", ".sav", pspp_sav(tmp, g, "pspp_plain"), g[cols]))
        cases.append(("GNU PSPP", ".sav (own codes, 9 = refused)",
                      pspp_sav(tmp, g, "pspp_codes", {1.0: 2.0, 2.0: 1.0, -8.0: 9.0}), g[cols]))
    nr = with_nonresponse(2)
    sc = [i.name for i in single_choice()]
    cases.append(("R haven", ".sav labelled", haven_labelled_sav(tmp, nr), nr[["date", *sc]]))
    cases.append(("R haven", ".sav as_factor", haven_factor_sav(tmp, nr), nr[["date", *sc]]))
    free = [i for i in single_choice() if not i.relevant and i.name not in CONTROLLING and i.nonresponse == ["dont_know", "refused"]]
    d = synthetic_responses(DET, 8, site="P03", seed=3)
    path, truth = haven_tagged_dta(tmp, d, free[:3])
    cases.append(("R haven", ".dta tagged missing (optional)", path, truth[["date", *[i.name for i in free[:3]]]]))
    req = DET.item("used_30d")
    d = synthetic_responses(DET, 8, site="P03", seed=4)
    dep = [c for i in DET.items if i.relevant and "used_30d" in parse(i.relevant).names for c in DET.item_columns(i)]
    d.loc[[1, 2, 4], dep] = np.nan
    path, truth = haven_tagged_dta(tmp, d, [req])
    cases.append(("R haven", ".dta tagged missing (required)", path, truth[["date", "used_30d"]]))
    lab = synthetic_responses(DET, 6, site="P03", seed=5)
    bad = tmp / "other_labels.sav"
    pyreadstat.write_sav(lab, str(bad), variable_value_labels={
        "education": {1.0: "Lager", 2.0: "Middelbaar", 3.0: "Hoger", 4.0: "Universiteit"}})
    cases.append(("SPSS (other tool)", ".sav labels disagree", bad, None))

    x = synthetic_responses(DET, 12, site="P03", seed=6)
    cases.append(("openpyxl", ".xlsx", workbook(tmp / "plain.xlsx", x), x[["date", "consent", "gender"]]))
    cases.append(("openpyxl", ".xlsx 1904 serial dates",
                  workbook(tmp / "mac.xlsx", x, epoch_1904=True, serial_dates=True), x[["date"]]))
    cases.append(("Excel/Calc", ".xlsx notes sheet + title rows",
                  workbook(tmp / "titled.xlsx", x, before=[["Vragenlijst gedetineerden P03"], [], ["Door: coördinator"]],
                           sheets={"Opmerkingen": [["nagekeken"]], "Codeboek": [["variabele", "label"], ["a", "b"]]}),
                  x[["date", "consent", "gender"]]))
    z = synthetic_responses(DET, 6, site="P03", seed=7)
    z["prison_number"] = [f"0{k:06d}" for k in (123456, 234567, 345678, 456789, 567890, 678901)]
    cases.append(("Excel/Calc", ".xlsx ids as numbers (zeros lost)", workbook(tmp / "ids.xlsx", z, ids_as_numbers=True),
                  None))

    c = synthetic_responses(DET, 12, site="P03", seed=8)
    cases.append(("Excel/Calc nl-BE", ".csv ; dd/mm/yyyy", csv_file(tmp / "be.csv", c, "%d/%m/%Y"), c[["date", "gender"]]))
    dates = [dt.date(2025, 3, d) for d in (3, 14, 5, 7, 20, 11)]
    u = synthetic_responses(DET, 6, site="P03", seed=9, dates=dates)
    cases.append(("Excel/Calc en-US", ".csv , mm/dd/yyyy", csv_file(tmp / "us.csv", u, "%m/%d/%Y", ","), u[["date"]]))
    amb = [dt.date(2025, m, d) for m, d in ((3, 4), (5, 2), (6, 11), (4, 9))]
    a = synthetic_responses(DET, 4, site="P03", seed=10, dates=amb)
    cases.append(("Excel/Calc en-US", ".csv , mm/dd/yyyy (every day <= 12)",
                  csv_file(tmp / "us_amb.csv", a, "%m/%d/%Y", ","), a[["date"]]))
    o = synthetic_responses(DET, 3, site="P03", seed=11)
    o.loc[1, "date"] = pd.Timestamp("2015-03-20")
    cases.append(("Excel/Calc nl-BE", ".csv date before the study", csv_file(tmp / "old.csv", o, "%d/%m/%Y"), None))

    k = synthetic_responses(DET, 15, site="P03", seed=12)
    cases.append(("ODK Central", ".csv export", odk_central(tmp / "central.csv", k),
                  k[[c for c in DET.columns() if c not in ("prison_number", "site")]]))
    b = synthetic_responses(DET, 5, site="P03", seed=13)
    b["peer_eval_instrument"] = DET.ref
    cases.append(("ODK Collect (XLSForm)", ".csv with peer_eval_instrument",
                  csv_file(tmp / "collect.csv", b, "%Y-%m-%d", ","), b[["date", "gender"]]))
    r = synthetic_responses(DET, 5, site="P03", seed=14)
    follow = next(i for i in DET.items if i.relevant == "main_substance != 0")
    r["main_substance"] = np.nan
    r[follow.name] = r[follow.name].fillna(DET.codes(follow)[0] if follow.choices else 1)
    cases.append(("ODK Collect (XLSForm)", ".csv blank skip question",
                  csv_file(tmp / "relevance.csv", r, "%Y-%m-%d", ","), r[["date", "main_substance", follow.name]]))
    return cases


def classify_survey(path, truth, tmp, n):
    ws = Workspace.open(tmp / f"ws{n}")
    key = PseudonymKey.generate()
    try:
        report = submit_file(path, site="P03", workspace=ws, key=key, today=TODAY)
    except Exception as exc:  # noqa: BLE001 - a traceback is a refusal the coordinator cannot act on
        return ("refused wrongly" if truth is not None else "refused correctly"), f"exception {type(exc).__name__}"
    warned = {p.code for p in report.problems if p.severity == "warning"}
    if report.status != "accepted":
        return ("refused wrongly" if truth is not None else "refused correctly"), \
            ", ".join(sorted({p.code for p in report.errors}))[:80]
    if truth is None:
        return "altered", "accepted a file that must be refused"
    data, _ = responses(ws, "detainee", catalogue=CAT)
    cols = list(truth.columns)
    by = ["date"] + [c for c in cols if c != "date"]
    got = data.sort_values(by, kind="stable").reset_index(drop=True)[cols]
    want = truth.sort_values(by, kind="stable").reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(got.astype(object).where(got.notna(), None),
                                      want.astype(object).where(want.notna(), None), check_dtype=False)
    except AssertionError:
        return ("flagged" if warned & {"date-order-assumed"} else "altered"), "stored values differ"
    return "accepted exactly", ", ".join(sorted(warned))[:80]


# -- REFI-QDA projects -----------------------------------------------------------------------------

TEXT = "I: How did it start?\nR: Jan came to my cell and asked how I was.\nR: After that I trusted him.\n"


def _span(fragment):
    s = TEXT.index(fragment)
    return s, s + len(fragment)


def qualcoder(tmp):
    G = lambda: str(uuid.uuid4()).upper()  # noqa: E731
    user, file_guid, text_file, vr, vs, code = G(), G(), G(), G(), G(), G()
    s, e = _span("Jan came to my cell")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="interviews" origin="QualCoder 3.5">
<Users><User guid="{user}" name="coder1"/></Users>
<CodeBook><Codes><Code guid="{code}" name="key_people" isCodable="true"><Description /></Code></Codes></CodeBook>
<Variables><Variable guid="{vr}" name="role" typeOfVariable="Text"/><Variable guid="{vs}" name="site" typeOfVariable="Text"/></Variables>
<Cases><Case guid="{G()}" name="AB123"><Description />
<VariableValue><VariableRef targetGUID="{vr}" /><TextValue>detainee</TextValue></VariableValue>
<VariableValue><VariableRef targetGUID="{vs}" /><TextValue>P03</TextValue></VariableValue>
<SourceRef targetGUID="{file_guid}"/></Case></Cases>
<Sources><TextSource richTextPath="internal://{file_guid}.docx" plainTextPath="internal://{text_file}.txt" guid="{G()}" name="interview_03.docx">
<PlainTextSelection guid="{G()}" startPosition="{s}" endPosition="{e}" name="{TEXT[s:e]}" creatingUser="{user}">
<Coding guid="{G()}" creatingUser="{user}"><CodeRef targetGUID="{code}" /></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    path = tmp / "qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml.encode())
        zf.writestr(f"sources/{text_file}.txt", TEXT.encode())
    return path, [("key_people", s, e)]


def atlas_empty(tmp):
    path = tmp / "atlas_empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="P03" origin="ATLAS.ti Windows 23.2.1" xmlns="urn:QDA-XML:project:1.0">
<Users><User guid="{str(uuid.uuid4()).upper()}" name="coder1" /></Users></Project>""".encode())
    return path, []


def nvivo(tmp):
    from evaluation.qda import load_codebook
    from evaluation.qda.refi import write_qdpx

    s, e = _span("After that I trusted him.")
    path = tmp / "nvivo.qdpx"
    write_qdpx(path, load_codebook(), [{"name": "Interview 3", "text": TEXT, "participant": "AB123",
                                        "role": "detainee", "site": "P03", "codings": [(s, e, "svc_trust", "coder1")]}],
               origin="NVivo 12 Windows")
    return path, [("svc_trust", s, e)]


def classify_qdpx(path, truth, tmp, n):
    from evaluation.qda.importer import check_segments, import_segments
    from evaluation.store import segments

    ws = Workspace.open(tmp / f"wq{n}")
    key = PseudonymKey.generate()
    checked = check_segments(path, site="P03")
    try:
        report = import_segments(path, site="P03", workspace=ws, key=key)
    except Exception as exc:  # noqa: BLE001
        return "refused wrongly", f"exception {type(exc).__name__}"
    agree = checked.valid == (report.status == "accepted")
    note = "" if agree else "check and import disagree; "
    if report.status != "accepted":
        return "refused wrongly", note + ", ".join(sorted({p.code for p in report.errors}))
    seg = segments(ws)
    got = sorted(zip(seg["code"], seg["start"].astype(int), seg["end"].astype(int))) if len(seg) else []
    return ("accepted exactly" if got == sorted(truth) else "altered"), note


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="intake-fidelity-"))
    rows = []
    for n, (tool, fmt, path, truth) in enumerate(survey_cases(tmp)):
        outcome, detail = classify_survey(path, truth, tmp, n)
        rows.append((tool, fmt, outcome, detail))
    for n, (tool, maker) in enumerate((("QualCoder 3", qualcoder), ("ATLAS.ti 23 (empty project)", atlas_empty),
                                       ("NVivo 12", nvivo))):
        path, truth = maker(tmp)
        outcome, detail = classify_qdpx(path, truth, tmp, n)
        rows.append((tool, ".qdpx", outcome, detail))
    kinds = ["accepted exactly", "refused correctly", "refused wrongly", "altered", "flagged"]
    print("| tool | file | " + " | ".join(kinds) + " | detail |")
    print("|---|---|" + "---|" * len(kinds) + "---|")
    for tool, fmt, outcome, detail in rows:
        print(f"| {tool} | {fmt} | " + " | ".join("1" if outcome == k else "" for k in kinds) + f" | {detail} |")
    total = Counter(o for _, _, o, _ in rows)
    print("| **total** | | " + " | ".join(str(total.get(k, 0)) for k in kinds) + " | |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
