"""What readers see of the executed chapters: notes and quotes, not program output."""

from __future__ import annotations

import importlib.util

import nbformat

from evaluation.build.chapters import BOOK_DIR
from evaluation.build.readers import for_readers, printed_text_as_html


def _readers_ext():
    spec = importlib.util.spec_from_file_location("readers_ext", BOOK_DIR / "_ext" / "readers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_printed_remarks_become_notes_and_quotes_block_quotes():
    html = printed_text_as_html("[1] First caveat.\n[2] Second <caveat>.\n\nTheme: role definition\n"
                                "  “I am not a therapist.” — peer worker (approved)\n")
    assert '<ol class="remarks reader-notes"><li>First caveat.</li><li>Second &lt;caveat&gt;.</li></ol>' in html
    assert '<blockquote class="reader-quote"><p>“I am not a therapist.”</p><footer>— peer worker (approved)</footer>' in html
    assert "<strong>Theme:</strong> role definition" in html
    assert "<pre" not in html


def test_for_readers_converts_streams_drops_stderr_and_carries_the_alt_text():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="[1] A note.\n"),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: …\n"),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>", "text/plain": "<Figure>"},
                               metadata={"image/svg+xml": {"alt": "Figure: survival by group"}}),
    ]
    nb.cells = [cell]
    out = for_readers(nb)
    assert nb.cells[0].outputs[0].output_type == "stream"  # the executed notebook itself is unchanged
    outputs = out.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "display_data"]
    assert "<li>A note.</li>" in outputs[0].data["text/html"]
    assert out.cells[0].metadata["mystnb"]["image"]["alt"] == "Figure: survival by group"


def test_page_fixes_p_values_empty_headers_languages_and_scrolling():
    ext = _readers_ext()
    body = ('<p>log-rank p = 0.000 and p=0.0001 and p = 0.0004</p>'
            '<div class="cell tag_remove-input tag_lang-nl docutils container">x</div>'
            '<div class="output text_html"><table><caption>Cohort</caption><tr><th></th><th>n</th></tr></table></div>')
    out = ext.for_readers_html(body)
    assert "p = 0.000" not in out and out.count("p &lt; 0.001") == 3 and "p=0.000" not in out
    assert '<div lang="nl" class="cell tag_remove-input tag_lang-nl docutils container">' in out
    assert '<th><span class="visually-hidden">(label)</span></th>' in out
    assert 'class="output text_html reader-scroll" tabindex="0" role="region" aria-label="Cohort"' in out
    page = '<button class="search" aria-label="Search" title="Search">Search <kbd>Ctrl</kbd>+<kbd>K</kbd></button>'
    assert 'aria-label="Search Ctrl + K"' in ext._name_buttons_by_their_text(page)


def test_analyst_notes_and_code_hints_never_reach_the_reader():
    html = printed_text_as_html("[1] Counts are raw; pass the table through disclosure control before publishing.\n"
                                "[2] 1 - Kaplan-Meier overstates it (use cumulative_incidence).\n"
                                "[3] To be confirmed: the scale's validation.\n")
    assert "disclosure control" not in html and "cumulative_incidence" not in html and "To be confirmed" not in html
    assert "<li>1 - Kaplan-Meier overstates it.</li>" in html


def test_prose_tables_stack_on_a_phone_with_their_headers():
    ext = _readers_ext()
    body = ('<table class="table"><thead><tr><th>Area</th><th>Rating</th></tr></thead>'
            "<tbody><tr><td>Reoffending</td><td>amber</td></tr></tbody></table>"
            '<div class="cell_output"><table class="table"><thead><tr><th>n</th></tr></thead>'
            "<tbody><tr><td>12</td></tr></tbody></table></div>")
    out = ext.for_readers_html(body)
    assert '<td data-label="Rating">amber</td>' in out and out.count("reader-stack") == 1
