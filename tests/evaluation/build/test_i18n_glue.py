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
