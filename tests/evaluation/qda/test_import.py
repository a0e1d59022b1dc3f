"""Importing coded segments: the .qdpx fixture, every problem kind, names, the store path."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from evaluation.cli import main
from evaluation.intake.messages import LANGS, MESSAGES
from evaluation.qda.importer import check_segments, import_segments
from evaluation.qda.refi import read_qdpx, schema, write_qdpx
from evaluation.qda.spreadsheet import export_segment_template
from evaluation.store import Store, segments, transcripts

from .conftest import TEXT, span, transcript

NEW_CODES = ["code-unknown", "segment-outside-transcript", "segment-text-mismatch", "positions-converted",
             "positions-unverified", "quotation-not-found", "quotation-ambiguous", "segment-duplicate",
             "segment-overlap", "segment-empty", "participant-missing", "participant-unknown", "role-unknown",
             "coder-missing", "transcript-participant-conflict", "transcript-text-missing",
             "subtheme-theme-mismatch", "names-list-invalid", "qdpx-invalid", "qdpx-schema"]


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


def qdpx(tmp_path, codebook, *transcripts_, name="coded.qdpx", **kw) -> Path:
    return write_qdpx(tmp_path / name, codebook, list(transcripts_) or [transcript()], **kw)


def test_messages_exist_in_three_languages():
    for code in NEW_CODES:
        assert set(MESSAGES[code]) == set(LANGS), code


def test_fixture_project_is_valid_refi_qda(tmp_path, codebook):
    for inline in (False, True):
        p = qdpx(tmp_path, codebook, inline_text=inline, name=f"p{inline}.qdpx")
        with zipfile.ZipFile(p) as zf:
            doc = etree.fromstring(zf.read("project.qde"))
            assert inline or any(n.startswith("sources/") for n in zf.namelist())
        s = schema()
        assert s.validate(doc), s.error_log


def test_read_qdpx_maps_codes_users_cases(tmp_path, codebook):
    coded = read_qdpx(qdpx(tmp_path, codebook), codebook)
    assert coded.problems == []
    (src,) = coded.sources.values()
    assert (src.participant, src.role, src.site, src.text) == ("AB123", "detainee", "P01", TEXT)
    assert [(s.code, s.coder) for s in coded.selections] == [("key_people", "coder1"), ("svc_trust", "coder1")]


def test_clean_project_checks_without_problems(tmp_path, codebook, names_csv):
    report = check_segments(qdpx(tmp_path, codebook), site="P01", names=names_csv)
    assert report.problems == [], report.text()


def test_code_not_in_codebook(tmp_path, codebook):
    t = transcript(codings=[(*span(TEXT, "After that"), "made_up_code", "coder1")])
    report = check_segments(qdpx(tmp_path, codebook, t), site="P01")
    assert report.flatten(["code", "value"]) == [["code-unknown", "made_up_code"]]


def test_segment_outside_transcript(tmp_path, codebook):
    t = transcript(codings=[(len(TEXT) - 3, len(TEXT) + 40, "svc_trust", "coder1")])
    report = check_segments(qdpx(tmp_path, codebook, t, selection_names=False), site="P01")
    assert "segment-outside-transcript" in codes(report)


def _shift_positions(path: Path, to_convention) -> None:
    """Rewrite a project's positions as another tool would count them."""
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    doc = etree.fromstring(files["project.qde"])
    for sel in doc.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
        for a in ("startPosition", "endPosition"):
            sel.set(a, str(to_convention(int(sel.get(a)))))
    files["project.qde"] = etree.tostring(doc, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)


def _utf16(i: int) -> int:
    return len(TEXT[:i].encode("utf-16-le")) // 2


def _lf(i: int) -> int:
    return i - TEXT[:i].count("\r\n")


