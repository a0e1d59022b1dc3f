"""Disclosure by construction: the chapter kernel refuses to show an unprotected table of counts.

Every chapter is executed with this guard installed first (by
:func:`evaluation.build.execute.execute_notebook`, through a set-up cell
that is removed from the executed notebook). It wraps the kernel's
``display_formatter.format`` — the one function through which the last
expression of a cell, ``display(...)`` and ``myst_nb.glue(...)`` turn an
object into what the page shows — and raises
``analysis.disclosure.DisclosureError`` (so the cell, the chapter and the
build fail) when the object is a pandas ``DataFrame``, ``Series`` or
``Styler`` that

* has a column of counts (integer values: what ``crosstab``,
  ``value_counts``, ``groupby().size()`` and ``count`` give), and
* carries no disclosure mark: not returned by
  ``analysis.disclosure.protect_table`` (``to_frame``, ``display_frame``,
  ``to_styler``) and not declared with
  ``analysis.disclosure.not_person_level(frame, reason=...)``.

Analysis result objects (``analysis.results.Result``) are displayed through
their own representation; protecting what they count is the analysis's job.

For readers, the same set-up also

* draws figures as SVG (sharp at any zoom, text a screen reader can reach)
  and gives each one an alt text made from its titles, axis labels and
  legend (:func:`describe_figure`), carried in the output's metadata
  (``image/svg+xml`` -> ``alt``) to the page by the build;
* shows a pandas ``DataFrame``/``Series`` the way results are shown
  (``analysis.reader``: labels in words, p-values as "< 0.001", counts as
  whole numbers) and labels a ``Styler``'s (and a protected table's) column
  and row labels in words — in the three editions' languages
  (``analysis.editions.Multilingual``: the label catalogue per language,
  numbers written as text re-written by Babel, :func:`relocalise`);
* shows nothing for an empty ``Markdown``/``HTML`` object (instead of its
  ``<IPython.core.display.Markdown object>`` repr), and refuses an object
  whose only display is its default repr (``<x.Y object at 0x…>``): a
  reader's page never shows program output of that kind.
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["install", "check_displayable", "count_columns", "describe_figure", "GUARD_SOURCE", "GUARD_CELL_ID",
           "RawReprError"]

_RAW_REPR = re.compile(r"^<[^\s<>][^\s]*(?: object(?: at 0x[0-9a-fA-F…]+)?| at 0x[0-9a-fA-F…]+)>$")


class RawReprError(TypeError):
    """A cell displays an object that has no display for readers (only its default repr)."""


_FIGURE_WORDS = {
    "en": ("Figure: ", "Figure (described in the text around it)", "{y} against {x}", "groups: "),
    "nl": ("Figuur: ", "Figuur (beschreven in de tekst eromheen)", "{y} tegenover {x}", "groepen: "),
    "fr": ("Figure : ", "Figure (décrite dans le texte qui l’entoure)", "{y} en fonction de {x}", "groupes : "),
}


def describe_figure(fig, language: str = "en") -> str:
    """An alt text for a matplotlib figure: its titles, axis labels and legend entries, in words, in
    ``language`` (the figure's own words through the label catalogue where it has them)."""
    words = _FIGURE_WORDS.get(language, _FIGURE_WORDS["en"])
    if language == "en":
        def tr(t):
            return t
    else:
        from analysis.reader import label

        def tr(t):
            return label(t.strip(), language) if t and t.strip() else t
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(tr(suptitle.get_text().strip()))
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison and not ax.get_title():
            continue
        bits = []
        title = " ".join(tr(t) for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t.strip())
        if title:
            bits.append(title.strip())
        y, x = tr(ax.get_ylabel().strip()), tr(ax.get_xlabel().strip())
        if y and x:
            bits.append(words[2].format(y=y, x=x))
        elif y or x:
            bits.append(y or x)
        legend = ax.get_legend()
        labels = [tr(t.get_text()) for t in legend.get_texts()] if legend is not None else []
        if labels:
            bits.append(words[3] + ", ".join(labels))
        if bits:
            parts.append("; ".join(bits))
    text = ". ".join(dict.fromkeys(p for p in parts if p))
    return (words[0] + text) if text else words[1]

def _figure_editions(fig, alts: dict[str, str]) -> dict:
    """The figure's Dutch and French drawings (:func:`analysis.figure_editions.figure_svg`) as the editions
    entry of its output; texts without a translation are listed there (the build fails on them)."""
    from analysis.editions import LANGUAGES, MIME, UNTRANSLATED
    from analysis.figure_editions import figure_svg

    entry, lacking = {}, {}
    for lang in LANGUAGES[1:]:
        svg, missing = figure_svg(fig, lang)
        entry[lang] = {"image/svg+xml": svg, "text/plain": alts.get(lang, alts["en"])}
        if missing:
            lacking[lang] = [f"figure text {t!r}" for t in missing]
    if lacking:
        entry[UNTRANSLATED] = lacking
    return {MIME: entry}


#: Source of the set-up cell the build runs before a chapter's first cell.
GUARD_SOURCE = "from evaluation.build.display_guard import install as _peer_eval_guard\n_peer_eval_guard()\ndel _peer_eval_guard"
#: Id of that cell (removed from the executed notebook).
GUARD_CELL_ID = "peer-eval-display-guard"


def _is_count_series(values) -> bool:
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if pd.api.types.is_integer_dtype(dtype):
        return True
    if pd.api.types.is_float_dtype(dtype):
        return False  # means, rates, hazard ratios … (a count that became a float is still caught by the page check)
    if dtype == object:
        nonnull = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
        return bool(nonnull) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in nonnull)
    return False


