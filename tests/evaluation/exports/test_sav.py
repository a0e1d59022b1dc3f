"""SPSS template: variables, labels, declared missing values, embedded reference, zero cases."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.exports import read_embedded_ref
from evaluation.exports.common import truncate_bytes
from evaluation.exports.sav import STRING_WIDTHS, sav_layout, write_sav
from evaluation.instruments import Choice


def read(path):
    return pyreadstat.read_sav(str(path), user_missing=True)


def test_layout_has_one_variable_per_data_column(mini):
    lay = sav_layout(mini, "nl")
    assert lay.columns == mini.columns()
    assert lay.columns[6:9] == ["support_kind_1", "support_kind_2", "support_kind_3"]


def test_template_reads_back_with_labels_and_missing_values(mini, tmp_path):
    path = write_sav(mini, "fr", tmp_path / "mini.sav")
    df, meta = read(path)
    assert len(df) == 0
    assert list(df.columns) == mini.columns()
    # variable labels in French, accents intact
    assert meta.column_names_to_labels["used_drugs_30d"] == "Drogues consommées (30 jours) ?"
    assert meta.column_names_to_labels["support_kind_2"] == "Type de soutien: Groupe"
    # value labels: choice list plus nonresponse codes
    assert meta.variable_value_labels["used_drugs_30d"] == {
        1.0: "Oui", 0.0: "Non", -7.0: "Ne sait pas", -8.0: "Refuse de répondre"}
    assert meta.variable_value_labels["support_kind_1"] == {0.0: "Non coché", 1.0: "Coché"}
    assert meta.variable_value_labels["wave"] == {1.0: "Début", 2.0: "Suivi"}
    assert meta.variable_value_labels["site"]["P01"] == "Prison de Noordhaven (fictive)"
    assert meta.variable_value_labels["who5_1"][5.0] == "Tout le temps"
    # nonresponse codes are declared missing values, exactly those the item allows
    missing = {k: sorted(r["lo"] for r in v) for k, v in meta.missing_ranges.items()}
    assert missing["used_drugs_30d"] == [-8.0, -7.0]
    assert missing["hours"] == [-7.0]
    assert "days_used" not in missing and "date" not in missing


def test_formats_types_and_string_widths(mini, tmp_path):
    _, meta = read(write_sav(mini, "nl", tmp_path / "mini.sav"))
    fmt = meta.original_variable_types
    assert fmt["date"] == "EDATE10"
    assert fmt["used_drugs_30d"] == "F2.0"
    assert fmt["support_kind_1"] == "F1.0"
    assert fmt["hours"].endswith(".2")
    assert fmt["prison_number"] == f"A{STRING_WIDTHS['pid']}"
    assert fmt["site"] == f"A{STRING_WIDTHS['site']}"
    assert fmt["comment"] == f"A{STRING_WIDTHS['free_text']}"  # not A1: strings keep their width
    assert meta.variable_measure["who5_1"] == "ordinal"
    assert meta.variable_measure["hours"] == "scale"


def test_embedded_reference_and_notes(mini, tmp_path):
    path = write_sav(mini, "nl", tmp_path / "mini.sav")
    _, meta = read(path)
    assert meta.file_label == "peer-eval:mini@1.0 nl"
    notes = " ".join(meta.notes)
    assert "peer-eval:mini@1.0" in notes
    assert "niet gevalideerd" in notes and "Français (fr)" in notes  # unvalidated translations
    assert "© Psychiatric Research Unit" in notes  # the scale's copyright line
    assert all(len(n.encode("utf-8")) <= 80 for n in meta.notes)
    assert read_embedded_ref(path) == "mini@1.0"


def test_reference_survives_data_entry(mini, tmp_path):
    """A coordinator's file written from the template's metadata keeps the reference (documents)."""
    template = write_sav(mini, "nl", tmp_path / "mini.sav")
    _, meta = read(template)
    filled = pd.DataFrame({"prison_number": ["X1"], "used_drugs_30d": [-7.0]})
    out = tmp_path / "filled.sav"
    pyreadstat.write_sav(filled, str(out), note=meta.notes)  # file label lost, documents kept
    assert read_embedded_ref(out) == "mini@1.0"


def test_plain_sav_has_no_reference(tmp_path):
    out = tmp_path / "plain.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0]}), str(out), file_label="some survey")
    assert read_embedded_ref(out) is None


def test_licensed_scale_placeholder_and_altered(licensed, tmp_path):
    df, meta = read(write_sav(licensed, "en", tmp_path / "lic.sav"))
    assert "licensed text not shipped" in meta.column_names_to_labels["lic_1"]
    notes = " ".join(meta.notes)
    assert "Wording altered from the original." in notes
    assert "© Synthetic Scale Authors 2020" in notes
    assert "lic_1" in notes  # licensed texts not supplied
    missing = {k: sorted(r["lo"] for r in v) for k, v in meta.missing_ranges.items()}
    assert missing["role_clear"] == [-9.0, -8.0, -7.0]


def test_unknown_language_names_the_argument(mini, tmp_path):
    with pytest.raises(ValueError, match="lang='de'"):
        write_sav(mini, "de", tmp_path / "x.sav")


def test_failed_write_leaves_nothing_behind(mini, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "mini.sav"
    target.write_bytes(b"previous template")

    def broken(df, path, **kw):
        with open(path, "wb") as fh:
            fh.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pyreadstat, "write_sav", broken)
    with pytest.raises(OSError, match="disk full"):
        write_sav(mini, "nl", target)
    assert target.read_bytes() == b"previous template"
    assert sorted(p.name for p in folder.iterdir()) == ["mini.sav"]


label_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters="\x00"),
    min_size=1, max_size=150,
).filter(lambda s: s.strip() == s and s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(label_text, min_size=2, max_size=2))
def test_value_labels_round_trip_any_text(mini, tmp_path_factory, labels):
    """Any (accented, long) choice label comes back, cut to SPSS's 120 bytes at a character boundary."""
    choices = dict(mini.choices)
    choices["yesno"] = [Choice(code=1, label={"nl": labels[0], "fr": labels[0], "en": labels[0]}),
                        Choice(code=0, label={"nl": labels[1], "fr": labels[1], "en": labels[1]})]
    definition = dataclasses.replace(mini, choices=choices)
    out = tmp_path_factory.mktemp("sav") / "t.sav"
    _, meta = read(write_sav(definition, "nl", out))
    got = meta.variable_value_labels["used_drugs_30d"]
    assert got[1.0] == truncate_bytes(labels[0], 120).rstrip() or got[1.0] == truncate_bytes(labels[0], 120)
    assert got[0.0] in (truncate_bytes(labels[1], 120), truncate_bytes(labels[1], 120).rstrip())
