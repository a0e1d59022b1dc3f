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
"""

from __future__ import annotations

import io

__all__ = ["figure_svg", "translate_text"]


def translate_text(text: str, language: str, missing: list[str] | None = None) -> str:
    """``text`` (one figure text, possibly several lines) for ``language``; a line with words and no
    catalogue entry is kept in English (its numbers re-written) and appended to ``missing``."""
    from .editions import localise_numbers
    from .reader import _entry, _needs_words, label, looks_like_identifier

    if language == "en" or not text or not text.strip():
        return text
    out = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        entry = _entry(core) or (_entry(core.replace("_", " ")) if looks_like_identifier(core) else None)
        if entry and entry.get(language):
            out.append(line.replace(core, entry[language]))
            continue
        translated = label(core, language)
        if translated != core and translated != core.replace("_", " "):
            out.append(line.replace(core, translated))
            continue
        if _needs_words(core) and missing is not None and core not in missing:
            missing.append(core)
        out.append(line.replace(core, localise_numbers(core, language)))
    return "\n".join(out)


class _Translated:
    """A tick formatter that writes its inner formatter's labels in ``language`` (matplotlib calls
    ``format_ticks`` when it draws; the inner formatter keeps its own state and axis)."""

    def __init__(self, inner, language: str, missing: list[str]):
        from matplotlib.ticker import Formatter

        class _Formatter(Formatter):
            def format_ticks(_self, values):  # noqa: N805 - the wrapper's own self is `self`
                return [translate_text(t, language, missing) for t in inner.format_ticks(values)]

            def __call__(_self, x, pos=None):  # noqa: N805
                return translate_text(inner(x, pos), language, missing)

            def get_offset(_self):  # noqa: N805
                return translate_text(inner.get_offset(), language, missing)

        self.formatter = _Formatter()


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
                axis.set_major_formatter(_Translated(inner, language, missing).formatter)
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
