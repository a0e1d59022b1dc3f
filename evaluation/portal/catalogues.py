"""Keep the portal's gettext catalogues (nl, fr, en) complete: ``python -m evaluation.portal.catalogues``.

``missing`` lists the strings of the templates and code (found by Django's
``makemessages`` in a temporary copy) that a catalogue lacks; ``add
FILE.json`` adds translations (``{"msgid": {"nl": ..., "fr": ..., "en": ...}}``,
a plural as ``"singular|plural"`` with a two-item list per language; ``en`` may be left out: it
repeats the msgid) and
compiles every ``.mo``. The ``.po`` files keep Babel's layout (width 100), so a
change is a small diff. Tested by ``tests/evaluation/portal/test_i18n.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["LANGS", "LOCALE", "extracted_ids", "missing", "add", "compile_all"]

LANGS = ("nl", "fr", "en")
LOCALE = Path(__file__).resolve().parent / "locale"


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def _read(lang: str):
    from babel.messages.pofile import read_po

    with open(_po(lang), "rb") as fh:
        return read_po(fh, locale=lang)


def _write(lang: str, cat) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    with open(_po(lang), "wb") as fh:
        write_po(fh, cat, width=100)
    with open(_po(lang).with_suffix(".mo"), "wb") as fh:
        write_mo(fh, cat)


def extracted_ids() -> list:
    """Every msgid (a tuple for plurals) in the portal's templates and code, by Django's makemessages."""
    import os

    from babel.messages.pofile import read_po
    from django.core.management import call_command

    portal = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "portal"
        shutil.copytree(portal, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
        (copy / "locale").mkdir()
        here = os.getcwd()
        os.chdir(copy)
        try:
            call_command("makemessages", locale=["en"], no_location=True, no_obsolete=True, verbosity=0)
        finally:
            os.chdir(here)
        with open(copy / "locale" / "en" / "LC_MESSAGES" / "django.po", "rb") as fh:
            return [m.id for m in read_po(fh) if m.id]


def missing() -> dict[str, list]:
    ids = extracted_ids()
    return {lang: [i for i in ids if i not in _read(lang)] for lang in LANGS}


def add(translations: dict) -> None:
    for lang in LANGS:
        cat = _read(lang)
        for key, by_lang in translations.items():
            msgid = tuple(key.split("|", 1)) if "|" in key else key
            text = by_lang.get(lang)
            if text is None and lang == "en":  # the English catalogue repeats the msgid
                text = list(msgid) if isinstance(msgid, tuple) else msgid
            cat.add(msgid, tuple(text) if isinstance(msgid, tuple) else text)
        _write(lang, cat)


def compile_all() -> None:
    for lang in LANGS:
        _write(lang, _read(lang))


def main(argv: list[str] | None = None) -> int:
    import os

    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evaluation.portal.settings.development")
    import django

    django.setup()
    if argv[:1] == ["missing"]:
        found = missing()
        for lang, ids in found.items():
            for i in ids:
                print(f"{lang}: {i!r}")
        return 1 if any(found.values()) else 0
    if argv[:1] == ["add"] and len(argv) == 2:
        add(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        return 0
    if argv[:1] == ["compile"]:
        compile_all()
        return 0
    print("usage: python -m evaluation.portal.catalogues missing | add FILE.json | compile", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
