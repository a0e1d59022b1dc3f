"""Record which coding is the consensus of a double-coded transcript (issue 13).

When two or more coders coded a transcript, the team meets, compares the
codings and agrees on one. That agreed coding is either one of the coders'
codings (after discussion) or a separate pass imported under its own coder
name (e.g. ``consensus``). This module records the decision::

    from evaluation.qda.consensus import record_consensus, consensus_passes
    record_consensus(ws, "T-P01-DE1", coder="A", recorded_by="evaluator B")
    consensus_passes(ws)   # transcript_id, coder, recorded_by, recorded_at

``analysis.themes.consensus_coding(..., passes=consensus_passes(ws))`` then
uses that coder's segments as the transcript's coding for prevalence and
co-occurrence (the merge rule applies only where no pass is recorded).

Table ``consensus_passes`` (created on first use): one row per decision —
``transcript_id``, ``coder``, ``recorded_by`` (as they sign), ``recorded_at``
(ISO 8601, UTC). A later decision for the same transcript replaces the earlier
one (the earlier stays in the table). The audit log records each decision
(action ``consensus-recorded``, the transcript's submission, site and the
SHA-256 of its original text) but never names or identifiers.

Refusals come as :class:`ConsensusRefused` with a message in Dutch, French or
English (``lang``).
"""

from __future__ import annotations

import pandas as pd

from evaluation.store.db import Store
from evaluation.store.signoffs import _open, _when

__all__ = ["CONSENSUS_COLUMNS", "ConsensusRefused", "record_consensus", "consensus_passes", "message",
           "MESSAGES"]