@pytest.mark.parametrize("convert,name", [(_utf16, "utf16"), (_lf, "lf"), (lambda i: _lf(i) + (_utf16(i) - i), "lf-utf16")])
def test_positions_counted_differently_are_detected_and_converted(tmp_path, codebook, ws, key, convert, name):
    p = qdpx(tmp_path, codebook)
    _shift_positions(p, convert)
    report = check_segments(p, site="P01")
    assert [(x.code, x.params.get("convention")) for x in report.problems] == [("positions-converted", name)]
    report = import_segments(p, site="P01", workspace=ws, key=key)
    assert report.status == "accepted"
    seg = segments(ws)
    assert list(zip(seg["start"], seg["end"])) == [span(TEXT, "Jan Peeters came to my cell"),
                                                    span(TEXT, "After that I trusted him.")]


def test_text_mismatch_when_no_convention_explains_it(tmp_path, codebook):
    p = qdpx(tmp_path, codebook)
    _shift_positions(p, lambda i: i + 7)
    report = check_segments(p, site="P01")
    assert "segment-text-mismatch" in codes(report)
    assert not report.valid


def test_positions_unverified_without_selection_text(tmp_path, codebook):
    report = check_segments(qdpx(tmp_path, codebook, selection_names=False), site="P01")
    assert [p.code for p in report.problems] == ["positions-unverified"]


def test_duplicates_and_overlaps(tmp_path, codebook, ws, key):
    s, e = span(TEXT, "After that I trusted him.")
    t = transcript(codings=[(s, e, "svc_trust", "coder1"), (s, e, "svc_trust", "coder1"),
                            (s + 6, e + 10, "svc_trust", "coder1"), (s, e, "svc_trust", "coder2")])
    report = import_segments(qdpx(tmp_path, codebook, t), site="P01", workspace=ws, key=key)
    assert sorted(p.code for p in report.problems) == ["segment-duplicate", "segment-overlap"]
    assert report.status == "accepted"
    assert len(segments(ws)) == 3  # the exact duplicate is kept once; two coders are two codings


def test_participants_missing_unknown_role_and_invalid(tmp_path, codebook, names_csv):
    ts = [transcript(name="a", participant=None), transcript(name="b", participant="ZZ999"),
          transcript(name="c", role="visitor"), transcript(name="d", participant="AB 12?3")]
    report = check_segments(qdpx(tmp_path, codebook, *ts), site="P01", names=names_csv)
    got = codes(report)
    assert {"participant-missing", "participant-unknown", "role-unknown", "identifier-invalid"} <= got
    assert not report.valid
    # the identifier is never echoed
    assert "ZZ999" not in report.to_json()


def test_site_mismatch(tmp_path, codebook):
    report = check_segments(qdpx(tmp_path, codebook, transcript(site="P02")), site="P01")
    assert "site-mismatch" in codes(report)


def test_names_replaced_offsets_kept_against_the_original(tmp_path, codebook, ws, key, names_csv):
    report = import_segments(qdpx(tmp_path, codebook), site="P01", workspace=ws, key=key, names=names_csv)
    assert report.status == "accepted", report.text()
    seg = segments(ws)
    tr = transcripts(ws)
    assert list(seg["text"]) == ["[peer worker] came to my cell", "After that I trusted him."]
    assert (seg["start"].iloc[0], seg["end"].iloc[0]) == span(TEXT, "Jan Peeters came to my cell")
    import hashlib

    row = tr.iloc[0]
    assert row["sha256"] == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert "Jan" not in row["text"] and "Mia" not in row["text"] and "[officer]" in row["text"]
    # the stored replacements carry an original offset onto the stored text
    reps = json.loads(row["replacements"])
    o_s, o_e, n_s, n_e = reps[0]
    assert TEXT[o_s:o_e] == "Jan Peeters" and row["text"][n_s:n_e] == "[peer worker]"
    assert row["transcript_id"] == "T" + row["sha256"][:12]
    assert seg["pid"].iloc[0].startswith("k1-") and row["respondent_group"] == "detainee"


