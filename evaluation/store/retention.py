"""Retention: after the workspace's retention date, raw identifiers are purged.

``workspace.yaml`` holds ``retention_date`` (set with
``Workspace.set_config(retention_date="2029-12-31")``). From that date
:func:`purge_identifiers` replaces every raw and quarantined file by a copy
without its identifier columns — the data stay, the prison and national
register numbers go. Given the key, each identifier column is replaced by a
column of pseudonyms (``pid`` / ``pid_<kind>``), so erasure can still find a
person's rows in the raw files afterwards; without the key the columns are
simply removed. Old and new hashes go to the audit log and ``raw_history``.

Coded interview files (a ``.qdpx`` project or a spreadsheet of coded
segments) keep their place and format: each participant identifier (the
case's name and any ``participant`` variable of a project, the
``participant`` column of a spreadsheet) becomes the participant's pseudonym
(computed by role, as the import does), or is blanked without the key. The
transcripts' own words are not changed: their offsets must stay valid.

After the purge, :func:`evaluation.store.erase.rotate` can no longer re-key
(the identifiers are gone): rotate before the retention date if needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..intake.pseudonymise import KINDS, PseudonymKey, Pseudonymiser
from .db import Store
from .erase import CODED_INSTRUMENT, load_coded_raw, participant_pseudonyms
from .rawfiles import UnsupportedRaw, load_raw
from .workspace import Workspace, remove_readonly, write_readonly

__all__ = ["purge_identifiers", "retention_due", "RetentionNotDue", "PurgeResult"]


class RetentionNotDue(RuntimeError):
    """The retention date is not set or not reached; pass ``force=True`` to purge anyway."""


@dataclass(frozen=True)
class PurgeResult:
    files_purged: tuple[tuple[str, str], ...]  # (old sha256, new sha256)
    files_skipped: tuple[str, ...]  # sha256 of files whose identifier columns are unknown or unreadable


def _coded_pseudonym(value, role, ps: Pseudonymiser | None) -> str | None:
    """A coded file's participant identifier at retention: its pseudonym (by role), else blank."""
    from ..intake.pseudonymise import is_pseudonym

    if is_pseudonym(str(value).strip()):
        return str(value).strip()
    if ps is None:
        return None
    found = participant_pseudonyms(value, role, ps)
    return next(iter(found)) if len(found) == 1 else None


def _replace(workspace: Workspace, st: Store, sha: str, new_sha: str, id_columns: dict, old_paths: list[Path],
             new_paths: list[Path], now: str) -> None:
    """Point the submissions at the new file, record it, remove the old one."""
    st.con.execute("BEGIN IMMEDIATE")
    try:
        st.con.execute("UPDATE submissions SET sha256 = ?, id_columns = ? WHERE sha256 = ?",
                       (new_sha, json.dumps(id_columns), sha))
        st.con.execute("INSERT INTO raw_history VALUES (?, ?, 'retention', ?)", (sha, new_sha, now))
        st.con.execute("COMMIT")
    except BaseException:
        st.con.execute("ROLLBACK")
        raise
    for p in old_paths:
        if p not in new_paths:
            remove_readonly(p)
    workspace.audit.write("raw-redacted", reason="retention", old_sha256=sha, new_sha256=new_sha)


def retention_due(workspace: Workspace, today: dt.date | None = None) -> bool:
    """True when the workspace has a retention date and ``today`` is on or after it."""
    date = workspace.retention_date
    return date is not None and (today or dt.date.today()) >= date


def purge_identifiers(
    workspace: Workspace,
    key: PseudonymKey | None = None,
    *,
    today: dt.date | None = None,
    force: bool = False,
) -> PurgeResult:
    """Replace every raw and quarantined file by a copy without identifier columns.

    Raises :class:`RetentionNotDue` before the retention date unless
    ``force=True``. With ``key``, identifier columns become pseudonym columns.
    """
    with workspace.exclusive():
        return _purge_identifiers_locked(workspace, key, today=today, force=force)


