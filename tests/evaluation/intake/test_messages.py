"""Every coordinator-facing message, rendered in Dutch, French and English, reads as a sentence.

Each template is filled with sample parameters (question numbers, code
meanings and examples per language, as validation gives them) and checked
for leftover placeholders, the literal "…", doubled words, code syntax and
plural forms that do not agree with their number.
"""

from __future__ import annotations

import re
from string import Formatter

import pytest

from evaluation.intake.messages import KEY_MESSAGES, LANGS, MESSAGES, count_text, render, render_refusal
from evaluation.intake.problems import Problem, Report

PER_LANG = {
    "question": {"nl": "vraag 11", "fr": "question 11", "en": "question 11"},
    "condition": {"nl": "vraag 10 is niet “Geen enkel middel”", "fr": "la question 10 n'est pas « Aucun produit »",
                  "en": "question 10 is not “No substance”"},
    "allowed": {"nl": "1 = Ja, 0 = Nee, -7 = Weet niet", "fr": "1 = Oui, 0 = Non, -7 = Ne sait pas",
                "en": "1 = Yes, 0 = No, -7 = Don't know"},
    "hint": {"nl": "Controleer dag, maand en jaar.", "fr": "Vérifiez le jour, le mois et l'année.",
             "en": "Check the day, month and year."},
    "reason": {"nl": "in de toekomst", "fr": "dans le futur", "en": "in the future"},
    "example": {"nl": "03/14/2025 (rij 3)", "fr": "03/14/2025 (ligne 3)", "en": "03/14/2025 (row 3)"},
    "day_first": {"nl": "14/03/2025 (rij 2)", "fr": "14/03/2025 (ligne 2)", "en": "14/03/2025 (row 2)"},
    "month_first": {"nl": "03/15/2025 (rij 3)", "fr": "03/15/2025 (ligne 3)", "en": "03/15/2025 (row 3)"},
    "cause": {"nl": "Excel las het nummer als getal.", "fr": "Excel a lu le numéro comme un nombre.",
              "en": "Excel read the number as a number."},
}
SAMPLE = {
    "actual": "Excel (.xlsx)", "before_column": "entry_date", "before_value": "01/02/2025", "blank": 87,
    "cells": "B1:C1", "code": "stigma", "codebook": "codebook@1.0", "convention": "UTF-16", "detail": "ZIP",
    "digits": "7", "embedded": "detainee@1.0", "encoding": "Windows-1252", "end": 120, "expected": "integer",
    "extension": ".csv", "file": "baseline P03.sav", "first_row": 5, "given": "staff@1.0", "header_row": 4,
    "high": "30", "instrument": "detainee@1.1", "labels": "1 = Lager, 2 = Hoger", "latest": "1.1", "length": 800,
    "low": "0", "mapping": "1 (Weet niet) → -7", "max_weeks": "16", "meta": 12, "min_weeks": "10", "month": "14",
    "other_rows": "7", "parent": "identity", "position": "D", "rows": "2, 3, 4", "sheets": "Notes", "site": "P03",
    "size": "300 MB", "start": 100, "submission": "S1a2b3c4d5e", "theme": "stigma", "transcript": "T01",
    "used": "Gegevens", "version": "1.0", "wave": 1, "weeks": "20.0", "n": 3, "count": 3, "source": "key.txt",
    "tree": "/home/x/repo", "minimum": 32, "limit": "max_rows", "allowed": "2,000,000", "ref": "detainee@7.3", "letters": ".a, .b",
}
DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
WRONG_PLURAL = re.compile(r"\b1 (problemen|fouten|rijen|antwoorden|nummers|errors|rows|answers|numbers|"
                          r"erreurs|lignes|réponses|numéros|waarschuwingen|warnings|avertissements|fragmenten|segments|extraits|"
                          r"transcripties|transcripts)\b")
CODE_SYNTAX = re.compile(r"!=|==|selected\(|answered\(|\{|\}|…")


def _problem(code, **over):
    params = {**SAMPLE, **PER_LANG, **over}
    return Problem(code, row=5, column="use_days_30d", value="vijf", params=params)


@pytest.mark.parametrize("code", sorted(MESSAGES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_renders_as_a_sentence(code, lang):
    template = MESSAGES[code][lang]
    forms = template.values() if isinstance(template, dict) else [template]
    for form in forms:
        for _, name, _, _ in Formatter().parse(form):
            assert name is None or name in SAMPLE or name in PER_LANG or name in (
                "row", "column", "value", "where", "expected_not"), (code, lang, name)
    for count in (1, 3):
        text = render(_problem(code, count=count, n=count), lang)
        assert not CODE_SYNTAX.search(text), (code, lang, text)
        assert not DOUBLED.search(text.replace("nous nous", "")), (code, lang, text)
        assert not WRONG_PLURAL.search(text), (code, lang, text)
        assert "  " not in text and "()" not in text and "''" not in text and "« »" not in text, text
        first = text.lstrip("'« ")[0]
        assert first.isupper() or first.isdigit() or text[0] in "'«", (code, lang, text)
        assert text.rstrip()[-1] in ".!)", (code, lang, text)


@pytest.mark.parametrize("lang", LANGS)
def test_no_value_reads_as_the_answer_not_a_placeholder(lang):
    p = Problem("type-error", row=3, column="prison_number", value=None, params={"expected": "integer"})
    text = render(p, lang)
    assert "…" not in text and "''" not in text and {"nl": "het antwoord", "fr": "la réponse",
                                                     "en": "the answer"}[lang] in text


def test_dutch_type_error_is_correct_dutch():
    text = render(Problem("type-error", 4, "age", "vijf", {"expected": "integer"}), "nl")
    assert text == "Rij 4, kolom 'age': 'vijf' is geen geheel getal. Vul een geheel getal in."


@pytest.mark.parametrize("lang, one, many", [("nl", "1 fout", "2 fouten"), ("fr", "1 erreur", "2 erreurs"),
                                             ("en", "1 error", "2 errors")])
def test_counts_agree_with_their_number(lang, one, many):
    assert count_text("errors", 1, lang) == one and count_text("errors", 2, lang) == many


@pytest.mark.parametrize("lang, first", [("nl", "Dit bestand wordt niet aanvaard."),
                                         ("fr", "Ce fichier ne sera pas accepté."),
                                         ("en", "This file will not be accepted.")])
def test_verdict_is_the_first_sentence(lang, first):
    report = Report(file="f.csv", lang=lang, problems=[Problem("required-missing", 2, "consent")])
    lines = report.text().splitlines()
    assert lines[0] == first
    assert not re.search(r"\[[a-z-]+\]", report.text())  # no English error codes in the text
    ok = Report(file="f.csv", lang=lang, problems=[Problem("site-not-checked", severity="warning")])
    assert ok.text().splitlines()[0] in ("Dit bestand wordt aanvaard.", "Ce fichier sera accepté.",
                                         "This file will be accepted.")


@pytest.mark.parametrize("code", sorted(KEY_MESSAGES))
@pytest.mark.parametrize("lang", LANGS)
def test_key_messages_in_every_language(code, lang):
    class Refused(Exception):
        pass

    exc = Refused("english")
    exc.code, exc.params = code, {"source": "key.txt", "tree": "/home/x/repo", "size": 8, "minimum": 32}
    text = render_refusal(exc, lang)
    assert "{" not in text and text != "english"
