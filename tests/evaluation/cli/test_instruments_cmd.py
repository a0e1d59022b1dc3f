"""``peer-eval instruments ...`` end to end (in-process)."""

from __future__ import annotations

import json

import pytest

from evaluation.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_actions(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["instruments", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for action in ("list", "show", "diff", "check", "export", "translations", "freeze", "schema"):
        assert action in out
    assert "peer-eval instruments diff detainee 1.0 1.1" in out


def test_list(capsys, instruments_root):
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "list")
    assert code == 0
    assert any(line.split()[:3] == ["mini", "1.0", "draft"] for line in out.splitlines())
    assert any(line.split()[:2] == ["mini", "1.1"] for line in out.splitlines())


def test_show_in_dutch(capsys, instruments_root):
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "show", "mini@1.0", "--lang", "nl")
    assert code == 0
    assert "mini@1.0" in out and "Aantal dagen" in out and "asked if: used_drugs_30d == 1" in out
    assert "nonresponse: -7=dont_know, -8=refused" in out
    assert "project translations not yet validated in: nl, fr" in out


def test_show_unknown_version(capsys, instruments_root):
    code, _, err = run(capsys, "instruments", "--instruments", str(instruments_root), "show", "mini@9.9")
    assert code == 1 and "no version 9.9 of 'mini'" in err


def test_diff_text_and_json(capsys, instruments_root):
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "diff", "mini", "1.0", "1.1")
    assert code == 0 and "added:\n  naloxone" in out
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "diff", "mini", "1.0", "1.1", "--json")
    doc = json.loads(out)
    assert doc["old"] == "mini@1.0" and doc["new"] == "mini@1.1"
    assert {c["item"] for c in doc["changes"] if c["kind"] == "added"} == {"naloxone"}
    sk = next(m for m in doc["mapping"] if m["target"] == "support_kind")
    assert sk["recode"]["3"] is None


def test_check_reports_problems_with_exit_code(capsys, instruments_root):
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "check")
    assert code == 0, out
    path = instruments_root / "mini" / "1.0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("choices: yesno, required: true", "choices: yn, required: true"),
                    encoding="utf-8")
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "check")
    assert code == 1 and "unknown choice list 'yn'" in out


def test_translations(capsys, instruments_root):
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "translations", "--json")
    rows = json.loads(out)
    assert any(r["instrument"] == "mini@1.0" and r["item"] == "who5_1" and r["language"] == "nl" for r in rows)


def test_freeze_registers_published_only(capsys, instruments_root):
    path = instruments_root / "mini" / "1.0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: published"), encoding="utf-8")
    code, out, _ = run(capsys, "instruments", "--instruments", str(instruments_root), "freeze")
    assert code == 0 and "mini/1.0.yaml" in out and "mini/1.1.yaml" not in out
