"""Check coded segments and store them through the intake path.

``check_segments`` reads a ``.qdpx`` project or a spreadsheet and reports
every problem without storing anything and without the key.
``import_segments`` does the same after keeping the file read-only in the
workspace's ``raw/`` (under its SHA-256), then either stores the transcripts
and segments in one transaction — participants replaced by pseudonyms, names
in the text replaced by labels — or puts the file and its report in
``quarantine/``. Both return an :class:`~evaluation.intake.problems.Report`.

What is checked (problem codes, messages in :mod:`evaluation.intake.messages`):

- ``code-unknown``: a code that is neither a code nor a label of the codebook;
- ``segment-outside-transcript``: positions outside the transcript;
- ``segment-text-mismatch``: the selection's text is not what the transcript
  holds at those positions; ``positions-converted`` (warning) when every
  selection matches once positions are read as UTF-16 units or with ``\\r\\n``
  as one character (NVivo, QualCoder...) — they are converted to code points;
  ``positions-unverified`` (warning) when they could differ and nothing can
  tell; ``quotation-not-found`` / ``quotation-ambiguous`` for spreadsheet
  quotations without positions;
- ``segment-duplicate`` (the same span, code and coder twice: kept once) and
  ``segment-overlap`` (overlapping spans, same code and coder), warnings;
- ``participant-missing``, ``participant-unknown`` (not on the roster of
  the names list), ``role-unknown``, ``identifier-invalid``,
  ``site-mismatch``, ``coder-missing``, ``transcript-participant-conflict``.

Offsets are resolved against the original transcript BEFORE names are
replaced; the store keeps those original offsets, the SHA-256 of the original
text and the de-identified text with the positions of each replacement.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.intake.problems import Problem, Report

from .codebook import Codebook, load_codebook
from .coded import CodedFile, Selection, role_of
from .names import Deidentifier, NamesList, Redaction, read_names
from .positions import CONVENTIONS, Positions, same_text

__all__ = ["validate_coded", "read_coded_file", "check_segments", "import_segments", "Prepared", "prepare",
           "ROLE_LABELS", "study_code_pseudonym"]

#: what replaces a participant's own identifier in the text when the names list gives no label
ROLE_LABELS = {"detainee": "[detainee]", "peer_worker": "[peer worker]", "staff": "[staff member]"}
_STRIP = re.compile(r"[\s\.\-/_,;:'\"()]+")


def study_code_pseudonym(key, code: str) -> str:
    """The pseudonym of a peer worker's or staff member's study code (HMAC-SHA256, like prison numbers).

    The code is normalised like a prison number (spaces and punctuation
    removed, upper case); the kind ``study_code`` is part of the hashed
    message, so it never collides with a prison number's pseudonym.
    """
    norm = _STRIP.sub("", str(code)).upper()
    if not norm:
        raise ValueError("study code is empty")
    return f"k{key.version}-" + hmac.new(key.secret, f"study_code:{norm}".encode(), hashlib.sha256).hexdigest()


def read_coded_file(path: Path | str, codebook: Codebook, transcripts: Path | str | None = None) -> CodedFile:
    """Read a ``.qdpx``, ``.csv`` or ``.xlsx`` file of coded segments."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".qdpx", ".zip"):
        from .refi import read_qdpx

        return read_qdpx(path, codebook)
    if suffix in (".csv", ".xlsx", ".txt"):
        from .spreadsheet import read_segment_sheet

        return read_segment_sheet(path, codebook, transcripts)
    out = CodedFile(format=suffix.lstrip(".") or "unknown")
    out.problems.append(Problem("file-format-unknown", params={"detail": suffix or "no extension"}))
    return out


@dataclass
class Prepared:
    """Checked, pseudonymised, de-identified content of a coded file, ready for the store."""

    problems: list[Problem]
    transcripts: pd.DataFrame
    segments: pd.DataFrame


