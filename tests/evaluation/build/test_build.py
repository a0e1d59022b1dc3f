"""peer-eval build on a small workspace: pages, disclosure, byte-identical rebuild, cache, failures."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analysis.disclosure import find_suppressed_counts
from evaluation.build import ChapterFailed, UndeclaredLoad, build_book, execute_chapter
from evaluation.build.chapters import BOOK_DIR
from evaluation.cli import main
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.store import Workspace

from .conftest import BUILD_KEY, submit

FRAME = ("intro", "data", "methods", "assumptions", "provenance")

WELLBEING_STUB = """---
jupytext: {text_representation: {extension: .md, format_name: myst}}
kernelspec: {display_name: Python 3, language: python, name: python3}
peer_eval:
  loads: [detainee]
---
# Wellbeing (test stub)

```{code-cell} ipython3
from evaluation.book import context
from analysis.disclosure import DisclosurePolicy, safe_count
ctx = context()
policy = DisclosurePolicy.from_mapping(ctx.disclosure)
safe_count(int(ctx.responses("detainee")["pid"].nunique()), policy)
```
"""


@pytest.fixture
def frame_book(tmp_path) -> Path:
    """book/ with only the frame chapters (the analysis chapters are tested by their authors) and a stub."""
    dest = tmp_path / "book"
    dest.mkdir()
    for name in ("_config.yml", "_toc.yml", "jupytext.toml", *[f"{c}.md" for c in FRAME]):
        shutil.copy(BOOK_DIR / name, dest / name)
    shutil.copytree(BOOK_DIR / "_ext", dest / "_ext")
    (dest / "wellbeing.md").write_text(WELLBEING_STUB, encoding="utf-8")
    return dest


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_frame_book_builds_reproducibly_and_uses_the_cache(small_workspace, frame_book, tmp_path):
    log: list[str] = []
    first = build_book(small_workspace, book_dir=frame_book, progress=log.append, jobs=2, untranslated="report")
    html = first.html
    # every chapter present (the analysis chapters not yet written are left out, with a note)
    assert {"intro.html", "data.html", "methods.html", "assumptions.html", "provenance.html",
            "wellbeing.html"} <= set(first.pages)
    assert sorted(first.executed) == ["data", "methods", "provenance", "wellbeing"]
    assert any("reoffending: not written yet" in m for m in log)
    assert any(m.startswith("[2/4] methods … executed in") for m in log)
    # the synthetic-data notice on every page of the demo workspace
    for page in first.pages:
        if page in ("genindex.html", "search.html", "index.html"):  # index.html redirects to intro.html
            continue
        assert "Synthetic data" in (html / page).read_text(encoding="utf-8"), page
    # provenance filled: snapshot hash in groups, pinned packages, seeds
    prov = (html / "provenance.html").read_text(encoding="utf-8")
    assert "lifelines" in prov and "0.30.3" in prov and "PYTHONHASHSEED" in prov
    assert prov.count("</tr>") > 10 and "not in this checkout" not in prov
    # P02 had 6 detainees at baseline and 4 at follow-up: withheld, and never shown on any page
    hidden = [(("P02", "baseline"), 6), (("P02", "followup"), 4), (("P01", "staff"), 4)]
    data_page = (html / "data.html").read_text(encoding="utf-8")
    assert "[c]" in data_page
    for page in first.pages:
        assert find_suppressed_counts((html / page).read_text(encoding="utf-8"), hidden, path=page) == []

    # byte-identical rebuild: every chapter executed again, one at a time this time (the first build ran
    # two at a time), same notebooks, same site
    notebooks = _tree(Path(small_workspace) / "book-cache")
    site = _tree(html)
    again = build_book(small_workspace, book_dir=frame_book, force=True, progress=None, jobs=1, untranslated="report")
    assert sorted(again.executed) == sorted(first.executed)
    after = _tree(Path(small_workspace) / "book-cache")
    assert {k: v for k, v in after.items() if k.endswith(".ipynb") and "/" not in k} == \
        {k: v for k, v in notebooks.items() if k.endswith(".ipynb") and "/" not in k}
    assert _tree(html) == site

    # nothing changed: nothing executed
    kept: list[str] = []
    same = build_book(small_workspace, book_dir=frame_book, progress=kept.append, untranslated="report")
    assert same.executed == [] and sorted(same.skipped) == sorted(first.executed)
    assert any("site built from them is kept" in m for m in kept) and _tree(html) == site

    # one new staff submission: only the chapters that load staff data (data, provenance) run again
    ws = Workspace.open(small_workspace, create=False)
    submit(ws, BUILD_KEY, tmp_path, "staff", 12, site="P02", seed=99)  # (the workspace's key: another is refused)
    changed = build_book(small_workspace, book_dir=frame_book, progress=None, output=tmp_path / "site",
                         untranslated="report")
    assert sorted(changed.executed) == ["data", "provenance"]
    assert sorted(changed.skipped) == ["methods", "wellbeing"]
    assert (tmp_path / "site" / "index.html").is_file()


def test_failing_chapter_reports_its_cell(small_workspace, frame_book, capsys, monkeypatch):
    bad = frame_book / "methods.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace(
        'glue("threshold", localise(int(policy.threshold)), display=False)',
        'glue("threshold", localise(int(policy.threshold)), display=False)\nratio = 1 / 0'), encoding="utf-8")
    with pytest.raises(ChapterFailed) as err:
        execute_chapter(bad, small_workspace)
    assert err.value.cell_index == 1 and err.value.ename == "ZeroDivisionError"
    assert "ratio = 1 / 0" in err.value.source and "ratio = 1 / 0" in str(err.value)
    # the CLI stops with the cell and exit code 1
    assert main(["build", str(small_workspace), "--book", str(frame_book)]) == 1
    out = capsys.readouterr()
    assert "chapter 'methods' failed in cell 1" in out.err and "ratio = 1 / 0" in out.err


def test_a_chapter_loading_undeclared_data_fails(small_workspace, frame_book):
    stub = frame_book / "wellbeing.md"
    stub.write_text(WELLBEING_STUB.replace("loads: [detainee]", "loads: [staff]"), encoding="utf-8")
    for name in ("data", "provenance", "methods"):
        (frame_book / f"{name}.md").unlink()
    (frame_book / "intro.md").write_text((frame_book / "intro.md").read_text().split("## How the")[0])
    with pytest.raises(UndeclaredLoad, match=r"loaded \['detainee'\].*declares loads: \['staff'\]"):
        build_book(small_workspace, book_dir=frame_book, progress=None)


def test_execute_chapter_is_stable_and_scrubbed(small_workspace, frame_book):
    nb = execute_chapter(frame_book / "wellbeing.md", small_workspace)
    assert [c["id"] for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    out = nb.cells[-1]["outputs"][0]["data"]["text/plain"]
    assert out == "36"  # distinct persons: 30 at P01 and 6 at P02 (the follow-up are the same people)


def test_scrub_removes_addresses_and_styler_ids():
    import nbformat

    from evaluation.build.execute import scrub

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/plain": "<object at 0x7f3a2b1c>", "text/html": '<style>#T_1a2b3_row0 {}</style><table id="T_1a2b3">'})]
    nb.cells = [cell]
    data = scrub(nb).cells[0].outputs[0]["data"]
    assert data["text/plain"] == "<object at 0x…>"
    assert data["text/html"] == '<style>#T_s0000_row0 {}</style><table id="T_s0000">'
    # the other editions' HTML an output carries (a table made per language), glued ones too
    from analysis.editions import GLUE_PREFIX, MIME

    html = '<table id="T_9f8e7">'
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": html, MIME: {"nl": {"text/html": html}, "fr": {"text/html": '<table id="T_55555">'}},
        GLUE_PREFIX + MIME: {"nl": {"text/html": '<table id="T_66666">'}}})]
    data = scrub(nb).cells[0].outputs[0]["data"]
    assert data["text/html"] == data[MIME]["nl"]["text/html"] == '<table id="T_s0000">'
    assert data[MIME]["fr"]["text/html"] == '<table id="T_s0001">'
    assert data[GLUE_PREFIX + MIME]["nl"]["text/html"] == '<table id="T_s0002">'


def test_a_dying_kernel_is_reported_with_what_it_said(tmp_path):
    chapter = tmp_path / "dies.md"
    chapter.write_text("---\nkernelspec: {display_name: Python 3, language: python, name: python3}\n---\n# Dies\n\n"
                       "```{code-cell} ipython3\nimport os, sys\n"
                       "print('the last words', file=sys.__stderr__, flush=True)\nos._exit(3)\n```\n",
                       encoding="utf-8")
    with pytest.raises(ChapterFailed) as err:
        execute_chapter(chapter, tmp_path / "ws")
    assert "the last words" in str(err.value)
    assert "without encryption" not in str(err.value)
