"""The codebook: loading, every problem at once, parents, Markdown, the .qdc export against the XSD."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from evaluation.instruments.errors import DefinitionError
from evaluation.instruments.guides import LITERATURE_THEMES
from evaluation.qda import check_codebooks, codebook_markdown, load_codebook
from evaluation.qda.refi import code_guid, codebook_qdc, codebook_schema

REPO_INSTRUMENTS = Path(__file__).resolve().parents[3] / "instruments"


def test_repository_codebook_has_no_problems():
    assert check_codebooks() == []


def test_every_literature_theme_is_a_theme_of_the_codebook(codebook):
    # the topic guides name these themes; coded segments must trace back to them
    assert set(LITERATURE_THEMES) == set(codebook.theme_codes())


def test_parents_roll_sub_themes_up(codebook):
    parents = codebook.parents
    assert parents["org_supervision"] == "organisational_integration"
    assert parents["svc_continuity"] == "service_delivery"
    assert not set(parents) & set(codebook.theme_codes())
    assert len(codebook.all_codes()) == len(set(codebook.all_codes()))


def test_resolve_accepts_code_and_labels_in_every_language(codebook):
    assert codebook.resolve("org_supervision") == "org_supervision"
    assert codebook.resolve("  begeleiding ") == "org_supervision"
    assert codebook.resolve("SUPERVISION") == "org_supervision"
    assert codebook.resolve("no such theme") is None


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_markdown_has_every_code_and_its_four_texts(codebook, lang):
    md = codebook_markdown(codebook, lang)
    for code in codebook.all_codes():
        c = codebook.code(code)
        assert f"`{code}`" in md
        for text in (c.definition, c.when_to_use, c.when_not_to_use, c.example):
            assert text[lang].strip() in md


def test_markdown_refuses_a_language_the_codebook_lacks(codebook):
    with pytest.raises(ValueError, match="lang='de'"):
        codebook_markdown(codebook, "de")


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_qdc_is_valid_against_the_refi_schema(codebook, lang):
    doc = etree.fromstring(codebook_qdc(codebook, lang))
    schema = codebook_schema()
    assert schema.validate(doc), schema.error_log
    assert doc.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"  # the codebook standard's namespace
    codes = doc.findall(".//{urn:QDA-XML:codebook:1.0}Code")
    assert len(codes) == len(codebook.all_codes())
    # sub-themes are nested in their theme
    theme = doc.find(f".//{{urn:QDA-XML:codebook:1.0}}Code[@guid='{code_guid('stigma')}']")
    nested = {c.get("guid") for c in theme.findall("{urn:QDA-XML:codebook:1.0}Code")}
    assert nested == {code_guid(s) for s, t in codebook.parents.items() if t == "stigma"}


def test_qdc_export_is_byte_identical_each_time(codebook):
    assert codebook_qdc(codebook, "fr") == codebook_qdc(codebook, "fr")


def _copy(tmp_path) -> Path:
    root = tmp_path / "instruments"
    (root / "interviews").mkdir(parents=True)
    shutil.copy(REPO_INSTRUMENTS / "interviews" / "codebook_1.0.yaml", root / "interviews" / "codebook_1.0.yaml")
    return root


def test_duplicate_code_and_missing_translation_both_reported(tmp_path):
    root = _copy(tmp_path)
    path = root / "interviews" / "codebook_1.0.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - code: svc_hope", "  - code: svc_trust", 1)
    text = text.replace('          fr: "Ce qui a rendu possible l\'accès au rôle."', '          fr: ""', 1)
    path.write_text(text, encoding="utf-8")
    problems = check_codebooks(root)
    found = {(p.item, p.message.split(" ")[0]) for p in problems}
    assert ("svc_trust", "is") in found  # "is used as a code more than once"
    assert any(p.item == "path_enablers" and "fr" in p.message for p in problems)


def test_published_codebook_must_be_registered_and_unchanged(tmp_path):
    from evaluation.instruments import frozen

    root = _copy(tmp_path)
    path = root / "interviews" / "codebook_1.0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: published")
                    .replace("status: published\n", "status: published\n", 1), encoding="utf-8")
    assert any("not in the registry" in p.message for p in check_codebooks(root))
    frozen.register(root, ["interviews/codebook_1.0.yaml"])
    assert check_codebooks(root) == []
    path.write_text(path.read_text(encoding="utf-8").replace("Tasks", "Duties", 1), encoding="utf-8")
    assert any("edited after publication" in p.message for p in check_codebooks(root))


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_readers_markdown_names_codes_by_their_labels(codebook, lang):
    import re

    md = codebook_markdown(codebook, lang, codes=False)
    for code in codebook.all_codes():
        assert f"`{code}`" not in md
        if "_" in code:  # a code identifier, never a word of the prose
            assert not re.search(rf"\b{code}\b", md), code
    assert codebook.ref not in md
    # a text that points to another code names it by its label
    target = codebook.code("organisational_integration").label[lang]
    assert target in md.split(codebook.code("role_definition").label[lang], 1)[1]
