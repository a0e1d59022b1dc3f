"""XLSForm: structure per the spec, conversion with pyxform, translation of logic and codes."""

from __future__ import annotations

import pytest
from lxml import etree
from openpyxl import Workbook
from pyxform.xls2xform import convert

from evaluation.exports import read_embedded_ref
from evaluation.exports.xlsform import NOTICE_FIELD, REF_FIELD, write_xlsform, xlsform_sheets

from .xlsform_checks import read_sheets, xlsform_problems

NL, FR, EN = "label::Nederlands (nl)", "label::Français (fr)", "label::English (en)"


def by_name(rows):
    return {r["name"]: r for r in rows}


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_structure_follows_the_spec(mini, tmp_path, lang):
    path = write_xlsform(mini, lang, tmp_path / "mini.xlsx")
    assert xlsform_problems(path, ["nl", "fr", "en"]) == []
    settings = read_sheets(path)["settings"][0]
    assert settings["form_id"] == "mini"
    assert settings["version"] == "1.0"
    assert settings["default_language"] == {"nl": "Nederlands (nl)", "fr": "Français (fr)", "en": "English (en)"}[lang]


def test_converts_with_pyxform_without_warnings(mini, tmp_path):
    path = write_xlsform(mini, "nl", tmp_path / "mini.xlsx")
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    assert warnings == []
    root = etree.fromstring(result.xform.encode("utf-8"))
    ns = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
    instance = root.find(".//x:instance/*", ns)
    assert instance.get("id") == "mini"
    assert instance.get("version") == "1.0"
    fields = [etree.QName(e).localname for e in instance]
    for column in ("prison_number", "used_drugs_30d", "days_used", "support_kind", "who5_5", REF_FIELD):
        assert column in fields
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in root.iterfind(".//x:bind", ns)}
    assert binds["days_used"].get("relevant").split() == [f"/{instance.tag.split('}')[1]}/used_drugs_30d", "=", "1"]
    assert binds[REF_FIELD].get("calculate") == "'mini@1.0'"
    assert binds["used_drugs_30d"].get("required") == "true()"


def test_logic_ranges_and_nonresponse(mini):
    sheets = xlsform_sheets(mini, "fr")
    survey = by_name(sheets["survey"])
    # relevant translated from the definition's expression language
    assert survey["days_used"]["relevant"] == "${used_drugs_30d} = 1"
    # range and the item's own constraint combined
    assert survey["days_used"]["constraint"] == "(. >= 0) and (. <= 30) and (. <= 30)"
    assert "30 jours au maximum." in survey["days_used"]["constraint_message::Français (fr)"]
    # numeric item: nonresponse codes allowed by the constraint and explained in the hint
    assert survey["hours"]["constraint"] == "((. >= 0) and (. <= 80)) or . = -7"
    assert "-7 = Ne sait pas" in survey["hours"]["hint::Français (fr)"]
    # choice item: a derived list holds the nonresponse codes
    assert survey["used_drugs_30d"]["type"] == "select_one yesno_nr_7_8"
    derived = [r for r in sheets["choices"] if r["list_name"] == "yesno_nr_7_8"]
    assert [(r["name"], r[FR]) for r in derived] == [
        ("1", "Oui"), ("0", "Non"), ("-7", "Ne sait pas"), ("-8", "Refuse de répondre")]
    # multiple choice keeps its plain list; site and wave become lists of codes
    assert survey["support_kind"]["type"] == "select_multiple support"
    assert survey["site"]["type"] == "select_one sites"
    assert survey["wave"]["type"] == "select_one waves"
    assert [r["name"] for r in sheets["choices"] if r["list_name"] == "waves"] == ["1", "2"]
    assert survey["who5_1"]["appearance"] == "likert"
    assert survey["comment"]["appearance"] == "multiline"
    assert survey["date"]["type"] == "date"
    assert survey["hours"]["type"] == "decimal"


def test_notices_and_scale_note(mini):
    survey = by_name(xlsform_sheets(mini, "en")["survey"])
    notice = survey[NOTICE_FIELD]
    assert "not yet validated" in notice[EN] and "Français (fr)" in notice[EN]
    assert "niet gevalideerd" in notice[NL]
    note = survey["scale_who5_note"]
    assert note["type"] == "note"
    assert "WHO-5 Wellbeing Index" in note[EN]
    assert "© Psychiatric Research Unit" in note[EN]
    assert "over the last two weeks" in note[EN]


def test_licensed_scale_and_date_range(licensed, tmp_path):
    path = write_xlsform(licensed, "fr", tmp_path / "lic.xlsx")
    assert xlsform_problems(path, ["nl", "fr", "en"]) == []
    warnings: list[str] = []
    convert(str(path), warnings=warnings)
    assert warnings == []
    survey = by_name(read_sheets(path)["survey"])
    assert "licensed text not shipped" in survey["lic_1"][FR]
    assert "Formulation modifiée" in survey["scale_lic_note"][FR]
    assert survey["scale_lic_note"]["relevant"] == "(${role_clear} >= 5 or string-length(string(${when})) > 0)"
    assert survey["when"]["constraint"] == "(. >= date('2024-01-01')) and (. <= date('2026-12-31'))"
    assert survey["role_clear"]["constraint"] == "((. >= 1) and (. <= 10)) or . = -7 or . = -8 or . = -9"


def test_texts_supplied_replace_the_placeholder(licensed_supplied):
    survey = by_name(xlsform_sheets(licensed_supplied, "nl")["survey"])
    assert survey["lic_1"][NL] == "Ik voel me goed"
    assert NOTICE_FIELD not in survey  # nothing unvalidated, nothing missing


def test_embedded_reference(mini, tmp_path):
    assert read_embedded_ref(write_xlsform(mini, "nl", tmp_path / "f.xlsx")) == "mini@1.0"


def test_meta_sheet_reference_and_none(tmp_path):
    wb = Workbook()
    wb.active.title = "data"
    wb.create_sheet("_meta").append(["instrument", "peer-eval:staff@1.0"])
    wb.save(tmp_path / "entry.xlsx")
    assert read_embedded_ref(tmp_path / "entry.xlsx") == "staff@1.0"
    wb = Workbook()
    wb.save(tmp_path / "plain.xlsx")
    assert read_embedded_ref(tmp_path / "plain.xlsx") is None
