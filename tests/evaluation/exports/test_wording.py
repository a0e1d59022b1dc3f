"""Skip logic in words, per language."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.exports.printable import question_numbers
from evaluation.exports.wording import describe, question_refs, skip_instruction
from evaluation.instruments import parse


@pytest.mark.parametrize("lang, expected", [
    ("en", "Answer only if question 1 is “Yes”."),
    ("nl", "Alleen beantwoorden als vraag 1 is “Ja”."),
    ("fr", "Répondre uniquement si la question 1 est « Oui »."),
])
def test_simple_condition(mini, lang, expected):
    ref = question_refs(mini, question_numbers(mini), lang)
    assert skip_instruction("used_drugs_30d == 1", mini, lang, ref) == expected


def test_compound_conditions(mini):
    ref = question_refs(mini, question_numbers(mini), "en")
    assert describe("used_drugs_30d in [1, 0] and not (hours >= 2.5)", mini, "en", ref) == (
        "question 1 is one of: “Yes”, “No” and not (question 4 is at least 2.5)")
    assert describe("selected(support_kind, 2) or answered(comment)", mini, "en", ref) == (
        "“Group” is ticked at question 3 or question 5 is answered")
    assert describe("(days_used > 3 or hours < 1) and used_drugs_30d != 0", mini, "nl",
                    question_refs(mini, question_numbers(mini), "nl")) == (
        "(vraag 2 is groter dan 3 of vraag 4 is kleiner dan 1) en vraag 1 is niet “Nee”")
    assert describe(". <= 30", mini, "fr") == "la réponse est au plus 30"
    assert describe("hours >= -7", mini, "en") == "“Hours” is at least -7"


NAMES = ["used_drugs_30d", "days_used", "hours", "who5_1"]
leaf = st.one_of(
    st.builds(lambda n, op, v: f"{n} {op} {v}", st.sampled_from(NAMES),
              st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.integers(-9, 40)),
    st.builds(lambda c: f"selected(support_kind, {c})", st.sampled_from([1, 2, 3])),
    st.builds(lambda n: f"answered({n})", st.sampled_from(NAMES)),
    st.builds(lambda n, vs: f"{n} in [{', '.join(map(str, vs))}]", st.sampled_from(NAMES),
              st.lists(st.integers(0, 5), min_size=1, max_size=3)),
)
expressions = st.recursive(
    leaf,
    lambda sub: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", sub, sub),
        st.builds(lambda a, b: f"({a}) or ({b})", sub, sub),
        st.builds(lambda a: f"not ({a})", sub),
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=expressions, lang=st.sampled_from(["nl", "fr", "en"]))
def test_every_expression_reads_as_words(mini, source, lang):
    expr = parse(source)
    numbers = question_numbers(mini)
    ref = question_refs(mini, numbers, lang)
    text = describe(expr, mini, lang, ref)
    assert "${" not in text and "==" not in text and "__self__" not in text
    for name in expr.names:  # every item the condition depends on is named by its question number
        assert re.search(re.escape(ref(name)) + r"(?!\d)", text)
