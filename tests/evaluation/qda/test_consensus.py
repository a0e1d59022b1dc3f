"""Recording the consensus coding of a double-coded transcript: store, audit, CLI in three languages,
and its use by analysis.themes.consensus_coding."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.themes import consensus_coding
from evaluation.cli import main as cli
from evaluation.qda.consensus import (CONSENSUS_COLUMNS, MESSAGES, ConsensusRefused, consensus_passes,
                                      record_consensus)
from evaluation.qda.importer import import_segments
from evaluation.qda.refi import write_qdpx
from evaluation.store import segments, transcripts

from .conftest import TEXT, span, transcript


@pytest.fixture
def double(ws, key, codebook, names_csv, tmp_path):
    """Interview AB123 coded by coder1 and coder2 (who disagree on one code); PW-07 by coder1 only."""
    both = transcript(codings=[
        (*span(TEXT, "Jan Peeters came to my cell"), "key_people", "coder1"),
        (*span(TEXT, "After that I trusted him."), "svc_trust", "coder1"),
        (*span(TEXT, "Jan Peeters came to my cell"), "key_people", "coder2"),
        (*span(TEXT, "Mia from the night shift also helped."), "svc_hope", "coder2"),
    ])
    other = "I: What is the work like?\nR: The pay is low but the work matters.\n"
    single = transcript(name="Interview PW", participant="PW-07", role="peer_worker", text=other,
                        codings=[(*span(other, "The pay is low"), "work_pay", "coder1")])
    path = write_qdpx(tmp_path / "coded.qdpx", codebook, [both, single])
    report = import_segments(path, site="P01", workspace=ws, key=key, names=names_csv)
    assert report.status == "accepted", report.text()
    seg = segments(ws)
    ids = seg.groupby("transcript_id")["coder"].nunique()
    return ws, ids.index[ids == 2][0], ids.index[ids == 1][0]


def test_record_and_load_the_latest_decision(double):
    ws, t2, _ = double
    assert consensus_passes(ws).empty and list(consensus_passes(ws).columns) == list(CONSENSUS_COLUMNS)
    rec = record_consensus(ws, t2, coder="coder1", recorded_by="  evaluator   B ", at="2025-06-01")
    assert rec["recorded_by"] == "evaluator B" and rec["recorded_at"].startswith("2025-06-01")
    record_consensus(ws, t2, coder="coder2", recorded_by="evaluator C", at="2025-06-02")
    passes = consensus_passes(ws)
    assert passes[["transcript_id", "coder", "recorded_by"]].values.tolist() == [[t2, "coder2", "evaluator C"]]
    # audited without names or identifiers: the transcript's submission, site and text hash only
    entries = [e for e in ws.audit.entries() if e["action"] == "consensus-recorded"]
    assert len(entries) == 2
    text = str(entries)
    assert "evaluator" not in text and "coder" not in text and t2 not in text
    sha = transcripts(ws).set_index("transcript_id").loc[t2, "sha256"]
    assert entries[0]["sha256"] == sha and entries[0]["site"] == "P01"


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_refusals_in_the_users_language(double, lang):
    ws, t2, t1 = double
    cases = [
        (dict(transcript_id="T-nope", coder="coder1", recorded_by="B"), "no-transcript"),
        (dict(transcript_id=t2, coder="coder9", recorded_by="B"), "no-coding"),
        (dict(transcript_id=t1, coder="coder1", recorded_by="B"), "single-coder"),
        (dict(transcript_id=t2, coder="coder1", recorded_by="  "), "no-recorder"),
    ]
    for kwargs, key in cases:
        with pytest.raises(ConsensusRefused) as err:
            record_consensus(ws, kwargs.pop("transcript_id"), lang=lang, **kwargs)
        first_words = MESSAGES[key][lang].split("{")[0][:12]
        assert str(err.value).startswith(first_words), (key, str(err.value))
    assert consensus_passes(ws).empty   # nothing stored by a refusal


def test_consensus_coding_uses_the_recorded_decision(double):
    ws, t2, _ = double
    seg = segments(ws)
    merged = consensus_coding(seg)
    # merged by majority (both coders): only key_people survives in the double-coded transcript
    assert set(merged.segments.loc[merged.segments["transcript_id"] == t2, "code"]) == {"key_people"}
    record_consensus(ws, t2, coder="coder2", recorded_by="evaluator B")
    chosen = consensus_coding(seg, passes=consensus_passes(ws))
    kept = chosen.segments.loc[chosen.segments["transcript_id"] == t2]
    assert set(kept["coder"]) == {"coder2"} and set(kept["code"]) == {"key_people", "svc_hope"}
    row = chosen.to_frame().set_index("transcript").loc[t2]
    assert row["method"] == "consensus pass (recorded)" and row["n_coders"] == 2
    assert any("peer-eval interviews consensus" in r for r in chosen.remarks)
    with pytest.raises(ValueError, match="no segment"):
        consensus_coding(seg, passes=pd.DataFrame({"transcript_id": [t2], "coder": ["ghost"]}))


def test_cli_records_lists_and_refuses_in_three_languages(double, capsys):
    ws, t2, t1 = double
    root = str(ws.root)
    assert cli(["interviews", "consensus", "--list", "--workspace", root, "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "1 dubbel gecodeerde transcript" in out and "geen consensus vastgelegd" in out and t2 in out
    assert cli(["interviews", "consensus", t2, "--coder", "coder1", "--by", "B", "--workspace", root,
                "--lang", "fr"]) == 0
    assert "Enregistré : le codage de 'coder1'" in capsys.readouterr().out
    assert cli(["interviews", "consensus", "--list", "--workspace", root]) == 0
    assert "coding of 'coder1', recorded by B" in capsys.readouterr().out
    assert cli(["interviews", "consensus", t1, "--coder", "coder1", "--by", "B", "--workspace", root,
                "--lang", "nl"]) == 2
    err = capsys.readouterr().err
    assert "door één codeur gecodeerd" in err and "Traceback" not in err
    assert cli(["interviews", "consensus", "--workspace", root, "--lang", "fr"]) == 2
    assert "indiquez la transcription" in capsys.readouterr().err


def test_help_describes_the_command(capsys):
    with pytest.raises(SystemExit) as done:
        cli(["interviews", "consensus", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "consensus" in out and "--coder" in out and "--list" in out and "audited" in out