def count_columns(obj: Any) -> list[str]:
    """Names of the columns of ``obj`` (DataFrame, Series or Styler) that hold counts."""
    import pandas as pd

    frame = getattr(obj, "data", obj) if not isinstance(obj, (pd.DataFrame, pd.Series)) else obj
    if isinstance(frame, pd.Series):
        return [str(frame.name if frame.name is not None else "values")] if _is_count_series(frame) else []
    if isinstance(frame, pd.DataFrame):
        out = []
        for i in range(frame.shape[1]):
            if _is_count_series(frame.iloc[:, i]):
                col = frame.columns[i]
                out.append(" / ".join(map(str, col)) if isinstance(col, tuple) else str(col))
        return out
    return []


def _is_table(obj: Any) -> bool:
    pd = sys.modules.get("pandas")
    if pd is None:
        return False
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return True
    styler = sys.modules.get("pandas.io.formats.style")
    return styler is not None and isinstance(obj, styler.Styler)


def check_displayable(obj: Any) -> None:
    """Raise ``DisclosureError`` if ``obj`` is an unmarked pandas table with counts (see the module)."""
    if not _is_table(obj):
        return
    from analysis.disclosure import DisclosureError, disclosure_mark

    if disclosure_mark(obj):
        return
    counts = count_columns(obj)
    if not counts:
        return
    shown = ", ".join(repr(c) for c in counts[:6]) + (" …" if len(counts) > 6 else "")
    raise DisclosureError(
        f"this table has counts ({shown}) and did not pass disclosure control, so the book will not show it. "
        "Pass it through analysis.disclosure.protect_table(...) and display the result (or its .to_styler()); "
        "if it counts no persons, declare it with analysis.disclosure.not_person_level(table, reason='...').")


class _ReaderTable:
    """A pandas frame as readers see it (``analysis.reader.reader_html``) in the three editions' languages;
    plain text for the notebook."""

    def __init__(self, frame):
        self.frame = frame

    def _repr_html_(self) -> str:
        from analysis.reader import reader_html

        return reader_html(self.frame)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from analysis.reader import reader_bundle

        data = reader_bundle(self.frame)._repr_mimebundle_()
        data["text/plain"] = self.frame.to_string()
        return data

    def __repr__(self) -> str:
        return self.frame.to_string()


def relocalise(value: Any, language: str) -> Any:
    """A number written in English as text re-written for ``language`` (``analysis.editions.relocalise``)."""
    from analysis.editions import relocalise as _relocalise

    return _relocalise(value, language)


_NEUTRAL_COLUMN = re.compile(r"\b(?:version|versie|seed|sha(?:-?256)?|commit|hash)\b", re.IGNORECASE)