def _find(text: str, quote: str) -> list[int]:
    """Start positions of ``quote`` in ``text``, whitespace-insensitive."""
    words = quote.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def prepare(coded: CodedFile, codebook: Codebook, *, site: str | None, names: NamesList | None = None,
            key=None, file_sha256: str = "") -> Prepared:
    """Check ``coded`` and build the transcripts and segments frames (pids only with ``key``)."""
    from evaluation.intake.pseudonymise import REASONS, InvalidIdentifier, Pseudonymiser

    problems: list[Problem] = list(coded.problems)
    names = names or NamesList()
    roster = names.roster
    ps = Pseudonymiser(key) if key is not None else None

    # -- participants of each transcript ------------------------------------
    info: dict[str, dict] = {}
    extra_names: list[tuple[str, str]] = []
    for skey, src in coded.sources.items():
        rows = [s for s in coded.selections if s.source == skey]
        participant, role, src_site = src.participant, src.role, src.site
        for s in rows:  # spreadsheets: each row restates them
            for attr, val in (("participant", s.participant), ("role", s.role), ("site", s.site)):
                if val is None:
                    continue
                cur = {"participant": participant, "role": role, "site": src_site}[attr]
                if cur is not None and str(cur).strip().casefold() != str(val).strip().casefold():
                    problems.append(Problem("transcript-participant-conflict", row=s.row, column=attr,
                                            params={"transcript": "?"}))
        group = role_of(role)
        row0 = rows[0].row if rows else None
        if participant is not None:
            extra_names.append((str(participant), names.label_for(str(participant)) or ROLE_LABELS.get(group, "[participant]")))
        info[skey] = {"participant": participant, "group": group, "role": role, "site": src_site, "row": row0}
    deid = Deidentifier(names, extra_names)
    for skey, src in coded.sources.items():
        d = info[skey]
        label = deid.text(src.name) or "?"
        d["label"] = label
        if not d["participant"]:
            problems.append(Problem("participant-missing", row=d["row"], params={"transcript": label}))
        if d["group"] is None:
            problems.append(Problem("role-unknown", row=d["row"], column="role", value=d["role"],
                                    params={"transcript": label}))
        if site is not None and d["site"] and d["site"].strip().upper() != site.upper():
            problems.append(Problem("site-mismatch", row=d["row"], column="site", value=d["site"], params={"site": site}))
        if roster and d["participant"] and d["participant"] not in roster:
            problems.append(Problem("participant-unknown", row=d["row"], params={"transcript": label}))
        d["pid"] = None
        if d["participant"] and d["group"]:
            try:
                if d["group"] == "detainee":
                    from evaluation.intake.pseudonymise import normalise_identifier

                    normalise_identifier("prison_number", d["participant"])
                    d["pid"] = ps.pseudonym("prison_number", d["participant"]) if ps else None
                else:
                    d["pid"] = study_code_pseudonym(key, d["participant"]) if key is not None else None
            except (InvalidIdentifier, ValueError) as exc:
                reason = getattr(exc, "reason", "characters")
                t = REASONS.get(reason, {"nl": reason, "fr": reason, "en": reason})
                problems.append(Problem("identifier-invalid", row=d["row"], column="participant",
                                        params={"kind": "prison_number" if d["group"] == "detainee" else "study_code",
                                                "reason": reason, "reason_nl": t["nl"], "reason_fr": t["fr"],
                                                "reason_en": t["en"]}))

    # -- positions: which convention does this file use? ------------------------
    pos = {k: Positions(s.text) for k, s in coded.sources.items() if s.text is not None}
    votes: Counter = Counter()
    checkable = 0
    for s in coded.selections:
        if s.source in pos and s.start is not None and s.end is not None and s.text:
            checkable += 1
            votes.update(pos[s.source].matching(s.start, s.end, s.text))
    convention = "codepoints"
    if checkable and votes:
        best = max(CONVENTIONS, key=lambda c: (votes[c], -CONVENTIONS.index(c)))
        if votes[best] > votes["codepoints"]:
            convention = best
            problems.append(Problem("positions-converted", severity="warning",
                                    params={"convention": best, "n": votes[best]}))
    if not checkable:
        for k, p in pos.items():
            if p.ambiguous and any(s.source == k and s.start is not None for s in coded.selections):
                problems.append(Problem("positions-unverified", severity="warning",
                                        params={"transcript": info[k]["label"]}))

    # -- each coding ---------------------------------------------------------------
    records: list[dict] = []
    redactions: dict[str, Redaction] = {k: deid.apply(coded.sources[k].text) for k in pos}
    for s in coded.selections:
        d = info.get(s.source, {})
        where = dict(row=s.row, params={"transcript": d.get("label", "?")})
        code = codebook.resolve(s.code) if s.code else None
        if code is None:
            problems.append(Problem("code-unknown", row=s.row, column="theme" if s.row else None, value=s.code,
                                    params={"transcript": d.get("label", "?"), "codebook": codebook.ref}))
        if not s.coder:
            problems.append(Problem("coder-missing", **where))
        start = end = None
        text = None
        if s.source in pos:
            body = coded.sources[s.source].text
            if s.start is not None and s.end is not None:
                span = pos[s.source].span(s.start, s.end, convention)
                if span is None:
                    problems.append(Problem("segment-outside-transcript", row=s.row,
                                            params={"transcript": d.get("label", "?"), "start": s.start,
                                                    "end": s.end, "length": len(body)}))
                    continue
                start, end = span
                if s.text and not same_text(body[start:end], s.text):
                    problems.append(Problem("segment-text-mismatch", row=s.row,
                                            params={"transcript": d.get("label", "?"), "start": s.start, "end": s.end}))
                    continue
            elif s.text:
                found = _find(body, s.text)
                if not found:
                    problems.append(Problem("quotation-not-found", **where))
                    continue
                if len(found) > 1:
                    problems.append(Problem("quotation-ambiguous", severity="warning", row=s.row,
                                            params={"transcript": d.get("label", "?"), "n": len(found)}))
                start, end = found[0]
            else:
                problems.append(Problem("segment-empty", **where))
                continue
            r = redactions[s.source]
            ns, ne = r.map_span(start, end)
            text = r.text[ns:ne]
        else:
            if s.start is not None and s.end is not None and (s.start < 0 or s.end < s.start):
                problems.append(Problem("segment-outside-transcript", row=s.row,
                                        params={"transcript": d.get("label", "?"), "start": s.start, "end": s.end,
                                                "length": "?"}))
                continue
            start, end = s.start, s.end
            if not s.text and start is None:
                problems.append(Problem("segment-empty", **where))
                continue
            text = deid.text(s.text)
        records.append({"source": s.source, "code": code or s.code, "coder": s.coder, "start": start, "end": end,
                        "text": text, "comment": deid.text(s.comment), "row": s.row, "ref": s.ref})

    # -- duplicates and overlaps -----------------------------------------------------
    kept: list[dict] = []
    by_key: dict[tuple, list[dict]] = {}
    for r in records:
        k = (r["source"], r["coder"], r["code"])
        seen = by_key.setdefault(k, [])
        label = info.get(r["source"], {}).get("label", "?")
        if r["start"] is not None:
            if any(o["start"] == r["start"] and o["end"] == r["end"] for o in seen):
                problems.append(Problem("segment-duplicate", severity="warning", row=r["row"],
                                        params={"transcript": label, "code": r["code"]}))
                continue
            if any(o["start"] is not None and o["start"] < r["end"] and r["start"] < o["end"] for o in seen):
                problems.append(Problem("segment-overlap", severity="warning", row=r["row"],
                                        params={"transcript": label, "code": r["code"]}))
        elif any(o["text"] == r["text"] for o in seen):
            problems.append(Problem("segment-duplicate", severity="warning", row=r["row"],
                                    params={"transcript": label, "code": r["code"]}))
            continue
        seen.append(r)
        kept.append(r)

    # -- frames ----------------------------------------------------------------------
    tids: dict[str, str] = {}
    t_rows = []
    for k, src in coded.sources.items():
        d = info[k]
        if src.text is not None:
            sha = hashlib.sha256(src.text.encode("utf-8")).hexdigest()
            tid = "T" + sha[:12]
            r = redactions[k]
            t_rows.append({"transcript_id": tid, "pid": d["pid"], "respondent_group": d["group"],
                           "site": site or d["site"], "sha256": sha, "n_chars": len(src.text), "text": r.text,
                           "sha256_deidentified": hashlib.sha256(r.text.encode("utf-8")).hexdigest(),
                           "replacements": "[" + ",".join(f"[{a},{b},{c},{e}]" for a, b, c, e in r.replacements) + "]"})
        else:
            msg = f"transcript:{site or d['site']}:{src.name}".encode()
            digest = (hmac.new(key.secret, msg, hashlib.sha256) if key is not None else hashlib.sha256(msg)).hexdigest()
            tid = "T" + digest[:12]
            t_rows.append({"transcript_id": tid, "pid": d["pid"], "respondent_group": d["group"],
                           "site": site or d["site"], "sha256": None, "n_chars": None, "text": None,
                           "sha256_deidentified": None, "replacements": None})
        tids[k] = tid
    s_rows = []
    for n, r in enumerate(kept):
        d = info[r["source"]]
        ident = f"{file_sha256}|{tids[r['source']]}|{r['coder']}|{r['code']}|{r['start']}|{r['end']}|{n}"
        s_rows.append({"segment_id": "G" + hashlib.sha256(ident.encode()).hexdigest()[:16],
                       "transcript_id": tids[r["source"]], "pid": d["pid"], "respondent_group": d["group"],
                       "site": site or d["site"], "coder": r["coder"], "code": r["code"], "start": r["start"],
                       "end": r["end"], "text": r["text"], "comment": r["comment"]})
    from evaluation.store.segments import SEGMENT_COLUMNS, TRANSCRIPT_COLUMNS

    t_frame = pd.DataFrame(t_rows, columns=list(TRANSCRIPT_COLUMNS)).drop_duplicates("transcript_id")
    return Prepared(problems, t_frame, pd.DataFrame(s_rows, columns=[*SEGMENT_COLUMNS, "comment"]))


