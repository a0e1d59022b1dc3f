"""What each edition lacks in its language, listed by the build; what must be translated, enforced.

Two sources, per edition other than English:

* the Sphinx extension ``book/_ext/editions.py`` lists the page messages without a translation in
  ``book/locales/<lang>/LC_MESSAGES/<page>.po`` (``untranslated-<lang>.json`` beside the edition's
  site): headings and table or figure captions apart from running text;
* the reader-prepared notebooks (:mod:`.readers`) list the kernel's multilingual values (results'
  tables and captions, glued numbers and phrases, key findings) that lack the edition's language.

The build writes the whole list to ``<workspace>/book/_build/untranslated.txt``, prints per edition
how many messages are untranslated and the first few, and fails (:class:`UntranslatedError`, a
message, never a traceback) when a heading, a caption or a multilingual value lacks its translation.
Running text may stay untranslated for a while: it is listed, not fatal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["UntranslatedError", "EditionGaps", "UntranslatedReport", "untranslated_report", "UNTRANSLATED_FILE"]

UNTRANSLATED_FILE = "untranslated.txt"
_FIRST = 5


class UntranslatedError(RuntimeError):
    """A heading, a caption or a multilingual value lacks its translation in an edition."""


@dataclass
class EditionGaps:
    """One edition's missing translations: ``headings`` and ``outputs`` block the build, ``messages`` do not."""

    language: str
    headings: list[tuple[str, str, str]] = field(default_factory=list)  # (page, kind, msgid)
    messages: list[tuple[str, str]] = field(default_factory=list)  # (page, msgid)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (page, which value)

    @property
    def count(self) -> int:
        return len(self.headings) + len(self.messages) + len(self.outputs)


@dataclass
class UntranslatedReport:
    editions: list[EditionGaps]

    @property
    def blocking(self) -> bool:
        return any(e.headings or e.outputs for e in self.editions)

    def summary(self) -> list[str]:
        out = []
        for e in self.editions:
            if not e.count:
                out.append(f"  translations ({e.language}): complete")
                continue
            first = [m for _p, m in e.messages[:_FIRST]] or [m for _p, _k, m in e.headings[:_FIRST]]
            shown = "; ".join(" ".join(m.split())[:50] for m in first)
            out.append(f"  translations ({e.language}): {len(e.headings)} heading(s)/caption(s), "
                       f"{len(e.messages)} text message(s), {len(e.outputs)} value(s) untranslated"
                       + (f" — first: {shown}" if shown else ""))
        return out

    def blocking_text(self) -> str:
        lines = ["headings, captions and labelled values must be translated in every edition:"]
        for e in self.editions:
            for page, kind, msgid in e.headings:
                lines.append(f"  {e.language}: {page}: {kind} {' '.join(msgid.split())[:100]!r} has no translation "
                             f"in book/locales/{e.language}/LC_MESSAGES/{page}.po")
            for page, what in e.outputs:
                lines.append(f"  {e.language}: {page}: {what} has no {e.language} text (analysis.editions: give "
                             "every language)")
        lines.append("Translate them (msgstr) and build again; the whole list is in book/_build/"
                     f"{UNTRANSLATED_FILE} (set PEER_EVAL_UNTRANSLATED=report to build anyway).")
        return "\n".join(lines)

    def text(self) -> str:
        out = []
        for e in self.editions:
            out.append(f"# {e.language}: {e.count} untranslated")
            out += [f"{page}\t{kind}\t{' '.join(m.split())}" for page, kind, m in e.headings]
            out += [f"{page}\tvalue\t{what}" for page, what in e.outputs]
            out += [f"{page}\ttext\t{' '.join(m.split())}" for page, m in e.messages]
        return "\n".join(out) + "\n"


def _outputs(src: Path) -> list[tuple[str, str]]:
    """(page, value) for every multilingual output an assembled notebook lists as lacking its language."""
    from .readers import UNTRANSLATED_KEY

    out = []
    for nb in sorted(Path(src).rglob("*.ipynb")):
        if "_build" in nb.parts:
            continue
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {}).get("peer_eval", {})
        out += [(nb.relative_to(src).with_suffix("").as_posix(), what) for what in meta.get(UNTRANSLATED_KEY) or []]
    return out


def untranslated_report(ws, cache, sources: dict[str, Path]) -> UntranslatedReport:
    """The report over every edition but English (see the module docstring)."""
    editions = []
    for lang, src in sources.items():
        if lang == "en":
            continue
        gaps = EditionGaps(lang, outputs=_outputs(src))
        found = cache.root / f"build-{lang}" / "_build" / f"untranslated-{lang}.json"
        pages = json.loads(found.read_text(encoding="utf-8")) if found.is_file() else {}
        for page, entry in pages.items():
            gaps.headings += [(page, h["kind"], h["msgid"]) for h in entry.get("headings", [])]
            gaps.messages += [(page, m["msgid"]) for m in entry.get("messages", [])]
        editions.append(gaps)
    return UntranslatedReport(editions)
