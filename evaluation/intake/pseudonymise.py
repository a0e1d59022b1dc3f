"""Pseudonymisation at intake: keyed hashes of normalised identifiers.

A direct identifier (a prison number, a Belgian national register number) is
replaced by a *pseudonym*::

    "k{key version}-" + HMAC-SHA256(key, kind + ":" + normalised identifier).hexdigest()

under a secret key held by the data controller, outside the workspace and
outside any git repository. The same person gets the same pseudonym in every
instrument and wave, because the identifier is first brought to one canonical
form (:func:`normalise_identifier`): spaces and punctuation never change a
pseudonym.

The key
-------
``$PEER_EVAL_KEY`` (or a key file given with ``--key-file``, or
``$PEER_EVAL_KEY_FILE``) holds the key as **hex** (64 hex characters = 32
bytes; any even-length string of hex digits is read as hex) or else as
**base64** (standard or URL-safe alphabet). It must decode to at least 32
bytes. An optional ``<version>:`` prefix gives the key version
(``2:9f3a...``); without it the version is 1. A key file holds the same text
on its first non-comment line. Create a key once per evaluation::

    python -c "import secrets; print(secrets.token_hex(32))"

A workspace records the key's :func:`fingerprint` (an HMAC of a fixed label,
never the key) and refuses a different key of the same version, so a mistyped
key cannot silently break linkage.

Linkage between surveys and release records
-------------------------------------------
Pseudonyms of different *kinds* differ for the same person (the kind is part
of the hashed message), so a prison number and a national register number are
never confused — and never link by themselves. The project links on **one
agreed identifier, the prison number** (gedetineerdennummer / numéro
d'écrou), which every survey and the contact log carry. The release and
reoffence extract is prepared by the prison administration, which joins the
criminal record to its own files by national register number; it must
therefore deliver **both** numbers. :func:`pseudonymise_frame` given both
columns makes ``pid`` from the prison number (the linkage key) and a second
pseudonym column ``pid_national_register``: that pair is a crosswalk, so a
later extract keyed only by national register number can still be linked,
and no raw number is kept. (An extract with the national register number
only gets ``pid`` from it: its rows link to nothing collected by prison
number — the per-site linkage rate shows it at once.)

Key rotation
------------
A new key gets a higher version. :func:`evaluation.store.erase.rotate` reads
the identifiers once more from the read-only raw files, computes each
person's old and new pseudonym, rewrites every ``pid`` in the database, keeps
the old -> new mapping in the workspace's ``pseudonym_map`` table (so results
published under the old key can still be related) and records the new key's
fingerprint and version. Raw files whose identifiers were purged (retention)
cannot be re-keyed; their rows are counted and reported.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import Problem

__all__ = [
    "KINDS",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "MIN_KEY_BYTES",
    "REASONS",
    "Factorised",
    "InvalidIdentifier",
    "KeyMissing",
    "KeyRefused",
    "PseudonymKey",
    "Pseudonymiser",
    "fingerprint",
    "load_key",
    "parse_key",
    "normalise_identifier",
    "normalise_series",
    "nrn_check_digits",
    "is_pseudonym",
    "pseudonymise_frame",
    "git_working_tree",
]

KINDS = ("prison_number", "national_register", "study_code")
# An item declared ``identifier: pseudonym`` carries a code the research team gave the
# respondent (peer workers, staff interviewees): it is pseudonymised again, as a study code.
DEFINITION_KINDS = {"prison_number": "prison_number", "national_register": "national_register",
                    "pseudonym": "study_code", "study_code": "study_code"}
KEY_ENV = "PEER_EVAL_KEY"
KEY_FILE_ENV = "PEER_EVAL_KEY_FILE"
MIN_KEY_BYTES = 32
_FINGERPRINT_LABEL = b"peer-eval key fingerprint v1"
_PSEUDONYM = re.compile(r"^k\d+-[0-9a-f]{64}$")
_STRIP = re.compile(r"[\s\.\-/_,;:'\"()]+")
_ALNUM = re.compile(r"^[0-9A-Z]+$")

#: reason codes of :class:`InvalidIdentifier`, with a phrase per language
#: (issue 17) longest prison number or study code accepted: a 10 MB "number" is not one
MAX_CODE_CHARS = 32

REASONS: dict[str, dict[str, str]] = {
    "non-ascii": {
        "nl": "bevat letters buiten A–Z (zoals ß, ı of ﬁ); typ het nummer met gewone letters",
        "fr": "contient des lettres hors A–Z (comme ß, ı ou ﬁ) ; tapez le numéro avec des lettres simples",
        "en": "contains letters outside A–Z (such as ß, ı or ﬁ); type the number with plain letters",
    },
    "too-long": {
        "nl": f"is langer dan {MAX_CODE_CHARS} tekens",
        "fr": f"dépasse {MAX_CODE_CHARS} caractères",
        "en": f"is longer than {MAX_CODE_CHARS} characters",
    },
    "empty": {
        "nl": "leeg", "fr": "vide", "en": "empty",
    },
    "characters": {
        "nl": "bevat tekens die geen cijfers of letters zijn",
        "fr": "contient des caractères qui ne sont ni des chiffres ni des lettres",
        "en": "contains characters that are not digits or letters",
    },
    "nrn-not-digits": {
        "nl": "een rijksregisternummer bestaat alleen uit cijfers",
        "fr": "un numéro de registre national ne contient que des chiffres",
        "en": "a national register number has digits only",
    },
    "nrn-length": {
        "nl": "een rijksregisternummer heeft 11 cijfers",
        "fr": "un numéro de registre national a 11 chiffres",
        "en": "a national register number has 11 digits",
    },
    "nrn-check-digits": {
        "nl": "de controlecijfers (laatste twee) kloppen niet: waarschijnlijk een tikfout",
        "fr": "les chiffres de contrôle (les deux derniers) ne correspondent pas : probablement une faute de frappe",
        "en": "the check digits (last two) do not match: probably a typing error",
    },
}


class InvalidIdentifier(ValueError):
    """An identifier that cannot be normalised. ``reason`` is a code of :data:`REASONS`.

    The message never contains the identifier itself.
    """

    def __init__(self, reason: str, kind: str = ""):
        self.reason = reason
        self.kind = kind
        super().__init__(f"invalid {kind or 'identifier'}: {REASONS.get(reason, {}).get('en', reason)}")


class KeyMissing(RuntimeError):
    """No pseudonymisation key was given (or it is not usable); the message says how to set one.

    ``code`` names the case for a translated message (:data:`evaluation.intake.messages.KEY_MESSAGES`).
    """

    def __init__(self, message: str, code: str = "key-missing", **params):
        super().__init__(message)
        self.code = code
        self.params = params


class KeyRefused(RuntimeError):
    """A key that was given but is malformed or stored in a forbidden place (``code`` as :class:`KeyMissing`)."""

    def __init__(self, message: str, code: str = "key-format", **params):
        super().__init__(message)
        self.code = code
        self.params = params


HOW_TO_SET_KEY = (
    "Ask the evaluation's data controller for the pseudonymisation key and set it before you "
    f"submit: either the environment variable {KEY_ENV} (Linux/macOS: export {KEY_ENV}=<key>; "
    f"Windows: set {KEY_ENV}=<key>), or --key-file PATH naming a file that holds the key. "
    "The key is 64 hex characters (or base64 of at least 32 bytes), optionally prefixed with its "
    "version, e.g. '2:<key>'. Only for a NEW evaluation, the data controller creates one once with: "
    "python -c \"import secrets; print(secrets.token_hex(32))\". "
    "Never store the key in the evaluation workspace or in a git repository, and never send it by "
    "e-mail with the data: whoever holds it can re-identify people."
)


# ---------------------------------------------------------------------------
# identifiers


def nrn_check_digits(first9: str, *, born_2000_or_later: bool) -> int:
    """Check digits of a national register number from its first 9 digits.

    ``97 - (int(first9) mod 97)``; for people born in 2000 or later the 9
    digits are prefixed with ``2`` first.
    """
    if len(first9) != 9 or not first9.isdigit():
        raise ValueError("first9 must be exactly 9 digits, e.g. '850731003'")
    n = int(("2" + first9) if born_2000_or_later else first9)
    return 97 - (n % 97)


def _as_text(raw) -> str:
    """Text of a cell; integral numbers (as read from .sav or Excel) lose their '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, (bool, np.bool_)):
        return str(raw)
    if isinstance(raw, (int, np.integer)):
        return str(int(raw))
    if isinstance(raw, (float, np.floating)):
        if np.isnan(raw):
            return ""
        if float(raw).is_integer():
            return str(int(raw))
        return repr(float(raw))
    return str(raw)


