"""Bring the Dutch and French catalogues (``book/locales``) up to date with the book's English source.

After a build, the English edition's assembled source (``<workspace>/book-cache/src``: the executed
chapters, as Sphinx reads them) is run through Sphinx's ``gettext`` builder (``.pot`` files, without
source locations: ``gettext_location: false`` in ``book/_config.yml``), and ``sphinx-intl update``
merges them into ``book/locales/{nl,fr}/LC_MESSAGES/<chapter>.po``: new messages appear with an empty
``msgstr`` for the translators, changed ones are marked fuzzy, translations are kept.

    python -m evaluation.build.catalogues WORKSPACE      # or: make catalogues

The next ``peer-eval build`` lists what is still untranslated (:mod:`.untranslated`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .chapters import BOOK_DIR

__all__ = ["update_catalogues"]


def update_catalogues(workspace, *, book_dir: Path = BOOK_DIR, languages=("nl", "fr"), timeout: int = 900) -> Path:
    """Regenerate the ``.pot`` files from the last build's English source and update the ``.po`` files
    of ``languages`` under ``book_dir/locales``; returns the locales folder."""
    src = Path(workspace) / "book-cache" / "src"
    if not (src / "_config.yml").is_file():
        raise FileNotFoundError(f"{src} has no assembled book; run `peer-eval build {workspace}` first")
    locales = Path(book_dir) / "locales"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="peer-eval-pot-") as tmp:
        cmd = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
               "build", str(src), "--path-output", tmp, "--builder", "custom", "--custom-builder", "gettext", "-q"]
        subprocess.run(cmd, check=True, env=env, timeout=timeout)
        pot = Path(tmp) / "_build" / "gettext"
        cmd = [sys.executable, "-m", "sphinx_intl", "update", "-p", str(pot), "-d", str(locales),
               *[arg for lang in languages for arg in ("-l", lang)]]
        subprocess.run(cmd, check=True, env=env, timeout=timeout)
    for lang in languages:
        for po in sorted((locales / lang / "LC_MESSAGES").glob("*.po")):
            _typographic(po)
    return locales


def _typographic(po: Path) -> None:
    """Tidy a catalogue after ``sphinx-intl update``: an apostrophe between letters in a translation becomes
    the typographic one (docutils' smart quotes turn ``qu'*événements*`` into ``qu”événements``), and the
    ``python-format`` flags Babel guesses from a "%" in prose ("95 %") are dropped (Sphinx never formats
    these messages; the flags only make ``msgfmt --check-format`` fail)."""
    import re

    from babel.messages.pofile import read_po, write_po

    apostrophe = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ*_{])")
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("python-format")
        if isinstance(message.string, str) and "'" in message.string:
            parts = re.split(r"(`[^`]*`)", message.string)  # never inside inline code
            message.string = "".join(p if p.startswith("`") else apostrophe.sub("’", p) for p in parts)
    with po.open("wb") as f:
        write_po(f, catalog, width=76)


if __name__ == "__main__":  # pragma: no cover - a thin command line
    if len(sys.argv) != 2:
        sys.exit("usage: python -m evaluation.build.catalogues WORKSPACE")
    print(f"updated {update_catalogues(sys.argv[1])}")