def _names(names) -> tuple[NamesList | None, list[Problem]]:
    if names is None or isinstance(names, NamesList):
        return names, []
    return read_names(names)


def validate_coded(path: Path, report: Report, codebook: Codebook, *, site: str | None, names=None,
                   transcripts=None, key=None, file_sha256: str = "") -> Prepared:
    """Read and check a coded file into ``report``: the one validation path of ``check`` and ``import``.

    A spreadsheet with column names only is ``file-header-only`` (an error);
    a REFI-QDA project without any coding (an empty ATLAS.ti project, or
    transcripts not coded yet) is accepted with ``qdpx-no-codings``: it has
    no column names, and its transcripts can be stored.
    """
    names_list, problems = _names(names)
    report.extend(problems)
    coded = read_coded_file(path, codebook, transcripts)
    report.format = coded.format
    prep = prepare(coded, codebook, site=site, names=names_list, key=key, file_sha256=file_sha256)
    report.extend(prep.problems)
    report.n_rows = len(coded.selections)
    if report.valid and prep.segments.empty:
        if coded.format == "qdpx":
            report.add(Problem("qdpx-no-codings", severity="warning", params={"n": len(coded.sources)}))
        else:
            report.add(Problem("file-header-only"))
    return prep


def check_segments(path: Path | str, *, site: str | None = None, names=None, transcripts=None,
                   codebook: Codebook | None = None, lang: str = "en") -> Report:
    """Check a coded file without storing anything and without a key (the same checks as :func:`import_segments`)."""
    from evaluation.intake.filearg import file_problem

    path = Path(path)
    site = site.strip().upper() if isinstance(site, str) and site.strip() else None
    codebook = codebook or load_codebook()
    report = Report(file=path.name, lang=lang, site=site, instrument=codebook.ref)
    problem = file_problem(path)
    if problem is not None:
        report.add(problem)
        return report
    validate_coded(path, report, codebook, site=site, names=names, transcripts=transcripts)
    return report


