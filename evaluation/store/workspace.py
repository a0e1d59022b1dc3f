"""The evaluation workspace: one folder holding everything about one evaluation.

::

    peer-eval-workspace/
      workspace.yaml     configuration (below)
      raw/               submitted files, content-addressed: raw/<sha256><ext>, read-only
      quarantine/        rejected files and their reports
      evaluation.sqlite  the database (see evaluation.store.db)
      audit.log          who / when / what, JSON lines, no identifiers

``workspace.yaml``::

    format: 1
    created_at: "2026-03-02T10:00:00+00:00"
    demo: false                  # the demo workspace (throwaway key, may live in a repository)
    disclosure_threshold: 10     # smallest count published (analysis.disclosure)
    retention_date: null         # "YYYY-MM-DD": after it, raw identifiers are purged
    primary_outcomes: []         # placeholder: the pre-registered primary outcomes
    key: {fingerprint: 0123abcd..., version: 1}   # recorded on first use; never the key
    key_history: []              # earlier keys (after a rotation)

Raw files are never deleted: only erasure (:mod:`evaluation.store.erase`) and
retention (:mod:`evaluation.store.retention`) replace one by a redacted copy,
with both hashes in the audit log.

Crashes and concurrent processes
--------------------------------
A process that copies a file into ``raw/`` (:meth:`Workspace.keep_raw`, :meth:`Workspace.stage_raw`)
holds a shared lock on ``.lock`` (``flock``) until its database work is
done (:meth:`Workspace.release_shared`, called when its
:class:`~evaluation.store.db.Store` closes); erasure, rotation and retention
hold the exclusive lock. A raw copy and its database row thus become
visible together to everyone else: when nobody holds the lock (a process
killed mid-submission holds nothing), :meth:`Workspace.reconcile` removes
what a killed process left — partial copies (``.tmp-``), raw or quarantined
files without a database row (orphans: never acknowledged to the
coordinator, who still has the file), reports of no submission, and the raw
copy of a rejected file once its quarantine copy exists — each removal in
the audit log (hash only). It runs whenever a ``Store`` is opened or closed
and nobody else is working.

A workspace is created in a temporary folder beside it
(``.<name>.tmp-<pid>-<host>-<random>``) renamed into place. A creator
killed before the rename leaves that folder; the next creation and the
start-up reconcile remove it (:func:`sweep_creation_leftovers`: only folders
of that naming, of this user, holding only what a creator writes, whose
creator process on this host is gone or that are older than an hour), with
``creation-leftover-removed`` in the audit log.

A workspace inside a git working tree is refused (its data could be
committed), unless it is the demo.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import time
import shutil
import socket
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..intake.pseudonymise import PseudonymKey, git_working_tree
from .audit import AuditLog

__all__ = [
    "Workspace",
    "WorkspaceError",
    "WorkspaceInRepository",
    "WorkspaceMissing",
    "KeyMismatch",
    "WorkspaceBusy",
    "WORKSPACE_ENV",
    "DEFAULT_NAME",
    "sha256_file",
    "write_readonly",
    "remove_readonly",
]

WORKSPACE_ENV = "PEER_EVAL_WORKSPACE"
DEFAULT_NAME = "peer-eval-workspace"
CONFIG = "workspace.yaml"
DB_NAME = "evaluation.sqlite"


class WorkspaceError(RuntimeError):
    """A workspace that cannot be used as asked; the message says what to do."""


class WorkspaceInRepository(WorkspaceError):
    pass


class WorkspaceMissing(WorkspaceError):
    pass


class WorkspaceBusy(WorkspaceError):
    """Another peer-eval process holds the workspace for too long."""


class KeyMismatch(WorkspaceError):
    """The key given is not the key this workspace was created with."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def _copy_file(src, out) -> None:
    """Copy the open file ``src`` to ``out`` (a seam: the kill-while-copying test replaces it)."""
    shutil.copyfileobj(src, out, 1 << 20)


