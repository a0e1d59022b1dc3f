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

Coded interview files (instrument ``codebook``: a ``.qdpx`` project or a
spreadsheet of coded segments) are handled as interviews: the person's rows
of ``segments`` and ``transcripts`` go, and with them the sign-offs of their
quotes (``quote_signoffs``); in the raw file, a spreadsheet loses the person's
rows, and a ``.qdpx`` project loses the person's case, their transcripts
(``TextSource`` with its codings and its text in ``sources/``) and every
reference to them. A participant's pseudonym in a coded file is computed by
role, as the import does: prison number for a detainee, study code for peer
workers and staff (both when the role is unknown).

:func:`rotate` moves a workspace to a new key version (see
:mod:`evaluation.intake.pseudonymise`, "Key rotation").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..intake.pseudonymise import KINDS, PseudonymKey, Pseudonymiser, is_pseudonym
from . import colstore
from .columns import Column
from .db import Store
from .rawfiles import RawTable, UnsupportedRaw, load_raw
from .workspace import Workspace, remove_readonly, write_readonly

__all__ = ["erase", "ErasureResult", "rotate", "RotationResult", "redact_file", "identifier_pseudonyms",
           "CodedRaw", "load_coded_raw", "participant_pseudonyms", "CODED_INSTRUMENT", "INTERVIEW_TABLES"]

#: the instrument name of coded interview files in ``submissions``
CODED_INSTRUMENT = "codebook"
#: interview tables with a ``pid`` column (``quote_signoffs`` follows ``segments``)
INTERVIEW_TABLES = ("segments", "transcripts")


@dataclass(frozen=True)
class ErasureResult:
    rows_removed: int
    tables: tuple[str, ...]
    files_redacted: tuple[tuple[str, str], ...]  # (old sha256, new sha256)
    files_unreadable: tuple[str, ...] = ()  # "<file in the workspace>: why" for each file not cleaned

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


# -- coded interview files ------------------------------------------------------

def participant_pseudonyms(value, role, ps: Pseudonymiser) -> set[str]:
    """The pseudonyms a participant identifier of a coded file may have.

    As :func:`evaluation.qda.importer.prepare` computes them: a detainee's
    prison number, a peer worker's or staff member's study code; with the
    role unknown, both. A value that is already a pseudonym (after retention)
    is itself.
    """
    if value is None:
        return set()
    v = str(value).strip()
    if not v:
        return set()
    if is_pseudonym(v):
        return {v}
    from ..qda.coded import role_of
    from ..qda.importer import study_code_pseudonym

    group = role_of(role) if role else None
    out: set[str] = set()
    if group in (None, "detainee"):
        p, _ = ps.try_pseudonym("prison_number", v)
        if p:
            out.add(p)
    if group != "detainee":
        try:
            out.add(study_code_pseudonym(ps.key, v))
        except ValueError:
            pass
    return out


def _scrub(text, value, new) -> object:
    """``text`` with every occurrence of the identifier ``value`` replaced by ``new`` (a transcript's name)."""
    import re

    if not text or not value or not str(value).strip():
        return text
    return re.sub(re.escape(str(value).strip()), new or "[participant]", str(text), flags=re.IGNORECASE)


