"""Check or submit a coordinator's file: the Python API behind ``peer-eval check`` and ``submit``.

``check_file`` reads, recognises and validates a file without storing
anything and without the pseudonymisation key. ``submit_file`` does the same
after keeping the file read-only in the workspace's ``raw/`` (under its
SHA-256), then either stores the submission in one transaction (identifiers
replaced by pseudonyms) or puts the file and its report in ``quarantine/``.
Both return a :class:`~evaluation.intake.problems.Report`; whatever arrives,
the store is either unchanged or holds the whole submission.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from evaluation.instruments import Catalogue, InstrumentDefinition

from .detect import detect
from .problems import Problem, Report
from .validate import validate

__all__ = ["check_file", "submit_file", "open_for_intake", "IntakeRefused"]


class IntakeRefused(RuntimeError):
    """Intake cannot start at all (no key, wrong key, bad workspace); the message says what to do.

    ``code`` and ``params`` name the case for a translated message (key problems), when known.
    """

    def __init__(self, message: str, code: str | None = None, **params):
        super().__init__(message)
        self.code = code
        self.params = params


_KNOWN: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def known_columns(catalogue: Catalogue) -> tuple[frozenset[str], frozenset[str]]:
    """``(every column, the text and date columns)`` of every instrument version in ``catalogue``, lower case.

    The first finds a workbook's data sheet and header row; the second keeps
    a CSV's text columns as text while its other columns are typed as read.
    """
    from evaluation.instruments import DefinitionError

    if id(catalogue) not in _KNOWN:
        names: set[str] = set()
        text: set[str] = set()
        for iid in catalogue.instrument_ids():
            for v in catalogue.versions(iid):
                try:
                    d = catalogue.instrument(iid, v)
                except DefinitionError:
                    continue
                names.update(c.lower() for c in d.columns())
                # text and dates, and a multiple choice given as one column of space-separated codes (ODK)
                text.update(i.name.lower() for i in d.items if i.type in ("text", "date", "multiple_choice"))
        _KNOWN[id(catalogue)] = (frozenset(names), frozenset(text))
    return _KNOWN[id(catalogue)]


def _read(path: Path, catalogue: Catalogue | None = None):
    from .readers import read_file

    if catalogue is None:
        return read_file(path)
    names, text = known_columns(catalogue)
    return read_file(path, known_columns=names, text_columns=text)


def _run_checks(path: Path, report: Report, *, site, instrument, catalogue, today=None, date_order=None):
    from .odk import from_odk_central

    read = _read(path, catalogue)
    from_odk_central(read)
    report.format = read.format
    report.extend(read.problems)
    if read.frame is None or not report.valid:
        return None, None
    det = detect(read, catalogue, given=instrument, path=path)
    report.extend(det.problems)
    if det.definition is None:
        return None, None
    defn = det.definition
    report.instrument = defn.ref
    from .odk import split_multiple

    frame, unknown = split_multiple(defn, read.frame)
    read.frame = frame
    for text in unknown:
        name, value = text.split(": ", 1)
        report.add(Problem("choice-error", column=name, value=value,
                           params={"allowed": _choices(defn, name)}))
    if site is not None:
        known = [s.code for s in defn.sites.sites]
        if site not in known:
            report.add(Problem("site-unknown", column="--site", value=site, params={"allowed": ", ".join(known)}))
            return defn, None
    elif defn.role_item("site") is not None:
        report.add(Problem("site-not-checked", severity="warning"))
    v = validate(defn, read.frame, site=site, first_data_row=read.first_data_row,
                 value_labels=read.value_labels, today=today, date_order=date_order,
                 stata_missing=read.format == "dta",
                 **({"epoch": read.date_epoch} if read.date_epoch is not None else {}))
    report.extend(v.problems)
    report.n_rows = len(read.frame)
    return defn, v


def check_file(
    path: Path | str,
    *,
    site: str | None = None,
    instrument: str | None = None,
    lang: str = "en",
    catalogue: Catalogue | None = None,
    today=None,
    date_order: str | None = None,
) -> Report:
    """Validate ``path`` without storing anything and without a key.

    A path that is not a readable file gives a report with one problem
    (:func:`~evaluation.intake.filearg.file_problem`), never an exception.
    ``site`` is compared without regard to case (``p03`` is ``P03``).
    """
    from .filearg import file_problem

    path = Path(path)
    site = _site(site)
    report = Report(file=path.name, lang=lang, site=site)
    problem = file_problem(path)
    if problem is not None:
        report.add(problem)
        return report
    _run_checks(path, report, site=site, instrument=instrument, catalogue=catalogue or Catalogue(), today=today,
                date_order=date_order)
    report.status = "checked"
    return report


def submit_file(
    path: Path | str,
    *,
    site: str,
    instrument: str | None = None,
    lang: str = "en",
    workspace=None,
    key=None,
    key_file: Path | str | None = None,
    replaces: str | None = None,
    append: bool = False,
    catalogue: Catalogue | None = None,
    today=None,
    date_order: str | None = None,
) -> Report:
    """Submit ``path`` for ``site`` into the workspace; see the module docstring.

    ``workspace`` is a :class:`~evaluation.store.Workspace` or a folder
    (default ``$PEER_EVAL_WORKSPACE``, else ``./peer-eval-workspace``); ``key``
    a :class:`~evaluation.intake.pseudonymise.PseudonymKey` (default: from
    ``key_file``, ``$PEER_EVAL_KEY`` or ``$PEER_EVAL_KEY_FILE``).

    Raises :class:`IntakeRefused` (before touching anything) when there is no
    pseudonymisation key, the key differs from the workspace's, or the
    workspace cannot be used.
    """
    from evaluation.store import DuplicateSubmission, ReplacesUnknown, Store, SubmissionExists, SubmissionMeta

    from .pseudonymise import Pseudonymiser

    from .filearg import file_problem

    path = Path(path)
    site = _site(site)
    problem = file_problem(path)
    if problem is not None:
        raise IntakeRefused(problem.message("en"), problem.code, **problem.params)
    catalogue = catalogue or Catalogue()
    ws, key = open_for_intake(workspace, key, key_file)

    from .limits import using

    report = Report(file=path.name, lang=lang, site=site)
    # copied into raw/ first and read from that copy while a second thread hashes and syncs it
    # (Workspace.stage_raw): the bytes read are the bytes kept and hashed
    staged = ws.stage_raw(path)
    try:
        store = Store(ws, catalogue=catalogue)
    except BaseException:
        staged.finish()
        raise
    try:
        checked = Report(file=path.name, lang=lang, site=site)
        try:
            with using(ws.limits):  # (issue 17) the workspace's limits on what a file may make the readers do
                defn, v = _run_checks(staged.path, checked, site=site, instrument=instrument, catalogue=catalogue,
                                      today=today, date_order=date_order)
        finally:
            sha, stored, _ = staged.finish()  # kept whatever the checks did (as when it was kept before them)
        report.sha256 = sha
        for prev in store.by_sha(sha):
            if prev["status"] in ("accepted", "superseded") and prev["site"] == site:
                # the same bytes accepted before: only that is said (what the checks found was said then)
                report.status = "duplicate"
                report.submission_id = prev["submission_id"]
                report.instrument = f"{prev['instrument']}@{prev['version']}"
                report.add(Problem("submission-duplicate", params={"submission": prev["submission_id"]},
                                   severity="warning"))
                return report
        checked.sha256 = sha
        report = checked
        meta = SubmissionMeta(sha256=sha, file_name=path.name, site=site, format=report.format,
                              n_rows=report.n_rows, stored_path=stored,
                              instrument=defn.id if defn else None, version=defn.version if defn else None,
                              id_columns=_id_columns(defn) if defn else {})
        if defn is None or v is None or not report.valid:
            return _reject(store, report, meta)

        row_numbers = v.frame["_row"].to_numpy()
        # validation's own frame, only read from here on: its helper columns go without copying the data
        frame = v.frame.copy(deep=False)
        for helper in ("_row", "_pid_norm"):
            if helper in frame.columns:
                del frame[helper]
        frame.index = pd.RangeIndex(len(frame))  # as reset_index(drop=True)
        if meta.id_columns:
            # identifiers validation has normalised already are hashed without a second normalisation
            normalised = {col: v.factorised[col] if col in v.factorised else norm.to_numpy()
                          for col, norm in v.identifiers.items() if col in meta.id_columns}
            frame, id_problems = Pseudonymiser(key).pseudonymise_frame(frame, meta.id_columns, first_data_row=0,
                                                                       normalised=normalised)
            # validation has reported invalid identifiers already; add only what it could not see
            seen = {(p.code, p.row, p.column) for p in report.problems}
            for p in id_problems:
                p = replace(p, row=int(row_numbers[p.row])) if p.row is not None else p
                if (p.code, p.row, p.column) not in seen:
                    report.add(p)
            if not report.valid:
                return _reject(store, report, meta)
        try:
            sid = store.write_submission(meta, frame, replaces=replaces, append=append, definition=defn)
        except SubmissionExists as exc:
            report.add(Problem("submission-exists", params={**exc.params, "instrument": defn.ref}))
            return _reject(store, report, meta)
        except ReplacesUnknown:
            report.add(Problem("replaces-unknown",
                               params={"submission": replaces, "site": site, "instrument": defn.ref}))
            return _reject(store, report, meta)
        except DuplicateSubmission as exc:
            report.status = "duplicate"
            report.submission_id = exc.existing
            report.add(Problem("submission-duplicate", params={"submission": exc.existing}, severity="warning"))
            return report
        report.status = "accepted"
        report.submission_id = sid
        if v.dropped_no_consent:
            report.notes.append(f"{v.dropped_no_consent} row(s) without consent not stored")
        return report
    finally:
        store.close()


def open_for_intake(workspace, key=None, key_file=None):
    """The workspace and the key, checked against each other; :class:`IntakeRefused` with the fix otherwise."""
    from evaluation.store import Workspace, WorkspaceError

    from .pseudonymise import KeyMissing, KeyRefused, load_key

    try:
        key = key or load_key(key_file)
        ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
        ws.check_key(key)
    except (KeyMissing, KeyRefused) as exc:
        raise IntakeRefused(str(exc), exc.code, **exc.params) from None
    except WorkspaceError as exc:
        raise IntakeRefused(str(exc)) from None
    return ws, key


def _choices(defn, name):
    from evaluation.exports.common import choice_labels

    item = defn.item(name)
    return {lang: ", ".join(f"{c} = {t}" for c, t in choice_labels(defn, item, lang).items())
            for lang in ("nl", "fr", "en")}


def _site(site: str | None) -> str | None:
    """A site code as the site list writes it: ``p03`` -> ``P03``."""
    return site.strip().upper() if isinstance(site, str) and site.strip() else None


def _id_columns(defn: InstrumentDefinition) -> dict[str, str]:
    """Identifier columns of the file and their kind, the person's (role pid) first."""
    from .pseudonymise import DEFINITION_KINDS

    items = sorted((i for i in defn.items if i.identifier in DEFINITION_KINDS), key=lambda i: i.role != "pid")
    return {i.name: DEFINITION_KINDS[i.identifier] for i in items}


def _reject(store, report: Report, meta) -> Report:
    report.status = "rejected"
    report.submission_id = store.record_rejection(meta, report.to_json())
    return report
