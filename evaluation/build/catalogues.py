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
    return locales


if __name__ == "__main__":  # pragma: no cover - a thin command line
    if len(sys.argv) != 2:
        sys.exit("usage: python -m evaluation.build.catalogues WORKSPACE")
    print(f"updated {update_catalogues(sys.argv[1])}")
