"""A figure in the Dutch and French editions: its words from the label catalogue, its numbers Babel's."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis.figure_editions import figure_svg, translate_text  # noqa: E402
from analysis.reader import label  # noqa: E402


def _texts(svg: str) -> list[str]:
    # matplotlib writes each text as a comment before its glyphs
    return re.findall(r"<!-- (.*?) -->", svg)


@pytest.fixture
def fig():
    f, ax = plt.subplots()
    ax.plot([0, 0.5, 1], [0.1, 0.25, 0.3], label="participant")
    ax.plot([0, 0.5, 1], [0.2, 0.15, 0.3], label="A phrase nobody translated")
    ax.set_xlabel("estimate")
    ax.legend()
    yield f
    plt.close(f)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_words_and_numbers_in_the_language_and_the_figure_unchanged(fig, lang):
    ax = fig.axes[0]
    formatter = ax.xaxis.get_major_formatter()
    svg, missing = figure_svg(fig, lang)
    texts = _texts(svg)
    assert label("participant", lang) in texts and label("estimate", lang) in texts
    assert "0,2" in texts and "0.2" not in texts  # tick labels with a decimal comma
    assert missing == ["A phrase nobody translated"] and "A phrase nobody translated" in texts
    # the figure itself is left as the chapter drew it
    assert ax.get_xlabel() == "estimate" and ax.get_legend().get_texts()[0].get_text() == "participant"
    assert ax.xaxis.get_major_formatter() is formatter
    english = _texts(_svg(fig))
    assert "0.2" in english and "participant" in english


def _svg(fig):
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


def test_category_ticks_and_lines_translated_one_by_one():
    missing = []
    assert translate_text("participant\nestimate", "nl", missing) == f"{label('participant', 'nl')}\n{label('estimate', 'nl')}"
    assert translate_text("P03", "fr", missing) == "P03" and missing == []  # a code, not words
    assert translate_text("12.5", "fr", missing) == "12,5"
    assert translate_text("anything", "en", missing) == "anything"
