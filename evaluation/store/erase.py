"""Erasure of one person (GDPR art. 17) and key rotation.

:func:`erase` removes a person — given by pseudonym or by raw identifier —
from every table and replaces each raw or quarantined file holding one of
their rows by a redacted copy (same format, their rows removed, read-only),
logging the old and new hashes (never the identifier or the pseudonym). It
then runs ``VACUUM`` (with ``secure_delete`` on), so that deleted rows do not
linger in free pages of the database file.

To find a person's rows in raw files the key is needed: each file's
identifier columns are pseudonymised again and compared. A quarantined file
whose identifier columns are unknown (the instrument was not recognised) is
searched in every column.

:func:`rotate` moves a workspace to a new key version (see
:mod:`evaluation.intake.pseudonymise`, "Key rotation").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..intake.pseudonymise import KINDS, PseudonymKey, Pseudonymiser, is_pseudonym
from .db import Store
from .rawfiles import RawTable, UnsupportedRaw, load_raw
from .workspace import Workspace, remove_readonly, write_readonly

__all__ = ["erase", "ErasureResult", "rotate", "RotationResult", "redact_file", "identifier_pseudonyms"]


@dataclass(frozen=True)
class ErasureResult:
    rows_removed: int
    tables: tuple[str, ...]
    files_redacted: tuple[tuple[str, str], ...]  # (old sha256, new sha256)
    files_unreadable: tuple[str, ...] = ()  # sha256 of files that could not be searched

    @property
    def found(self) -> bool:
        return bool(self.rows_removed or self.files_redacted)


def _store(source) -> Store:
    if isinstance(source, Store):
        return source
    if isinstance(source, Workspace):
        return Store(source)
    raise TypeError("pass a Workspace (Workspace.open(path)) or its Store")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def identifier_pseudonyms(table: RawTable, id_columns: dict[str, str], ps: Pseudonymiser) -> dict[str, list]:
    """Pseudonym of every data row for each identifier column of ``table`` (None where invalid).

    ``id_columns`` maps column -> kind; kind ``pseudonym`` (a column that
    already holds pseudonyms, after retention) is taken as it is. With no
    ``id_columns`` every column is tried as every kind.
    """
    out: dict[str, list] = {}
    pairs = list(id_columns.items()) or [(c, k) for c in table.columns() for k in (*KINDS, "pseudonym")]
    for col, kind in pairs:
        values = table.column(col)
        if values is None:
            continue
        if kind == "pseudonym":
            out[f"{col}:{kind}"] = [v if is_pseudonym(v) else None for v in values]
        else:
            out[f"{col}:{kind}"] = [ps.try_pseudonym(kind, v)[0] if v is not None else None for v in values]
    return out


def redact_file(path: Path, drop_rows: list[int]) -> tuple[bytes, str]:
    """Bytes and SHA-256 of ``path`` without the given data rows."""
    table = load_raw(path)
    table.drop_rows(drop_rows)
    data = table.to_bytes()
    return data, hashlib.sha256(data).hexdigest()


def _targets(who: str, ps: Pseudonymiser, store: Store) -> set[str]:
    targets: set[str] = set()
    who = str(who).strip()
    if is_pseudonym(who):
        targets.add(who)
    else:
        for kind in KINDS:
            p, _ = ps.try_pseudonym(kind, who)
            if p:
                targets.add(p)
    # the same person's pseudonyms under earlier / later keys
    if targets:
        q = ",".join("?" * len(targets))
        for old, new in store.con.execute(
                f"SELECT old_pid, new_pid FROM pseudonym_map WHERE old_pid IN ({q}) OR new_pid IN ({q})",
                (*targets, *targets)):
            targets.update((old, new))
    return targets


def erase(workspace: Workspace, key: PseudonymKey, pseudonym_or_identifier: str, *, store: Store | None = None) -> ErasureResult:
    """Remove a person from every table and every raw and quarantined file.

    ``pseudonym_or_identifier``: a pseudonym (``k1-...``) or a raw prison
    number / national register number (any punctuation).
    """
    workspace.check_key(key)
    st = store or Store(workspace)
    ps = Pseudonymiser(key)
    targets = _targets(pseudonym_or_identifier, ps, st)
    if not targets:
        raise ValueError("pseudonym_or_identifier is neither a pseudonym (k<version>-<64 hex>) nor a valid "
                         "prison number or national register number")
    # 1. redacted copies of files holding the person (written before the database changes)
    subs = st.query("SELECT submission_id, sha256, status, id_columns FROM submissions")
    redactions: dict[str, tuple[list[Path], list[Path], str]] = {}  # old sha -> (old paths, new paths, new sha)
    unreadable: list[str] = []
    for sha, group in subs.groupby("sha256", sort=False):
        paths = [p for folder in (workspace.raw_dir, workspace.quarantine_dir)
                 for p in folder.glob(f"{sha}*") if not p.name.startswith(".tmp-") and not p.name.endswith(".json")]
        id_columns: dict[str, str] = {}
        for text in group["id_columns"]:
            id_columns.update(json.loads(text or "{}"))
        for path in paths:
            try:
                table = load_raw(path, list(id_columns))
            except UnsupportedRaw:
                unreadable.append(sha)
                continue
            rows: set[int] = set()
            for values in identifier_pseudonyms(table, id_columns, ps).values():
                rows.update(i for i, v in enumerate(values) if v in targets)
            if not rows:
                continue
            table.drop_rows(sorted(rows))
            data = table.to_bytes()
            new_sha = hashlib.sha256(data).hexdigest()
            new_path = path.parent / f"{new_sha}{path.suffix.lower()}"
            if not new_path.exists():
                write_readonly(new_path, data)
            olds, news, _ = redactions.setdefault(sha, ([], [], new_sha))
            olds.append(path)
            news.append(new_path)

    # 2. the database, in one transaction
    con = st.con
    removed, tables_changed = 0, []
    q = ",".join("?" * len(targets))
    con.execute("BEGIN IMMEDIATE")
    try:
        for (_, _), table in st.tables().items():
            pid_cols = [c for c in st.table_columns(table) if c == "pid" or c.startswith("pid_")]
            where = " OR ".join(f'"{c}" IN ({q})' for c in pid_cols)
            params = tuple(targets) * len(pid_cols)
            affected = con.execute(f'SELECT submission_id, COUNT(*) FROM "{table}" WHERE {where} GROUP BY submission_id',
                                   params).fetchall()
            if not affected:
                continue
            cur = con.execute(f'DELETE FROM "{table}" WHERE {where}', params)
            removed += cur.rowcount
            tables_changed.append(table)
            for sid, n in affected:
                con.execute("UPDATE submissions SET n_stored = n_stored - ?, n_rows = MAX(n_rows - ?, 0) "
                            "WHERE submission_id = ?", (n, n, sid))
        con.execute(f"DELETE FROM pseudonym_map WHERE old_pid IN ({q}) OR new_pid IN ({q})", (*targets, *targets))
        for old_sha, (_, _, new_sha) in redactions.items():
            con.execute("UPDATE submissions SET sha256 = ? WHERE sha256 = ?", (new_sha, old_sha))
            con.execute("INSERT INTO raw_history VALUES (?, ?, 'erasure', ?)", (old_sha, new_sha, _now()))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        for _, news, _ in redactions.values():
            for new_path in news:
                remove_readonly(new_path)
        raise
    # 3. the old files go; deleted pages are overwritten and the file rebuilt
    for olds, news, _ in redactions.values():
        for old_path in olds:
            if old_path not in news:
                remove_readonly(old_path)
    con.execute("VACUUM")
    for old_sha, (_, _, new_sha) in redactions.items():
        workspace.audit.write("raw-redacted", reason="erasure", old_sha256=old_sha, new_sha256=new_sha)
    workspace.audit.write("erasure", rows=removed, files=len(redactions), tables=",".join(tables_changed))
    if store is None:
        st.close()
    return ErasureResult(removed, tuple(tables_changed),
                         tuple((o, n) for o, (_, _, n) in redactions.items()), tuple(unreadable))


@dataclass(frozen=True)
class RotationResult:
    mapped: int  # distinct pseudonyms carried to the new key
    unmapped: int  # rows whose pid could not be re-keyed (identifiers purged or file unreadable)
    tables: tuple[str, ...] = field(default=())


def rotate(workspace: Workspace, old_key: PseudonymKey, new_key: PseudonymKey, *, store: Store | None = None) -> RotationResult:
    """Re-key every pseudonym from ``old_key`` to ``new_key`` (a higher version).

    Reads the identifiers again from the raw files of accepted and
    superseded submissions, computes each person's old and new pseudonym,
    rewrites ``pid`` (and ``pid_<kind>``) in every table in one
    transaction, keeps the old -> new pairs in ``pseudonym_map`` and records
    the new key in ``workspace.yaml`` (the old one moves to ``key_history``).
    """
    workspace.check_key(old_key)
    if new_key.version <= old_key.version:
        raise ValueError(f"new_key must have a higher version than {old_key.version}: prefix it with "
                         f"'{old_key.version + 1}:'")
    st = store or Store(workspace)
    old_ps, new_ps = Pseudonymiser(old_key), Pseudonymiser(new_key)
    mapping: dict[str, str] = {}
    subs = st.query("SELECT sha256, id_columns FROM submissions WHERE status IN ('accepted', 'superseded')")
    for sha, text in subs.drop_duplicates("sha256").itertuples(index=False):
        id_columns = {c: k for c, k in json.loads(text or "{}").items() if k in KINDS}
        path = workspace.find_raw(sha)
        if path is None or not id_columns:
            continue
        try:
            table = load_raw(path, list(id_columns))
        except UnsupportedRaw:
            continue
        for col, kind in id_columns.items():
            for v in table.column(col) or []:
                if v is None:
                    continue
                o, _ = old_ps.try_pseudonym(kind, v)
                if o:
                    mapping[o] = new_ps.pseudonym(kind, v)
    con = st.con
    prefix = f"k{old_key.version}-"
    unmapped, changed = 0, []
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS _rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        con.execute("DELETE FROM _rekey")
        con.executemany("INSERT INTO _rekey VALUES (?, ?)", mapping.items())
        for table in st.tables().values():
            for c in [c for c in st.table_columns(table) if c == "pid" or c.startswith("pid_")]:
                cur = con.execute(f'UPDATE "{table}" SET "{c}" = (SELECT new FROM _rekey WHERE old = "{table}"."{c}") '
                                  f'WHERE "{c}" IN (SELECT old FROM _rekey)')
                if cur.rowcount:
                    changed.append(table)
                unmapped += con.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{c}" LIKE ?', (prefix + "%",)).fetchone()[0]
        now = _now()
        con.executemany("INSERT INTO pseudonym_map VALUES (?, ?, ?, ?, ?)",
                        [(o, n, old_key.version, new_key.version, now) for o, n in mapping.items()])
        con.execute("DELETE FROM _rekey")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    workspace.record_key(new_key)
    workspace.audit.write("key-rotated", key_fingerprint=new_key.fingerprint, key_version=str(new_key.version),
                          pseudonyms=len(mapping), n_unmapped=unmapped)
    if store is None:
        st.close()
    return RotationResult(len(mapping), unmapped, tuple(sorted(set(changed))))
