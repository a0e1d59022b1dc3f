"""No races, no crash leftovers: real concurrent processes and real SIGKILLs at each step of a submission.

Each concurrent test starts processes (``multiprocessing``, fork) that call
the real ``submit_file`` on one workspace at the same moment (a barrier);
each kill test runs a submission in a child process that sends itself
SIGKILL at one step, then checks what the next process finds: every raw file
has its database row, every quarantined file its rejection, no partial copy,
the person findable or gone — and that the same file can be submitted again.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from pathlib import Path

import pytest

from evaluation.demo.files import write_sav_data
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.store import Store, Workspace

from .conftest import KEY

CTX = mp.get_context("fork")


def _table(instrument) -> str:
    """The store's table of the instrument's version (the latest published one: 1.2 since issue 11)."""
    from evaluation.store.db import table_name

    return table_name(instrument.id, instrument.version)


@pytest.fixture(scope="module")
def detainee():
    c = Catalogue()
    return c.instrument("detainee", c.latest("detainee", published_only=True))


def _file(defn, folder: Path, name: str, seed: int, n: int = 40, site: str = "P03") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_sav_data(defn, synthetic_responses(defn, n, site=site, seed=seed), folder / name, "nl")


def _submit(args):
    path, ws, site, replaces, barrier = args
    from evaluation.intake.submit import submit_file

    if barrier is not None:
        barrier.wait(30)
    try:
        r = submit_file(path, site=site, workspace=ws, key=KEY, replaces=replaces)
        return r.status, [p.code for p in r.problems], None
    except BaseException as exc:  # a traceback is a failure of the test
        return "exception", [], f"{type(exc).__name__}: {exc}"


def _child(func, args, queue, i):
    queue.put((i, func(args)))


def _together(func, jobs: list[tuple]) -> list:
    """``func((*job, barrier))`` in one process per job, started at the same moment; results in order."""
    barrier, queue = CTX.Barrier(len(jobs)), CTX.Queue()
    procs = [CTX.Process(target=_child, args=(func, (*j, barrier), queue, i)) for i, j in enumerate(jobs)]
    for p in procs:
        p.start()
    out = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
    return [out[i] for i in range(len(jobs))]


def _run_together(jobs: list[tuple]) -> list[tuple]:
    return _together(_submit, jobs)


def _consistent(ws_root: Path) -> None:
    """Every raw file has an accepted row, every quarantined file a rejected one, no partial copy."""
    ws = Workspace.open(ws_root)
    with Store(ws) as st:
        rows = st.query("SELECT submission_id, sha256, status FROM submissions")
        used = set(rows.loc[rows.status.isin(["accepted", "superseded"]), "sha256"])
        rejected = set(rows.loc[rows.status == "rejected", "sha256"])
        for p in ws.raw_dir.iterdir():
            assert not p.name.startswith(".tmp-"), p.name
            assert p.name.split(".")[0] in used, f"orphan raw file {p.name}"
        for p in ws.quarantine_dir.iterdir():
            assert not p.name.startswith(".tmp-"), p.name
            if p.name.endswith(".report.json"):
                assert p.name[:-12] in set(rows.submission_id)
            else:
                assert p.name.split(".")[0] in rejected, f"orphan quarantine file {p.name}"
        for (_, _), table in st.tables().items():
            for sid, n in st.row_counts(table).items():
                assert rows.loc[rows.submission_id == sid, "status"].iloc[0] in ("accepted", "superseded")


def test_same_file_submitted_four_times_at_once_is_stored_once(detainee, tmp_path):
    path = _file(detainee, tmp_path / "out", "a.sav", seed=1)
    results = _run_together([(path, tmp_path / "ws", "P03", None)] * 4)
    assert [r[2] for r in results] == [None] * 4
    assert sorted(r[0] for r in results) == ["accepted", "duplicate", "duplicate", "duplicate"]
    with Store(Workspace.open(tmp_path / "ws")) as st:
        assert sum(st.row_counts(_table(detainee)).values()) == 40
    _consistent(tmp_path / "ws")


def test_four_files_for_the_same_site_and_wave_at_once_accept_one(detainee, tmp_path):
    paths = [_file(detainee, tmp_path / "out", f"f{i}.sav", seed=10 + i) for i in range(4)]
    results = _run_together([(p, tmp_path / "ws", "P03", None) for p in paths])
    assert [r[2] for r in results] == [None] * 4
    assert sorted(r[0] for r in results) == ["accepted", "rejected", "rejected", "rejected"]
    assert all("submission-exists" in r[1] for r in results if r[0] == "rejected")
    _consistent(tmp_path / "ws")


def test_a_correction_sent_twice_at_once_replaces_the_original_once(detainee, tmp_path):
    from evaluation.intake.submit import submit_file

    first = submit_file(_file(detainee, tmp_path / "out", "orig.sav", seed=3), site="P03",
                        workspace=tmp_path / "ws", key=KEY)
    fixes = [_file(detainee, tmp_path / "out", f"fix{i}.sav", seed=30 + i) for i in range(2)]
    results = _run_together([(p, tmp_path / "ws", "P03", first.submission_id) for p in fixes])
    assert [r[2] for r in results] == [None, None]
    assert sorted(r[0] for r in results) == ["accepted", "rejected"]
    with Store(Workspace.open(tmp_path / "ws")) as st:
        live = len(st.read_table(_table(detainee), columns=["pid"]))
        assert live == 40  # never 80: the persons are stored once
    _consistent(tmp_path / "ws")


def _open_and_record(args):
    root, barrier = args
    barrier.wait(30)
    ws = Workspace.open(root)
    ws.check_key(KEY)
    return True


def test_workspace_created_by_eight_processes_at_once_is_created_once(tmp_path):
    assert all(_together(_open_and_record, [(tmp_path / "ws",)] * 8))
    actions = [e["action"] for e in Workspace.open(tmp_path / "ws").audit.entries()]
    assert actions.count("workspace-created") == 1 and actions.count("key-recorded") == 1
    assert not [p for p in tmp_path.iterdir() if p.name != "ws"]  # no temporary folder left


# -- kills -------------------------------------------------------------------------------------

def _die(*_a, **_k):
    os.kill(os.getpid(), signal.SIGKILL)


def _killed_submit(path, ws, site, step):
    """Run in a child: submit, sending SIGKILL to itself at ``step``."""

    from evaluation.intake import submit as submit_mod
    from evaluation.store import audit, db, workspace

    if step == "copying":  # half the file written to the temporary name
        def half(src, dst):
            dst.write(src.read(2000))
            dst.flush()
            _die()
        workspace._copy_file = half
    elif step == "copied":  # the raw copy complete, nothing in the database yet
        submit_mod._run_checks = _die
    elif step == "inserting":  # inside the write transaction
        db._insert_chunk = _die
    elif step in ("accepted-audit", "rejected-audit"):  # committed, audit line not written
        real_write = audit.AuditLog.write
        want = "submission-accepted" if step == "accepted-audit" else "submission-rejected"

        def write(self, action, **fields):
            if action == want:
                _die()
            return real_write(self, action, **fields)
        audit.AuditLog.write = write
    elif step == "quarantining":  # quarantine copy written, the row not yet
        real_w = db.write_readonly

        def w(dest, data=None, *, source=None):
            if str(dest).endswith(".report.json"):
                _die()
            return real_w(dest, data, source=source)
        db.write_readonly = w
    from evaluation.intake.submit import submit_file

    submit_file(path, site=site, workspace=ws, key=KEY)
    os._exit(0)


STEPS = [("copying", "P03"), ("copied", "P03"), ("inserting", "P03"), ("accepted-audit", "P03"),
         ("copying", "P05"), ("copied", "P05"), ("quarantining", "P05"), ("rejected-audit", "P05")]


@pytest.mark.parametrize("step,site", STEPS, ids=[f"{s}-{'accept' if x == 'P03' else 'reject'}" for s, x in STEPS])
def test_a_kill_at_each_step_leaves_no_orphan_and_nothing_half_stored(detainee, tmp_path, step, site):
    from evaluation.intake.submit import submit_file

    ws_root = tmp_path / "ws"
    Workspace.open(ws_root).check_key(KEY)
    path = _file(detainee, tmp_path / "out", "a.sav", seed=7)
    child = CTX.Process(target=_killed_submit, args=(path, ws_root, site, step))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    _consistent(ws_root)  # the next process to open the store finds it whole
    ws = Workspace.open(ws_root)
    with Store(ws) as st:
        subs = st.query("SELECT status FROM submissions")
    committed = step in ("accepted-audit", "rejected-audit")
    assert len(subs) == (1 if committed else 0)
    # the coordinator sends the file again: accepted (or a duplicate of the committed one), never a traceback
    again = submit_file(path, site="P03", workspace=ws_root, key=KEY)
    assert again.status in ("accepted", "duplicate")
    _consistent(ws_root)
    removed = [e for e in ws.audit.entries() if e["action"].endswith("-removed")]
    if not committed:
        assert removed  # what the kill left was removed, in the audit log


# -- a creator killed before its rename --------------------------------------------------------------


def _killed_creator(root):
    """Run in a child: create the workspace, SIGKILL itself once the temporary folder is written."""
    from evaluation.store import workspace

    def die(*_a, **_k):
        os.kill(os.getpid(), signal.SIGKILL)

    real = workspace.AuditLog.write

    def write(self, action, **fields):
        real(self, action, **fields)
        if action == "workspace-created":
            die()  # the temporary folder is complete, the rename not done
    workspace.AuditLog.write = write
    Workspace.open(root)
    os._exit(0)


def _kill_a_creator(root: Path) -> Path:
    child = CTX.Process(target=_killed_creator, args=(root,))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    left = [p for p in root.parent.iterdir() if p.name.startswith(f".{root.name}.tmp-")]
    assert len(left) == 1 and left[0].name.startswith(f".{root.name}.tmp-{child.pid}-")
    assert not root.exists()
    return left[0]


def test_a_killed_creators_folder_is_removed_by_the_next_creation_and_audited(tmp_path):
    root = tmp_path / "ws"
    left = _kill_a_creator(root)
    ws = Workspace.open(root)
    assert not left.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    entries = [(e["action"], e.get("creator_pid"), e.get("tmp_suffix")) for e in ws.audit.entries()]
    assert [e[0] for e in entries].count("workspace-created") == 1
    pid = left.name.split(".tmp-")[1].split("-")[0]
    assert ("creation-leftover-removed", pid, left.name[-8:]) in entries


def test_a_killed_creators_folder_beside_a_workspace_is_removed_at_start_up(tmp_path):
    root = tmp_path / "ws"
    Workspace.open(root)
    # a second creator lost the race and was killed (its pid is in its folder's name): as it would have left it
    left = _kill_a_creator(tmp_path / "other")
    stray = tmp_path / left.name.replace(".other.", ".ws.", 1)
    left.rename(stray)
    with Store(Workspace.open(root)):
        pass
    assert not stray.exists()
    assert ("creation-leftover-removed", stray.name[-8:]) in [(e["action"], e.get("tmp_suffix"))
                                                               for e in Workspace.open(root).audit.entries()]


def test_only_dead_or_stale_folders_of_our_own_naming_are_removed(tmp_path):
    import time

    from evaluation.store.workspace import _creator_prefix, sweep_creation_leftovers

    root = tmp_path / "ws"
    live = tmp_path / (_creator_prefix(root) + "abcd1234")  # this very process: still creating
    live.mkdir()
    (live / "raw").mkdir()
    legacy_new = tmp_path / ".ws.tmp-k3j4h5g6"  # old naming, no pid: removed only when stale
    legacy_old = tmp_path / ".ws.tmp-a1b2c3d4"
    foreign = tmp_path / ".ws.tmp-z9y8x7w6"  # our naming, but holds something a creator never writes
    notours = tmp_path / ".ws.backup"
    for p in (legacy_new, legacy_old, foreign, notours):
        p.mkdir()
    (foreign / "thesis.docx").write_bytes(b"x")
    old = time.time() - 2 * 3600
    for p in (legacy_old, foreign, notours):
        os.utime(p, (old, old))
    # a sweeper killed while removing one (its pid, now gone, after .removing-)
    gone = CTX.Process(target=os._exit, args=(0,))
    gone.start()
    gone.join()
    half_removed = tmp_path / f".ws.tmp-q1w2e3r4.removing-{gone.pid}"
    (half_removed / "raw").mkdir(parents=True)
    assert sorted(sweep_creation_leftovers(root)) == sorted([legacy_old.name, ".ws.tmp-q1w2e3r4"])
    assert live.exists() and legacy_new.exists() and foreign.exists() and notours.exists()
    assert not half_removed.exists() and not legacy_old.exists()