def _cell_words(text: str, language: str) -> str:
    """A text cell in ``language``: a label of the catalogue, else a sentence of the remark catalogue (a note
    such as "not estimated: fewer than 10 of a group followed to day 365"), else as written."""
    from analysis.reader import label
    from analysis.remark_catalogue import translate_remark

    words = label(text, language)
    if words == text and language != "en" and " " in text:
        words = translate_remark(text, language) or text
    return words


def _is_bool(v: Any) -> bool:
    return type(v).__name__ in ("bool", "bool_")


def _yes_no(v: Any, language: str) -> str:
    from analysis.reader import YES_NO

    return YES_NO.get(language, YES_NO["en"])[bool(v)]


def _note_in(note: str, parts, language: str) -> tuple[str, list[str]]:
    """A table's disclosure note in ``language``: each of its remarks (``parts``) through the remark catalogue,
    joined as :meth:`ProtectedTable.note` joins them; what has no translation, named for the build."""
    from analysis.editions import localise_numbers
    from analysis.reader import label
    from analysis.remark_catalogue import translate_remark

    whole = label(note, language)
    if whole != note or not parts:
        return whole, ([] if whole != note else [f"note {note!r}"])
    out, lacking = [], []
    for part in parts:
        text = translate_remark(part, language)
        if text is None:
            lacking.append(f"note {part!r}")
            text = localise_numbers(part, language)
        out.append(text if text.endswith(".") else text + ".")
    return " ".join(out), lacking


def _localised_cell(text: Any, language: str) -> Any:
    from analysis.editions import localise_numbers

    return localise_numbers(text, language) if isinstance(text, str) else relocalise(text, language)


def _styler_editions(obj: Any, *, wrap: str = "{}") -> Any:
    """A pandas Styler in the three editions' languages: labels through the label catalogue, numbers written
    as text re-written by Babel, the caption translated; a language lacking a label is left out (the build
    then fails on it)."""
    from analysis.editions import LANGUAGES, Multilingual
    from analysis.reader import label, untranslated_labels

    pages, lacking = {}, {}
    caption = obj.caption if isinstance(getattr(obj, "caption", None), str) else None
    for lang in LANGUAGES:
        data = obj.data if hasattr(obj, "data") else None
        lacking[lang] = untranslated_labels(data, caption, lang) if data is not None else []
        st = obj._copy(deepcopy=True)
        st.reader_note = getattr(obj, "reader_note", "")
        st.reader_remarks = tuple(getattr(obj, "reader_remarks", ()))
        if caption:  # a table's name in words (the catalogue), in every edition
            st.caption = label(caption, lang)
        # the axes' names (a protected table's "wave_name") in words too
        named = st.data.copy()
        named.index = named.index.set_names([label(n, lang) if isinstance(n, str) else n for n in named.index.names])
        named.columns = named.columns.set_names([label(n, lang) if isinstance(n, str) else n
                                                 for n in named.columns.names])
        st.data, st.index, st.columns = named, named.index, named.columns
        def words(v, lang=lang):  # labels in words; a number as a label (a δ of -7.5) in the language's writing
            if isinstance(v, str):
                # a signed number written as text ("+2.5", "-7.5") too; "1.1" may be a version: left
                return relocalise(label(v, lang), lang) if v[:1] in "+-−" else label(v, lang)
            if lang != "en" and isinstance(v, float):
                return relocalise(str(v), lang)
            return v

        st.format_index(words, axis="columns")
        st.format_index(words, axis="index")
        if lang != "en":
            # every cell's formatter (the author's, or pandas' default one) followed by the language's writing
            n_rows, n_cols = st.data.shape
            # a column of versions, seeds or hashes holds no decimals ("1.0" stays 1.0)
            neutral = {j for j, c in enumerate(st.data.columns) if _NEUTRAL_COLUMN.search(" ".join(map(str, c))
                                                                                      if isinstance(c, tuple) else str(c))}
            for key in [(r, c) for r in range(n_rows) for c in range(n_cols) if c not in neutral]:
                func = st._display_funcs[key]
                # (numbers inside a text cell too: "p < 0.05" -> "p < 0,05"; versions such as 0.30.3 are left)
                st._display_funcs[key] = (lambda v, f=func, lang=lang: _yes_no(v, lang) if _is_bool(v) else _localised_cell(
                    _cell_words(f(v), lang) if isinstance(v, str) else f(v), lang))
            note = getattr(st, "reader_note", "")
            if note:
                st.reader_note, lacks = _note_in(note, getattr(obj, "reader_remarks", ()), lang)
                lacking[lang] += lacks
        elif data is not None and data.columns.is_unique:
            text_columns = [c for i, c in enumerate(data.columns)
                            if data.iloc[:, i].map(lambda v: isinstance(v, str) or v is None).all()]
            if text_columns:
                st.format(lambda v: label(v) if isinstance(v, str) else v, subset=text_columns)
            bool_columns = [c for c in data.columns if str(data[c].dtype) == "bool"]
            if bool_columns:
                st.format(lambda v: _yes_no(v, "en"), subset=bool_columns)
        pages[lang] = wrap.format(st._repr_html_())
    return Multilingual({lang: caption or "table" for lang in pages}, html=pages, untranslated=lacking)