def test_no_participant_name_or_number_in_the_database_bytes(tmp_path, codebook, ws, key, names_csv):
    text2 = "R: Mia from the night shift also helped. AB123 told me so.\n"
    pw = transcript(name="Interview Mia", participant="PW-07", role="peer_worker", text=text2,
                    codings=[(*span(text2, "Mia from the night shift also helped."), "key_people", "coder2")])
    report = import_segments(qdpx(tmp_path, codebook, transcript(), pw), site="P01", workspace=ws, key=key,
                             names=names_csv)
    assert report.status == "accepted", report.text()
    data = ws.db_path.read_bytes()
    for secret in ("Jan", "Peeters", "Mia", "AB123", "PW-07", "PW07"):
        assert secret.encode() not in data
        assert secret.encode("utf-16-le") not in data
    assert "Peeters" not in ws.audit.path.read_text()


def test_store_path_raw_audit_quarantine(tmp_path, codebook, ws, key):
    ok = qdpx(tmp_path, codebook)
    report = import_segments(ok, site="P01", workspace=ws, key=key)
    assert report.status == "accepted"
    raw = ws.find_raw(report.sha256)
    assert raw is not None and not os.access(raw, os.W_OK) or not (raw.stat().st_mode & stat.S_IWUSR)
    actions = [e["action"] for e in ws.audit.entries()]
    assert "segments-accepted" in actions
    # the same file again: a duplicate, nothing stored twice
    again = import_segments(ok, site="P01", workspace=ws, key=key)
    assert again.status == "duplicate" and len(segments(ws)) == 2
    # a bad file: quarantined with its report, nothing in the tables
    bad = qdpx(tmp_path, codebook, transcript(codings=[(0, 5, "nonsense", "c")]), name="bad.qdpx")
    rep = import_segments(bad, site="P01", workspace=ws, key=key)
    assert rep.status == "rejected"
    assert (ws.quarantine_dir / f"{rep.submission_id}.report.json").exists()
    assert any(p.name.startswith(rep.sha256) for p in ws.quarantine_dir.iterdir())
    assert "submission-rejected" in [e["action"] for e in ws.audit.entries()]
    assert len(segments(ws)) == 2


def test_one_transaction_nothing_written_on_failure(tmp_path, codebook, ws, key, monkeypatch):
    import sys

    seg_mod = sys.modules["evaluation.store.segments"]
    real = seg_mod._insert

    def crash_on_segments(con, sql, rows):
        if "INTO segments" in sql:  # after the submission row and the transcripts
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        real(con, sql, rows)

    monkeypatch.setattr(seg_mod, "_insert", crash_on_segments)
    with pytest.raises(sqlite3.OperationalError):
        import_segments(qdpx(tmp_path, codebook), site="P01", workspace=ws, key=key)
    with Store(ws) as s:
        for table in ("segments", "transcripts", "submissions"):
            assert s.query(f"SELECT COUNT(*) AS n FROM {table}")["n"][0] == 0, table
    monkeypatch.setattr(seg_mod, "_insert", real)
    assert import_segments(qdpx(tmp_path, codebook), site="P01", workspace=ws, key=key).status == "accepted"


def test_replaces_supersedes_an_earlier_import(tmp_path, codebook, ws, key):
    first = import_segments(qdpx(tmp_path, codebook), site="P01", workspace=ws, key=key)
    t = transcript(codings=[(*span(TEXT, "After that I trusted him."), "svc_hope", "coder1")])
    second = import_segments(qdpx(tmp_path, codebook, t, name="v2.qdpx"), site="P01", workspace=ws, key=key,
                             replaces=first.submission_id)
    assert second.status == "accepted"
    assert list(segments(ws)["code"]) == ["svc_hope"]


def test_not_a_project(tmp_path, codebook):
    p = tmp_path / "x.qdpx"
    p.write_bytes(b"not a zip")
    assert codes(check_segments(p, site="P01")) == {"file-unreadable"}
    with zipfile.ZipFile(tmp_path / "y.qdpx", "w") as zf:
        zf.writestr("other.txt", "x")
    assert codes(check_segments(tmp_path / "y.qdpx", site="P01")) == {"qdpx-invalid"}


# -- spreadsheets ---------------------------------------------------------------

