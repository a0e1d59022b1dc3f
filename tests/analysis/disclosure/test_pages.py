"""Page scanner: true positives, and no false positives on Sphinx HTML."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import Finding, PageCheckError, check_pages, scan_page
from analysis.disclosure.pages import valid_national_number

from .sphinx_page import LEAKY_PAGE, PSEUDONYM, SPHINX_PAGE


def test_typical_sphinx_book_page_is_clean():
    assert scan_page(SPHINX_PAGE, forbidden=["Jan D'Hondt"]) == []


def test_leaky_page_findings_are_located_and_redacted():
    found = scan_page(LEAKY_PAGE, forbidden=["Jan D'Hondt"])
    kinds = [f.kind for f in found]
    assert kinds.count("hex-digest") == 2, "the pseudonym in text and in a non-asset link"
    assert kinds.count("national-number") == 2, "punctuated pre-2000 and bare post-2000"
    assert kinds.count("forbidden-string") == 1, "matched through the HTML entity"
    lines = LEAKY_PAGE.split("\n")
    for f in found:
        assert f.line >= 1 and lines[f.line - 1]
        assert PSEUDONYM not in str(f) and "D'Hondt" not in str(f) and "033.28" not in str(f)
    first = next(f for f in found if f.kind == "hex-digest")
    assert PSEUDONYM in lines[first.line - 1][first.column - 1:]


@pytest.mark.parametrize(
    "number, valid",
    [
        ("85073003328", True),  # 97 - 850730033 mod 97 = 28 (born 1985)
        ("85073003329", False),
        ("01020312345", True),  # 97 - (2000000000 + 010203123) mod 97 = 45 (born 2001)
        ("01020312316", True),  # the same digits read as born 1901
        ("85133003328", False),  # month 13
        ("85273003328", False),  # month 27 fails its own check digits
    ],
)
def test_national_number_check_digits(number, valid):
    assert valid_national_number(number) is valid


@pytest.mark.parametrize(
    "text",
    ["85.07.30-033.28", "85073003328", "850730-033-28", "850730 033 28", "85.07.30 033 28", "nr:85.07.30-033.28."],
)
def test_national_number_formats_are_found(text):
    assert [f.kind for f in scan_page(f"<p>{text}</p>")] == ["national-number"]


@pytest.mark.parametrize(
    "text",
    [
        "85.07.30-033.29",  # wrong check digits
        "123850730033280",  # part of a longer number
        "3.85073003328",  # decimals
        "0.30000000000000004",
        "#aabbcc #AABBCCDD",
        "deadbeef",  # 8 hex
        "AbCdEf0123456789AbCdEf",  # mixed case: not a digest
        "1234567890123456789",  # a long decimal number
    ],
)
def test_no_false_positives(text):
    assert scan_page(f"<p>{text}</p>") == []


@pytest.mark.parametrize(
    "snippet",
    [
        f"<code>{PSEUDONYM.upper()}</code>",
        f"<td>{PSEUDONYM[:16]}</td>",
        f'<a href="../_static/{PSEUDONYM}">x</a>',  # under _static but not a file-name hash
        f"pid_{PSEUDONYM}",
        f'<img src="../person/{PSEUDONYM}.png">',
    ],
)
def test_digests_are_found(snippet):
    assert [f.kind for f in scan_page(snippet)] == ["hex-digest"]


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=8, max_size=32), st.sampled_from(["<td>{}</td>", "id={} ", "'{}'", "{}\n"]))
def test_any_hex_digest_of_16_or_more_characters_is_found(raw, template):
    digest = raw.hex()
    if digest.isdigit() and len(digest) < 32:
        return  # documented: all-decimal runs are numbers
    assert any(f.kind == "hex-digest" for f in scan_page(template.format(digest)))


def test_forbidden_strings_whole_words_case_and_tags():
    text = "<p>Interview with <b>Jan</b> Peeters.</p>\n<p>Janssens said JAN PEETERS agreed.</p>\n<p>Jantje</p>"
    found = scan_page(text, forbidden=["Jan Peeters"])
    assert [f.line for f in found] == [1, 2]
    assert scan_page("<p>Jantje</p>", forbidden=["Jan"]) == []
    with pytest.raises(ValueError, match="empty"):
        scan_page("x", forbidden=[" "])


def test_check_pages_raises_with_file_line_and_kind(tmp_path):
    site = tmp_path / "html"
    (site / "chapters").mkdir(parents=True)
    (site / "index.html").write_text(SPHINX_PAGE, encoding="utf-8")
    (site / "chapters" / "leaky.html").write_text(LEAKY_PAGE, encoding="utf-8")
    (site / "_static").mkdir()
    (site / "_static" / "notes.txt").write_text(PSEUDONYM)  # not an HTML page: not scanned
    with pytest.raises(PageCheckError) as err:
        check_pages(site, forbidden=["Jan D'Hondt"])
    message = str(err.value)
    assert "leaky.html:" in message and "hex-digest" in message and "national-number" in message
    assert PSEUDONYM not in message
    assert all(isinstance(f, Finding) for f in err.value.findings)
    assert check_pages([site / "index.html"]) == 1
    assert check_pages({"a.html": "<p>fine</p>"}) == 1
    with pytest.raises(FileNotFoundError, match="_build/html"):
        check_pages(tmp_path / "missing.html")
