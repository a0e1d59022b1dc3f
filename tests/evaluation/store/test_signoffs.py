"""Quote sign-offs: recorded against the stored text, audit-logged without it, loaded for the chapter."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from evaluation.qda import load_codebook
from evaluation.qda.importer import import_segments
from evaluation.qda.refi import write_qdpx
from evaluation.store import (
    SIGNOFF_COLUMNS,
    SignoffRefused,
    quote_signoffs,
    record_signoff,
    segment_text_sha256,
    segments,
)

from .conftest import KEY

# Fictional interviews; "Jan Peeters", "Mia" and "Karim" are made-up names the names list replaces.
TEXTS = {
    "AB123": "I: How did it start?\nR: Jan Peeters came to my cell and asked how I was.\nR: After that I trusted him.\n",
    "CD456": "I: And after release?\nR: Mia waited at the gate. Nobody else came.\nR: I felt less alone.\n",
    "PW-07": "I: What is the work like?\nR: Karim on the wing still calls me a junkie.\nR: The pay is low.\n",
}
ROLES = {"AB123": "detainee", "CD456": "detainee", "PW-07": "peer_worker"}
CODINGS = {
    "AB123": [("Jan Peeters came to my cell and asked how I was.", "key_people"),
              ("After that I trusted him.", "svc_trust")],
    "CD456": [("Mia waited at the gate. Nobody else came.", "svc_continuity"), ("I felt less alone.", "svc_hope")],
    "PW-07": [("Karim on the wing still calls me a junkie.", "stigma_workplace"), ("The pay is low.", "work_pay")],
}
NAMES = ("name,label,participant,role\nJan Peeters,[peer worker],,\nJan,[peer worker],,\nMia,[officer],,\n"
         "Karim,[officer],,\n,,AB123,detainee\n,,CD456,detainee\n,,PW-07,peer_worker\n")


def coded_transcripts(people=("AB123", "CD456", "PW-07"), coder="coder1") -> list[dict]:
    out = []
    for p in people:
        text = TEXTS[p]
        codings = []
        for fragment, code in CODINGS[p]:
            s = text.index(fragment)
            codings.append((s, s + len(fragment), code, coder))
        out.append({"name": f"Interview {p}", "text": text, "participant": p, "role": ROLES[p], "site": "P01",
                    "codings": codings})
    return out


def import_coded(ws, folder: Path, *, people=("AB123", "CD456", "PW-07"), name="coded.qdpx", fmt="qdpx",
                 key=KEY):
    """Import a small coded file (``.qdpx`` or a ``.csv`` spreadsheet) for site P01; return the report."""
    folder.mkdir(parents=True, exist_ok=True)
    names = folder / "names.csv"
    names.write_text(NAMES, encoding="utf-8")
    ts = coded_transcripts(people)
    if fmt == "qdpx":
        path = write_qdpx(folder / name, load_codebook(), ts)
        report = import_segments(path, site="P01", workspace=ws, key=key, names=names)
    else:
        tdir = folder / "transcripts"
        tdir.mkdir(exist_ok=True)
        rows = ["participant,role,site,transcript,quotation,theme,sub-theme,coder,comment,start,end"]
        for t in ts:
            (tdir / f"{t['name']}.txt").write_text(t["text"], encoding="utf-8")
            for s, e, code, coder in t["codings"]:
                quote = t["text"][s:e].replace('"', '""')
                rows.append(f'{t["participant"]},{t["role"]},P01,{t["name"]},"{quote}",,{code},{coder},,{s},{e}')
        path = folder / name
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        report = import_segments(path, site="P01", workspace=ws, key=key, names=names, transcripts=tdir)
    assert report.status == "accepted", report.text()
    return report


@pytest.fixture
def imported(ws, tmp_path):
    import_coded(ws, tmp_path / "in")
    return segments(ws)


def test_signoff_recorded_and_loaded(ws, imported):
    seg = imported.iloc[0]
    sha = segment_text_sha256(ws, seg["segment_id"])
    assert sha == hashlib.sha256(seg["text"].encode("utf-8")).hexdigest()
    row = record_signoff(ws, seg["segment_id"], approved_by="  evaluator   A ", text_sha256=sha,
                         at=dt.date(2025, 6, 1))
    assert row["approved_by"] == "evaluator A" and row["approved_at"] == "2025-06-01T00:00:00+00:00"
    later = record_signoff(ws, seg["segment_id"], approved_by="evaluator B", text_sha256=sha)
    frame = quote_signoffs(ws)
    assert list(frame.columns) == list(SIGNOFF_COLUMNS)
    assert list(frame["approved_by"]) == ["evaluator A", "evaluator B"]  # oldest first: the latest counts
    assert frame["approved_at"].iloc[0] == pd.Timestamp("2025-06-01", tz="UTC")
    assert frame["approved_at"].iloc[1] == pd.Timestamp(later["approved_at"])
    assert (frame["text_sha256"] == sha).all()


def test_the_audit_log_holds_neither_the_quote_nor_the_reviewer(ws, imported):
    seg = imported.iloc[1]
    sha = segment_text_sha256(ws, seg["segment_id"])
    record_signoff(ws, seg["segment_id"], approved_by="Reviewer Zed", text_sha256=sha)
    entries = [e for e in ws.audit.entries() if e["action"] == "quote-signed-off"]
    assert len(entries) == 1 and entries[0]["sha256"] == sha
    log = ws.audit.path.read_text(encoding="utf-8")
    assert "Reviewer Zed" not in log and seg["text"] not in log and seg["segment_id"] not in log


@pytest.mark.parametrize("segment, by, sha, message", [
    ("G0000000000000000", "A", "0" * 64, "not a segment"),
    (None, "", None, "approved_by is empty"),
    (None, "A", "abc", "64 hexadecimal"),
    (None, "A", "f" * 64, "not the text approved"),
])
def test_refused_signoffs_name_the_fix(ws, imported, segment, by, sha, message):
    seg = segment or imported["segment_id"].iloc[0]
    with pytest.raises(SignoffRefused, match=message):
        record_signoff(ws, seg, approved_by=by, text_sha256=sha or segment_text_sha256(ws, seg))
    assert quote_signoffs(ws).empty


def test_superseded_import_drops_its_signoffs_from_the_loader(ws, imported, tmp_path):
    seg = imported.iloc[0]
    record_signoff(ws, seg["segment_id"], approved_by="A", text_sha256=segment_text_sha256(ws, seg["segment_id"]))
    sid = segments(ws, extra=True)["submission_id"].iloc[0]
    names = tmp_path / "in" / "names.csv"
    path = write_qdpx(tmp_path / "v2.qdpx", load_codebook(), coded_transcripts(("AB123",)))
    report = import_segments(path, site="P01", workspace=ws, key=KEY, names=names, replaces=sid)
    assert report.status == "accepted", report.text()
    assert quote_signoffs(ws).empty  # the approved segment belongs to a superseded import


def test_empty_workspace_has_an_empty_signoff_frame(ws):
    frame = quote_signoffs(ws)
    assert frame.empty and list(frame.columns) == list(SIGNOFF_COLUMNS)


def test_cli_quotes_and_signoff(ws, imported, monkeypatch, capsys):
    from evaluation.cli import main

    trust = imported.loc[imported["code"] == "svc_trust"].iloc[0]
    assert main(["interviews", "quotes", "--theme", "service_delivery", "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert "3 candidate quote(s) for service_delivery" in out and trust["segment_id"] in out
    assert "not signed off" in out and "Jan" not in out and trust["text"] in out
    # asked, declined: nothing recorded
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["interviews", "signoff", trust["segment_id"], "--by", "evaluator A",
                 "--workspace", str(ws.root)]) == 1
    assert quote_signoffs(ws).empty
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert main(["interviews", "signoff", trust["segment_id"], "--by", "evaluator A",
                 "--workspace", str(ws.root)]) == 0
    assert trust["text"] in capsys.readouterr().out  # the reviewer saw the text approved
    assert main(["interviews", "quotes", "--theme", "svc_trust", "--group", "detainee",
                 "--workspace", str(ws.root)]) == 0
    assert "signed off by evaluator A" in capsys.readouterr().out
    assert main(["interviews", "signoff", "G" + "0" * 16, "--by", "B", "--yes", "--workspace", str(ws.root)]) == 2
    assert main(["interviews", "quotes", "--theme", "nonsense", "--workspace", str(ws.root)]) == 2
    assert list(quote_signoffs(ws)["approved_by"]) == ["evaluator A"]
