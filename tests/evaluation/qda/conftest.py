"""Fixtures for the interview-coding tests: synthetic transcripts, names and a workspace."""

from __future__ import annotations

import pytest

from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.qda import load_codebook
from evaluation.store import Workspace

# Fictional transcript; "Jan Peeters" and "Mia" are made-up names the names list removes.
TEXT = ("I: How did the support start?\r\n"
        "R: Jan Peeters came to my cell \U0001F642 and asked how I was.\r\n"
        "R: After that I trusted him. Mia from the night shift also helped.\n")


def span(text: str, fragment: str) -> tuple[int, int]:
    s = text.index(fragment)
    return s, s + len(fragment)


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture
def key():
    return PseudonymKey.generate()


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def names_csv(tmp_path):
    p = tmp_path / "names.csv"
    p.write_text("name,label,participant,role\n"
                 "Jan Peeters,[peer worker],,\n"
                 "Jan,[peer worker],,\n"
                 "Mia,[officer],,\n"
                 ",,AB123,detainee\n"
                 ",,PW-07,peer_worker\n", encoding="utf-8")
    return p


def transcript(**over) -> dict:
    t = {"name": "Interview Jan Peeters", "text": TEXT, "participant": "AB123", "role": "detainee", "site": "P01",
         "codings": [(*span(TEXT, "Jan Peeters came to my cell"), "key_people", "coder1"),
                     (*span(TEXT, "After that I trusted him."), "svc_trust", "coder1")]}
    t.update(over)
    return t