def _purge_identifiers_locked(
    workspace: Workspace,
    key: PseudonymKey | None = None,
    *,
    today: dt.date | None = None,
    force: bool = False,
) -> PurgeResult:
    """(holding the exclusive lock)"""
    if not force and not retention_due(workspace, today):
        when = workspace.retention_date
        raise RetentionNotDue(
            "the retention date is not set in workspace.yaml; set it with "
            "Workspace.set_config(retention_date='YYYY-MM-DD') or pass force=True" if when is None else
            f"the retention date {when.isoformat()} is not reached; pass force=True to purge identifiers now")
    ps = None
    if key is not None:
        workspace.check_key(key)
        ps = Pseudonymiser(key)
    st = Store(workspace)
    subs = st.query("SELECT sha256, id_columns, instrument FROM submissions")
    purged: list[tuple[str, str]] = []
    skipped: list[str] = []
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    try:
        for sha, group in subs.groupby("sha256", sort=False):
            id_columns: dict[str, str] = {}
            for text in group["id_columns"]:
                id_columns.update(json.loads(text or "{}"))
            raw_ids = {c: k for c, k in id_columns.items() if k in KINDS}
            paths = [p for folder in (workspace.raw_dir, workspace.quarantine_dir)
                     for p in folder.glob(f"{sha}*") if not p.name.startswith(".tmp-") and not p.name.endswith(".json")]
            if not paths:
                continue
            if (group["instrument"] == CODED_INSTRUMENT).all():
                new_sha, new_paths, old_paths = None, [], []
                for path in paths:
                    try:
                        coded = load_coded_raw(path)
                    except UnsupportedRaw:
                        skipped.append(sha)
                        continue
                    coded.set_participants(lambda v, r: _coded_pseudonym(v, r, ps))
                    data = coded.to_bytes()
                    new_sha = hashlib.sha256(data).hexdigest()
                    new_path = path.parent / f"{new_sha}{path.suffix.lower()}"
                    if not new_path.exists():
                        write_readonly(new_path, data)
                    new_paths.append(new_path)
                    old_paths.append(path)
                if new_sha is not None and new_sha != sha:
                    _replace(workspace, st, sha, new_sha, id_columns, old_paths, new_paths, now)
                    purged.append((sha, new_sha))
                continue
            if not raw_ids:
                if not id_columns:
                    skipped.append(sha)  # identifier columns unknown (file never recognised)
                continue
            new_sha, new_paths, old_paths = None, [], []
            for path in paths:
                try:
                    table = load_raw(path, list(raw_ids))
                except UnsupportedRaw:
                    skipped.append(sha)
                    continue
                new_ids: dict[str, str] = {}
                for col, kind in raw_ids.items():
                    values = table.column(col)
                    if values is None:
                        continue
                    if ps is None:
                        table.drop_column(col)
                        continue
                    name = "pid" if kind == "prison_number" or len(raw_ids) == 1 else f"pid_{kind}"
                    table.replace_column(col, name, [ps.try_pseudonym(kind, v)[0] if v is not None else None
                                                     for v in values])
                    new_ids[name] = "pseudonym"
                data = table.to_bytes()
                new_sha = hashlib.sha256(data).hexdigest()
                new_path = path.parent / f"{new_sha}{path.suffix.lower()}"
                if not new_path.exists():
                    write_readonly(new_path, data)
                new_paths.append(new_path)
                old_paths.append(path)
            if new_sha is None:
                continue
            _replace(workspace, st, sha, new_sha, new_ids, old_paths, new_paths, now)
            purged.append((sha, new_sha))
    finally:
        st.close()
    workspace.config["identifiers_purged_at"] = now
    workspace.save_config()
    workspace.audit.write("identifiers-purged", files=len(purged), n_skipped=len(skipped))
    return PurgeResult(tuple(purged), tuple(skipped))