def _sheet(tmp_path, rows, lang="en") -> Path:
    from evaluation.qda.spreadsheet import template_headers

    p = tmp_path / "segments.csv"
    lines = [",".join(template_headers(lang))] + [",".join(f'"{c}"' for c in r) for r in rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_spreadsheet_import_finds_quotations_in_the_transcripts(tmp_path, codebook, ws, key, names_csv):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "int01.txt").write_text(TEXT, encoding="utf-8", newline="")
    rows = [["AB123", "gedetineerde", "P01", "int01", "Jan Peeters came to my cell", "key_moments_people",
             "key_people", "coder1", "Jan again", "", ""],
            ["AB123", "gedetineerde", "P01", "int01", "After that I   trusted him.", "Dienstverlening zoals gedetineerden die zien",
             "Vertrouwen en geloofwaardigheid", "coder1", "", "", ""]]
    p = _sheet(tmp_path, rows, lang="nl")
    report = import_segments(p, site="P01", workspace=ws, key=key, names=names_csv, transcripts=folder)
    assert report.status == "accepted", report.text()
    seg = segments(ws, extra=True)
    assert list(seg["code"]) == ["key_people", "svc_trust"]
    assert (seg["start"].iloc[0], seg["end"].iloc[0]) == span(TEXT, "Jan Peeters came to my cell")
    assert seg["comment"].iloc[0] == "[peer worker] again"


def test_spreadsheet_problems_are_reported_by_row(tmp_path, codebook, folder_text=TEXT):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "int01.txt").write_text(TEXT, encoding="utf-8", newline="")
    rows = [["AB123", "detainee", "P01", "int01", "not in the text at all", "stigma", "", "c1", "", "", ""],
            ["AB123", "detainee", "P01", "int01", "After that", "stigma", "svc_trust", "c1", "", "", ""],
            ["AB999", "staff", "P01", "int01", "After that", "stigma", "", "", "", "", ""]]
    report = check_segments(_sheet(tmp_path, rows), site="P01", transcripts=folder)
    flat = report.flatten(["row", "code"])
    assert [3, "subtheme-theme-mismatch"] in flat
    assert [2, "quotation-not-found"] in flat
    assert [4, "transcript-participant-conflict"] in flat
    assert [4, "coder-missing"] in flat


def test_spreadsheet_without_transcripts_keeps_quotations(tmp_path, codebook, ws, key, names_csv):
    rows = [["PW-07", "peer worker", "P01", "int02", "Jan helped me a lot", "svc_hope", "", "c1", "", "", ""]]
    report = import_segments(_sheet(tmp_path, rows), site="P01", workspace=ws, key=key, names=names_csv)
    assert report.status == "accepted", report.text()
    assert list(segments(ws)["text"]) == ["[peer worker] helped me a lot"]


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_template_xlsx_reads_back(tmp_path, codebook, lang):
    from openpyxl import load_workbook

    p = export_segment_template(tmp_path / f"t_{lang}.xlsx", lang, codebook)
    wb = load_workbook(p)
    header = [c.value for c in wb.worksheets[0][1]]
    from evaluation.qda.coded import field_of

    assert [field_of(h) for h in header] == ["participant", "role", "site", "transcript", "quotation", "theme",
                                             "sub_theme", "coder", "comment", "start", "end"]
    assert codes(check_segments(p, site="P01")) == {"file-header-only"}


def test_cli_import_and_export(tmp_path, codebook, monkeypatch, key, capsys):
    monkeypatch.setenv("PEER_EVAL_KEY", key.text())
    out = tmp_path / "cb.md"
    assert main(["interviews", "codebook", "export", "--format", "md", "--lang", "fr", "-o", str(out)]) == 0
    assert "Livre de codes" in out.read_text(encoding="utf-8")
    p = qdpx(tmp_path, codebook)
    assert main(["interviews", "import", str(p), "--site", "P01", "--workspace", str(tmp_path / "w2")]) == 0
    assert main(["interviews", "check", str(p), "--site", "P01", "--json"]) == 0
    assert main(["interviews", "template", "--lang", "nl", "-o", str(tmp_path / "t.csv")]) == 0
