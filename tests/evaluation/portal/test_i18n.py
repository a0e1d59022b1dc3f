"""Every portal string has its Dutch and French translation, and the committed .mo files match the .po files."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .helpers import REPO

LOCALE = REPO / "evaluation" / "portal" / "locale"


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_catalogue_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    with open(po, "rb") as fh:
        cat = read_po(fh, locale=lang)
    mo = gettext.GNUTranslations(open(po.with_suffix(".mo"), "rb"))
    n = 0
    for m in cat:
        if not m.id:
            continue
        n += 1
        if isinstance(m.id, tuple):
            assert all(m.string), m.id
            assert mo.ngettext(m.id[0], m.id[1], 1) == m.string[0]
            assert mo.ngettext(m.id[0], m.id[1], 5) == m.string[1]
        else:
            assert m.string, f"{lang}: no translation for {m.id!r}"
            assert mo.gettext(m.id) == m.string, f"{lang}: .mo is older than .po for {m.id!r}"
        assert "fuzzy" not in m.flags
    assert n > 150


def test_every_template_string_is_in_the_catalogue():
    """No hard-coded English left in a template outside {% translate %} (checked on visible text of headings)."""
    import re

    for tpl in (REPO / "evaluation" / "portal" / "templates").rglob("*.html"):
        if tpl.name.startswith("guide_") or tpl.name == "500.html":
            continue  # the guides are written per language; the server-error page is in all three at once
        text = tpl.read_text(encoding="utf-8")
        for h in re.findall(r"<h[12][^>]*>([^<{]*[A-Za-z]{3,}[^<{]*)</h[12]>", text):
            pytest.fail(f"{tpl.name}: heading {h!r} is not translated")


def test_no_string_of_the_templates_or_code_is_missing_from_a_catalogue(portal):
    """Django's makemessages (in a temporary copy) finds no msgid that a catalogue lacks."""
    from evaluation.portal.catalogues import missing

    assert missing() == {"nl": [], "fr": [], "en": []}