class StagedRaw:
    """A submitted file copied into ``raw/`` as ``.tmp-<random><ext>``; hashed and synced in the background.

    Made by :meth:`Workspace.stage_raw`. Read the copy at :attr:`path`
    (never the submitted file again: it may change under us), then call
    :meth:`finish` exactly once, whatever happened meanwhile. A measured
    reason for the thread (``benchmarks/intake_bench.py --stages``): hashing
    and syncing the copy of a 30 MiB file took 40 ms of a 100,000-row submit
    before its reading could start; beside the reading they take a second
    core's time (on a busy machine, what they cost anyway). The thread reads
    and hashes in 32 MiB blocks, each letting go of the interpreter lock for
    its whole length: in 1 MiB blocks it asked for the lock 30 times and
    slowed the reading by as much as it saved.
    """

    def __init__(self, ws: "Workspace", source: Path):
        self.ws, self.source = ws, Path(source)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=self.source.suffix, dir=ws.raw_dir)
        self.path = Path(tmp)
        self._digest: str | None = None
        self._found: Path | None = None
        self._error: BaseException | None = None
        self._done = False
        try:
            with os.fdopen(fd, "wb") as out, open(self.source, "rb") as src:
                _copy_file(src, out)
        except BaseException:
            self._remove()
            raise
        self._thread = threading.Thread(target=self._hash_and_sync, name="peer-eval-raw-hash", daemon=True)
        self._thread.start()

    def _hash_and_sync(self) -> None:
        try:
            h = hashlib.sha256()
            with open(self.path, "rb") as fh:
                while block := fh.read(32 << 20):
                    h.update(block)
            self._digest = h.hexdigest()
            self._found = self.ws.find_raw(self._digest)
            if self._found is None:
                fd = os.open(self.path, os.O_RDWR)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except BaseException as exc:  # handed to finish()
            self._error = exc

    def finish(self) -> tuple[str, Path, bool]:
        """``(sha256, stored_path, already_present)``, as :meth:`Workspace.keep_raw` returns them."""
        if self._done:
            raise RuntimeError("StagedRaw.finish() was called already")
        self._done = True
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            digest = self._digest
            state = _LOCKS.get((os.getpid(), self.ws.root))
            if state is not None:
                state[3].add(digest)  # pending until a row names it (see release_shared)
            if self._found is not None:
                self._remove()
                return digest, self._found, True
            dest = self.ws.raw_path(digest, self.source.suffix)
            os.chmod(self.path, stat.S_IRUSR)
            os.replace(self.path, dest)
        except BaseException:
            self._remove()
            raise
        return digest, dest, False

    def _remove(self) -> None:
        if os.path.exists(self.path):
            os.chmod(self.path, stat.S_IWUSR | stat.S_IRUSR)
            os.remove(self.path)


def write_readonly(dest: Path, data: bytes | None = None, *, source: Path | None = None) -> None:
    """Write ``data`` (or copy ``source``) to ``dest`` atomically (temp file + os.replace), mode 0o400.

    Owner read-only: raw and quarantined files hold identifiers, so neither
    the group nor others may read them (the temporary file is 0o600 from its
    creation, by ``mkstemp``).
    """
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            if source is not None:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
            else:
                out.write(data or b"")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IRUSR)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.chmod(tmp, stat.S_IWUSR | stat.S_IRUSR)
            os.remove(tmp)
        raise


def remove_readonly(path: Path) -> None:
    """Delete a read-only file (only erasure, retention and quarantine moves do this)."""
    path = Path(path)
    if path.exists():
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        path.unlink()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


LOCK_NAME = ".lock"
GUARD_TABLE = "workspace_guard"


