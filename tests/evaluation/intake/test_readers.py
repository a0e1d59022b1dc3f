"""Reading coordinators' files: every format, every bad file of issue 3 that concerns reading.

Fixtures are small and synthetic, written in the tests (pyreadstat, openpyxl,
GNU PSPP, plain bytes). Assertions are on the flattened problems
``[(code, severity, column)]`` and on the frame read.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.intake.messages import LANGS, MESSAGES
from evaluation.intake.readers import FORMATS, ReadResult, format_size, read_file, sniff
from evaluation.intake.readers.csv import detect_encoding, sniff_delimiter
from evaluation.intake.readers.sav import missing_codes
from evaluation.intake.readers.xlsx import is_metadata_sheet
from tests.evaluation.exports.pspp_helpers import PsppVariable, quote, run_pspp, write_sav_with_pspp

SECRET = "SECRET-85071512345"  # a cell value that must never reach a problem


def flat(result: ReadResult) -> list[tuple]:
    return sorted((p.code, p.severity, p.column) for p in result.problems)


def codes(result: ReadResult) -> list[str]:
    return sorted(p.code for p in result.problems)


def assert_no_value_leaks(result: ReadResult, *secrets: str) -> None:
    """No problem carries a value, and no message in any language contains a cell value."""
    for p in result.problems:
        assert p.value is None and p.row is None
        assert p.code in MESSAGES, p.code
        for lang in LANGS:
            text = p.message(lang)
            for s in (SECRET, *secrets):
                assert s not in text
            assert "?" not in text.replace("?)", "")  # every template parameter was given


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = (), title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    if title:
        wb.properties.title = title
    wb.save(path)
    return path


def sav_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "pid": ["A1", "B2", ""],
        "q1": [1.0, -9.0, 3.0],
        "visit": [dt.datetime(2024, 1, 2), dt.datetime(2024, 3, 4), pd.NaT],
    })


def write_sav_pyreadstat(path: Path, frame: pd.DataFrame | None = None, **kwargs) -> Path:
    frame = sav_frame() if frame is None else frame
    kwargs.setdefault("missing_ranges", {"q1": [-9, -8, -7]})
    kwargs.setdefault("variable_value_labels", {"q1": {1: "Never", 3: "Often", -9: "Refused"}})
    kwargs.setdefault("column_labels", {"pid": "Prison number", "q1": "Question 1"})
    kwargs.setdefault("variable_format", {"visit": "DATETIME20"})
    pyreadstat.write_sav(frame, str(path), **kwargs)
    return path


PSPP_VARS = [
    PsppVariable("pid", "A12", "Numéro d'écrou"),
    PsppVariable("q1", "F2.0", "Vraag één", value_labels={1: "Nooit", 5: "Altijd", -7: "Weet niet", -9: "Weigert"},
                 missing=(-9, -8, -7)),
    PsppVariable("days", "F3.0", "Dagen"),
    PsppVariable("visit", "EDATE10", "Datum"),
    PsppVariable("remark", "A40", "Opmerking"),
]
PSPP_ROWS = [
    ("A1", 1, 3, dt.date(2024, 1, 2), "Élodie a dit « ça va »"),
    ("B2", -9, None, dt.date(2024, 2, 29), ""),
    (SECRET, -7, 30, None, "x"),
]


# -- the file as a whole --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.sav", "empty.xlsx", "empty.dta", "empty"])
def test_empty_file_is_file_empty(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    result = read_file(path)
    assert flat(result) == [("file-empty", "error", None)]
    assert result.frame is None and result.format is None
    assert not result.usable


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\r\n\r\n  \n", b";;;\r\n;;;\r\n", b"# peer-eval:mini@1.0\n"])
def test_blank_text_is_file_empty(tmp_path, content):
    path = tmp_path / "blank.csv"
    path.write_bytes(content)
    result = read_file(path)
    assert codes(result) == ["file-empty"]
    assert result.frame is None


def test_empty_workbook_is_file_empty(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", {"Blad1": [], "Blad2": []})
    assert codes(read_file(path)) == ["file-empty"]


@pytest.mark.parametrize("text", ["pid;q1;q2\r\n", "pid;q1;q2", "pid;q1;q2\r\n;;\r\n;;\r\n"])
def test_csv_header_only(tmp_path, text):
    path = tmp_path / "h.csv"
    path.write_text(text, encoding="utf-8")
    result = read_file(path)
    assert flat(result) == [("file-header-only", "error", None)]
    assert list(result.frame.columns) == ["pid", "q1", "q2"] and len(result.frame) == 0


def test_xlsx_header_only(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", {"data": [["pid", "q1"]]})
    result = read_file(path)
    assert codes(result) == ["file-header-only"]
    assert list(result.frame.columns) == ["pid", "q1"]


def test_sav_without_cases_is_header_only(tmp_path):
    path = write_sav_pyreadstat(tmp_path / "h.sav", sav_frame().iloc[:0])
    result = read_file(path)
    assert codes(result) == ["file-header-only"]
    assert list(result.frame.columns) == ["pid", "q1", "visit"]
    assert result.user_missing == {"q1": [-9.0, -8.0, -7.0]}


@pytest.mark.pspp
def test_pspp_sav_without_cases_is_header_only(tmp_path):
    path = write_sav_with_pspp(tmp_path / "h.sav", PSPP_VARS, [])
    result = read_file(path)
    assert codes(result) == ["file-header-only"]
    assert list(result.frame.columns) == [v.name for v in PSPP_VARS]


def test_too_large_is_refused_unread(tmp_path, monkeypatch):
    path = write_sav_pyreadstat(tmp_path / "big.sav")
    import evaluation.intake.readers as readers

    monkeypatch.setattr(readers, "_READERS", {})  # any attempt to read would raise KeyError
    result = read_file(path, max_bytes=100)
    assert flat(result) == [("file-too-large", "error", None)]
    assert result.format == "sav" and result.frame is None
    assert result.problems[0].params["size"].endswith("> 100 bytes")


def test_size_limit_is_checked(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ValueError, match="max_bytes"):
        read_file(path, max_bytes=0)
    with pytest.raises(FileNotFoundError, match="path="):
        read_file(tmp_path / "missing.csv")
    assert read_file(path, max_bytes=path.stat().st_size).usable


def test_format_size():
    assert format_size(512) == "512 bytes"
    assert format_size(3 * 2**20 + 2**19) == "3.5 MB"
    assert format_size(250 * 2**20) == "250 MB"


# -- damaged and foreign files ------------------------------------------------------------------


@pytest.mark.pspp
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_pspp_sav_is_unreadable(tmp_path, keep):
    rows = [(f"P{i:04d}", i % 5 + 1, i % 30, dt.date(2024, 1, 1), f"{SECRET} {i}") for i in range(200)]
    good = write_sav_with_pspp(tmp_path / "good.sav", PSPP_VARS, rows)
    data = good.read_bytes()
    bad = tmp_path / "bad.sav"
    bad.write_bytes(data[: int(len(data) * keep)])
    result = read_file(bad)
    assert flat(result) == [("file-unreadable", "error", None)]
    assert result.format == "sav" and result.frame is None
    assert result.problems[0].params["detail"].startswith("SPSS: ")
    assert_no_value_leaks(result, "P0001")


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.97])
def test_truncated_compressed_sav_is_unreadable(tmp_path, keep):
    frame = pd.DataFrame({"pid": [f"{SECRET}{i}" for i in range(300)], "q": np.arange(300.0)})
    good = tmp_path / "good.zsav"
    pyreadstat.write_sav(frame, str(good), compress=True)
    bad = tmp_path / "bad.zsav"
    bad.write_bytes(good.read_bytes()[: int(good.stat().st_size * keep)])
    result = read_file(bad)
    assert codes(result) == ["file-unreadable"] and result.frame is None
    assert_no_value_leaks(result)


def test_corrupted_sav_is_unreadable(tmp_path):
    good = write_sav_pyreadstat(tmp_path / "good.sav")
    data = bytearray(good.read_bytes())
    data[64:400] = bytes(range(256)) + bytes(80)  # overwrite the dictionary
    bad = tmp_path / "bad.sav"
    bad.write_bytes(bytes(data))
    result = read_file(bad)
    assert codes(result) == ["file-unreadable"]
    assert result.format == "sav"


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.95])
def test_truncated_xlsx_is_unreadable(tmp_path, keep):
    good = write_xlsx(tmp_path / "good.xlsx", {"data": [["pid", "q1"]] + [[f"{SECRET}{i}", i] for i in range(500)]})
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[: int(good.stat().st_size * keep)])
    result = read_file(bad)
    assert flat(result) == [("file-unreadable", "error", None)]
    assert result.frame is None
    assert_no_value_leaks(result)


def test_xlsx_with_a_damaged_part_is_unreadable(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"data": [["pid", "q1"], [SECRET, 1]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # unterminated XML
            dst.writestr(info, data)
    result = read_file(bad)
    assert codes(result) == ["file-unreadable"]
    assert result.format == "xlsx"
    assert_no_value_leaks(result)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name, members, detail",
    [
        ("data.zip", {"data.csv": b"a;b\n1;2\n"}, "ZIP archive"),
        ("data.xlsx", {"data.csv": b"a;b\n1;2\n"}, "ZIP archive"),
        ("report.docx", {"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}, "Word document"),
        ("data.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
         "OpenDocument spreadsheet (.ods)"),
    ],
)
def test_zip_that_is_not_xlsx_is_format_unknown(tmp_path, name, members, detail):
    result = read_file(_zip(tmp_path / name, members))
    assert flat(result) == [("file-format-unknown", "error", None)]
    assert result.problems[0].params == {"detail": detail}
    assert result.format is None and result.frame is None


@pytest.mark.parametrize(
    "content, detail",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "Windows program"),
        (b"\x7fELF\x02\x01\x01", "program"),
        (b"\x00\x01\x02\x03garbage\x00", "binary file"),
        (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "web page (HTML)"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
         "Excel 2003 XML spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200) + "Workbook".encode("utf-16-le"),
         "Excel 97-2003 workbook (.xls)"),
        (b"* Encoding: UTF-8.\r\nGET DATA\r\n /TYPE=TXT\r\n /FILE='survey_123.dat'\r\n", "SPSS syntax file (.sps)"),
        (b"ASCII SPSS PORT FILE" + b" " * 180 + b"SPSSPORT" + b"0" * 50, "SPSS portable file (.por)"),
    ],
)
def test_foreign_files_are_format_unknown(tmp_path, content, detail):
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    result = read_file(path)
    assert flat(result) == [("file-format-unknown", "error", None)]
    assert result.problems[0].params["detail"] == detail


def test_password_protected_workbook_is_file_encrypted(tmp_path):
    path = tmp_path / "secured.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(100))
    result = read_file(path)
    assert flat(result) == [("file-encrypted", "error", None)]
    assert_no_value_leaks(result)


# -- the extension is not trusted --------------------------------------------------------------


def test_sav_renamed_csv_is_read_as_sav_with_a_warning(tmp_path):
    path = write_sav_pyreadstat(tmp_path / "data.sav")
    renamed = path.rename(tmp_path / "data.csv")
    result = read_file(renamed)
    assert result.format == "sav"
    assert flat(result) == [("file-extension-mismatch", "warning", None)]
    assert result.problems[0].params == {"extension": ".csv", "actual": "SPSS (.sav)"}
    assert result.usable and list(result.frame.columns) == ["pid", "q1", "visit"]


def test_xlsx_renamed_csv_and_csv_renamed_xlsx(tmp_path):
    x = write_xlsx(tmp_path / "a.csv", {"data": [["pid", "q1"], ["A", 1]]})
    result = read_file(x)
    assert result.format == "xlsx" and codes(result) == ["file-extension-mismatch"]
    assert result.frame["q1"].tolist() == [1]
    c = tmp_path / "b.xlsx"
    c.write_text("pid;q1\nA;1\n", encoding="utf-8")
    result = read_file(c)
    assert result.format == "csv" and codes(result) == ["file-extension-mismatch"]
    assert result.problems[0].params["actual"] == "CSV (.csv)"


@pytest.mark.parametrize("name", ["data.sav", "data.SAV", "data.zsav", "data"])
def test_no_mismatch_for_sav_family_or_missing_extension(tmp_path, name):
    path = write_sav_pyreadstat(tmp_path / name)
    result = read_file(path)
    assert result.problems == [] and result.format == "sav"


def test_sniff_recognises_every_format(tmp_path):
    sav = write_sav_pyreadstat(tmp_path / "x.bin")
    zsav = tmp_path / "z.bin"
    pyreadstat.write_sav(sav_frame(), str(zsav), compress=True)
    dta = tmp_path / "d.bin"
    pyreadstat.write_dta(sav_frame().drop(columns="visit"), str(dta))
    old_dta = tmp_path / "o.bin"
    pyreadstat.write_dta(sav_frame().drop(columns="visit"), str(old_dta), version=12)
    xlsx = write_xlsx(tmp_path / "w.bin", {"d": [["a"], [1]]})
    csv = tmp_path / "c.bin"
    csv.write_bytes("a;b\n1;2\n".encode("utf-16"))
    found = {p.name: sniff(p).format for p in (sav, zsav, dta, old_dta, xlsx, csv)}
    assert found == {"x.bin": "sav", "z.bin": "zsav", "d.bin": "dta", "o.bin": "dta", "w.bin": "xlsx", "c.bin": "csv"}
    assert set(found.values()) == set(FORMATS)


# -- SPSS and Stata ------------------------------------------------------------------------------


def test_sav_keeps_user_missing_codes_as_values(tmp_path):
    result = read_file(write_sav_pyreadstat(tmp_path / "m.sav"))
    assert result.problems == []
    assert result.format == "sav" and result.first_data_row == 1
    assert result.frame["q1"].tolist() == [1.0, -9.0, 3.0]
    assert result.user_missing == {"q1": [-9.0, -8.0, -7.0]}
    assert result.value_labels == {"q1": {1.0: "Never", 3.0: "Often", -9.0: "Refused"}}
    assert result.variable_labels == {"pid": "Prison number", "q1": "Question 1"}
    assert result.frame["pid"].tolist()[:2] == ["A1", "B2"] and pd.isna(result.frame["pid"].iloc[2])
    assert str(result.frame["visit"].dtype).startswith("datetime64")
    assert result.frame["visit"].iloc[1] == pd.Timestamp(2024, 3, 4)


def test_sav_missing_range_is_expanded(tmp_path):
    path = write_sav_pyreadstat(tmp_path / "r.sav", missing_ranges={"q1": [{"lo": -9, "hi": -7}]})
    assert read_file(path).user_missing == {"q1": [-9.0, -8.0, -7.0]}


@pytest.mark.parametrize(
    "ranges, expected",
    [
        ([{"lo": -9.0, "hi": -9.0}, {"lo": -8.0, "hi": -8.0}], [-9.0, -8.0]),
        ([{"lo": -9.0, "hi": -7.0}], [-9.0, -8.0, -7.0]),
        ([{"lo": 90.0, "hi": 1e9}], [90.0, 1e9]),
        ([{"lo": -0.5, "hi": 0.5}], [-0.5, 0.5]),
        ([{"lo": "x", "hi": "x"}], []),
    ],
)
def test_missing_codes(ranges, expected):
    assert missing_codes(ranges) == expected


@pytest.mark.pspp
def test_pspp_sav_with_user_missing_labels_and_dates(tmp_path):
    path = write_sav_with_pspp(tmp_path / "p.sav", PSPP_VARS, PSPP_ROWS,
                               file_label=quote("peer-eval:mini@1.0 fr"), documents=[quote("peer-eval:mini@1.0")])
    result = read_file(path)
    assert result.problems == []
    assert result.format == "sav" and result.first_data_row == 1
    f = result.frame
    assert list(f.columns) == ["pid", "q1", "days", "visit", "remark"]
    assert f["q1"].tolist() == [1.0, -9.0, -7.0]
    assert f["days"].iloc[0] == 3.0 and np.isnan(f["days"].iloc[1])
    assert f["visit"].tolist()[:2] == [pd.Timestamp(2024, 1, 2), pd.Timestamp(2024, 2, 29)]
    assert pd.isna(f["visit"].iloc[2])
    assert f["remark"].iloc[0] == "Élodie a dit « ça va »" and pd.isna(f["remark"].iloc[1])
    assert result.user_missing == {"q1": [-9.0, -8.0, -7.0]}
    assert result.value_labels["q1"] == {1.0: "Nooit", 5.0: "Altijd", -7.0: "Weet niet", -9.0: "Weigert"}
    assert result.variable_labels["pid"] == "Numéro d'écrou"
    assert result.file_label == "peer-eval:mini@1.0 fr"
    assert "peer-eval:mini@1.0" in result.metadata["documents"]
    assert result.embedded_ref() == "mini@1.0"


@pytest.mark.pspp
def test_pspp_missing_range_and_zcompressed(tmp_path):
    variables = [PsppVariable("pid", "A8"), PsppVariable("q1", "F2.0", missing=("-9 THRU -7",))]
    sav = write_sav_with_pspp(tmp_path / "r.sav", variables, [("A", 1), ("B", -8)])
    zsav = tmp_path / "r.zsav"
    run_pspp(f"GET FILE={quote(str(sav))}.\nSAVE OUTFILE={quote(str(zsav))} /ZCOMPRESSED.\n", tmp_path)
    for path, fmt in ((sav, "sav"), (zsav, "zsav")):
        result = read_file(path)
        assert result.format == fmt and result.problems == []
        assert result.user_missing == {"q1": [-9.0, -8.0, -7.0]}
        assert result.frame["q1"].tolist() == [1.0, -8.0]


@pytest.mark.pspp
def test_pspp_string_where_numbers_expected(tmp_path):
    variables = [PsppVariable("pid", "A8"), PsppVariable("age", "A10")]
    path = write_sav_with_pspp(tmp_path / "s.sav", variables, [("A", "42"), ("B", "veertig"), ("C", "")])
    result = read_file(path)
    assert result.problems == []
    assert result.frame["age"].tolist()[:2] == ["42", "veertig"] and pd.isna(result.frame["age"].iloc[2])


def test_sav_strings_not_in_the_declared_encoding_are_read_as_windows_1252(tmp_path):
    path = tmp_path / "e.sav"
    pyreadstat.write_sav(pd.DataFrame({"naam": ["xéy", "abc"], "q": [1.0, 2.0]}), str(path))
    data = path.read_bytes()
    assert data.count("xéy".encode()) == 1
    path.write_bytes(data.replace("xéy".encode(), "xéyy".encode("cp1252")))  # same length, not UTF-8
    result = read_file(path)
    assert flat(result) == [("encoding-guessed", "warning", None)]
    assert result.encoding == "windows-1252"
    assert result.frame["naam"].tolist() == ["xéyy", "abc"] and result.frame["q"].tolist() == [1.0, 2.0]


def test_zsav_from_pyreadstat(tmp_path):
    path = tmp_path / "c.zsav"
    pyreadstat.write_sav(sav_frame(), str(path), compress=True, missing_ranges={"q1": [-9]})
    result = read_file(path)
    assert result.format == "zsav" and result.problems == []
    assert result.frame["q1"].tolist() == [1.0, -9.0, 3.0]
    assert result.user_missing == {"q1": [-9.0]}


def test_dta(tmp_path):
    path = tmp_path / "s.dta"
    frame = pd.DataFrame({"pid": ["A1", "B2"], "q1": [1.0, 5.0], "when": [dt.datetime(2024, 5, 6), pd.NaT]})
    pyreadstat.write_dta(frame, str(path), file_label="peer-eval:mini@1.0",
                         column_labels={"q1": "Question 1"}, variable_value_labels={"q1": {1: "Never", 5: "Always"}})
    result = read_file(path)
    assert result.format == "dta" and result.problems == [] and result.first_data_row == 1
    assert result.frame["q1"].tolist() == [1.0, 5.0]
    assert result.frame["when"].iloc[0] == pd.Timestamp(2024, 5, 6)
    assert result.value_labels == {"q1": {1.0: "Never", 5.0: "Always"}}
    assert result.variable_labels == {"q1": "Question 1"}
    assert result.embedded_ref() == "mini@1.0"
    assert result.user_missing == {}


def test_truncated_dta_is_unreadable(tmp_path):
    path = tmp_path / "s.dta"
    pyreadstat.write_dta(pd.DataFrame({"pid": [SECRET] * 50, "q": np.arange(50.0)}), str(path))
    path.write_bytes(path.read_bytes()[:-200])
    result = read_file(path)
    assert codes(result) == ["file-unreadable"] and result.format == "dta"
    assert_no_value_leaks(result)


def test_sav_frame_is_pyreadstats_frame(tmp_path, monkeypatch):
    """No needless copy: the frame returned is the very object pyreadstat built (numeric file)."""
    frame = pd.DataFrame({f"v{i}": np.arange(100.0) for i in range(5)})
    path = tmp_path / "n.sav"
    pyreadstat.write_sav(frame, str(path))
    seen = {}
    original = pyreadstat.read_sav

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        seen["frame"] = out[0]
        return out

    monkeypatch.setattr(pyreadstat, "read_sav", spy)
    result = read_file(path)
    assert result.frame is seen["frame"]


# -- CSV ------------------------------------------------------------------------------------------


def test_semicolon_csv_in_windows_1252_with_french_accents(tmp_path):
    text = "pid;prénom;score;date_entrée\r\nA1;Élodie;2,5;03/02/2024\r\nB2;François;;\r\nC3;Zoë Müller;12;2024-02-03\r\n"
    path = tmp_path / "fr.csv"
    path.write_bytes(text.encode("cp1252"))
    result = read_file(path)
    assert flat(result) == [("encoding-guessed", "warning", None)]
    assert result.problems[0].params == {"encoding": "Windows-1252"}
    assert result.encoding == "windows-1252" and result.first_data_row == 2
    f = result.frame
    assert list(f.columns) == ["pid", "prénom", "score", "date_entrée"]
    assert f["prénom"].tolist() == ["Élodie", "François", "Zoë Müller"]
    assert f["score"].iloc[0] == "2,5" and pd.isna(f["score"].iloc[1])  # decimal comma kept as text
    assert f["date_entrée"].tolist()[0] == "03/02/2024"
    assert all(dtype == object for dtype in f.dtypes)


@pytest.mark.parametrize("encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")])
def test_csv_unicode_encodings_need_no_warning(tmp_path, encoding, reported):
    path = tmp_path / "u.csv"
    path.write_bytes("pid\tnaam\r\nA1\tÉlodie ‘x’\r\n".encode(encoding))
    result = read_file(path)
    assert result.problems == [] and result.encoding == reported
    assert result.frame.to_dict("list") == {"pid": ["A1"], "naam": ["Élodie ‘x’"]}


def test_csv_strings_where_numbers_are_expected(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("pid,age,score\nA,42,3\nB,forty,NA\nC, 7 ,n/a\n", encoding="utf-8")
    result = read_file(path)
    assert result.problems == []
    assert result.frame["age"].tolist() == ["42", "forty", " 7 "]
    assert result.frame["score"].tolist() == ["3", "NA", "n/a"]  # text stays text; validation decides


@pytest.mark.parametrize(
    "sample, delim",
    [
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a,b,c\n1,2;5,3\n", ","),
        ("a\tb\n1\t2\n", "\t"),
        ('a,b\n"x;y",2\n"p;q;r",3\n', ","),
        ("a;b\n1,5;2,5\n3,5;4,5\n", ";"),
        ("only\n1\n", ";"),
    ],
)
def test_sniff_delimiter(sample, delim):
    assert sniff_delimiter(sample) == delim


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("é".encode(), ("utf-8", "utf-8", 0, False)),
        (b"\xef\xbb\xbf\xc3\xa9", ("utf-8-sig", "utf-8", 3, False)),
        ("a;é".encode("utf-16"), ("utf-16", "utf-16-le", 2, False)),
        ("é€".encode("cp1252"), ("windows-1252", "cp1252", 0, True)),
        (b"\xef\xbb\xbf\xe9", ("windows-1252", "cp1252", 3, True)),
        (b"a\x81", ("iso-8859-1", "latin-1", 0, True)),
    ],
)
def test_detect_encoding(tmp_path, raw, expected):
    path = tmp_path / "e.csv"
    path.write_bytes(raw)
    assert detect_encoding(path) == expected


def test_encoding_is_checked_beyond_the_first_chunk(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"pid;naam\r\n" + b"A;x\r\n" * 300_000 + "B;Fran\u00e7ois\r\n".encode("cp1252"))
    result = read_file(path)
    assert codes(result) == ["encoding-guessed"]
    assert result.frame["naam"].iloc[-1] == "François" and len(result.frame) == 300_001


def test_csv_comment_lines_are_not_data(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("peer-eval:mini@1.0;;;\r\n# filled in at prison X\r\npid;q1;q2\r\nA;1;2\r\n", encoding="utf-8-sig")
    result = read_file(path)
    assert result.problems == []
    assert result.first_data_row == 4  # header on row 3
    assert result.frame.to_dict("list") == {"pid": ["A"], "q1": ["1"], "q2": ["2"]}
    assert result.file_label == "peer-eval:mini@1.0\n# filled in at prison X"
    assert result.metadata == {"comment.1": "peer-eval:mini@1.0", "comment.2": "# filled in at prison X"}
    assert result.embedded_ref() == "mini@1.0"


@pytest.mark.parametrize("first", ["sep=,\r\n", '"sep=,";;\r\n', "SEP=,\n"])
def test_csv_excel_sep_line_decides_the_delimiter(tmp_path, first):
    path = tmp_path / "s.csv"
    path.write_text(first + "pid,score\r\nA,\"2,5\"\r\nB;x,3\r\n", encoding="utf-8")
    result = read_file(path)
    assert result.problems == [] and result.first_data_row == 3
    assert result.frame.to_dict("list") == {"pid": ["A", "B;x"], "score": ["2,5", "3"]}


def test_csv_header_may_start_with_a_hash_column(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("# just a note;;\n#;pid;q1\n1;A;2\n", encoding="utf-8")
    result = read_file(path)
    assert result.problems == [] and result.first_data_row == 3
    assert result.frame.to_dict("list") == {"#": ["1"], "pid": ["A"], "q1": ["2"]}
    assert result.metadata == {"comment.1": "# just a note"}
    path.write_text("#,pid,q1\n", encoding="utf-8")
    result = read_file(path)
    assert codes(result) == ["file-header-only"] and list(result.frame.columns) == ["#", "pid", "q1"]


def test_csv_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('pid;note\nA;"two\nlines"\n\nC;x\n;\n;\n', encoding="utf-8")
    result = read_file(path)
    f = result.frame
    assert len(f) == 3  # the blank row 3 stays, trailing empty rows go
    assert f["pid"].iloc[0] == "A" and f["note"].iloc[0] == "two\nlines"
    assert f.iloc[1].isna().all()
    assert result.row_number(2) == 4 and f["pid"].iloc[2] == "C"


def test_csv_blank_and_duplicate_headers(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(f"pid; q1 ;q1;;;\nA;1;{SECRET};x;;\nB;2;3;;;\n", encoding="utf-8")
    result = read_file(path)
    assert flat(result) == [("header-blank", "error", None), ("header-duplicate", "error", "q1")]
    blank = next(p for p in result.problems if p.code == "header-blank")
    assert blank.params == {"position": "D", "header_row": 1}
    assert result.frame.to_dict("list") == {"pid": ["A", "B"], "q1": ["1", "2"]}
    assert_no_value_leaks(result)


def test_csv_row_longer_than_header(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("pid;q1\nA;1\nB;2;extra\n", encoding="utf-8")
    result = read_file(path)
    assert flat(result) == [("header-blank", "error", None)]
    assert result.problems[0].params == {"position": "C", "header_row": 1}
    assert result.frame.to_dict("list") == {"pid": ["A", "B"], "q1": ["1", "2"]}


def test_csv_unclosed_quote_is_unreadable(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(f'pid;note\nA;"{SECRET}\nB;x\n', encoding="utf-8")
    result = read_file(path)
    assert codes(result) == ["file-unreadable"]
    assert_no_value_leaks(result)


# -- Excel ----------------------------------------------------------------------------------------


def test_xlsx_dates_and_text_dates(tmp_path):
    rows = [
        ["pid", "entry_date", "release_date", "score"],
        ["A", dt.datetime(2024, 1, 2), "02/01/2024", 3],
        ["B", dt.datetime(2023, 12, 31, 14, 30), dt.datetime(2024, 6, 1), 2.5],
        ["C", None, "1 juni 2024", None],
    ]
    result = read_file(write_xlsx(tmp_path / "d.xlsx", {"Blad1": rows}))
    assert result.problems == [] and result.first_data_row == 2
    f = result.frame
    assert str(f["entry_date"].dtype).startswith("datetime64")
    assert f["entry_date"].tolist()[:2] == [pd.Timestamp(2024, 1, 2), pd.Timestamp(2023, 12, 31, 14, 30)]
    assert pd.isna(f["entry_date"].iloc[2])
    assert f["release_date"].tolist() == ["02/01/2024", dt.datetime(2024, 6, 1), "1 juni 2024"]
    assert f["score"].iloc[:2].tolist() == [3, 2.5] and pd.isna(f["score"].iloc[2])


def test_xlsx_strings_where_numbers_expected(tmp_path):
    rows = [["pid", "age"], ["A", 42], ["B", "veertig"], ["C", "42"], ["D", ""]]
    result = read_file(write_xlsx(tmp_path / "s.xlsx", {"data": rows}))
    assert result.problems == []
    assert result.frame["age"].tolist()[:3] == [42, "veertig", "42"] and pd.isna(result.frame["age"].iloc[3])


def test_xlsx_several_data_sheets(tmp_path):
    sheets = {"Baseline": [["pid", "q1"], ["A", 1]], "Follow-up": [["pid", "q1"], ["A", 2]], "Blad3": []}
    result = read_file(write_xlsx(tmp_path / "m.xlsx", sheets))
    assert flat(result) == [("sheet-multiple", "error", None)]
    assert result.problems[0].params == {"sheets": "Baseline, Follow-up", "used": "Baseline"}
    assert result.frame.to_dict("list") == {"pid": ["A"], "q1": [1]}  # read anyway, to report the rest


def test_xlsx_metadata_empty_and_hidden_sheets_are_not_data(tmp_path):
    sheets = {
        "_meta": [["instrument", "peer-eval:mini@1.0"], ["site", "XX"], ["note only"]],
        "data": [["pid", "q1"], ["A", 1]],
        "settings": [["form_id", "version"], ["mini", "1.0"]],
        "choices": [["list_name", "name"], ["yesno", 1]],
        "Blad2": [],
        "lookup": [["code", "label"], [1, "x"]],
    }
    path = write_xlsx(tmp_path / "t.xlsx", sheets, hidden=("lookup",), title="Vragenlijst mini")
    result = read_file(path)
    assert result.problems == []
    assert result.frame.to_dict("list") == {"pid": ["A"], "q1": [1]}
    assert result.metadata["instrument"] == "peer-eval:mini@1.0"
    assert result.metadata["site"] == "XX" and result.metadata["_meta.3"] == "note only"
    assert result.metadata["settings.form_id"] == "mini" and result.metadata["settings.version"] == "1.0"
    assert result.file_label == "Vragenlijst mini" == result.metadata["properties.title"]
    assert result.embedded_ref() == "mini@1.0"


def test_xlsx_with_only_metadata_sheets(tmp_path):
    sheets = {"survey": [["type", "name"], ["integer", "q1"]], "settings": [["form_id", "version"], ["mini", "1.0"]]}
    result = read_file(write_xlsx(tmp_path / "form.xlsx", sheets))
    assert flat(result) == [("sheet-no-data", "error", None)]
    assert result.problems[0].params == {"sheets": "survey, settings"}
    assert result.embedded_ref() == "mini@1.0"


def test_xlsx_merged_header_cells(tmp_path):
    rows = [["pid", "Wellbeing", None, "q3", None], ["A", 1, 2, 3, None], ["B", 4, 5, 6, None]]
    path = write_xlsx(tmp_path / "m.xlsx", {"data": rows}, merges={"data": ["B1:C1", "D1:D2", "A5:B5"]})
    result = read_file(path)
    assert flat(result) == [("header-merged", "error", None)]
    assert result.problems[0].params == {"cells": "B1:C1, D1:D2", "header_row": 1}
    assert list(result.frame.columns) == ["pid", "Wellbeing", "q3"]


def test_xlsx_blank_duplicate_headers_and_trailing_rows(tmp_path):
    rows = [[" pid", "q1", "q1 ", None, None], ["A", 1, 2, SECRET, None], [None] * 5, ["B", 3, 4, None, None],
            [None, None], [None]]
    result = read_file(write_xlsx(tmp_path / "h.xlsx", {"data": rows}))
    assert flat(result) == [("header-blank", "error", None), ("header-duplicate", "error", "q1")]
    assert next(p for p in result.problems if p.code == "header-blank").params == {"position": "D", "header_row": 1}
    f = result.frame
    assert list(f.columns) == ["pid", "q1"] and len(f) == 3
    assert f["pid"].iloc[0] == "A" and f.iloc[1].isna().all() and result.row_number(2) == 4
    assert_no_value_leaks(result)


def test_metadata_sheet_names():
    assert all(is_metadata_sheet(n) for n in ["_meta", "Settings", " choices", "survey", "_lists"])
    assert not any(is_metadata_sheet(n) for n in ["data", "Blad1", "Feuil1", "meta_data"])


# -- templates written by the exports ------------------------------------------------------------


def test_reads_the_references_the_exports_embed(mini, tmp_path):
    exports = pytest.importorskip("evaluation.exports")
    sav = exports.export(mini, "sav", "nl", tmp_path / "t.sav")
    result = read_file(sav)
    assert result.format == "sav" and codes(result) == ["file-header-only"]  # templates hold no data rows
    assert result.embedded_ref() == exports.read_embedded_ref(sav) == "mini@1.0"
    assert list(result.frame.columns) == mini.columns()
    form = exports.export(mini, "xlsform", "nl", tmp_path / "t.xlsx")
    result = read_file(form)
    assert codes(result) == ["sheet-no-data"]
    assert result.embedded_ref() == exports.read_embedded_ref(form) == "mini@1.0"
    csv = exports.export(mini, "csv", "fr", tmp_path / "t.csv")
    result = read_file(csv)
    assert codes(result) == ["file-header-only"]
    assert list(result.frame.columns) == mini.columns()


# -- messages ------------------------------------------------------------------------------------


def test_every_reader_code_has_three_languages():
    reader_codes = {
        "file-empty", "file-header-only", "file-unreadable", "file-format-unknown", "file-extension-mismatch",
        "file-too-large", "encoding-guessed", "sheet-multiple", "sheet-no-data", "file-encrypted",
        "header-merged", "header-duplicate", "header-blank",
    }
    for code in reader_codes:
        assert set(MESSAGES[code]) == set(LANGS), code
        assert all(MESSAGES[code][lang].strip() for lang in LANGS)


# -- property tests: what is written is read back ----------------------------------------------

# Two columns or more: every questionnaire has many, and a line with one filled cell above a line with two is read
# as a title above the column names (issue 15) — in a one-column file "a" above the answer "0,0" is ambiguous.
names = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True), min_size=2, max_size=5, unique=True)
cp1252_text = st.text(
    alphabet=st.sampled_from(list("abcxyzABC0123456789 ,;\t\"'#-.éèçàôëÉ€’\n")), min_size=1, max_size=12
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=names,
    data=st.data(),
    delim=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_csv_round_trip(tmp_path_factory, columns, data, delim, encoding):
    n = data.draw(st.integers(1, 6))
    cell = st.one_of(st.none(), cp1252_text)
    rows = [[data.draw(cell) for _ in columns] for _ in range(n)]
    rows[-1][0] = data.draw(cp1252_text)  # the last row is not empty (trailing empty rows are dropped)
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    frame.to_csv(path, sep=delim, index=False, encoding=encoding, lineterminator="\r\n")
    result = read_file(path)
    assert [p.code for p in result.problems] == (["encoding-guessed"] if encoding == "cp1252" and
                                                 not path.read_bytes().isascii() else [])
    expected = frame.where(frame.notna(), np.nan)
    pd.testing.assert_frame_equal(result.frame, expected, check_dtype=False)


xlsx_value = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 6)),
    st.text(alphabet=st.sampled_from(list("abcéèÉ 0123-/:")), min_size=1, max_size=10).filter(
        lambda s: s.strip() == s and s.strip()),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2049, 12, 31)).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=names, data=st.data())
def test_xlsx_round_trip(tmp_path_factory, columns, data):
    n = data.draw(st.integers(1, 5))
    rows = [[data.draw(xlsx_value) for _ in columns] for _ in range(n)]
    rows[-1][0] = data.draw(st.integers(0, 9))
    path = write_xlsx(tmp_path_factory.mktemp("xlsx") / "r.xlsx", {"data": [columns, *rows]})
    result = read_file(path)
    assert result.problems == []
    assert list(result.frame.columns) == columns and len(result.frame) == n
    for i, row in enumerate(rows):
        for col, want in zip(columns, row):
            got = result.frame[col].iloc[i]
            if want is None:
                assert pd.isna(got)
            elif isinstance(want, dt.datetime):
                assert pd.Timestamp(got) == pd.Timestamp(want)
            else:
                assert got == want


sav_text = st.text(alphabet=st.sampled_from(list("abcxyzÉéçà0123 -'")), min_size=1, max_size=10).filter(
    lambda s: s.strip() == s)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n=st.integers(1, 8), compress=st.booleans())
def test_sav_round_trip(tmp_path_factory, data, n, compress):
    numbers = data.draw(st.lists(st.one_of(st.none(), st.sampled_from([-9.0, -8.0, -7.0]),
                                           st.floats(-1e6, 1e6, allow_nan=False)), min_size=n, max_size=n))
    texts = data.draw(st.lists(st.one_of(st.none(), sav_text), min_size=n, max_size=n))
    frame = pd.DataFrame({"num": pd.Series(numbers, dtype=float), "txt": pd.Series(texts, dtype=object)})
    path = tmp_path_factory.mktemp("sav") / ("r.zsav" if compress else "r.sav")
    pyreadstat.write_sav(frame, str(path), compress=compress, missing_ranges={"num": [-9, -8, -7]})
    result = read_file(path)
    assert result.problems == [] and result.format == ("zsav" if compress else "sav")
    assert result.user_missing == {"num": [-9.0, -8.0, -7.0]}
    expected = frame.assign(txt=frame["txt"].where(frame["txt"].notna(), np.nan))
    pd.testing.assert_frame_equal(result.frame, expected, check_dtype=False)


def test_csv_title_row_above_the_header_is_skipped_with_a_note(tmp_path):
    # Belgian Excel saves a title typed in A1 as "Vragenlijst ...;;;;" above the column names
    p = tmp_path / "titled.csv"
    p.write_text("Vragenlijst gedetineerden P03;;;\n;;;\npid;q1;q2;q3\nA;1;2;3\nB;4;5;6\n", encoding="utf-8")
    result = read_file(p)
    assert flat(result) == [("header-row-moved", "warning", None)]
    assert result.problems[0].params == {"header_row": 3, "first_row": 4}
    assert list(result.frame.columns) == ["pid", "q1", "q2", "q3"] and result.first_data_row == 4
    assert result.file_label == "Vragenlijst gedetineerden P03"
    # a one-column file keeps its header
    q = tmp_path / "one.csv"
    q.write_text("q1\n1\n2\n", encoding="utf-8")
    assert list(read_file(q).frame.columns) == ["q1"]
