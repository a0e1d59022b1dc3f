"""A workspace without a contact log still builds: the chapter that needs it says what is missing (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.build import build_book
from evaluation.build.chapters import BOOK_DIR

from .test_build import FRAME, WELLBEING_STUB


@pytest.mark.slow
def test_book_builds_without_a_contact_log_and_the_chapter_says_so(small_workspace, tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "_toc.yml", "jupytext.toml", *[f"{c}.md" for c in FRAME], "reoffending.md"):
        shutil.copy(BOOK_DIR / name, book / name)
    shutil.copytree(BOOK_DIR / "_ext", book / "_ext")
    (book / "wellbeing.md").write_text(WELLBEING_STUB, encoding="utf-8")
    log: list[str] = []
    result = build_book(small_workspace, book_dir=book, progress=log.append, jobs=1, output=tmp_path / "site",
                        untranslated="report")
    assert "reoffending" in result.executed
    assert any("no contacts data yet" in m for m in log)
    page = (tmp_path / "site" / "reoffending.html").read_text(encoding="utf-8")
    assert "cannot be computed yet" in page and "contacts" in page
