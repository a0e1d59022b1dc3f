"""Sphinx extension: every page of the report made for readers (not programmers), on any screen.

On each page's body (``html-page-context``), whatever chapter wrote it:

* p-values never read ``p = 0.000``: written ``p < 0.001`` (also when glued);
* in the Dutch and French editions, a glued number the prose formats itself
  (``{glue:text}`x:.2f```) is written with a decimal comma (Babel);
* an empty table header cell gets a text for screen readers (axe
  ``empty-table-header``);
* a cell tagged ``lang-nl`` / ``lang-fr`` / ``lang-en`` (in the chapter:
  ``:tags: [lang-nl]``) carries ``lang="nl"`` … so screen readers and
  search read the passage in its language;
* a cell's table output, and a figure, scroll sideways inside their own
  container on a phone (keyboard-focusable, named by the table's caption or
  the figure's alt text), not the page;
* a prose table (a Markdown table: the assumptions and their ratings)
  stacks on a phone — one block per row, each cell with its column's
  header — so every column, the rating included, is on screen;
* the theme's buttons whose accessible name differs from their visible text
  (the search button "Search" showing "Search Ctrl+K") are named by what
  they show (axe ``label-content-name-mismatch``).

``static/peer-eval-readers.css`` styles notes, quotes, captions and figures,
and hides everything a printed page does not need.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

__all__ = ["for_readers_html", "setup"]

_P_ZERO = re.compile(r"\b(p)\s*(?:=|&#61;)\s*0[.,]000\d*(?![\d.,]*\d)")
# a glued p-value written by the prose's format spec ({glue:text}`x_p:.3f`): "p = <span>0.000</span>"
_P_ZERO_PASTED = re.compile(r'\b(p)\s*(?:=|&#61;)\s*(<span class="pasted-text">)0[.,]000\d*(</span>)')
# a glued bare number (written by Python, English style): in the Dutch and French editions, Babel's writing
_PASTED_NUMBER = re.compile(r'(<span class="pasted-text">)([+\-]?)(\d+)(?:\.(\d+))?(</span>)')
_LOCALES = {"nl": "nl_BE", "fr": "fr_BE"}


def _pasted_numbers(body: str, language: str) -> str:
    """Glued numbers the prose formats itself, written the way ``language`` writes numbers (Babel)."""
    if language not in _LOCALES:
        return body
    from babel.numbers import format_decimal

    from analysis.editions import VERSION_BEFORE

    def fix(m: re.Match) -> str:
        if VERSION_BEFORE.search(body[max(0, m.start() - 120):m.start()]):  # "Versie 1.0": a version
            return m.group(0)
        decimals = m.group(4) or ""
        value = float(f"{m.group(3)}.{decimals}" if decimals else m.group(3))
        text = format_decimal(value, format="0" + ("." + "0" * len(decimals) if decimals else ""),
                              locale=_LOCALES[language])
        return f"{m.group(1)}{m.group(2)}{text}{m.group(5)}"

    return _PASTED_NUMBER.sub(fix, body)
#: The words a screen reader says for an empty header cell, per edition.
_EMPTY_HEADER = {"en": "(label)", "nl": "(label)", "fr": "(libellé)"}
_EMPTY_TH = re.compile(r"(<th\b[^>]*>)(?:\s|&nbsp;|&#160;)*(</th>)")
_LANG_CELL = re.compile(r'<div class="cell([^"]*)\btag_lang-(nl|fr|en|de)\b([^"]*)"')
_OUTPUT_HTML = re.compile(r'<div class="output text_html">(\s*(?:<div[^>]*>\s*)*)(<table|<style)')
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FIGURE = re.compile(r'(<div class="cell_output[^"]*">\s*)(<img\b[^>]*?alt="([^"]*)"[^>]*?src="[^"]+\.svg"[^>]*>)')
_ARIA_BUTTON = re.compile(r'(<button\b[^>]*?)\s+aria-label="([^"]*)"([^>]*>)(.*?)(</button>)', re.S)


def _scroll_containers(body: str) -> str:
    out, pos = [], 0
    for m in _OUTPUT_HTML.finditer(body):
        rest = body[m.end():m.end() + 4000]
        cap = _CAPTION.search(rest)
        name = html.escape(_TAG.sub("", cap.group(1)).strip(), quote=True) if cap else "table"
        out.append(body[pos:m.start()])
        out.append(f'<div class="output text_html reader-scroll" tabindex="0" role="region" aria-label="{name}">'
                   f"{m.group(1)}{m.group(2)}")
        pos = m.end()
    out.append(body[pos:])
    return "".join(out)


def _name_buttons_by_their_text(page: str) -> str:
    def fix(m: re.Match) -> str:
        visible = " ".join(_TAG.sub(" ", m.group(4)).split())
        label = m.group(2)
        if visible and label and not visible.lower().startswith(label.lower()) and label.lower() not in visible.lower():
            return m.group(0)  # a name unrelated to the text: leave it (axe judges that case as a mismatch too)
        if visible and label.lower() != visible.lower():
            # the accessible name starts with the visible text (WCAG 2.5.3 "label in name")
            return f'{m.group(1)} aria-label="{html.escape(visible, quote=True)}"{m.group(3)}{m.group(4)}{m.group(5)}'
        return m.group(0)

    return _ARIA_BUTTON.sub(fix, page)


def _stack_on_phone(body: str) -> str:
    if '<table class="table' not in body:
        return body
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    changed = False
    for table in soup.select("table.table"):
        if table.find_parent(class_="cell_output"):
            continue
        heads = [" ".join(th.get_text(" ", strip=True).split()) for th in table.select("thead th")]
        if not heads:
            continue
        for tr in table.select("tbody tr"):
            for i, td in enumerate(tr.find_all(["td", "th"], recursive=False)):
                if i < len(heads) and heads[i]:
                    td["data-label"] = heads[i]
        table["class"] = [*table.get("class", []), "reader-stack"]
        changed = True
    return str(soup) if changed else body


def for_readers_html(body: str, language: str = "en") -> str:
    """The page body after the reader fixes listed in the module docstring (numbers written for ``language``)."""
    body = _stack_on_phone(body)
    point = "." if language in ("en", None, "") else ","
    body = _P_ZERO.sub(rf"\1 &lt; 0{point}001", body)
    body = _P_ZERO_PASTED.sub(rf"\1 \2&lt; 0{point}001\3", body)
    body = _pasted_numbers(body, language)
    body = _EMPTY_TH.sub(rf'\1<span class="visually-hidden">{_EMPTY_HEADER.get(language, "(label)")}</span>\2', body)
    body = _LANG_CELL.sub(lambda m: f'<div lang="{m.group(2)}" class="cell{m.group(1)}tag_lang-{m.group(2)}{m.group(3)}"',
                          body)
    body = _FIGURE.sub(lambda m: f'{m.group(1)}<div class="reader-figure" tabindex="0" role="region" '
                              f'aria-label="{m.group(3)[:200]}">{m.group(2)}</div>', body)
    return _scroll_containers(body)


def _on_page(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = for_readers_html(context["body"], app.config.language or "en")


def _on_finished(app, exception):
    """Theme markup outside the body (header buttons) is fixed in the written files."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = _name_buttons_by_their_text(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _static(app):
    app.config.html_static_path.append(str(Path(__file__).with_name("static")))


def setup(app):
    app.connect("builder-inited", _static)
    app.add_css_file("peer-eval-readers.css")
    app.connect("html-page-context", _on_page)
    app.connect("build-finished", _on_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