CONSENSUS_COLUMNS = ("transcript_id", "coder", "recorded_by", "recorded_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS consensus_passes (
    transcript_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consensus_passes_transcript ON consensus_passes (transcript_id);
"""

#: message key -> {language: text}; ``{…}`` fields are filled by :func:`message`
MESSAGES: dict[str, dict[str, str]] = {
    "no-recorder": {
        "en": "--by is empty: give the name or initials of the person recording the consensus.",
        "nl": "--by is leeg: geef de naam of de initialen van wie de consensus vastlegt.",
        "fr": "--by est vide : indiquez le nom ou les initiales de la personne qui enregistre le consensus.",
    },
    "recorder-too-long": {
        "en": "--by is longer than 120 characters: give a name or initials.",
        "nl": "--by is langer dan 120 tekens: geef een naam of initialen.",
        "fr": "--by dépasse 120 caractères : indiquez un nom ou des initiales.",
    },
    "no-transcript": {
        "en": "Transcript {transcript!r} is not in an accepted import; check the name with "
              "'peer-eval interviews consensus --list'.",
        "nl": "Transcript {transcript!r} zit niet in een aanvaarde import; controleer de naam met "
              "'peer-eval interviews consensus --list'.",
        "fr": "La transcription {transcript!r} ne figure dans aucune importation acceptée ; vérifiez le nom avec "
              "'peer-eval interviews consensus --list'.",
    },
    "no-coding": {
        "en": "Coder {coder!r} has no coding of transcript {transcript!r}; its coders are: {coders}.",
        "nl": "Codeur {coder!r} heeft transcript {transcript!r} niet gecodeerd; de codeurs ervan zijn: {coders}.",
        "fr": "Le codeur {coder!r} n'a pas codé la transcription {transcript!r} ; ses codeurs sont : {coders}.",
    },
    "single-coder": {
        "en": "Transcript {transcript!r} was coded by one coder only ({coders}); a consensus needs two or more "
              "codings to choose from.",
        "nl": "Transcript {transcript!r} werd door één codeur gecodeerd ({coders}); een consensus vraagt twee of "
              "meer coderingen om uit te kiezen.",
        "fr": "La transcription {transcript!r} n'a été codée que par un seul codeur ({coders}) ; un consensus "
              "demande au moins deux codages parmi lesquels choisir.",
    },
    "recorded": {
        "en": "Recorded: the coding of {coder!r} is the consensus for transcript {transcript!r} "
              "(by {by}, {at}).",
        "nl": "Vastgelegd: de codering van {coder!r} is de consensus voor transcript {transcript!r} "
              "(door {by}, {at}).",
        "fr": "Enregistré : le codage de {coder!r} est le consensus de la transcription {transcript!r} "
              "(par {by}, {at}).",
    },
    "list-header": {
        "en": "{n} double-coded transcript(s); the consensus in use for each:",
        "nl": "{n} dubbel gecodeerde transcript(en); de consensus die voor elk geldt:",
        "fr": "{n} transcription(s) codée(s) deux fois ; le consensus utilisé pour chacune :",
    },
    "list-none": {
        "en": "no consensus recorded: the coders' codings are merged (majority rule)",
        "nl": "geen consensus vastgelegd: de coderingen worden samengevoegd (meerderheidsregel)",
        "fr": "aucun consensus enregistré : les codages sont fusionnés (règle de la majorité)",
    },
    "list-entry": {
        "en": "coding of {coder!r}, recorded by {by} on {at}",
        "nl": "codering van {coder!r}, vastgelegd door {by} op {at}",
        "fr": "codage de {coder!r}, enregistré par {by} le {at}",
    },
    "need-coder": {
        "en": "give the transcript and --coder (or --list to see the double-coded transcripts).",
        "nl": "geef het transcript en --coder (of --list om de dubbel gecodeerde transcripten te zien).",
        "fr": "indiquez la transcription et --coder (ou --list pour voir les transcriptions codées deux fois).",
    },
}


def message(key: str, lang: str = "en", **fields) -> str:
    """The message ``key`` in ``lang`` (``nl``, ``fr`` or ``en``; English for another code)."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**fields)


class ConsensusRefused(ValueError):
    """A consensus decision that cannot be recorded; ``str()`` is the message in the caller's language."""


def _ensure(store: Store) -> None:
    from evaluation.store.segments import _ensure as ensure_segments

    ensure_segments(store)
    store.con.executescript(_SCHEMA)


def _transcript(store: Store, transcript_id: str) -> tuple[str, str, str] | None:
    """``(submission_id, site, sha256)`` of an accepted transcript, or None."""
    row = store.con.execute(
        "SELECT t.submission_id, t.site, t.sha256 FROM transcripts t JOIN submissions s "
        "ON s.submission_id = t.submission_id WHERE t.transcript_id = ? AND s.status = 'accepted' "
        "ORDER BY t.rowid DESC", (str(transcript_id),)).fetchone()
    return tuple(row) if row else None


def _coders(store: Store, transcript_id: str) -> list[str]:
    rows = store.con.execute(
        "SELECT DISTINCT g.coder FROM segments g JOIN submissions s ON s.submission_id = g.submission_id "
        "WHERE g.transcript_id = ? AND s.status = 'accepted' ORDER BY g.coder", (str(transcript_id),)).fetchall()
    return [r[0] for r in rows]


def record_consensus(workspace, transcript_id: str, *, coder: str, recorded_by: str, at=None,
                     lang: str = "en") -> dict:
    """Record that ``coder``'s coding is the consensus for ``transcript_id``.

    The transcript must be in an accepted import and coded by two or more
    coders, ``coder`` one of them (or a consensus pass imported under its own
    name beside them). Raises :class:`ConsensusRefused` (message in ``lang``)
    otherwise. Returns the recorded row.
    """
    who = " ".join(str(recorded_by or "").split())
    if not who:
        raise ConsensusRefused(message("no-recorder", lang))
    if len(who) > 120:
        raise ConsensusRefused(message("recorder-too-long", lang))
    when = _when(at)
    store, close = _open(workspace)
    try:
        _ensure(store)
        found = _transcript(store, transcript_id)
        if found is None:
            raise ConsensusRefused(message("no-transcript", lang, transcript=str(transcript_id)))
        coders = _coders(store, transcript_id)
        if str(coder) not in coders:
            raise ConsensusRefused(message("no-coding", lang, coder=str(coder), transcript=str(transcript_id),
                                           coders=", ".join(coders) or "–"))
        if len(coders) < 2:
            raise ConsensusRefused(message("single-coder", lang, transcript=str(transcript_id),
                                           coders=", ".join(coders)))
        store.con.execute("INSERT INTO consensus_passes (transcript_id, coder, recorded_by, recorded_at) "
                          "VALUES (?, ?, ?, ?)", (str(transcript_id), str(coder), who, when))
        submission, site, sha = found
        store.workspace.audit.write("consensus-recorded", submission=submission, site=site, sha256=sha)
        return {"transcript_id": str(transcript_id), "coder": str(coder), "recorded_by": who, "recorded_at": when}
    finally:
        if close:
            store.close()


def consensus_passes(workspace) -> pd.DataFrame:
    """The consensus in force per transcript (the latest decision), for transcripts still accepted.

    Columns :data:`CONSENSUS_COLUMNS`; ``recorded_at`` is a UTC timestamp. This
    is the ``passes`` frame of ``analysis.themes.consensus_coding``.
    """
    store, close = _open(workspace)
    try:
        _ensure(store)
        df = store.query(
            "SELECT c.transcript_id, c.coder, c.recorded_by, c.recorded_at FROM consensus_passes c "
            "WHERE EXISTS (SELECT 1 FROM transcripts t JOIN submissions s ON s.submission_id = t.submission_id "
            "WHERE t.transcript_id = c.transcript_id AND s.status = 'accepted') "
            "ORDER BY c.recorded_at, c.rowid")
        df = df.reindex(columns=list(CONSENSUS_COLUMNS)).drop_duplicates("transcript_id", keep="last")
        df["recorded_at"] = pd.to_datetime(df["recorded_at"], utc=True)
        return df.sort_values("transcript_id").reset_index(drop=True)
    finally:
        if close:
            store.close()

