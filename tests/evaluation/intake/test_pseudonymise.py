"""Pseudonymisation: identifier normalisation, national register check digits, keys, frames."""

from __future__ import annotations

import base64
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.intake.pseudonymise import (
    KEY_ENV,
    KEY_FILE_ENV,
    InvalidIdentifier,
    KeyMissing,
    KeyRefused,
    PseudonymKey,
    Pseudonymiser,
    fingerprint,
    is_pseudonym,
    load_key,
    normalise_identifier,
    nrn_check_digits,
    parse_key,
    pseudonymise_frame,
)

KEY = PseudonymKey(bytes(range(32)), 1, "generated")


def nrn(first9: str, *, born_2000: bool) -> str:
    """A synthetic national register number with correct check digits."""
    return first9 + f"{nrn_check_digits(first9, born_2000_or_later=born_2000):02d}"


# -- national register numbers ------------------------------------------------

def test_check_digits_before_2000_by_hand():
    # 850731 003: 850731003 mod 97 = 850731003 - 97 * 8770422 = 69 -> 97 - 69 = 28
    assert 850731003 % 97 == 69
    assert nrn_check_digits("850731003", born_2000_or_later=False) == 28
    assert normalise_identifier("national_register", "85.07.31-003.28") == "85073100328"


def test_check_digits_from_2000_by_hand():
    # born 2005: the 9 digits are prefixed with 2 -> 2050612005 mod 97
    n = 2050612005 % 97
    assert nrn_check_digits("050612005", born_2000_or_later=True) == 97 - n
    number = nrn("050612005", born_2000=True)
    assert normalise_identifier("national_register", number) == number
    # the same digits with the pre-2000 check digits are also a valid number (of someone born 1905)
    old = nrn("050612005", born_2000=False)
    assert old != number
    assert normalise_identifier("national_register", old) == old


@pytest.mark.parametrize("raw", ["85.07.31-003.28", "85073100328", " 850731 003 28 ", "85-07-31/003-28"])
def test_nrn_punctuation_is_ignored(raw):
    assert normalise_identifier("national_register", raw) == "85073100328"


def test_nrn_read_as_number_gets_its_leading_zero_back():
    number = nrn("050612005", born_2000=True)  # Excel shows 5061200577-like: the 0 is lost
    assert normalise_identifier("national_register", int(number)) == number
    assert normalise_identifier("national_register", float(int(number))) == number


@pytest.mark.parametrize("raw,reason", [
    ("85.07.31-003.29", "nrn-check-digits"),
    ("8507310032", "nrn-length"),
    ("850731003280", "nrn-length"),
    ("85O73100328", "nrn-not-digits"),
    ("  ", "empty"),
    (None, "empty"),
    (float("nan"), "empty"),
])
def test_invalid_nrn_has_a_reason_and_never_the_value(raw, reason):
    with pytest.raises(InvalidIdentifier) as exc:
        normalise_identifier("national_register", raw)
    assert exc.value.reason == reason
    if isinstance(raw, str) and raw.strip():
        assert raw.strip() not in str(exc.value)
        assert "850731" not in str(exc.value)


@given(st.integers(0, 999_999_999), st.booleans(), st.integers(1, 96))
@settings(max_examples=200, deadline=None)
def test_any_wrong_check_digit_is_refused_unless_it_is_the_other_century(first, born_2000, delta):
    first9 = f"{first:09d}"
    good = nrn_check_digits(first9, born_2000_or_later=born_2000)
    other = nrn_check_digits(first9, born_2000_or_later=not born_2000)
    wrong = (good - 1 + delta) % 97 + 1  # another value in 1..97
    number = first9 + f"{wrong:02d}"
    if wrong == other:
        assert normalise_identifier("national_register", number) == number
    else:
        with pytest.raises(InvalidIdentifier):
            normalise_identifier("national_register", number)


# -- prison numbers and pseudonyms ---------------------------------------------

def test_prison_number_normalised():
    assert normalise_identifier("prison_number", " ab-123.45 ") == "AB12345"
    assert normalise_identifier("prison_number", 12345.0) == "12345"  # read from .sav as a number
    with pytest.raises(InvalidIdentifier) as exc:
        normalise_identifier("prison_number", "AB#12")
    assert exc.value.reason == "characters"


def test_unknown_kind_is_a_programmer_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        normalise_identifier("passport", "X")


def test_pseudonym_is_versioned_hmac_of_kind_and_normalised_value():
    p = Pseudonymiser(KEY).pseudonym("prison_number", "ab 123")
    expected = hmac.new(KEY.secret, b"prison_number:AB123", hashlib.sha256).hexdigest()
    assert p == "k1-" + expected
    assert is_pseudonym(p)
    v2 = Pseudonymiser(PseudonymKey(KEY.secret, 2)).pseudonym("prison_number", "ab 123")
    assert v2.startswith("k2-") and v2[3:] == expected


def test_kinds_never_collide():
    ps = Pseudonymiser(KEY)
    assert ps.pseudonym("prison_number", "85073100328") != ps.pseudonym("national_register", "85073100328")