def normalise_identifier(kind: str, raw) -> str:
    """The canonical form of an identifier of ``kind``.

    - ``prison_number`` and ``study_code`` (a code the research team gave a
      respondent): spaces and punctuation removed, upper case; only letters
      and digits may remain.
    - ``national_register``: 11 digits, with or without ``YY.MM.DD-XXX.CC``
      punctuation; a number read as a number (leading zero lost, as Excel does
      for people born 2000-2009) is zero-padded; the mod-97 check digits must
      match (before or from 2000).

    Raises :class:`InvalidIdentifier` with a reason code (never the value).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    numeric = isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool)
    raw_text = _as_text(raw)
    if len(raw_text) > 4 * MAX_CODE_CHARS:  # (issue 17) never upper-case or strip a huge cell
        raise InvalidIdentifier("too-long", kind)
    if not raw_text.isascii():  # (issue 17) no Unicode case folding: 'ﬁ'.upper() == 'FI' would merge two people
        raise InvalidIdentifier("non-ascii", kind)
    text = _STRIP.sub("", raw_text).upper()
    if not text:
        raise InvalidIdentifier("empty", kind)
    if len(text) > MAX_CODE_CHARS and kind != "national_register":
        raise InvalidIdentifier("too-long", kind)
    if kind in ("prison_number", "study_code"):
        if not _ALNUM.match(text):
            raise InvalidIdentifier("characters", kind)
        return text
    if not text.isdigit():
        raise InvalidIdentifier("nrn-not-digits", kind)
    if numeric and len(text) < 11:
        text = text.zfill(11)
    if len(text) != 11:
        raise InvalidIdentifier("nrn-length", kind)
    first9, check = text[:9], int(text[9:])
    if check not in (nrn_check_digits(first9, born_2000_or_later=False),
                     nrn_check_digits(first9, born_2000_or_later=True)):
        raise InvalidIdentifier("nrn-check-digits", kind)
    return text


def _normalise_codes(kind: str, values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, normalised, reason)``: each distinct value of ``values`` normalised once (see :func:`_normalise_distinct`)."""
    found = _normalise_distinct(kind, values)
    return found.codes, found.normalised, found.reason


