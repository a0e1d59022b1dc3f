"""CSV template plus codebook."""

from __future__ import annotations

import csv

from evaluation.exports import read_embedded_ref
from evaluation.exports.csvbook import CODEBOOK_FIELDS, DELIMITER, codebook_rows, sidecar_paths, write_csvbook


def test_template_is_a_bom_header_without_rows(mini, tmp_path):
    path = write_csvbook(mini, "fr", tmp_path / "mini.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 1
    assert lines[0].split(DELIMITER) == mini.columns()


def test_codebook_lists_every_variable(mini, tmp_path):
    path = write_csvbook(mini, "fr", tmp_path / "mini.csv")
    with open(sidecar_paths(path)["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=DELIMITER))
    assert [r["variable"] for r in rows] == mini.columns()
    assert list(rows[0]) == CODEBOOK_FIELDS
    row = {r["variable"]: r for r in rows}
    assert row["used_drugs_30d"]["codes"] == "1=Oui; 0=Non"
    assert row["used_drugs_30d"]["nonresponse_codes"] == "-7=Ne sait pas; -8=Refuse de répondre"
    assert row["days_used"]["range"] == "0..30"
    assert row["days_used"]["skip_logic"] == "used_drugs_30d == 1"
    assert row["days_used"]["skip_logic_text"] == "« Drogues consommées (30 jours) ? » est « Oui »"
    assert row["support_kind_3"]["label"] == "Type de soutien: Orientation"
    assert row["support_kind_3"]["codes"] == "0=Non coché; 1=Coché"
    assert row["prison_number"]["role"] == "pid" and row["prison_number"]["identifier"] == "prison_number"
    assert row["comment"]["free_text"] == "yes"
    assert row["who5_2"]["scale"] == "who5"
    assert row["who5_2"]["provenance"] == "project"
    assert row["wave"]["codes"] == "1=Début; 2=Suivi"
    assert {r["instrument"] + "@" + r["version"] for r in rows} == {"mini@1.0"}


def test_markdown_codebook_carries_the_notices(mini, tmp_path):
    path = write_csvbook(mini, "nl", tmp_path / "mini.csv")
    md = sidecar_paths(path)["md"].read_text(encoding="utf-8")
    assert "`peer-eval:mini@1.0`" in md
    assert "niet gevalideerd" in md
    assert "© Psychiatric Research Unit" in md
    assert md.count("\n| ") == len(mini.columns()) + 1  # header + one row per variable


def test_reference_from_the_sidecar(mini, tmp_path):
    path = write_csvbook(mini, "en", tmp_path / "mini.csv")
    assert read_embedded_ref(path) == "mini@1.0"
    assert read_embedded_ref(sidecar_paths(path)["csv"]) == "mini@1.0"
    assert read_embedded_ref(sidecar_paths(path)["md"]) == "mini@1.0"
    # the coordinator's file, saved by Excel without BOM and with commas, next to the sidecar
    path.write_text(",".join(mini.columns()) + "\nX1,P01,1\n", encoding="cp1252")
    assert read_embedded_ref(path) == "mini@1.0"


def test_csv_without_sidecar(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("a;b\n1;2\n", encoding="utf-8")
    assert read_embedded_ref(plain) is None
    commented = tmp_path / "commented.csv"
    commented.write_text("# peer-eval:staff@1.0\na;b\n", encoding="utf-8")
    assert read_embedded_ref(commented) == "staff@1.0"


def test_sidecars_are_written_before_the_template(mini, tmp_path, monkeypatch):
    """If the codebook cannot be written, no template appears without it."""
    import evaluation.exports.csvbook as mod

    def broken(definition, lang):
        raise RuntimeError("boom")

    monkeypatch.setattr(mod, "codebook_markdown", broken)
    try:
        write_csvbook(mini, "nl", tmp_path / "out.csv")
    except RuntimeError:
        pass
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_licensed_rows(licensed):
    rows = {r["variable"]: r for r in codebook_rows(licensed, "en")}
    assert rows["lic_1"]["codes"] == "1=Never; 2=Sometimes; 3=Often"
    assert rows["lic_1"]["provenance"] == "original"
    assert rows["lic_2"]["skip_logic_text"] == "“Role clarity (1-10)” is at least 5 or “Date” is answered"
    assert rows["when"]["range"] == "2024-01-01..2026-12-31"