def _is_protected_table(obj: Any) -> bool:
    return type(obj).__name__ == "ProtectedTable" and hasattr(obj, "to_styler") and hasattr(obj, "display_frame")


def _for_readers(obj: Any) -> Any:
    if _is_protected_table(obj):
        return _styler_editions(obj.to_styler_for_editions() if hasattr(obj, "to_styler_for_editions")
                                else _unlabelled_styler(obj), wrap='<div class="protected-table">{}</div>')
    if not _is_table(obj):
        return obj
    import pandas as pd

    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return _ReaderTable(obj)
    return _styler_editions(obj)


def _unlabelled_styler(table: Any) -> Any:
    """``table.to_styler()`` with the code names kept on both axes (relabelled per language after)."""
    styler = table.to_styler()
    disp = table.display_frame()
    plain = type(styler)(disp).set_uuid(styler.uuid).set_table_attributes('class="dataframe disclosure"')
    if styler.caption:
        plain = plain.set_caption(styler.caption)
    plain.reader_note = getattr(styler, "reader_note", "")
    plain.reader_remarks = tuple(getattr(styler, "reader_remarks", ()))
    return plain


def install(shell=None) -> None:
    """Wrap ``shell.display_formatter.format`` (default: the running IPython) with :func:`check_displayable`."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("display_guard.install() must run inside an IPython kernel")
    formatter = shell.display_formatter
    if getattr(formatter.format, "_peer_eval_guard", False):
        return
    original = formatter.format
    # read by matplotlib-inline when a chapter first imports pyplot (importing it here would slow every chapter)
    shell.config.InlineBackend.figure_formats = {"svg"}

    def guarded_format(obj, include=None, exclude=None):
        check_displayable(obj)
        obj = _for_readers(obj)
        display_object = sys.modules.get("IPython.core.display")
        if display_object is not None and isinstance(obj, display_object.DisplayObject) and not obj.data:
            return {}, {}  # an empty Markdown/HTML: nothing to show
        data, metadata = original(obj, include=include, exclude=exclude)
        if set(data) == {"text/plain"} and _RAW_REPR.match(str(data["text/plain"]).strip()):
            raise RawReprError(
                f"this cell shows {data['text/plain']!r}, which means nothing to a reader; display a result, "
                "a protected table, a figure or Markdown instead (or end the line with ';')")
        figure = sys.modules.get("matplotlib.figure")
        if figure is not None and isinstance(obj, figure.Figure):
            alt = describe_figure(obj)
            # the alt text in each edition's language (the build's reader notebooks pick theirs)
            editions = {lang: describe_figure(obj, lang) for lang in _FIGURE_WORDS}
            metadata = dict(metadata or {})
            for mime in ("image/svg+xml", "image/png"):
                if mime in data:
                    metadata[mime] = {**metadata.get(mime, {}), "alt": alt, "alt_editions": editions}
            if "image/svg+xml" in data:
                data = {**data, **_figure_editions(obj, editions)}
        return data, metadata

    guarded_format._peer_eval_guard = True
    formatter.format = guarded_format
