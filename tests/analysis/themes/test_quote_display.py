"""Published quotes in the three editions: the words as spoken, what surrounds them in the reader's language."""

from datetime import date

from analysis.editions import MIME, UNTRANSLATED
from analysis.themes.quote_display import quotes_editions

QUOTE = {"text": " My job is mostly listening. ", "group": "peer_worker", "site": "a prison",
         "mentioned_by": "fewer than 10", "approved_by": "reviewer (fictional)", "approved_at": date(2026, 10, 15)}


def test_the_quote_stays_as_spoken_and_its_attribution_is_translated():
    out = quotes_editions({"en": "Stigma", "nl": "Stigma", "fr": "Stigmatisation"},
                          [QUOTE, {**QUOTE, "group": "staff", "site": "P03", "mentioned_by": 12}])
    bundle = out._repr_mimebundle_()
    en, nl, fr = bundle["text/html"], bundle[MIME]["nl"]["text/html"], bundle[MIME]["fr"]["text/html"]
    for page in (en, nl, fr):
        assert page.count('<blockquote class="reader-quote"><p>“My job is mostly listening.”</p>') == 2
    assert "<strong>Theme:</strong> Stigma" in en and "peer worker, a prison (theme raised by fewer than 10" in en
    assert "<strong>Thema:</strong> Stigma" in nl
    assert "— ervaringsdeskundige, een gevangenis (thema aangebracht door minder dan 10 in deze groep; " \
           "goedgekeurd door reviewer (fictional), 2026-10-15)" in nl
    assert "<strong>Thème:</strong> Stigmatisation" in fr and "— membre du personnel, P03 (thème abordé par 12" in fr
    assert UNTRANSLATED not in bundle[MIME] and not out.missing


def test_a_theme_without_its_name_in_a_language_is_listed():
    out = quotes_editions({"en": "Stigma", "nl": "Stigma"}, [QUOTE])
    assert out.missing == ("fr",) and out.untranslated == {"fr": ["theme name 'Stigma'"]}
