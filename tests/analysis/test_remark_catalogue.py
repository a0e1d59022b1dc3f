"""Remarks in the report's languages through the remark catalogue (analysis/remarks.yaml)."""

import re

import pytest
import yaml

from analysis import remark_catalogue as rc
from analysis.editions import MIME, UNTRANSLATED
from analysis.reader import reader_bundle, reader_remarks

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _entries():
    return [e for f in sorted(rc._CATALOGUE.glob("*.yaml")) for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []]


def test_every_template_is_complete_and_uses_the_same_placeholders():
    entries = _entries()
    assert len(entries) >= 20
    seen = set()
    for e in entries:
        assert set(e) == {"en", "nl", "fr"}, e
        assert e["en"] not in seen, f"duplicate template {e['en']!r}"
        seen.add(e["en"])
        en = sorted(_PLACEHOLDER.findall(e["en"]))
        for lang in ("nl", "fr"):
            assert sorted(_PLACEHOLDER.findall(e[lang])) == en, (lang, e)
            assert e[lang] != e["en"], f"not translated into {lang}: {e['en']!r}"


def test_a_remark_is_matched_and_its_values_written_the_language_way(monkeypatch, tmp_path):
    cat = tmp_path / "remarks"
    cat.mkdir()
    (cat / "a.yaml").write_text(yaml.safe_dump([{"en": "x {a}", "nl": "y {a}", "fr": "z {a}"}]), encoding="utf-8")
    cat = cat / "b.yaml"
    cat.write_text(yaml.safe_dump([
        {"en": "{n} unit(s) judged by only one coder were left out.",
         "nl": "{n} eenheid/eenheden met één codeur werden weggelaten.",
         "fr": "{n} unité(s) jugée(s) par un seul codeur ont été écartée(s)."},
        {"en": "The {group} group had {share} of its rows left out.",
         "nl": "De groep {group} had {share} van de rijen weggelaten.",
         "fr": "Le groupe {group} avait {share} de lignes écartées."},
        {"en": "The {group} group had {share} of its rows left out because of {why}.",
         "nl": "De groep {group}: {share} weggelaten wegens {why}.",
         "fr": "Le groupe {group} : {share} écartées à cause de {why}."},
    ], allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(rc, "_CATALOGUE", cat.parent)
    rc._templates.cache_clear()
    try:
        assert rc.translate_remark("1,234 unit(s) judged by only one coder were left out.", "nl") == \
            "1.234 eenheid/eenheden met één codeur werden weggelaten."
        fr = rc.translate_remark("The participant group had 12.5% of its rows left out.", "fr")
        assert fr.replace("\u202f", " ").replace("\xa0", " ") == "Le groupe participants avait 12,5 % de lignes écartées."
        # the most specific template wins
        assert rc.translate_remark("The participant group had 3 of its rows left out because of age.", "nl") == \
            "De groep deelnemers: 3 weggelaten wegens age."
        # a list of names: each label in the language's words, "and" too
        assert rc.translate_remark("The participant group had 3 of its rows left out because of age_at_release, sex "
                                   "and site.", "fr") == ("Le groupe participants : 3 écartées à cause de âge à la "
                                                          "libération, sexe et prison.")
        assert rc.translate_remark("Something else entirely.", "nl") is None
        assert rc.translate_remark("Something else entirely.", "en") == "Something else entirely."
        # a remark without a template stays English (numbers localised) and is listed as untranslated
        remarks = ("7 unit(s) judged by only one coder were left out.", "Unknown remark with 0.5.",
                   "Counts are raw; pass the table through disclosure control before publishing.")
        assert reader_remarks(remarks, "fr") == ("7 unité(s) jugée(s) par un seul codeur ont été écartée(s).",
                                                 "Unknown remark with 0,5.")
        assert rc.untranslated_remarks(remarks, "nl") == ["remark 'Unknown remark with 0.5.'"]
        bundle = rc.remarks_bundle(remarks)._repr_mimebundle_()
        assert "écartée(s)" in bundle[MIME]["fr"]["text/html"]
        assert bundle[MIME][UNTRANSLATED] == {"nl": ["remark 'Unknown remark with 0.5.'"],
                                              "fr": ["remark 'Unknown remark with 0.5.'"]}
        # a table's remarks count for its translation like its labels
        import pandas as pd

        table = reader_bundle(pd.DataFrame({"n": [1]}), title=None, remarks=remarks)
        assert "remark 'Unknown remark with 0.5.'" in table.untranslated["nl"]
    finally:
        rc._templates.cache_clear()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_catalogue_translates_its_own_templates_filled_in(lang):
    for e in _entries():
        filled = _PLACEHOLDER.sub("12", e["en"])
        assert rc.translate_remark(filled, lang) is not None, e["en"]