def _read_config(config_path: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise WorkspaceError(
            f"{config_path} cannot be read ({type(exc).__name__}): it was edited by hand or damaged. Restore it "
            "from a backup, or fix the line the YAML error names.") from None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise WorkspaceError(f"{config_path} does not hold the workspace's settings (a YAML mapping): restore it "
                             "from a backup.")
    return config


def read_guard(root: Path) -> dict[str, str]:
    """The settings kept in the database so that editing ``workspace.yaml`` cannot change them.

    ``demo`` (``"1"``/``"0"``), ``key_fingerprint``, ``key_version``,
    ``key_history`` (JSON). Empty for a workspace without a database yet.
    """
    import sqlite3

    db = root / DB_NAME
    if not db.exists():
        return {}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute(f"SELECT name, value FROM {GUARD_TABLE}").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise WorkspaceError(f"The database {db} cannot be read ({exc}). Check its permissions, or restore it "
                             "from a backup.") from None
    except sqlite3.DatabaseError:
        raise WorkspaceError(f"{db} is not a peer-eval database (damaged or replaced). Restore it from a "
                             "backup; do not submit into this workspace until then.") from None
    return dict(rows)


def write_guard(root: Path, values: dict[str, str]) -> None:
    """Set guard values (one transaction; the database file is created owner-only if needed)."""
    import sqlite3

    db = root / DB_NAME
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {GUARD_TABLE} (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("BEGIN IMMEDIATE")
        con.executemany(f"INSERT OR REPLACE INTO {GUARD_TABLE} VALUES (?, ?)", list(values.items()))
        con.execute("COMMIT")
    finally:
        con.close()


#: a creator's temporary folder older than this is left over whoever made it (a creation takes milliseconds)
CREATION_STALE_SECONDS = 3600
#: what a creator puts in its temporary folder; a folder holding anything else is never removed
_CREATION_ENTRIES = frozenset({"raw", "quarantine", CONFIG, CONFIG + ".tmp", "audit.log", DB_NAME,
                               DB_NAME + "-journal", LOCK_NAME})


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _creator_prefix(root: Path) -> str:
    """``.<name>.tmp-<pid>-<host>-``: whose temporary folder it is, for :func:`sweep_creation_leftovers`."""
    return f".{root.name}.tmp-{os.getpid()}-{_host_tag()}-"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def _leftover_fields(name: str) -> dict[str, str]:
    """Audit fields of a removed creator folder: its creator's pid and random suffix, not the workspace's name."""
    import re

    m = re.search(r"\.tmp-(?:(\d+)-[0-9a-f]{8}-)?([A-Za-z0-9_]{8})$", name)
    if m is None:
        return {}
    return {"tmp_suffix": m.group(2), **({"creator_pid": m.group(1)} if m.group(1) else {})}


def sweep_creation_leftovers(root: Path, *, stale_seconds: float = CREATION_STALE_SECONDS) -> list[str]:
    """Remove the temporary folders that killed creators of ``root`` left beside it; their names.

    Only a folder of our own naming (``.<name>.tmp-<pid>-<host>-<random>``,
    or ``.<name>.tmp-<random>`` from before the creator's pid was in the
    name), owned by this user, holding only what a creator writes, and
    either made on this host by a process that no longer runs or older than
    ``stale_seconds``. It is first renamed to ``<name>.removing-<pid>`` (only
    one sweeper wins; a sweeper killed there leaves a folder the next one
    takes over), then removed. The caller writes the names in the audit log.
    """
    import re
    import shutil

    parent = root.parent
    pattern = re.compile(rf"\.{re.escape(root.name)}\.tmp-(?:(\d+)-([0-9a-f]{{8}})-)?[A-Za-z0-9_]{{8}}"
                         r"(?:\.removing-(\d+))?")
    removed: list[str] = []
    try:
        candidates = [p for p in parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        m = pattern.fullmatch(path.name)
        try:
            st = path.lstat()
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                continue
            if any(e.name not in _CREATION_ENTRIES and not e.name.startswith(".tmp-config-") for e in path.iterdir()):
                continue
        except OSError:
            continue
        pid, host, remover = m.group(1), m.group(2), m.group(3)
        if remover is not None:  # a sweeper killed while removing it: its own pid is the one that counts
            pid, host = remover, _host_tag()
        dead = pid is not None and host == _host_tag() and int(pid) != os.getpid() and _pid_gone(int(pid))
        if not dead and now - st.st_mtime < stale_seconds:
            continue
        claimed = path.with_name(f"{path.name.split('.removing-')[0]}.removing-{os.getpid()}")
        try:
            os.rename(path, claimed)
        except OSError:
            continue  # another process is removing it, or it was renamed into place just now
        shutil.rmtree(claimed, ignore_errors=True)
        removed.append(path.name.split(".removing-")[0])
    return removed


def _create(root: Path, *, demo: bool) -> dict[str, Any]:
    """Create the workspace at ``root`` atomically: built in a temporary folder beside it, then renamed.

    Of processes creating the same workspace at once exactly one wins
    (one ``workspace-created`` in the audit log); the others open it.
    """
    import shutil

    root.parent.mkdir(parents=True, exist_ok=True)
    swept = sweep_creation_leftovers(root)
    tmp = Path(tempfile.mkdtemp(prefix=_creator_prefix(root), dir=root.parent))
    try:
        os.chmod(tmp, 0o700)
        config = {
            "format": 1,
            "created_at": _now(),
            "demo": bool(demo),
            "disclosure_threshold": 10,
            "retention_date": None,
            "primary_outcomes": [],
            "key": None,
            "key_history": [],
        }
        for sub in ("raw", "quarantine"):
            (tmp / sub).mkdir(mode=0o700)
        Workspace(tmp, config).save_config()
        write_guard(tmp, {"demo": "1" if demo else "0"})
        AuditLog(tmp / "audit.log").write("workspace-created")
        for name in swept:
            AuditLog(tmp / "audit.log").write("creation-leftover-removed", **_leftover_fields(name))
        try:
            if root.exists():
                for leftover in root.iterdir():  # only an empty folder or our lock file may be replaced
                    if leftover.name != LOCK_NAME:
                        raise OSError("not empty")
                    leftover.unlink()
                root.rmdir()
            os.rename(tmp, root)
        except OSError:
            if not (root / CONFIG).exists():
                raise WorkspaceError(f"The workspace {root} could not be created: the folder is not empty or "
                                     "cannot be written. Choose an empty or new folder.") from None
            for name in swept:  # another process created it first: the removal goes in its log
                AuditLog(root / "audit.log").write("creation-leftover-removed", **_leftover_fields(name))
            return _read_config(root / CONFIG)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return config
#: per (process, workspace root), the lock: [fd, mode (None | LOCK_SH | LOCK_EX), exclusive depth,
#: hashes this process copied into raw/ that have no database row yet]
#: (keyed by process id: a forked child must not share its parent's open file, hence its flock)
_LOCKS: dict[tuple[int, Path], list] = {}


def _lock_state(root: Path) -> list | None:
    state = _LOCKS.get((os.getpid(), root))
    if state is None:
        try:
            fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return None  # a read-only workspace: nothing can be written, nothing to guard
        state = _LOCKS[(os.getpid(), root)] = [fd, None, 0, set()]
    return state


@dataclass
class Workspace:
    """An opened workspace. Use :meth:`open`."""

    root: Path
    config: dict[str, Any]

    # -- opening ---------------------------------------------------------
    @classmethod
    def default_path(cls) -> Path:
        """``$PEER_EVAL_WORKSPACE``, else ``./peer-eval-workspace``."""
        env = os.environ.get(WORKSPACE_ENV, "").strip()
        return Path(env) if env else Path.cwd() / DEFAULT_NAME

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, create: bool = True, demo: bool = False) -> "Workspace":
        """Open (and by default create) the workspace at ``path``.

        Refuses a workspace inside a git working tree unless ``demo=True``
        (or the workspace was created as the demo).
        """
        root = Path(path).expanduser() if path is not None else cls.default_path()
        root = root.resolve()
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root} is a file, not a workspace folder. Pass the workspace's folder "
                                 f"(--workspace DIR or ${WORKSPACE_ENV}), or a new folder to create one.")
        config_path = root / CONFIG
        existing = config_path.exists()
        config: dict[str, Any] = {}
        if existing:
            config = _read_config(config_path)
        elif not create:
            raise WorkspaceMissing(
                f"There is no evaluation workspace at {root}. Pass the right folder (--workspace DIR or "
                f"${WORKSPACE_ENV}), or create one by submitting a first file.")
        elif root.exists() and any(p.name != LOCK_NAME for p in root.iterdir()):
            raise WorkspaceError(
                f"{root} exists, is not empty and is not an evaluation workspace (no {CONFIG}). "
                "Choose an empty or new folder for the workspace.")
        guard = read_guard(root) if existing else {}
        # the database's copy decides (workspace.yaml can be edited by hand); older workspaces: the yaml
        recorded_demo = guard["demo"] == "1" if "demo" in guard else bool(config.get("demo"))
        is_demo = bool(demo or recorded_demo)
        tree = git_working_tree(root if root.exists() else root.parent)
        if tree is not None and not is_demo:
            raise WorkspaceInRepository(
                f"The workspace {root} is inside the git working tree {tree}. Survey data must never be "
                "where they could be committed. Put the workspace outside any repository (e.g. "
                f"export {WORKSPACE_ENV}=$HOME/peer-eval-workspace) — only the demo workspace may live "
                "in the repository.")
        if not existing:
            config = _create(root, demo=bool(demo))
        config["demo"] = recorded_demo if existing else bool(demo)
        ws = cls(root, config)
        for sub in ("raw", "quarantine"):
            (root / sub).mkdir(mode=0o700, exist_ok=True)
        return ws

    # -- paths and config ---------------------------------------------------
    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.root / "audit.log")

    @property
    def demo(self) -> bool:
        return bool(self.config.get("demo"))

    @property
    def disclosure_threshold(self) -> int:
        return int(self.config.get("disclosure_threshold") or 10)

    @property
    def retention_date(self) -> dt.date | None:
        value = self.config.get("retention_date")
        if value in (None, ""):
            return None
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    @property
    def limits(self):
        """What a submitted file may make the readers do (:mod:`evaluation.intake.limits`; ``limits:`` here)."""
        from ..intake.limits import limits_from_config

        try:
            return limits_from_config(self.config)
        except ValueError as exc:
            raise WorkspaceError(f"{exc} (in {self.root / CONFIG})") from None

    def save_config(self) -> None:
        text = "# The evaluation workspace's configuration (see evaluation/store/workspace.py).\n"
        text += "# demo and key are kept in the database too: editing them here changes nothing.\n"
        text += yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-config-", dir=self.root)  # one per writer, owner only
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.root / CONFIG)

    def set_config(self, **values: Any) -> None:
        """Change configuration values (``disclosure_threshold``, ``retention_date``, ``primary_outcomes``)."""
        allowed = {"disclosure_threshold", "retention_date", "primary_outcomes"}
        bad = set(values) - allowed
        if bad:
            raise ValueError(f"cannot set {sorted(bad)}; settable: {sorted(allowed)}")
        if "retention_date" in values and values["retention_date"] is not None:
            values["retention_date"] = dt.date.fromisoformat(str(values["retention_date"])).isoformat()
        if "disclosure_threshold" in values:
            t = int(values["disclosure_threshold"])
            if t < 1:
                raise ValueError("disclosure_threshold must be a whole number >= 1 (default 10)")
            values["disclosure_threshold"] = t
        self.config.update(values)
        self.save_config()

    # -- raw files ------------------------------------------------------------
    def raw_path(self, sha256: str, ext: str = "") -> Path:
        return self.raw_dir / f"{sha256}{ext.lower()}"

    def find_raw(self, sha256: str) -> Path | None:
        """The stored raw file with this hash (any extension), or None."""
        for p in self.raw_dir.glob(f"{sha256}*"):
            if p.name.startswith(".tmp-"):
                continue
            return p
        return None

    def keep_raw(self, path: str | os.PathLike) -> tuple[str, Path, bool]:
        """Copy a submitted file into ``raw/<sha256><ext>``, read-only.

        Returns ``(sha256, stored_path, already_present)``; the same bytes
        submitted twice are stored once. Takes the shared lock (see
        "Crashes and concurrent processes"), released when the caller's
        ``Store`` closes. The same as ``stage_raw(path).finish()``.
        """
        return self.stage_raw(path).finish()

    def stage_raw(self, path: str | os.PathLike) -> "StagedRaw":
        """Copy a submitted file into ``raw/`` under a temporary name, to be read while it is hashed.

        The copy's SHA-256 and its ``fsync`` run in a background thread
        (both let go of the interpreter lock) while the caller reads the
        copy (:attr:`StagedRaw.path`); :meth:`StagedRaw.finish` then names
        it ``raw/<sha256><ext>`` and returns what :meth:`keep_raw` returns.
        The bytes read, hashed and kept are one file's. Takes the shared lock
        as :meth:`keep_raw` does.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file: pass the path of the submitted file")
        self.hold_shared()
        return StagedRaw(self, path)

    # -- locking and reconciliation ----------------------------------------------
    def hold_shared(self) -> None:
        """Hold the shared lock (blocks while an erasure or rotation runs)."""
        state = _lock_state(self.root)
        if state is not None and state[1] is None:
            fcntl.flock(state[0], fcntl.LOCK_SH)
            state[1] = fcntl.LOCK_SH

    def release_shared(self, store=None) -> None:
        """Let go of the shared lock taken by :meth:`keep_raw` once every file it copied has its row.

        With ``store``, the files this process copied that the database now
        names are settled; the lock is kept while another is still pending
        (a submission of this process under way).
        """
        state = _LOCKS.get((os.getpid(), self.root))
        if state is not None and state[3] and store is not None:
            q = ",".join("?" * len(state[3]))
            named = {r[0] for r in store.con.execute(f"SELECT DISTINCT sha256 FROM submissions WHERE sha256 IN ({q})",
                                                     tuple(state[3]))}
            state[3] -= named
        if state is not None and state[3] and store is not None:
            return
        if state is not None and state[1] == fcntl.LOCK_SH:
            fcntl.flock(state[0], fcntl.LOCK_UN)
            state[1] = None

    @contextlib.contextmanager
    def exclusive(self, timeout: float = 300.0):
        """Hold the exclusive lock (no submission under way); :class:`WorkspaceBusy` after ``timeout`` s."""
        state = _lock_state(self.root)
        if state is None:
            yield
            return
        prev = state[1]
        if prev != fcntl.LOCK_EX:
            if prev == fcntl.LOCK_SH:
                fcntl.flock(state[0], fcntl.LOCK_UN)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(state[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        if prev == fcntl.LOCK_SH:
                            fcntl.flock(state[0], fcntl.LOCK_SH)
                        raise WorkspaceBusy(
                            f"Another peer-eval process has been using the workspace {self.root} for more than "
                            f"{timeout:.0f} s (a submission under way?). Try again when it has finished.") from None
                    time.sleep(0.05)
            state[1] = fcntl.LOCK_EX
        state[2] += 1
        try:
            yield
        finally:
            state[2] -= 1
            if state[2] == 0 and prev != fcntl.LOCK_EX:
                fcntl.flock(state[0], prev if prev == fcntl.LOCK_SH else fcntl.LOCK_UN)
                state[1] = prev

    def try_reconcile(self, store) -> bool:
        """:meth:`reconcile` if no process (this one included) is working on the workspace; whether it ran."""
        state = _lock_state(self.root)
        if state is None or state[1] is not None:
            return False
        try:
            fcntl.flock(state[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        state[1], state[2] = fcntl.LOCK_EX, 1
        try:
            self.reconcile(store)
        except OSError:
            return False  # e.g. a read-only workspace: nothing can be left over by this process either
        finally:
            state[1], state[2] = None, 0
            fcntl.flock(state[0], fcntl.LOCK_UN)
        return True

    def reconcile(self, store) -> dict[str, int]:
        """Remove what a killed process left (see "Crashes and concurrent processes"); needs the exclusive lock."""
        rows = store.con.execute("SELECT submission_id, sha256, status FROM submissions").fetchall()
        used = {sha for _, sha, st in rows if st in ("accepted", "superseded")}
        rejected = {sha for _, sha, st in rows if st == "rejected"}
        sids = {sid for sid, _, _ in rows}
        counts = {"partial": 0, "orphan": 0, "rejected-raw": 0, "report": 0, "creation-leftover": 0}

        def drop(path: Path, what: str) -> None:
            remove_readonly(path)
            counts[what] += 1
            sha = path.name.split(".", 1)[0]
            self.audit.write(f"{what}-removed", folder=path.parent.name,
                             sha256=sha if len(sha) == 64 and all(c in "0123456789abcdef" for c in sha) else None)

        for stale in [self.root / (CONFIG + ".tmp"), *self.root.glob(".tmp-config-*")]:
            if stale.exists():
                stale.unlink()
        for name in sweep_creation_leftovers(self.root):  # a creator killed while another one won
            counts["creation-leftover"] += 1
            self.audit.write("creation-leftover-removed", **_leftover_fields(name))
        for folder in (self.raw_dir, self.quarantine_dir):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if not path.is_file():
                    continue
                name = path.name
                if name.startswith(".tmp-"):
                    drop(path, "partial")
                    continue
                if folder == self.quarantine_dir and name.endswith(".report.json"):
                    if name[: -len(".report.json")] not in sids:
                        drop(path, "report")
                    continue
                sha = name.split(".", 1)[0]
                if folder == self.raw_dir:
                    if sha in used:
                        continue
                    if sha in rejected and any(self.quarantine_dir.glob(f"{sha}.*")):
                        remove_readonly(path)  # the quarantine copy is the one kept
                        counts["rejected-raw"] += 1
                    elif sha not in rejected:
                        drop(path, "orphan")
                elif sha not in rejected:
                    drop(path, "orphan")
        return counts

    # -- key -------------------------------------------------------------------
    def check_key(self, key: PseudonymKey) -> None:
        """Record the key's fingerprint on first use; refuse a different key afterwards.

        Also refuses a key read from a file inside the workspace.
        """
        if not isinstance(key, PseudonymKey):
            raise TypeError("key must be a PseudonymKey: get one with evaluation.intake.pseudonymise.load_key()")
        if key.source and key.source not in ("generated",) and not key.source.startswith("$"):
            src = Path(key.source).resolve()
            if src == self.root or self.root in src.parents:
                raise KeyMismatch(
                    f"The key file {src} is inside the workspace {self.root}. Whoever copies the workspace "
                    "would hold the key. Move the key file outside the workspace (and outside any git "
                    "repository) and pass its new path.")
        fp = key.fingerprint
        recorded, history = self._recorded_key()
        if not recorded:
            with self.exclusive():  # of processes recording a first key at once, one records it
                recorded, history = self._recorded_key()
                if not recorded:
                    write_guard(self.root, {"key_fingerprint": fp, "key_version": str(key.version)})
                    self.config["key"] = {"fingerprint": fp, "version": key.version}
                    self.save_config()
                    self.audit.write("key-recorded", key_fingerprint=fp, key_version=str(key.version))
                    return
        self.config["key"], self.config["key_history"] = recorded, history
        if recorded.get("fingerprint") == fp and int(recorded.get("version")) == key.version:
            return
        old = {int(h["version"]): h["fingerprint"] for h in history}
        if key.version in old and old[key.version] == fp:
            raise KeyMismatch(
                f"This is key version {key.version}, which was replaced by version {recorded['version']} "
                "(key rotation). Use the current key: ask the data controller.")
        if key.version == int(recorded.get("version")):
            raise KeyMismatch(
                f"The pseudonymisation key differs from the one this workspace was created with "
                f"(workspace key fingerprint {recorded['fingerprint']}, version {recorded['version']}; "
                f"yours {fp}). With a different key the same person would get a different pseudonym and "
                "linkage across files would break. Check that you copied the key exactly (no missing or "
                "extra characters) or ask the data controller for this evaluation's key.")
        raise KeyMismatch(
            f"This workspace uses key version {recorded['version']} (fingerprint {recorded['fingerprint']}), "
            f"not version {key.version}. To change key, rotate it (evaluation.store.erase.rotate) with both "
            "keys; otherwise use the workspace's key.")

    def _recorded_key(self) -> tuple[dict | None, list]:
        """The workspace's key and key history: the database's copy; a workspace.yaml-only one is adopted."""
        import json

        guard = read_guard(self.root)
        if "key_fingerprint" in guard:
            return ({"fingerprint": guard["key_fingerprint"], "version": int(guard["key_version"])},
                    json.loads(guard.get("key_history") or "[]"))
        recorded = self.config.get("key")
        history = list(self.config.get("key_history") or [])
        if recorded and recorded.get("fingerprint"):  # a workspace from before the guard: trusted on first use
            write_guard(self.root, {"key_fingerprint": str(recorded["fingerprint"]),
                                    "key_version": str(int(recorded.get("version") or 1)),
                                    "key_history": json.dumps(history, default=str)})
            return recorded, history
        return None, history

    def record_key(self, key: PseudonymKey) -> None:
        """Make ``key`` the workspace's key, keeping the previous one in ``key_history`` (rotation)."""
        import json

        prev, history = self._recorded_key()
        if prev:
            history = [*history, {**prev, "until": _now()}]
        self.config["key"] = {"fingerprint": key.fingerprint, "version": key.version}
        self.config["key_history"] = history
        write_guard(self.root, {"key_fingerprint": key.fingerprint, "key_version": str(key.version),
                                "key_history": json.dumps(history, default=str)})
        self.save_config()

    # -- store -------------------------------------------------------------------
    def store(self, catalogue=None):
        """The database (:class:`evaluation.store.db.Store`) of this workspace."""
        from .db import Store

        return Store(self, catalogue=catalogue)