def import_segments(path: Path | str, *, site: str, workspace=None, key=None, key_file=None, names=None,
                    transcripts=None, codebook: Codebook | None = None, lang: str = "en",
                    replaces: str | None = None) -> Report:
    """Import a coded file for ``site`` into the workspace (see the module docstring).

    ``names`` is the coordinator's names list (a CSV path or a
    :class:`~evaluation.qda.names.NamesList`); ``transcripts`` a folder of
    ``<transcript>.txt`` for spreadsheets. Raises
    :class:`~evaluation.intake.submit.IntakeRefused` before touching anything
    when there is no key, the key is not the workspace's, or the site is not
    a site code.
    """
    from evaluation.instruments import Catalogue
    from evaluation.intake.submit import IntakeRefused, open_for_intake
    from evaluation.store import DuplicateSubmission, ReplacesUnknown, Store, SubmissionMeta
    from evaluation.store.segments import INSTRUMENT, write_segments

    from evaluation.intake.filearg import file_problem

    path = Path(path)
    problem = file_problem(path)
    if problem is not None:
        raise IntakeRefused(problem.message("en"), problem.code, **problem.params)
    site = site.strip().upper() if isinstance(site, str) else site
    known = [s.code for s in Catalogue().sites().sites]
    if site not in known:
        raise IntakeRefused(f"--site {site!r} is not a site code; use one of {', '.join(known)}")
    codebook = codebook or load_codebook()
    ws, key = open_for_intake(workspace, key, key_file)

    report = Report(file=path.name, lang=lang, site=site, instrument=codebook.ref)
    sha, stored, _ = ws.keep_raw(path)
    report.sha256 = sha
    store = Store(ws)
    try:
        for prev in store.by_sha(sha):
            if prev["status"] in ("accepted", "superseded") and prev["site"] == site and prev["instrument"] == INSTRUMENT:
                report.status = "duplicate"
                report.submission_id = prev["submission_id"]
                report.add(Problem("submission-duplicate", params={"submission": prev["submission_id"]},
                                   severity="warning"))
                return report
        prep = validate_coded(stored, report, codebook, site=site, names=names, transcripts=transcripts, key=key,
                              file_sha256=sha)
        meta = SubmissionMeta(sha256=sha, file_name=path.name, site=site, format=report.format,
                              n_rows=report.n_rows, stored_path=stored, instrument=INSTRUMENT,
                              version=codebook.version)
        if not report.valid:
            report.status = "rejected"
            report.submission_id = store.record_rejection(meta, report.to_json())
            return report
        try:
            sid = write_segments(store, meta, prep.transcripts, prep.segments, codebook_version=codebook.version,
                                 replaces=replaces)
        except ReplacesUnknown:
            report.add(Problem("replaces-unknown", params={"submission": replaces, "site": site,
                                                           "instrument": codebook.ref}))
            report.status = "rejected"
            report.submission_id = store.record_rejection(meta, report.to_json())
            return report
        except DuplicateSubmission as exc:
            report.status = "duplicate"
            report.submission_id = exc.existing
            report.add(Problem("submission-duplicate", params={"submission": exc.existing}, severity="warning"))
            return report
        report.status = "accepted"
        report.submission_id = sid
        report.notes.append(f"{len(prep.segments)} segment(s) from {len(prep.transcripts)} transcript(s) stored")
        return report
    finally:
        store.close()