def _normalise_distinct(kind: str, values: pd.Series) -> "_Distinct":
    """``(codes, uniques, normalised, reason, distinct)``: each distinct value of ``values`` normalised once.

    ``uniques`` are the distinct cells as given (what ``codes`` points to;
    validation measures their length).

    ``codes`` gives, per row, the position in ``normalised`` (canonical
    identifier or None) and ``reason`` (None or a reason code); the last
    position stands for a missing cell (reason ``"missing"``).

    Prison numbers and study codes already in canonical shape (ASCII letters
    and digits, at most :data:`MAX_CODE_CHARS`) are upper-cased with ``str``
    methods -- all of them joined by spaces at once when every distinct cell
    is so, else one list comprehension; every other value goes through
    :func:`normalise_identifier`, which gives the same result for those (a
    measured reason: a loop with the regular expression took 65 ms of a
    100,000-row check, ``benchmarks/intake_bench.py``; the list comprehension
    about 12 ms, the joined test and upper() about 4 ms; numpy's
    ``np.strings.upper`` was slower than ``str.upper``).
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    norm = np.empty(len(uniques) + 1, dtype=object)
    reason = np.empty(len(uniques) + 1, dtype=object)
    reason[-1] = "missing"  # code -1: missing cell
    rest: Iterable[int] = range(len(uniques))
    distinct = False
    if kind in ("prison_number", "study_code") and len(uniques) \
            and pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        # the whole cell ASCII letters and digits ("ABC\n" is not: it goes the long way and loses the newline).
        # Usually every distinct cell is: then one test of all of them joined by spaces, and one upper()
        joined = " ".join(uniques.tolist())
        lengths = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
        if joined.isascii() and 1 <= lengths.min() and lengths.max() <= MAX_CODE_CHARS \
                and joined.count(" ") == len(uniques) - 1 and joined.replace(" ", "").isalnum():
            upper = joined.upper()
            if upper == joined:  # canonical already: the distinct cells are the distinct identifiers
                norm[:-1] = uniques
                distinct = True
            else:
                norm[:-1] = upper.split(" ")
            rest = ()
        else:
            norm[:-1] = [u.upper() if len(u) <= MAX_CODE_CHARS and u.isascii() and u.isalnum() else None
                         for u in uniques]
            rest = np.flatnonzero(pd.isna(norm[:-1]))
    for i in rest:
        try:
            norm[i] = normalise_identifier(kind, uniques[i])
        except InvalidIdentifier as exc:
            reason[i] = exc.reason
    return _Distinct(codes, uniques, norm, reason, distinct)


class _Distinct(NamedTuple):
    """What :func:`_normalise_distinct` finds (see there); ``distinct``: ``normalised[:-1]`` are the
    ``uniques`` themselves (no cell invalid, none to change), so no two of them are equal."""

    codes: np.ndarray
    uniques: np.ndarray
    normalised: np.ndarray
    reason: np.ndarray
    distinct: bool


@dataclass(frozen=True)
class Factorised:
    """A column's canonical identifiers as codes into the distinct ones (validation computes them once).

    Row ``i`` holds ``uniques[codes[i]]``; ``codes[i]`` is -1 where the cell
    has no canonical identifier (missing or invalid). :meth:`Pseudonymiser.series`
    hashes each entry of ``uniques`` once and spreads the pseudonyms by
    ``codes``, without factorizing the column again (10 ms of a
    100,000-row submit, ``benchmarks/intake_bench.py``).
    """

    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, normalised) -> "Factorised":
        """From the canonical identifier of each row (None where none)."""
        codes, uniques = pd.factorize(np.asarray(normalised, dtype=object), use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object))

    def __len__(self) -> int:
        return len(self.codes)

    def values(self) -> np.ndarray:
        """The canonical identifier of each row (None where none), an object array."""
        return np.append(self.uniques, None)[self.codes]

    def take(self, index) -> "Factorised":
        """The rows at ``index`` (positions or a boolean mask); ``uniques`` kept as they are."""
        return Factorised(self.codes[np.asarray(index)], self.uniques)


def normalise_series(kind: str, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`normalise_identifier` over a column, each distinct value once.

    Returns ``(normalised, reason)`` aligned on ``values``: the canonical
    identifier (None where missing or invalid) and the reason code (None
    where valid, ``"missing"`` for an empty cell).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    codes, norm, reason = _normalise_codes(kind, values)
    return (pd.Series(norm[codes], index=values.index, dtype=object),
            pd.Series(reason[codes], index=values.index, dtype=object))


def is_pseudonym(value: str) -> bool:
    """True for a string shaped like a pseudonym (``k<version>-<64 hex>``)."""
    return isinstance(value, str) and bool(_PSEUDONYM.match(value))


# ---------------------------------------------------------------------------
# the key


@dataclass(frozen=True)
class PseudonymKey:
    """A secret key and its version. ``repr`` never shows the key."""

    secret: bytes = field(repr=False)
    version: int = 1
    source: str = field(default="", compare=False)  # "environment", a file path, "generated"

    def __post_init__(self):
        if not isinstance(self.secret, bytes) or len(self.secret) < MIN_KEY_BYTES:
            raise KeyRefused(f"the key must be at least {MIN_KEY_BYTES} bytes; create one with "
                            "python -c \"import secrets; print(secrets.token_hex(32))\"")
        if not isinstance(self.version, int) or self.version < 1:
            raise KeyRefused("the key version must be a whole number >= 1 (prefix the key with e.g. '2:')")

    @classmethod
    def generate(cls, version: int = 1) -> "PseudonymKey":
        """A fresh random key (for the demo or for a data controller creating one)."""
        return cls(secrets.token_bytes(32), version, "generated")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self)

    def text(self) -> str:
        """The key as it is written in ``$PEER_EVAL_KEY`` (``<version>:<hex>``)."""
        return f"{self.version}:{self.secret.hex()}"


def fingerprint(key: PseudonymKey) -> str:
    """First 16 hex characters of HMAC-SHA256(key, fixed label): identifies a key, reveals nothing."""
    return hmac.new(key.secret, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def parse_key(text: str, *, source: str = "") -> PseudonymKey:
    """Parse ``[<version>:]<hex or base64>``; raises :class:`KeyRefused` (never echoing the key)."""
    text = text.strip()
    version = 1
    m = re.match(r"^(\d+):(.*)$", text, re.S)
    if m:
        version, text = int(m.group(1)), m.group(2).strip()
    if not text:
        raise KeyMissing(f"the pseudonymisation key from {source or 'the input'} is empty. " + HOW_TO_SET_KEY,
                         "key-empty", source=source or "?")
    secret: bytes | None = None
    if re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
        secret = bytes.fromhex(text)
    else:
        try:
            padded = text + "=" * (-len(text) % 4)
            alt = "-_" if ("-" in text or "_" in text) else None
            secret = base64.b64decode(padded, altchars=alt.encode() if alt else None, validate=True)
        except (binascii.Error, ValueError):
            raise KeyRefused(f"the pseudonymisation key from {source or 'the input'} is neither hex "
                             "nor base64. " + HOW_TO_SET_KEY, "key-format", source=source or "?") from None
    if len(secret) < MIN_KEY_BYTES:
        raise KeyRefused(f"the pseudonymisation key from {source or 'the input'} decodes to "
                         f"{len(secret)} bytes; at least {MIN_KEY_BYTES} are needed. " + HOW_TO_SET_KEY,
                         "key-too-short", source=source or "?", size=len(secret), minimum=MIN_KEY_BYTES)
    return PseudonymKey(secret, version, source)


def git_working_tree(path: Path) -> Path | None:
    """The root of the git working tree holding ``path`` (a ``.git`` entry above it), or None."""
    p = Path(path).resolve()
    for d in (p, *p.parents):
        if (d / ".git").exists():
            return d
    return None


def load_key(key_file: str | os.PathLike | None = None) -> PseudonymKey:
    """The pseudonymisation key: ``key_file``, else ``$PEER_EVAL_KEY``, else ``$PEER_EVAL_KEY_FILE``.

    Raises :class:`KeyMissing` (how to set a key) when there is none, and
    :class:`KeyRefused` for a malformed key or a key file inside a git working
    tree. (:meth:`evaluation.store.Workspace.check_key` also refuses a key
    file inside the workspace.)
    """
    if key_file is None and os.environ.get(KEY_ENV, "").strip():
        return parse_key(os.environ[KEY_ENV], source=f"${KEY_ENV}")
    if key_file is None and os.environ.get(KEY_FILE_ENV, "").strip():
        key_file = os.environ[KEY_FILE_ENV]
    if key_file is None:
        raise KeyMissing("No pseudonymisation key: intake refuses to store data without one. " + HOW_TO_SET_KEY,
                         "key-missing")
    path = Path(key_file).expanduser()
    if not path.is_file():
        raise KeyMissing(f"The key file {path} does not exist. " + HOW_TO_SET_KEY, "key-file-missing", source=str(path))
    tree = git_working_tree(path)
    if tree is not None:
        raise KeyRefused(f"The key file {path} is inside the git working tree {tree}: a key must never "
                        "be where it could be committed. Move it outside any repository (e.g. to your "
                        "home folder, readable only by you) and pass its new path.", "key-in-git",
                         source=str(path), tree=str(tree))
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:  # (issue 17) a key others can read is no secret
        raise KeyRefused(f"The key file {path} can be read or changed by other users (permissions {mode:o}). "
                         f"Make it readable only by you: chmod 600 {path} — then try again.", "key-permissions",
                         source=str(path), mode=f"{mode:o}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KeyRefused(f"The key file {path} is not plain text (a binary file, or saved as UTF-16/'Unicode'). "
                         "Save the key as one line of plain text (UTF-8), or use the key file you were given.",
                         "key-not-text", source=str(path)) from None
    except OSError as exc:
        raise KeyRefused(f"The key file {path} cannot be read ({exc.strerror or type(exc).__name__}). Check its "
                         "permissions: it must be readable by you (chmod 600).", "key-unreadable",
                         source=str(path)) from None
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    if not lines:
        raise KeyMissing(f"The key file {path} holds no key. " + HOW_TO_SET_KEY, "key-empty", source=str(path))
    return parse_key(lines[0], source=str(path.resolve()))


# ---------------------------------------------------------------------------
# pseudonyms


class Pseudonymiser:
    """Pseudonyms under one key: ``Pseudonymiser(key).pseudonym("prison_number", "AB 123")``."""

    def __init__(self, key: PseudonymKey):
        if not isinstance(key, PseudonymKey):
            raise TypeError("key must be a PseudonymKey: get one with load_key()")
        self.key = key
        self._prefix = f"k{key.version}-"
        # HMAC-SHA256 with the padded key states computed once (RFC 2104); equal to
        # hmac.digest(key, msg, "sha256") and about twice as fast per value.
        k = key.secret if len(key.secret) <= 64 else hashlib.sha256(key.secret).digest()
        k = k.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in k))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in k))

    def _hash(self, kind: str, normalised: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{kind}:{normalised}".encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return self._prefix + outer.hexdigest()

    def pseudonym(self, kind: str, raw) -> str:
        """The pseudonym of ``raw``; raises :class:`InvalidIdentifier` when it cannot be normalised."""
        return self._hash(kind, normalise_identifier(kind, raw))

    def try_pseudonym(self, kind: str, raw) -> tuple[str | None, str | None]:
        """``(pseudonym, None)`` or ``(None, reason)``."""
        try:
            return self.pseudonym(kind, raw), None
        except InvalidIdentifier as exc:
            return None, exc.reason

    def series(self, kind: str, values: pd.Series, *, normalised=None) -> tuple[pd.Series, pd.Series]:
        """Pseudonyms of a column and the reason code where one failed (both aligned on ``values``).

        Each distinct value is normalised and hashed once. ``normalised``
        (optional, aligned on ``values`` by position) holds what
        :func:`normalise_series` gave for ``values`` — the canonical
        identifier, or None where the cell is missing or invalid — or the
        same as a :class:`Factorised`, so that identifiers already
        normalised by validation are not normalised (nor factorized) again.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if normalised is None:
            codes, norm, reason = _normalise_codes(kind, values)
        else:
            f = normalised if isinstance(normalised, Factorised) else Factorised.of(normalised)
            if len(f) != len(values):
                raise ValueError(f"normalised has {len(f)} values for {len(values)} rows: pass the "
                                 "canonical identifiers of the same rows (normalise_series(kind, values))")
            codes = f.codes
            norm = np.append(f.uniques, None)
            reason = np.empty(len(norm), dtype=object)
            reason[-1] = "missing"
        inner0, outer0, prefix, label = self._inner, self._outer, self._prefix, f"{kind}:"
        pseud = np.empty(len(norm), dtype=object)
        for i, t in enumerate(norm):
            if t is not None:
                inner = inner0.copy()
                inner.update((label + t).encode())
                outer = outer0.copy()
                outer.update(inner.digest())
                pseud[i] = prefix + outer.hexdigest()
        out = pd.Series(pseud[codes], index=values.index, dtype=object)
        why = pd.Series(reason[codes], index=values.index, dtype=object)
        if normalised is not None:
            # cells with a value but no canonical identifier are invalid: their reason is found again (rare)
            none = np.flatnonzero(codes < 0)
            if len(none):
                obj = values.iloc[none].astype(object)
                for pos, cell in zip(none, obj):
                    if not pd.isna(cell):
                        out.iloc[pos], why.iloc[pos] = self.try_pseudonym(kind, cell)
        return out, why

    def pseudonymise_frame(self, frame: pd.DataFrame, columns: dict[str, str], **kwargs):
        """:func:`pseudonymise_frame` under this pseudonymiser's key."""
        return pseudonymise_frame(frame, columns, self, **kwargs)


