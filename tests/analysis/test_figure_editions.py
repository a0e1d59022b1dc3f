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


@pytest.mark.parametrize(("text", "nl", "fr"), [
    # a number template: the numbers put back in the language's way
    ("threshold 0.667", "drempel 0,667", "seuil 0,667"),
    # a prison code and a label
    ("P01 participant", f"P01 {label('participant', 'nl')}", f"P01 {label('participant', 'fr')}"),
    # a label and a parenthetical with a number, each translated as its own text (separator kept)
    ("Pathways into the role  (42% mention it)", f"{label('pathways_into_role', 'nl')}  (vermeld in 42%)",
     f"{label('pathways_into_role', 'fr')}  (mentionné dans 42\u00a0%)"),
    ("(all codes)  (7% mention it)", f"{label('(all codes)', 'nl')}  (vermeld in 7%)",
     f"{label('(all codes)', 'fr')}  (mentionné dans 7\u00a0%)"),
])
def test_composites_put_together_from_entries(text, nl, fr):
    missing = []
    assert translate_text(text, "nl", missing) == nl and translate_text(text, "fr", missing) == fr
    assert missing == []


@pytest.mark.parametrize("text", [
    "P01 words nobody translated",             # the code's label has no entry
    "Words nobody translated  (42% mention it)",  # the head has none
    "Pathways into the role  (42% of nobody)",  # the parenthetical has none
    "threshold 0.5 and 0.7",                    # no template for this line
    "participant (nobody translated)",          # a parenthetical without a number is not split
])
def test_a_composite_with_an_untranslated_part_is_listed_whole(text):
    missing = []
    out = translate_text(text, "nl", missing)
    assert missing == [text]
    assert out == text.replace("0.5", "0,5").replace("0.7", "0,7")  # English, numbers the language's way


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_theme_agreement_plot_has_every_text_in_the_language(lang):
    from pathlib import Path

    import pandas as pd

    from analysis.themes import coder_agreement

    reference = Path(__file__).parents[1] / "reference" / "themes"
    codes = {"stigma": "pathways_into_role", "hope": "working_conditions", "trust": "motivations",
             "security": "prison_security", "supervision": "org_supervision"}  # the codebook's codes
    segments = pd.read_csv(reference / "segments.csv").replace({"code": codes})
    result = coder_agreement(segments, coded=pd.read_csv(reference / "coded.csv"), unit="transcript",
                             transcripts=pd.read_csv(reference / "transcripts.csv"))
    ax = result.plot()
    ax.set_title("Inter-coder agreement per theme (Krippendorff's alpha)")
    try:
        svg, missing = figure_svg(ax.figure, lang)
    finally:
        plt.close(ax.figure)
    texts = _texts(svg)
    assert missing == [], missing
    assert any(t.startswith(label("pathways_into_role", lang) + "  (") for t in texts)
    assert not any(code in t for t in texts for code in codes.values())
