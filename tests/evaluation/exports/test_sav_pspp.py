"""GNU PSPP opens the .sav templates with labels intact, and PSPP-written files read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pyreadstat
import pytest

from evaluation.exports import read_embedded_ref
from evaluation.exports.sav import write_sav

from . import pspp_helpers
from .pspp_helpers import PsppVariable, describe_sav, require_pspp, write_sav_with_pspp


def tables(output: str) -> dict[str, list[list[str]]]:
    """PSPP's CSV output split into its tables ('Table: Variables' -> rows)."""
    out: dict[str, list[list[str]]] = {}
    for block in output.split("\n\n"):
        block = block.strip("\n")
        if block.startswith("Table: "):
            title, _, body = block.partition("\n")
            out[title.removeprefix("Table: ")] = list(csv.reader(io.StringIO(body)))
    return out


@pytest.mark.pspp
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_pspp_shows_labels_missing_values_and_reference(mini, tmp_path, lang):
    path = write_sav(mini, lang, tmp_path / f"mini_{lang}.sav")
    t = tables(describe_sav(path))

    info = {row[0]: row[1:] for row in t["File Information"] if row}
    assert info["Cases"] == ["0"]
    assert info["Encoding"] == ["UTF-8"]
    assert info["Label"] == [f"peer-eval:mini@1.0 {lang}"]

    variables = {row[0]: dict(zip(t["Variables"][0], row)) for row in t["Variables"][1:]}
    assert list(variables) == mini.columns()
    expected_label = {"fr": "Drogues consommées (30 jours) ?", "nl": "Drugs gebruikt (30 dagen)?"}[lang]
    assert variables["used_drugs_30d"]["Label"] == expected_label
    assert variables["used_drugs_30d"]["Missing Values"] == "-7; -8"
    assert variables["hours"]["Missing Values"] == "-7"
    assert variables["date"]["Print Format"] == "EDATE10"
    assert variables["comment"]["Print Format"] == "A1000"
    assert variables["prison_number"]["Label"] == {"fr": "Numéro de détenu", "nl": "Gedetineerdennummer"}[lang]

    value_labels = [(r[1], r[2]) for r in t["Value Labels"][1:] if len(r) >= 3]
    if lang == "fr":
        assert ("-8[a]", "Refuse de répondre") in value_labels  # [a]: user-missing value
        assert ("1", "Début") in value_labels
        assert ("4", "La plupart du temps") in value_labels
        assert ("P07", "Prison de Beaulieu-sur-Sambre (fictive)") in value_labels
        assert ("1", "Coché") in value_labels
    else:
        assert ("-7[a]", "Weet niet") in value_labels
        assert ("2", "Opvolging") in value_labels
        assert ("P01", "Gevangenis Noordhaven (fictief)") in value_labels

    documents = "\n".join(r[0] for r in t["Documents"])
    assert "peer-eval:mini@1.0" in documents
    assert "© Psychiatric Research Unit" in documents


@pytest.mark.pspp
def test_reference_and_labels_survive_a_pspp_save(mini, tmp_path):
    """Open the template in PSPP and save it again, as a coordinator would."""
    template = write_sav(mini, "fr", tmp_path / "mini.sav")
    resaved = tmp_path / "resaved.sav"
    describe_sav(template, resave_to=resaved)
    assert read_embedded_ref(resaved) == "mini@1.0"
    _, meta = pyreadstat.read_sav(str(resaved), user_missing=True)
    assert meta.column_names_to_labels["who5_3"] == "Je me suis senti(e) plein(e) d'énergie et vigoureux(se)"
    assert meta.variable_value_labels["used_drugs_30d"][-8.0] == "Refuse de répondre"
    assert meta.original_variable_types["prison_number"] == "A32"


@pytest.mark.pspp
def test_pspp_written_sav_reads_back_with_pyreadstat(tmp_path):
    path = write_sav_with_pspp(
        tmp_path / "pspp.sav",
        [
            PsppVariable("pid", "A12", "Numéro de détenu"),
            PsppVariable("score", "F2.0", "Été – Zoë, ça va ?", value_labels={1: "Oui, très", 0: "Non", -7: "Ne sait pas"},
                         missing=(-7, -8)),
            PsppVariable("d", "EDATE10", "Datum"),
        ],
        rows=[("A1", 1, dt.date(2024, 2, 1)), ("B'2", -7, None)],
        file_label="peer-eval:mini@1.0 fr",
        documents=["Gemaakt met PSPP, één test"],
    )
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert df["pid"].tolist() == ["A1", "B'2"]
    assert df["score"].tolist() == [1.0, -7.0]
    assert df["d"].iloc[0] == dt.date(2024, 2, 1)
    assert meta.column_names_to_labels == {"pid": "Numéro de détenu", "score": "Été – Zoë, ça va ?", "d": "Datum"}
    assert meta.variable_value_labels["score"] == {1.0: "Oui, très", 0.0: "Non", -7.0: "Ne sait pas"}
    assert [r["lo"] for r in meta.missing_ranges["score"]] == [-7.0, -8.0]
    assert any("één" in n for n in meta.notes)
    assert read_embedded_ref(path) == "mini@1.0"


def test_missing_pspp_fails_under_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        require_pspp()


def test_missing_pspp_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        require_pspp()
    assert pspp_helpers.pspp_path() is None