def _problem(reason: str, row: int, column: str, kind: str) -> Problem:
    if reason == "missing":
        return Problem("identifier-missing", row=row, column=column, value=None, params={"kind": kind})
    texts = REASONS.get(reason, {"nl": reason, "fr": reason, "en": reason})
    return Problem(
        "identifier-invalid", row=row, column=column, value=None,
        params={"kind": kind, "reason": reason, "reason_nl": texts["nl"], "reason_fr": texts["fr"],
                "reason_en": texts["en"]},
    )


def pseudonymise_frame(
    frame: pd.DataFrame,
    columns: dict[str, str],
    key_or_pseudonymiser: PseudonymKey | Pseudonymiser,
    *,
    first_data_row: int = 1,
    pid_kind: str | None = None,
    normalised: dict | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Replace identifier columns by pseudonyms.

    Parameters
    ----------
    frame : DataFrame
        The submitted data (any index; rows are reported by position).
    columns : dict
        ``{column: kind}`` of the identifier columns, kind ``prison_number``
        or ``national_register`` (``pseudonym`` columns are checked and
        copied: the data were pseudonymised elsewhere with the same key).
    key_or_pseudonymiser : PseudonymKey or Pseudonymiser
    first_data_row : int
        Row number the coordinator sees for the first data row
        (``ReadResult.first_data_row``: 2 for CSV/Excel, 1 for .sav).
    pid_kind : str, optional
        Which kind becomes ``pid`` when there are several (default:
        ``prison_number`` if present, else the first column).
    normalised : dict, optional
        ``{column: canonical identifiers}`` for columns already normalised
        (validation does it): per row, what :func:`normalise_series` gives
        for that column (None where missing or invalid), or the same as a
        :class:`Factorised`. They are hashed without being normalised a
        second time; same result.

    Returns
    -------
    (frame, problems)
        A new frame with the raw identifier columns removed and ``pid``
        first (plus ``pid_<kind>`` for any further identifier column) --
        its other columns hold the input's arrays, not copies (replace a
        column rather than writing into it) -- and one
        ``identifier-missing`` / ``identifier-invalid`` problem per bad
        cell (row and column only, never the value). Rows with a bad
        identifier keep ``pid`` empty; the caller rejects the file.
    """
    if not columns:
        raise ValueError("columns is empty: pass {column: kind} for the identifier column(s), e.g. "
                         "{'prison_number': 'prison_number'}")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise KeyError(f"columns {absent} are not in the frame; its columns are {list(frame.columns)}")
    ps = key_or_pseudonymiser if isinstance(key_or_pseudonymiser, Pseudonymiser) else Pseudonymiser(key_or_pseudonymiser)
    kinds = list(columns.values())
    if pid_kind is None:
        pid_kind = "prison_number" if "prison_number" in kinds else kinds[0]
    if pid_kind not in kinds:
        raise ValueError(f"pid_kind {pid_kind!r} is not among the kinds given in columns: {kinds}")
    problems: list[Problem] = []
    new_cols: dict[str, pd.Series] = {}
    for col, kind in columns.items():
        if kind == "pseudonym":
            vals = frame[col].astype(object)
            ok = vals.map(is_pseudonym).astype(bool)
            wrong_version = vals.map(lambda v: is_pseudonym(v) and not v.startswith(ps._prefix)).astype(bool)
            pseud = vals.where(ok & ~wrong_version, None)
            why = pd.Series(np.where(vals.isna(), "missing", np.where(ok & ~wrong_version, None, "characters")),
                            index=vals.index, dtype=object)
            why[why.isna()] = None
        else:
            pseud, why = ps.series(kind, frame[col], normalised=(normalised or {}).get(col))
        bad = np.flatnonzero(why.notna().to_numpy())
        for pos in bad:
            problems.append(_problem(why.iloc[pos], first_data_row + int(pos), col, kind))
        name = "pid" if kind == pid_kind and "pid" not in new_cols else f"pid_{kind}"
        new_cols[name] = pseud.where(why.isna(), None) if len(bad) else pseud
    # the other columns as they are, column by column and not copied: dropping columns from the frame and
    # joining the pseudonyms to it consolidated and copied every column twice (0.1 s of a 100,000-row submit)
    gone = set(columns) | set(new_cols)
    kept = {c: frame[c] for c in frame.columns if c not in gone}
    out = pd.DataFrame({**new_cols, **kept}, index=frame.index, copy=False)
    return out, problems