_PUNCT = st.sampled_from([" ", ".", "-", "/", "  ", "_"])


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=12), st.data())
@settings(max_examples=150, deadline=None)
def test_punctuation_spaces_and_case_never_change_the_pseudonym(core, data):
    ps = Pseudonymiser(KEY)
    messy = ""
    for ch in core:
        messy += data.draw(st.one_of(st.just(""), _PUNCT)) + (ch.lower() if data.draw(st.booleans()) else ch)
    messy += data.draw(st.one_of(st.just(""), _PUNCT))
    assert ps.pseudonym("prison_number", messy) == ps.pseudonym("prison_number", core)


@given(st.integers(0, 999_999_999), st.booleans(), st.lists(st.sampled_from([" ", ".", "-"]), min_size=11, max_size=11))
@settings(max_examples=100, deadline=None)
def test_nrn_pseudonym_ignores_punctuation(first, born_2000, seps):
    number = nrn(f"{first:09d}", born_2000=born_2000)
    messy = "".join(s + d for s, d in zip(seps, number))
    ps = Pseudonymiser(KEY)
    assert ps.pseudonym("national_register", messy) == ps.pseudonym("national_register", number)


# -- keys -------------------------------------------------------------------------

def test_no_key_says_how_to_set_one(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(KeyMissing) as exc:
        load_key()
    msg = str(exc.value)
    assert KEY_ENV in msg and "--key-file" in msg and "token_hex(32)" in msg
    assert "Never store the key in the evaluation workspace or in a git repository" in msg


def test_key_from_environment_hex_and_base64(monkeypatch):
    secret = bytes(range(100, 132))
    monkeypatch.setenv(KEY_ENV, secret.hex())
    k = load_key()
    assert k.secret == secret and k.version == 1
    monkeypatch.setenv(KEY_ENV, "3:" + base64.b64encode(secret).decode())
    k = load_key()
    assert k.secret == secret and k.version == 3
    monkeypatch.setenv(KEY_ENV, base64.urlsafe_b64encode(secret).decode().rstrip("="))
    assert load_key().secret == secret


def test_short_or_garbled_key_refused_without_echoing_it(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "ab" * 16)  # 16 bytes
    with pytest.raises(KeyRefused) as exc:
        load_key()
    assert "at least 32" in str(exc.value) and "ab" * 16 not in str(exc.value)
    with pytest.raises(KeyRefused):
        parse_key("not a key at all!!")


def test_key_file_outside_repository(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    f = tmp_path / "peer.key"
    f.write_text("# evaluation key\n2:" + "11" * 32 + "\n")
    f.chmod(0o600)
    k = load_key(f)
    assert k.version == 2 and k.secret == bytes([0x11]) * 32
    monkeypatch.setenv(KEY_FILE_ENV, str(f))
    assert load_key().secret == k.secret


def test_key_file_inside_git_working_tree_refused(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    f = tmp_path / "repo" / "secrets" / "peer.key"
    f.parent.mkdir()
    f.write_text("11" * 32)
    with pytest.raises(KeyRefused, match="git working tree"):
        load_key(f)


def test_fingerprint_and_repr_reveal_nothing():
    fp = fingerprint(KEY)
    assert len(fp) == 16 and fp not in KEY.secret.hex()
    assert KEY.secret.hex() not in repr(KEY)
    assert fingerprint(PseudonymKey(bytes(32), 1)) != fp


# -- frames -------------------------------------------------------------------------

def test_pseudonymise_frame_replaces_identifiers_and_reports_rows_only():
    good = nrn("850731003", born_2000=False)
    df = pd.DataFrame({
        "prison_number": ["AB-1", "ab1", None, "X#1"],
        "national_register": [good, good, good, "85073100399"],
        "answer": [1, 2, 3, 4],
    })
    out, problems = pseudonymise_frame(df, {"prison_number": "prison_number", "national_register": "national_register"},
                                       KEY, first_data_row=2)
    assert list(out.columns) == ["pid", "pid_national_register", "answer"]
    assert out["pid"][0] == out["pid"][1] and is_pseudonym(out["pid"][0])
    assert out["pid"][2] is None and out["pid"][3] is None
    flat = sorted((p.row, p.column, p.code, p.params.get("reason")) for p in problems)
    assert flat == [(4, "prison_number", "identifier-missing", None),
                    (5, "national_register", "identifier-invalid", "nrn-check-digits"),
                    (5, "prison_number", "identifier-invalid", "characters")]
    assert all(p.value is None for p in problems)
    text = repr(problems) + repr(out)
    assert "AB-1" not in text and good not in text and "X#1" not in text


def test_pseudonymise_frame_handles_numeric_columns_and_many_rows():
    n = 20_000
    df = pd.DataFrame({"prison_number": np.arange(n, dtype=float), "x": np.arange(n)})
    out, problems = pseudonymise_frame(df, {"prison_number": "prison_number"}, KEY)
    assert not problems and out["pid"].nunique() == n
    assert out["pid"][7] == Pseudonymiser(KEY).pseudonym("prison_number", "7")


def test_pseudonymise_frame_names_a_missing_column():
    with pytest.raises(KeyError, match="not in the frame"):
        pseudonymise_frame(pd.DataFrame({"a": [1]}), {"prison_number": "prison_number"}, KEY)
