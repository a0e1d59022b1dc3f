"""The executed chapters as readers see them: no program output, figures described.

Applied by :func:`evaluation.build.sphinx.assemble` to a copy of every
executed notebook (the cached notebooks, and what chapter authors' tests
read through ``execute_chapter``, are left as the kernel wrote them):

* text a cell *prints* (``print(format_remarks(...))``, quotes) is not shown
  as monospace program output but as HTML that wraps: numbered remarks
  (``[1] …``) as a list of notes (without the analyst's notes and code
  hints: ``analysis.reader.reader_remarks``), quoted speech (a line starting with ``“``
  or ``"``, with its ``— speaker`` attribution) as a block quote, a line such
  as ``Theme: x`` as a small heading, anything else as a paragraph;
* what a cell writes to stderr (warnings) is left out of the page;
* the alt text the kernel wrote for a figure (:mod:`.display_guard`) is set
  as the cell's image option, so the page's ``<img alt>`` describes it;
* for the edition ``language`` (``en``, ``nl``, ``fr``), every output that
  carries the three editions' texts (``analysis.editions``: results, glued
  numbers and phrases) shows that language's; one lacking it is listed in
  the notebook's metadata (``peer_eval.untranslated_outputs``), and the
  build fails on it. An output written in English only (Markdown, printed
  remarks, a glued text) keeps its words but has its numbers written the
  edition's way (``analysis.editions.localise_numbers``).
"""

from __future__ import annotations

import copy
import html
import re

import nbformat

__all__ = ["for_readers", "printed_text_as_html", "untranslated_outputs", "UNTRANSLATED_KEY"]

#: The notebook metadata key (under ``peer_eval``) listing outputs that lack the edition's language.
UNTRANSLATED_KEY = "untranslated_outputs"

_BARE_NUMBER = re.compile(r"^[+\-]?(?:\d+\.?\d*(?:[eE][+\-]?\d+)?|nan|inf)$")
_REMARK = re.compile(r"^\[(\d+)\]\s+(.*)$")
_QUOTE = re.compile(r"^\s*[“\"«„](.+?)[”\"»“]\s*(?:[—–-]{1,2}\s*(.+))?$")
_HEADING = re.compile(r"^([A-Z][\w ]{0,40}):\s+(\S.*)$")


def printed_text_as_html(text: str, language: str = "en", missing: list[str] | None = None) -> str:
    """Printed lines as reader HTML (see the module docstring); numbered remarks in ``language`` (the remark
    catalogue), those it has no translation for appended to ``missing``."""
    # the build joins evaluation and analysis (as the page check does): imported here, not at module level
    from analysis.editions import localise_numbers
    from analysis.reader import notes_html, reader_remarks
    from analysis.remark_catalogue import untranslated_remarks

    out: list[str] = []
    remarks: list[str] = []

    def flush() -> None:
        if missing is not None:
            missing.extend(untranslated_remarks(remarks, language))
        kept = reader_remarks(remarks, language)
        remarks.clear()
        if kept:
            out.append(notes_html(kept, "remarks reader-notes"))

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        m = _REMARK.match(line)
        if m:
            remarks.append(m.group(2))
            continue
        flush()
        q = _QUOTE.match(line)
        if q:
            # the speaker's group in words ("peer_worker" -> "peer worker")
            who = f"<footer>— {html.escape(q.group(2).strip().replace('_', ' '))}</footer>" if q.group(2) else ""
            out.append(f'<blockquote class="reader-quote"><p>“{html.escape(q.group(1).strip())}”</p>{who}</blockquote>')
            continue
        line = localise_numbers(line, language)  # (a quote above keeps the speaker's words as they were)
        h = _HEADING.match(line) if not raw.startswith((" ", "\t")) else None
        if h and len(line) < 120:
            out.append(f'<p class="reader-label"><strong>{html.escape(h.group(1))}:</strong> '
                       f"{html.escape(h.group(2))}</p>")
            continue
        out.append(f"<p>{html.escape(line)}</p>")
    flush()
    return f'<div class="reader-text">{"".join(out)}</div>'


def _describe(cell_no: int, data, language: str) -> str:
    """An output named for an author: its cell number, the start of its English text, what lacks a translation."""
    from analysis.editions import GLUE_PREFIX, untranslated

    plain = data.get("text/plain") or data.get(GLUE_PREFIX + "text/plain") or ""
    plain = "".join(plain) if isinstance(plain, list) else str(plain)
    what = untranslated(data, language)
    lacking = f" (no {language} label for: {', '.join(repr(w) for w in what[:8])})" if what else ""
    return f"code cell {cell_no}: {' '.join(plain.split())[:60]!r}{lacking}"


def untranslated_outputs(nb) -> list[str]:
    """The outputs a reader-prepared notebook lists as lacking its edition's language."""
    return list(((nb.get("metadata") or {}).get("peer_eval") or {}).get(UNTRANSLATED_KEY) or [])


def for_readers(nb: nbformat.NotebookNode, language: str = "en") -> nbformat.NotebookNode:
    """A copy of the executed notebook ``nb`` prepared for the reader's page in the edition ``language``
    (see the module docstring)."""
    from analysis.editions import GLUE_PREFIX, is_multilingual, lacks, localise_numbers, select

    nb = copy.deepcopy(nb)
    missing: list[str] = []
    code_no = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        code_no += 1
        outputs = []
        alt = None
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                if out.get("name") == "stderr":
                    continue
                text = out.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                if text.strip():
                    lacking: list[str] = []
                    page = printed_text_as_html(text, language, lacking)
                    if lacking:
                        missing.append(f"code cell {code_no}: printed text (no {language} translation for: "
                                       f"{', '.join(lacking[:8])})")
                    text = localise_numbers(text, language)  # (other printed words stay as the analysis wrote them)
                    outputs.append(nbformat.v4.new_output(
                        "display_data", data={"text/html": page, "text/plain": text}))
                continue
            for meta in (out.get("metadata") or {}).values():
                if isinstance(meta, dict) and meta.get("alt") and alt is None:
                    alt = str((meta.get("alt_editions") or {}).get(language) or meta["alt"])
            data = out.get("data")
            if data and is_multilingual(data):
                if lacks(data, language):
                    missing.append(_describe(code_no, data, language))
                out["data"] = select(data, language)
            elif data and language != "en":  # Markdown an analysis wrote in English: its numbers at least
                for mime in ("text/markdown", GLUE_PREFIX + "text/markdown", GLUE_PREFIX + "text/plain"):
                    if isinstance(data.get(mime), (str, list)):
                        value = data[mime]
                        value = "".join(value) if isinstance(value, list) else value
                        if mime.endswith("text/plain") and _BARE_NUMBER.match(value.strip()):
                            continue  # a glued number: the prose may format it ({glue:text}`x:.2f`), Python's way
                        data[mime] = localise_numbers(value, language)
            outputs.append(out)
        cell["outputs"] = outputs
        if alt:
            cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    peer = nb.metadata.setdefault("peer_eval", {})
    peer["edition"] = language
    if missing:
        peer[UNTRANSLATED_KEY] = missing
    else:
        peer.pop(UNTRANSLATED_KEY, None)
    return nb
