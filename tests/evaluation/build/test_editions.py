"""The three editions (en at the site's root, nl/ and fr/) from one execution: same numbers, each written
the way its language writes them; a language switcher; <html lang>; untranslated headings and labelled
values fail the build. On a small fixture book with its own catalogues (tests/fixtures/editions_book)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from analysis.editions import Multilingual, number, text
from evaluation.build import build_book
from evaluation.build.book import UntranslatedError
from evaluation.build.chapters import BOOK_DIR
from evaluation.build.readers import for_readers, untranslated_outputs
from evaluation.build.untranslated import UNTRANSLATED_FILE

from .editions_check import page_numbers

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "editions_book"


def _ext(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_ext", BOOK_DIR / "_ext" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _glue_nb(value) -> nbformat.NotebookNode:
    from IPython.core.formatters import format_display_data

    data, _ = format_display_data(value)
    glued = {f"application/papermill.record/{k}": v for k, v in data.items()}
    cell = nbformat.v4.new_code_cell("glue('x', v)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=glued, metadata={"scrapbook": {"name": "x"}})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_each_edition_gets_its_language_and_a_missing_one_is_listed():
    nb = _glue_nb(number(1234.5, decimals=1))
    fr = for_readers(nb, "fr")
    assert fr.cells[0].outputs[0]["data"] == {"application/papermill.record/text/plain": "1\u202f234,5"}
    assert for_readers(nb, "en").cells[0].outputs[0]["data"]["application/papermill.record/text/plain"] == "1,234.5"
    assert untranslated_outputs(fr) == []
    partial = for_readers(_glue_nb(Multilingual({"en": "provisional", "nl": "voorlopig"})), "fr")
    assert len(untranslated_outputs(partial)) == 1 and "provisional" in untranslated_outputs(partial)[0]
    assert untranslated_outputs(for_readers(_glue_nb(text(en="a", nl="b", fr="c")), "fr")) == []


def test_switcher_links_the_same_page_in_the_other_editions():
    links = _ext("editions").switcher_links("sub/page", "nl", ["en", "nl", "fr"],
                                            {"en": "English", "nl": "Nederlands", "fr": "Français"})
    assert [(x["lang"], x["href"], x["current"]) for x in links] == [
        ("en", "../../sub/page.html", False), ("nl", "../../nl/sub/page.html", True),
        ("fr", "../../fr/sub/page.html", False)]
    assert _ext("editions").switcher_links("intro", "en", ["en", "fr"], {})[1]["href"] == "fr/intro.html"


def test_results_and_p_values_are_written_per_language():
    import pandas as pd

    from analysis.editions import select
    from analysis.reader import reader_bundle

    frame = pd.DataFrame({"estimate": [0.25, 1234.5], "p_val": [0.00001, 0.042]})
    bundle = reader_bundle(frame, title="hr")._repr_mimebundle_()
    nl = select(bundle, "nl")["text/html"]
    assert "&lt; 0,001" in nl and "0,25" in nl and "1.234" in nl and "schatting" in nl and "hazardratio" in nl
    assert "<caption>rapport de risques</caption>" in select(bundle, "fr")["text/html"]
    assert reader_bundle(frame, title="A caption in English only").untranslated["fr"] == ["A caption in English only"]
    assert "&lt; 0.001" in bundle["text/html"] and "1,234" in bundle["text/html"]
    lacking = reader_bundle(frame.rename(columns={"estimate": "made up words"}))
    assert lacking.missing == ("nl", "fr") and lacking.untranslated["nl"] == ["made up words"]


def _book(tmp_path: Path) -> Path:
    dest = tmp_path / "book"
    shutil.copytree(FIXTURE, dest)
    shutil.copy(BOOK_DIR / "_config.yml", dest / "_config.yml")
    shutil.copy(BOOK_DIR / "jupytext.toml", dest / "jupytext.toml")
    shutil.copytree(BOOK_DIR / "_ext", dest / "_ext")
    shutil.copytree(BOOK_DIR / "_templates", dest / "_templates")
    return dest


@pytest.mark.slow
def test_three_editions_with_the_same_numbers_and_the_untranslated_rule(small_workspace, tmp_path):
    book = _book(tmp_path)
    log: list[str] = []
    result = build_book(small_workspace, book_dir=book, progress=log.append, untranslated="fail")
    html = result.html
    assert set(result.editions) == {"en", "nl", "fr"}
    for lang in ("en", "nl", "fr"):
        root = html if lang == "en" else html / lang
        assert (root / "numbers.html").is_file(), lang
        soup = BeautifulSoup((root / "numbers.html").read_text(encoding="utf-8"), "lxml")
        assert soup.html["lang"] == lang
        nav = soup.select_one("nav.language-switcher")
        assert nav is not None and nav.get("aria-label")
        links = {a["hreflang"]: a for a in nav.find_all("a")}
        assert set(links) == {"en", "nl", "fr"} - {lang}
        for other, a in links.items():
            assert a["lang"] == other and (root / a["href"]).resolve() == \
                ((html if other == "en" else html / other) / "numbers.html").resolve()
    nl = (html / "nl" / "numbers.html").read_text(encoding="utf-8")
    fr = (html / "fr" / "numbers.html").read_text(encoding="utf-8")
    en = (html / "numbers.html").read_text(encoding="utf-8")
    assert "Getallen in drie talen" in nl and "Des nombres en trois langues" in fr
    assert "12.345,7" in nl and "12\u202f345,7" in fr and "12,345.7" in en and "voorlopig" in nl
    assert "&lt; 0,001" in nl and "&lt; 0.001" in en and "schatting" in nl and "estimation" in fr
    # every number the kernel wrote, the same in the three editions (read back with Babel)
    numbers = {lang: page_numbers(html / ("" if lang == "en" else lang) / "numbers.html", lang)
               for lang in ("en", "nl", "fr")}
    assert numbers["en"] and numbers["en"] == numbers["nl"] == numbers["fr"], numbers
    # the untranslated running text is listed (not fatal): in the build's output and beside the book
    report = (Path(small_workspace) / "book" / "_build" / UNTRANSLATED_FILE).read_text(encoding="utf-8")
    assert "The total is" in report and any("translations (nl): 0 heading(s)" in m for m in log)
    # the footer, banner and PDF link in the edition's language
    assert "Synthetische gegevens" in nl and "Momentopname van de gegevens" in nl and "Données synthétiques" in fr

    # a heading without its translation fails the build, with a message
    po = book / "locales" / "fr" / "LC_MESSAGES" / "numbers.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Un tableau de résultats"', 'msgstr ""'),
                  encoding="utf-8")
    with pytest.raises(UntranslatedError, match=r"fr: numbers: heading 'A table of results'"):
        build_book(small_workspace, book_dir=book, progress=None, untranslated="fail")
    # ... and so does a labelled value lacking a language (a Multilingual without French)
    shutil.copytree(FIXTURE / "locales", book / "locales", dirs_exist_ok=True)
    chapter = book / "numbers.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        'text(en="provisional", nl="voorlopig", fr="provisoire")',
        'Multilingual({"en": "provisional", "nl": "voorlopig"})').replace(
        "import number, text", "import Multilingual, number, text"), encoding="utf-8")
    with pytest.raises(UntranslatedError, match=r"fr: numbers: code cell 1: 'provisional' has no fr text"):
        build_book(small_workspace, book_dir=book, progress=None, untranslated="fail")
    # listed only, when asked
    build_book(small_workspace, book_dir=book, progress=None, untranslated="report")


def test_a_figure_keeps_one_drawing_and_gets_the_alt_text_of_each_language():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evaluation.build.display_guard import describe_figure

    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], label="participants")
    ax.legend()
    ax.set_ylabel("share not yet reoffended")
    alts = {lang: describe_figure(fig, lang) for lang in ("en", "nl", "fr")}
    plt.close(fig)
    assert alts["nl"] == "Figuur: aandeel zonder recidive; groepen: deelnemers"
    assert alts["fr"].startswith("Figure : part sans nouvelle infraction")
    cell = nbformat.v4.new_code_cell("fig")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"},
                                           metadata={"image/svg+xml": {"alt": alts["en"], "alt_editions": alts}})]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert for_readers(nb, "nl").cells[0].metadata["mystnb"]["image"]["alt"] == alts["nl"]
    assert for_readers(nb, "en").cells[0].metadata["mystnb"]["image"]["alt"] == alts["en"]


@pytest.mark.slow
def test_the_demo_editions_show_the_same_numbers_with_lang_and_switcher(demo_book):
    """Every chapter page of the session's demo build: the kernel's numbers (outputs, glued values) are the
    same in the three editions once read back with each language's Babel parser; <html lang> and the
    switcher's links carry the edition's and the target's language."""
    _ws, result = demo_book
    html = result.html
    chapters = [p for p in result.editions["en"] if p not in ("index.html", "genindex.html", "search.html")]
    assert chapters and all(f"nl/{p}" in result.editions["nl"] and f"fr/{p}" in result.editions["fr"]
                            for p in chapters)
    differ = {}
    for page in chapters:
        numbers = {lang: page_numbers(html / ("" if lang == "en" else lang) / page, lang) for lang in ("en", "nl", "fr")}
        for lang in ("nl", "fr"):
            if numbers[lang] != numbers["en"]:
                only_en = numbers["en"] - numbers[lang]
                only_other = numbers[lang] - numbers["en"]
                differ[f"{lang}/{page}"] = (sorted(only_en.items())[:6], sorted(only_other.items())[:6])
        for lang in ("en", "nl", "fr"):
            soup = BeautifulSoup((html / ("" if lang == "en" else lang) / page).read_text(encoding="utf-8"), "lxml")
            assert soup.html["lang"] == lang, (lang, page)
            links = soup.select("nav.language-switcher a[hreflang]")
            assert sorted(a["hreflang"] for a in links) == sorted({"en", "nl", "fr"} - {lang}), (lang, page)
            assert all(a["lang"] == a["hreflang"] for a in links)
    assert differ == {}, differ