class CodedRaw:
    """A raw coded file as units (transcripts of a ``.qdpx``, rows of a spreadsheet), each with its
    participant identifier and role; units can be dropped and identifiers replaced, then written back.

    Use :func:`load_coded_raw`.
    """

    kind = "coded"

    def __init__(self, path: Path):
        self.path = path

    units: list[tuple[object, object]]  # (participant, role) per unit

    def drop(self, positions: list[int]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def set_participants(self, new) -> None:  # pragma: no cover - interface
        """Replace each participant identifier ``v`` (role ``r``) by ``new(v, r)`` (None: blank)."""
        raise NotImplementedError

    def to_bytes(self) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError


class _SheetCoded(CodedRaw):
    def __init__(self, path: Path):
        from ..qda.coded import FIELD_WORDS, field_of

        super().__init__(path)
        wanted = [w for w, f in FIELD_WORDS.items() if f == "participant"]
        self.table = load_raw(path, wanted)
        header = self.table.header
        self._pcol = next((str(h) for h in header if h is not None and field_of(h) == "participant"), None)
        self._rcol = next((str(h) for h in header if h is not None and field_of(h) == "role"), None)
        self._tcol = next((str(h) for h in header if h is not None and field_of(h) == "transcript"), None)
        if self._pcol is None:
            raise UnsupportedRaw(f"cannot find the participant column of {path.name}")
        self._refresh()

    def _refresh(self) -> None:
        parts = self.table.column(self._pcol) or []
        roles = (self.table.column(self._rcol) if self._rcol else None) or [None] * len(parts)
        self.units = list(zip(parts, roles))

    def drop(self, positions: list[int]) -> None:
        self.table.drop_rows(positions)
        self._refresh()

    def set_participants(self, new) -> None:
        values = [new(v, r) if v not in (None, "") else v for v, r in self.units]
        if self._tcol is not None:  # a transcript named after its participant
            names = self.table.column(self._tcol) or []
            self.table.replace_column(self._tcol, self._tcol, [_scrub(t, v, n) for t, (v, _), n
                                                               in zip(names, self.units, values)])
        self.table.replace_column(self._pcol, self._pcol, values)
        self._refresh()

    def to_bytes(self) -> bytes:
        return self.table.to_bytes()


class _QdpxCoded(CodedRaw):
    def __init__(self, path: Path):
        import io
        import zipfile

        from lxml import etree

        super().__init__(path)
        try:
            with zipfile.ZipFile(path) as zf:
                self._infos = zf.infolist()
                self._data = {i.filename: zf.read(i.filename) for i in self._infos}
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnsupportedRaw(f"cannot read {path.name} as a .qdpx project: {type(exc).__name__}") from None
        lower = {n.lower(): n for n in self._data}
        self._qde = lower.get("project.qde") or next((lower[n] for n in lower if n.endswith(".qde")), None)
        if self._qde is None:
            raise UnsupportedRaw(f"{path.name} holds no project.qde")
        try:
            self._doc = etree.parse(io.BytesIO(self._data[self._qde]),
                                    etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            raise UnsupportedRaw(f"the project.qde of {path.name} is not XML") from None
        self._refresh()

    def _q(self, tag: str) -> str:
        ns = self._doc.getroot().nsmap.get(None)
        return f"{{{ns}}}{tag}" if ns else tag

    def _var_fields(self) -> dict[str, str | None]:
        from ..qda.coded import field_of

        return {v.get("guid"): field_of(v.get("name")) for v in self._doc.getroot().iter(self._q("Variable"))}

    def _values(self, el, fields) -> list[tuple[str, object]]:
        """``(field, TextValue element)`` of the participant/role variable values of ``el``."""
        out = []
        for vv in el.findall(self._q("VariableValue")):
            ref = vv.find(self._q("VariableRef"))
            f = fields.get(ref.get("targetGUID")) if ref is not None else None
            tv = vv.find(self._q("TextValue"))
            if f in ("participant", "role") and tv is not None:
                out.append((f, tv))
        return out

    def _refresh(self) -> None:
        root = self._doc.getroot()
        fields = self._var_fields()
        case_info: dict[str, dict] = {}
        for case in root.iter(self._q("Case")):
            info = {"participant": case.get("name"), "role": None}
            for f, tv in self._values(case, fields):
                info[f] = tv.text
            for sr in case.findall(self._q("SourceRef")):
                case_info[sr.get("targetGUID")] = info
        self._sources = list(root.iter(self._q("TextSource")))
        self.units = []
        for ts in self._sources:
            info = dict(case_info.get(ts.get("guid"), {}))
            for f, tv in self._values(ts, fields):
                if tv.text:
                    info[f] = tv.text
            self.units.append((info.get("participant"), info.get("role")))

    def drop(self, positions: list[int]) -> None:
        root = self._doc.getroot()
        gone = [self._sources[i] for i in sorted(set(positions))]
        guids = {ts.get("guid") for ts in gone}
        for ts in gone:
            path = ts.get("plainTextPath") or ""
            inner = path.split("://", 1)[1] if path.startswith("internal://") else path
            for name in list(self._data):
                if inner and name.lower() in (f"sources/{inner}".lower(), inner.lower()):
                    del self._data[name]
            ts.getparent().remove(ts)
        for case in list(root.iter(self._q("Case"))):
            refs = case.findall(self._q("SourceRef"))
            if refs and all(r.get("targetGUID") in guids for r in refs):
                case.getparent().remove(case)  # the person's case, with their identifier
        for el in [e for e in root.iter() if e.get("targetGUID") in guids]:
            if el.getparent() is not None:
                el.getparent().remove(el)
        self._refresh()

    def set_participants(self, new) -> None:
        root = self._doc.getroot()
        fields = self._var_fields()
        for case in root.iter(self._q("Case")):
            role = next((tv.text for f, tv in self._values(case, fields) if f == "role"), None)
            if case.get("name"):
                case.set("name", new(case.get("name"), role) or "")
            for f, tv in self._values(case, fields):
                if f == "participant" and tv.text:
                    tv.text = new(tv.text, role) or ""
        for ts, (value, role) in zip(self._sources, self.units):
            for f, tv in self._values(ts, fields):
                if f == "participant" and tv.text:
                    tv.text = new(tv.text, role) or ""
            if value and ts.get("name"):  # a transcript named after its participant
                ts.set("name", _scrub(ts.get("name"), value, new(value, role)))
        self._refresh()

    def to_bytes(self) -> bytes:
        import io
        import zipfile

        from lxml import etree

        self._data[self._qde] = etree.tostring(self._doc, xml_declaration=True, encoding="utf-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for info in self._infos:
                if info.filename in self._data:
                    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(zi, self._data[info.filename])
        return buf.getvalue()


def load_coded_raw(path: Path | str) -> CodedRaw:
    """Open a raw coded interview file (``.qdpx``/``.zip``, ``.csv``, ``.xlsx``) for redaction."""
    path = Path(path)
    if path.suffix.lower() in (".qdpx", ".zip"):
        return _QdpxCoded(path)
    return _SheetCoded(path)


def _raw_paths(workspace: Workspace, sha: str) -> list[Path]:
    return [p for folder in (workspace.raw_dir, workspace.quarantine_dir)
            for p in folder.glob(f"{sha}*") if not p.name.startswith(".tmp-") and not p.name.endswith(".json")]


def _all_files(workspace: Workspace) -> list[Path]:
    """Every file of ``raw/`` and ``quarantine/`` (reports and partial copies included)."""
    return sorted(p for folder in (workspace.raw_dir, workspace.quarantine_dir) if folder.is_dir()
                  for p in folder.iterdir() if p.is_file())


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
        if targets:  # a peer worker's or staff member's study code (coded interviews)
            targets |= participant_pseudonyms(who, "staff", ps)
    return targets


def _rekeyed(targets: set[str], store: Store) -> set[str]:
    """The same person's pseudonyms under earlier / later keys (``pseudonym_map``)."""
    if not targets:
        return set()
    q = ",".join("?" * len(targets))
    out = set(targets)
    for old, new in store.con.execute(
            f"SELECT old_pid, new_pid FROM pseudonym_map WHERE old_pid IN ({q}) OR new_pid IN ({q})",
            (*targets, *targets)):
        out.update((old, new))
    return out


def _pid_columns(store: Store, table: str) -> list[str]:
    return [c for c in store.table_columns(table) if c == "pid" or c.startswith("pid_")]


def _linked_in_tables(targets: set[str], store: Store) -> set[str]:
    """Every pseudonym on a stored row that holds one of ``targets`` (``pid`` and ``pid_<kind>``)."""
    out = set(targets)
    for (instrument, version), table in store.tables().items():
        pid_cols = _pid_columns(store, table)
        if len(pid_cols) < 2:
            continue
        cells = colstore.set_cells(store.con, instrument, version, pid_cols)
        for row in zip(*(cells[c] for c in pid_cols)):
            if any(v in targets for v in row):
                out.update(v for v in row if v)
    return out


def _rows_of(store: Store, instrument: str, version: str, pid_cols: list[str], targets: set[str]) -> dict[str, np.ndarray]:
    """``{submission_id: rows holding one of targets}`` (a boolean mask per submission) of a responses table."""
    out: dict[str, np.ndarray] = {}
    for sid, n in colstore.set_submissions(store.con, instrument, version):
        cols = colstore.submission_columns(store.con, sid, pid_cols)
        hit = np.zeros(n, dtype=bool)
        for col in cols.values():
            cells = col.cells()
            hit |= np.fromiter((v in targets for v in cells), dtype=bool, count=len(cells))
        if hit.any():
            out[sid] = hit
    return out


def _keep_redacted(path: Path, data: bytes, sha: str, redactions: dict) -> None:
    """Write the redacted copy of ``path`` read-only under its own hash and note old -> new."""
    new_sha = hashlib.sha256(data).hexdigest()
    new_path = path.parent / f"{new_sha}{path.suffix.lower()}"
    if not new_path.exists():
        write_readonly(new_path, data)
    olds, news, _ = redactions.setdefault(sha, ([], [], new_sha))
    olds.append(path)
    news.append(new_path)


class _Scanned:
    """One raw or quarantined file: per unit (row or transcript), the pseudonyms it may belong to."""

    def __init__(self, path: Path, sha: str | None, holder, rows: list[set[str]]):
        self.path, self.sha, self.holder, self.rows = path, sha, holder, rows


def _scan(path: Path, sha: str | None, group, ps: Pseudonymiser) -> _Scanned:
    """Read ``path`` (raises UnsupportedRaw) and compute every unit's pseudonyms."""
    coded = group is not None and not group.empty and (group["instrument"] == CODED_INSTRUMENT).all()
    if coded:
        holder = load_coded_raw(path)
        return _Scanned(path, sha, holder, [participant_pseudonyms(v, r, ps) for v, r in holder.units])
    id_columns: dict[str, str] = {}
    if group is not None:
        for text in group["id_columns"]:
            id_columns.update(json.loads(text or "{}"))
    table = load_raw(path, list(id_columns))
    rows: list[set[str]] = [set() for _ in range(table.n_rows)]
    for values in identifier_pseudonyms(table, id_columns, ps).values():
        for i, v in enumerate(values):
            if v and i < len(rows):
                rows[i].add(v)
    return _Scanned(path, sha, table, rows)


def erase(workspace: Workspace, key: PseudonymKey, pseudonym_or_identifier: str, *, store: Store | None = None) -> ErasureResult:
    """Remove a person from every table and every raw and quarantined file.

    ``pseudonym_or_identifier``: a pseudonym (``k1-...``) or a raw prison
    number / national register number (any punctuation). The person is
    followed across instruments: a row that holds one of their pseudonyms
    gives its other identifiers (a release record's prison number and
    national register number, in the database or in a raw file), and so on
    until nothing new is found.

    Every file of ``raw/`` and ``quarantine/`` is searched, those without a
    database row (orphans) in every column; partial copies (``.tmp-``) are
    removed. A redacted copy is read again and must no longer hold the
    person; a file that cannot be read or cleaned is named in
    ``files_unreadable`` (the caller must say so and fail).
    """
    workspace.check_key(key)
    st = store or Store(workspace)
    ps = Pseudonymiser(key)
    targets = _targets(pseudonym_or_identifier, ps, st)
    if not targets:
        raise ValueError("pseudonym_or_identifier is neither a pseudonym (k<version>-<64 hex>) nor a valid "
                         "prison number or national register number")
    with workspace.exclusive():
        return _erase_locked(workspace, st, ps, targets, close=store is None)


def _erase_locked(workspace: Workspace, st: Store, ps: Pseudonymiser, targets: set[str], *, close: bool) -> ErasureResult:
    workspace.reconcile(st)
    # 1. read every file once; follow the person's identifiers through files and tables
    subs = st.query("SELECT submission_id, sha256, status, id_columns, instrument FROM submissions")
    groups = {sha: g for sha, g in subs.groupby("sha256", sort=False)}
    scanned: list[_Scanned] = []
    unreadable: list[str] = []
    partials: list[Path] = []
    for path in _all_files(workspace):
        if path.name.startswith(".tmp-"):
            partials.append(path)
            continue
        if path.name.endswith(".json"):
            continue  # reports: codes, columns and row numbers, never values (see evaluation.intake.problems)
        sha = path.name.split(".", 1)[0]
        try:
            scanned.append(_scan(path, sha, groups.get(sha), ps))
        except UnsupportedRaw as exc:
            unreadable.append(f"{path.relative_to(workspace.root)}: {exc}")
    while True:
        grown = _linked_in_tables(_rekeyed(targets, st), st)
        for sc in scanned:
            for pids in sc.rows:
                if pids & grown:
                    grown |= pids
        if grown == targets:
            break
        targets = grown

    redactions: dict[str, tuple[list[Path], list[Path], str]] = {}  # old sha -> (old paths, new paths, new sha)
    for sc in scanned:
        rows = [i for i, pids in enumerate(sc.rows) if pids & targets]
        if not rows:
            continue
        try:
            if isinstance(sc.holder, CodedRaw):
                sc.holder.drop(rows)
            else:
                sc.holder.drop_rows(rows)
            data = sc.holder.to_bytes()
            left = _still_holds(sc, data, targets, groups.get(sc.sha), ps)
        except Exception as exc:  # any writer's failure: the file is named, the command fails
            unreadable.append(f"{sc.path.relative_to(workspace.root)}: cannot write a redacted copy "
                              f"({type(exc).__name__})")
            continue
        if left:
            unreadable.append(f"{sc.path.relative_to(workspace.root)}: the redacted copy still holds the person")
            continue
        _keep_redacted(sc.path, data, sc.sha, redactions)

    # 2. the database, in one transaction
    con = st.con
    removed, tables_changed = 0, []
    q = ",".join("?" * len(targets))
    from .signoffs import ensure_signoffs_table

    ensure_signoffs_table(st)  # (DDL outside the transaction: executescript commits)
    con.execute("BEGIN IMMEDIATE")
    try:
        for (instrument, version), table in st.tables().items():
            affected = _rows_of(st, instrument, version, _pid_columns(st, table), targets)
            if not affected:
                continue
            for sid, hit in affected.items():  # the submission's columns rewritten without the rows
                n = colstore.drop_rows(con, sid, hit)
                removed += n
                con.execute("UPDATE submissions SET n_stored = n_stored - ?, n_rows = MAX(n_rows - ?, 0) "
                            "WHERE submission_id = ?", (n, n, sid))
            tables_changed.append(table)
        # interviews: the person's segments (and the sign-offs of their quotes), their transcripts
        con.execute(f"DELETE FROM quote_signoffs WHERE segment_id IN (SELECT segment_id FROM segments WHERE pid IN ({q}))",
                    tuple(targets))
        for table in INTERVIEW_TABLES:
            affected = con.execute(f"SELECT submission_id, COUNT(*) FROM {table} WHERE pid IN ({q}) GROUP BY submission_id",
                                   tuple(targets)).fetchall()
            if not affected:
                continue
            cur = con.execute(f"DELETE FROM {table} WHERE pid IN ({q})", tuple(targets))
            removed += cur.rowcount
            tables_changed.append(table)
            if table == "segments":
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
    # 3. the old files go (and partial copies); deleted pages are overwritten and the file rebuilt
    for olds, news, _ in redactions.values():
        for old_path in olds:
            if old_path not in news:
                remove_readonly(old_path)
    for path in partials:
        remove_readonly(path)
        workspace.audit.write("partial-removed", folder=path.parent.name)
    con.execute("VACUUM")
    for old_sha, (_, _, new_sha) in redactions.items():
        workspace.audit.write("raw-redacted", reason="erasure", old_sha256=old_sha, new_sha256=new_sha)
    workspace.audit.write("erasure", rows=removed, files=len(redactions), tables=",".join(tables_changed),
                          n_files_not_cleaned=len(unreadable))
    if close:
        st.close()
    return ErasureResult(removed, tuple(tables_changed),
                         tuple((o, n) for o, (_, _, n) in redactions.items()), tuple(unreadable))


def _still_holds(sc: _Scanned, data: bytes, targets: set[str], group, ps: Pseudonymiser) -> bool:
    """Whether the redacted bytes of ``sc`` still hold a unit of the person (read back from a temporary file)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / f"probe{sc.path.suffix.lower()}"
        probe.write_bytes(data)
        again = _scan(probe, sc.sha, group, ps)
    return any(pids & targets for pids in again.rows)


def _rekey_coded(path: Path | None, old_ps: Pseudonymiser, new_ps: Pseudonymiser, mapping: dict[str, str]) -> None:
    """Add the old -> new pseudonym of every participant of a raw coded file to ``mapping``."""
    if path is None:
        return
    try:
        coded = load_coded_raw(path)
    except UnsupportedRaw:
        return
    from ..qda.coded import role_of
    from ..qda.importer import study_code_pseudonym

    for v, r in coded.units:
        if v is None or not str(v).strip() or is_pseudonym(str(v).strip()):
            continue
        group = role_of(r) if r else None
        if group == "detainee":
            o, _ = old_ps.try_pseudonym("prison_number", v)
            n, _ = new_ps.try_pseudonym("prison_number", v)
            if o and n:
                mapping[o] = n
        elif group is not None:
            try:
                mapping[study_code_pseudonym(old_ps.key, v)] = study_code_pseudonym(new_ps.key, v)
            except ValueError:
                pass


def _like_prefix(value, prefix: str) -> bool:
    """``value LIKE '<prefix>%'`` as SQLite evaluates it on a TEXT cell (ASCII letters in any case)."""
    if not isinstance(value, str):
        return value is not None and _like_prefix(str(value), prefix)
    head = value[:len(prefix)]
    return len(head) == len(prefix) and head.isascii() and head.lower() == prefix.lower()


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
    with workspace.exclusive():
        return _rotate_locked(workspace, old_key, new_key, store=store)


def _rotate_locked(workspace: Workspace, old_key: PseudonymKey, new_key: PseudonymKey, *, store: Store | None = None) -> RotationResult:
    """(holding the exclusive lock)"""
    workspace.check_key(old_key)
    if new_key.version <= old_key.version:
        raise ValueError(f"new_key must have a higher version than {old_key.version}: prefix it with "
                         f"'{old_key.version + 1}:'")
    st = store or Store(workspace)
    old_ps, new_ps = Pseudonymiser(old_key), Pseudonymiser(new_key)
    mapping: dict[str, str] = {}
    subs = st.query("SELECT sha256, id_columns, instrument FROM submissions WHERE status IN ('accepted', 'superseded')")
    for sha, text, instrument in subs.drop_duplicates("sha256").itertuples(index=False):
        if instrument == CODED_INSTRUMENT:
            _rekey_coded(workspace.find_raw(sha), old_ps, new_ps, mapping)
            continue
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
    from .segments import _ensure as _ensure_segments

    _ensure_segments(st)  # (DDL outside the transaction: executescript commits)
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS _rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        con.execute("DELETE FROM _rekey")
        con.executemany("INSERT INTO _rekey VALUES (?, ?)", mapping.items())
        for (instrument, version), table in st.tables().items():
            pid_cols = _pid_columns(st, table)
            for sid, _n in colstore.set_submissions(con, instrument, version):
                for c, col in colstore.submission_columns(con, sid, pid_cols).items():
                    cells = col.cells()
                    new = [mapping.get(v, v) if isinstance(v, str) else v for v in cells]
                    if any(a is not b for a, b in zip(new, cells)):
                        colstore.replace_column(con, sid, c, Column.from_cells(new))
                        changed.append(table)
                    unmapped += sum(1 for v in new if _like_prefix(v, prefix))
        for table in INTERVIEW_TABLES:
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
