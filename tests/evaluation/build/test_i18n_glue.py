"""book/_ext/i18n_glue.py: glue roles in a translated paragraph point at the chapter being translated."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "i18n_glue", Path(__file__).resolve().parents[3] / "book" / "_ext" / "i18n_glue.py")
i18n_glue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_glue)


def test_roles_without_a_document_name_the_chapter():
    text = ("Van de {glue:}`n` hebben er {glue:text}`k` ({glue:text}`p:.2f`) en {glue}`q`; "
            "{glue:}`other.ipynb::z` blijft")
    assert i18n_glue.name_the_chapter(text, "wellbeing.ipynb") == (
        "Van de {glue:}`wellbeing.ipynb::n` hebben er {glue:text}`wellbeing.ipynb::k:s` "
        "({glue:text}`wellbeing.ipynb::p:.2f`) en {glue}`wellbeing.ipynb::q`; {glue:}`other.ipynb::z` blijft")


def test_text_without_glue_is_unchanged():
    assert i18n_glue.name_the_chapter("Geen `code` en {ref}`x <y>`", "a.ipynb") == "Geen `code` en {ref}`x <y>`"


def test_part_captions_of_the_toc_in_the_edition_language(tmp_path):
    from evaluation.build.sphinx import translated_captions

    po = tmp_path / "intro.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Results"\nmsgstr "Resultaten"\n\nmsgid "Trust in the results"\nmsgstr ""\n', encoding="utf-8")
    toc = {"root": "intro", "parts": [{"caption": "Results", "chapters": [{"file": "a"}]},
                                      {"caption": "Trust in the results", "chapters": [{"file": "b"}]}]}
    out = translated_captions(toc, po)
    assert [p["caption"] for p in out["parts"]] == ["Resultaten", "Trust in the results"]
    assert toc["parts"][0]["caption"] == "Results"  # the input is not changed
    assert translated_captions(toc, tmp_path / "missing.po") is toc
