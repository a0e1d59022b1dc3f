"""Disclosure by construction: a chapter cannot show a table of counts that skipped disclosure control."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from analysis.disclosure import DisclosureError, DisclosurePolicy, not_person_level, protect_table
from evaluation.build import ChapterFailed, build_book, execute_chapter
from evaluation.build.display_guard import check_displayable, count_columns, install

from .test_build import frame_book  # noqa: F401  (fixture)

CROSSTAB_CHAPTER = """---
jupytext: {text_representation: {extension: .md, format_name: myst}}
kernelspec: {display_name: Python 3, language: python, name: python3}
peer_eval:
  loads: [staff]
---
# Staff (a careless new chapter)

```{code-cell} ipython3
import pandas as pd
from evaluation.book import context
ctx = context()
staff = ctx.responses("staff")
```

```{code-cell} ipython3
pd.crosstab(staff["site"], staff["role_clear"])
```
"""

PROTECTED_CHAPTER = CROSSTAB_CHAPTER.replace(
    'pd.crosstab(staff["site"], staff["role_clear"])',
    'from analysis.disclosure import DisclosurePolicy, person_counts, protect_table\n'
    'policy = DisclosurePolicy.from_mapping(ctx.disclosure)\n'
    'counts = person_counts(staff.assign(role_clear=staff["role_clear"].astype(str)), by=["site", "role_clear"])\n'
    'protect_table(counts, row="site", col="role_clear", count="n_persons", policy=policy, name="Role clarity").to_styler()')


def test_count_columns_finds_what_crosstab_value_counts_and_size_give():
    df = pd.DataFrame({"site": ["P01", "P01", "P02"], "role": ["a", "b", "a"], "score": [1.5, 2.0, 3.5]})
    assert count_columns(pd.crosstab(df["site"], df["role"])) == ["a", "b"]
    assert count_columns(df["site"].value_counts()) == ["count"]
    assert count_columns(df.groupby("site").size()) == ["values"]
    assert count_columns(df.style) == []  # no counts: strings and means
    assert count_columns(df.groupby("site")["score"].mean()) == []


def test_the_guard_refuses_unmarked_counts_and_lets_protected_and_declared_tables_through():
    shell = InteractiveShell.instance()
    install(shell)
    install(shell)  # twice is harmless
    df = pd.DataFrame({"site": ["P01"] * 12 + ["P02"] * 3, "role": ["a", "b", "a"] * 5})
    crosstab = pd.crosstab(df["site"], df["role"])
    with pytest.raises(DisclosureError, match="protect_table"):
        shell.display_formatter.format(crosstab)
    with pytest.raises(DisclosureError):
        shell.display_formatter.format(crosstab.style)  # a Styler of it too
    with pytest.raises(DisclosureError):
        check_displayable(crosstab.head(1))
    long = crosstab.stack().rename("n").reset_index()
    table = protect_table(long, row="site", col="role", count="n", policy=DisclosurePolicy(threshold=5))
    for shown in (table.to_frame(), table.display_frame(), table.to_styler(), table.to_frame().head(2)):
        check_displayable(shown)
    assert "[c]" in shell.display_formatter.format(table.to_styler())[0]["text/html"]
    versions = pd.DataFrame({"package": ["pandas"], "major": [2]})
    with pytest.raises(DisclosureError):
        check_displayable(versions)
    check_displayable(not_person_level(versions, reason="package versions"))
    with pytest.raises(ValueError, match="reason"):
        not_person_level(versions, reason=" ")
    check_displayable(pd.DataFrame({"hr": [0.8]}))  # no counts: shown
    shell.display_formatter.format(3)  # anything else: untouched


def test_a_chapter_showing_a_raw_crosstab_fails_the_build(small_workspace, frame_book, tmp_path):  # noqa: F811
    chapter = frame_book / "staff.md"
    chapter.write_text(CROSSTAB_CHAPTER, encoding="utf-8")
    with pytest.raises(ChapterFailed) as err:
        execute_chapter(chapter, small_workspace)
    assert err.value.ename == "DisclosureError" and err.value.cell_index == 2  # 0 is the heading
    assert "did not pass disclosure control" in err.value.evalue
    toc = frame_book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace("      - file: methods\n",
                                                           "      - file: methods\n      - file: staff\n"))
    with pytest.raises(ChapterFailed, match="did not pass disclosure control"):
        build_book(small_workspace, book_dir=frame_book, progress=None, output=tmp_path / "site")
    # the same table through protect_table is shown, and the set-up cell is not in the notebook
    chapter.write_text(PROTECTED_CHAPTER, encoding="utf-8")
    nb = execute_chapter(chapter, small_workspace)
    assert [c["id"] for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    assert "display_guard" not in "".join(c["source"] for c in nb.cells)
    html = nb.cells[-1]["outputs"][0]["data"]["text/html"]
    assert "[c]" in html  # four staff at P01: hidden


def test_frames_and_stylers_are_shown_with_labels_in_words():
    shell = InteractiveShell.instance()
    install(shell)
    frame = pd.DataFrame({"hr_lower": [0.5], "p_val": [0.0]}, index=pd.Index(["x"], name="term"))
    html = shell.display_formatter.format(frame)[0]["text/html"]
    assert "hazard ratio, lower 95% limit" in html and "&lt; 0.001" in html and "hr_lower" not in html
    html = shell.display_formatter.format(frame.style)[0]["text/html"]
    assert "hazard ratio, lower 95% limit" in html and ">hr_lower<" not in html


def test_no_raw_repr_and_nothing_for_an_empty_markdown():
    from IPython.display import Markdown

    from evaluation.build.display_guard import RawReprError

    shell = InteractiveShell.instance()
    install(shell)

    class Thing:
        pass

    with pytest.raises(RawReprError, match="means nothing to a reader"):
        shell.display_formatter.format(Thing())
    assert shell.display_formatter.format(Markdown("")) == ({}, {})
    assert "text/markdown" in shell.display_formatter.format(Markdown("* a note"))[0]


def test_a_protected_tables_disclosure_note_in_each_edition():
    import pandas as pd

    from analysis.disclosure import protect_table
    from evaluation.build.display_guard import _styler_editions

    cells = pd.DataFrame({"theme": ["stigma", "stigma", "motivations", "motivations"], "group": ["P01", "P02"] * 2,
                          "n": [24, 3, 12, 15], "share": [.8, .5, .4, 0.2]})
    table = protect_table(cells, row="theme", col="group", count="n", values=["share"], margins=False)
    out = _styler_editions(table.to_styler())
    assert "1 cel met minder dan 10 personen onderdrukt" in out.html["nl"]
    assert "1 cellule de moins de 10 personnes masquée" in out.html["fr"]
    assert not any("note" in w for w in out.untranslated.get("nl", []))
