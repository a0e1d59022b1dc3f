"""A matplotlib figure in each edition's language: its words through the label catalogue, its numbers
written the language's way.

A chapter draws its figure once, in English (``ax.set_title("Not yet reoffended")``). For the Dutch and
French editions :func:`figure_svg` re-renders the same figure with every text artist -- titles, axis
labels, legend entries, annotations, tick labels (category names, the numbers of a scalar axis: ``0.2``
becomes ``0,2``) -- put through :func:`analysis.reader.label` (the catalogue ``analysis/labels.yaml``)
and :func:`analysis.editions.localise_numbers` (Babel), and then restores the figure exactly. A text
with words and no catalogue entry stays English and is returned as untranslated: the book's build lists
it and fails, as it does for a table label.

The texts are swapped on the drawn figure rather than the figure being drawn three times by the chapter:
chapters stay thin, and every figure in the book is covered without its author doing anything.

A line with no entry of its own may be a composite that :func:`translate_text` puts together from entries
(tried in this order; a composite is translated only when every part is):

* a number template -- the line with each number (``0.667``, ``42%``) replaced by ``{n}`` has an entry
  (``"threshold {n}"``): its text in the language, the numbers put back in order, written the language's
  way (``"seuil 0,667"``);
* a prison code and a label -- ``"P01 comparison"``: the code as drawn, the label translated;
* a label and a trailing parenthetical with a number -- ``"Pathways into the role  (42% mention it)"``:
  each part translated as its own text.
"""

from __future__ import annotations

import io
import re

__all__ = ["figure_svg", "translate_text"]


#: A number as the chapters draw it: ``3``, ``0.667``, ``1,234``, ``42%`` (not the ``5`` of ``WHO-5``).
_NUMBER = re.compile(r"(?<![\w.,\-−])[+\-−]?\d+(?:,\d{3})*(?:\.\d+)?%?(?![\w.,]\d|\w)")
#: A prison code followed by a label (``"P01 comparison"``).
_SITE = re.compile(r"^(P\d+)(\s+)(\S.*)$")
#: A label followed by a parenthetical holding a number (``"(all codes)  (42% mention it)"``).
_PARENTHETICAL = re.compile(r"^(.*\S)(\s+)\(([^()]*\d[^()]*)\)$")


def translate_text(text: str, language: str, missing: list[str] | None = None) -> str:
    """``text`` (one figure text, possibly several lines) for ``language``; a line with words and no
    translation (an entry of its own or a composite of entries, see the module docstring) is kept in
    English (its numbers re-written) and appended to ``missing``."""
    from .editions import localise_numbers

    if language == "en" or not text or not text.strip():
        return text
    out = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        translated = _translate_line(core, language)
        if translated is None:
            if missing is not None and core not in missing:
                missing.append(core)
            translated = localise_numbers(core, language)
        out.append(line.replace(core, translated))
    return "\n".join(out)


def _translate_line(core: str, language: str) -> str | None:
    """One stripped line in ``language``, or ``None`` when it has words the catalogue cannot give."""
    from .editions import localise_numbers
    from .reader import _entry, _needs_words, complete_label

    translated = complete_label(core, language)  # an entry, or a composite whose every part has one
    if translated is not None and _needs_words(core):
        return translated
    if not _needs_words(core):
        return localise_numbers(core, language)
    numbers = _NUMBER.findall(core)
    if numbers:  # a number template: "threshold {n}"
        entry = _entry(_NUMBER.sub("{n}", core))
        if entry and entry.get(language) and entry[language].count("{n}") == len(numbers):
            values = iter(localise_numbers(n, language) for n in numbers)
            return re.sub(r"\{n\}", lambda _: next(values), entry[language])
    site = _SITE.match(core)
    if site:  # "P01 comparison"
        rest = _translate_line(site.group(3), language)
        return None if rest is None else site.group(1) + site.group(2) + rest
    parts = _PARENTHETICAL.match(core)
    if parts:  # "Pathways into the role  (42% mention it)"
        head, inner = _translate_line(parts.group(1), language), _translate_line(parts.group(3), language)
        return None if head is None or inner is None else f"{head}{parts.group(2)}({inner})"
    return None


def _translated_formatter(inner, language: str, missing: list[str]):
    """A tick formatter that writes ``inner``'s labels in ``language`` (matplotlib calls ``format_ticks``
    when it draws; ``inner`` keeps its own state and axis)."""
    from matplotlib.ticker import Formatter

    class Translated(Formatter):
        def format_ticks(self, values):
            return [translate_text(t, language, missing) for t in inner.format_ticks(values)]

        def __call__(self, x, pos=None):
            return translate_text(inner(x, pos), language, missing)

        def get_offset(self):
            return translate_text(inner.get_offset(), language, missing)

    return Translated()


def figure_svg(fig, language: str) -> tuple[str, list[str]]:
    """The figure ``fig`` as SVG text with its words in ``language``, and the texts that had no
    translation; ``fig`` is left as it was."""
    from matplotlib.text import Text

    missing: list[str] = []
    texts = []
    axes_formatters = []
    try:
        for ax in fig.get_axes():
            for axis in (ax.xaxis, ax.yaxis):
                inner = axis.get_major_formatter()
                axes_formatters.append((axis, inner))
                axis.set_major_formatter(_translated_formatter(inner, language, missing))
        ticks = {id(t) for ax in fig.get_axes() for axis in (ax.xaxis, ax.yaxis)
                 for tick in axis.get_major_ticks() + axis.get_minor_ticks() for t in (tick.label1, tick.label2)}
        for artist in fig.findobj(Text):
            if id(artist) in ticks:
                continue
            original = artist.get_text()
            new = translate_text(original, language, missing)
            if new != original:
                texts.append((artist, original))
                artist.set_text(new)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        return buf.getvalue(), missing
    finally:
        for artist, original in texts:
            artist.set_text(original)
        for axis, inner in axes_formatters:
            axis.set_major_formatter(inner)
