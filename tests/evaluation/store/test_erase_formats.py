"""Erasure erases: every raw format intake accepts, quarantine, orphan and partial copies — then every byte is grepped.

Each test submits the person through the real intake pipeline (the
project's own templates and catalogue), erases them, and searches every
file of the workspace (database, audit log, raw, quarantine, reports,
config) for their identifier in every spelling, their pseudonym, and the
identifier's UTF-16 form.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from evaluation.demo.files import write_csv_data, write_sav_data, write_xlsx_data
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import Pseudonymiser
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace, erase

from .conftest import KEY

REPO = Path(__file__).resolve().parents[3]
VICTIM = "ZQ-77731"
VICTIM_NRN = "85.07.30-033.28"  # synthetic, checksum-valid (see synthetic_national_register)


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue()


@pytest.fixture(scope="module")
def detainee(catalogue):
    return catalogue.instrument("detainee", catalogue.latest("detainee", published_only=True))


def _frame(defn, n=6, seed=1, site="P03"):
    df = synthetic_responses(defn, n, site=site, seed=seed)
    pid = defn.role_item("pid").name
    df.loc[2, pid] = VICTIM
    return df


def _needles(ws_key=KEY) -> list[bytes]:
    ps = Pseudonymiser(ws_key)
    pseudonym = ps.pseudonym("prison_number", VICTIM)
    forms = [VICTIM, VICTIM.replace("-", ""), VICTIM.replace("-", " "), pseudonym, pseudonym[3:]]
    out = []
    for f in forms:
        out += [f.encode("utf-8"), f.encode("utf-16-le"), f.lower().encode()]
    return out


def _grep(root: Path, needles: list[bytes]) -> list[tuple[str, bytes]]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            hits += [(str(p.relative_to(root)), n) for n in needles if n in data]
    return hits


def _zsav(src: Path, dest: Path) -> Path:
    df, meta = pyreadstat.read_sav(str(src), user_missing=True)
    pyreadstat.write_sav(df, str(dest), compress=True, file_label=meta.file_label,
                         column_labels=[meta.column_names_to_labels.get(c) for c in df.columns],
                         variable_value_labels=meta.variable_value_labels, missing_ranges=meta.missing_ranges,
                         note=meta.notes or None)
    return dest


def _write(kind: str, defn, frame: pd.DataFrame, folder: Path) -> Path:
    if kind == "sav":
        return write_sav_data(defn, frame, folder / "baseline_P03.sav", "nl")
    if kind == "zsav":
        return _zsav(write_sav_data(defn, frame, folder / "tmp.sav", "nl"), folder / "baseline_P03.zsav")
    if kind == "csv-comment":
        return write_csv_data(defn, frame, folder / "baseline_P03.csv")
    if kind == "dat":
        return Path(shutil.copy(write_csv_data(defn, frame, folder / "x.csv"), folder / "baseline_P03.dat"))
    if kind == "xlsx":
        return write_xlsx_data(defn, frame, folder / "baseline_P03.xlsx", "nl")
    if kind == "dta":
        path = write_sav_data(defn, frame, folder / "tmp2.sav", "nl")
        df, meta = pyreadstat.read_sav(str(path))
        pyreadstat.write_dta(df, str(folder / "baseline_P03.dta"), file_label=(meta.file_label or "")[:80])
        return folder / "baseline_P03.dta"
    raise ValueError(kind)


FORMATS = ["sav", "zsav", "csv-comment", "dat", "xlsx", "dta"]


@pytest.mark.parametrize("kind", FORMATS)
def test_erasure_of_each_accepted_format_leaves_no_byte(kind, detainee, catalogue, tmp_path):
    out = tmp_path / "outbox"
    out.mkdir()
    path = _write(kind, detainee, _frame(detainee), out)
    ws_root = tmp_path / "ws"
    report = submit_file(path, site="P03", workspace=ws_root, key=KEY, instrument=detainee.ref, catalogue=catalogue)
    assert report.status == "accepted", report.text()
    # the same person in a rejected copy (quarantine): another site's file with a wrong site value
    bad = _frame(detainee, seed=2, site="P03")
    bad_path = _write(kind, detainee, bad, out / ".." / "outbox")
    bad_path = bad_path.rename(bad_path.with_name("again" + bad_path.suffix))
    rejected = submit_file(bad_path, site="P05", workspace=ws_root, key=KEY, instrument=detainee.ref,
                           catalogue=catalogue)
    assert rejected.status == "rejected"
    ws = Workspace.open(ws_root)
    assert _grep(ws.root, _needles())  # the person is there before
    result = erase(ws, KEY, "zq 77731")
    assert result.files_unreadable == ()
    assert result.rows_removed == 1 and len(result.files_redacted) == 2
    assert _grep(ws.root, _needles()) == []
    # the others stay, and every redacted file is read again by intake as the same format
    from evaluation.intake.readers import read_file

    kept = [p for p in ws.raw_dir.iterdir() if not p.name.startswith(".")]
    assert len(kept) == 1
    again = read_file(kept[0])
    assert again.frame is not None and len(again.frame) == 5
    assert stat.S_IMODE(os.stat(kept[0]).st_mode) & 0o077 == 0
    if kind in ("sav", "zsav"):  # the redacted SPSS file keeps the template's dictionary and documents
        _, before = pyreadstat.read_sav(str(bad_path))  # (same template; the first file was overwritten)
        _, after = pyreadstat.read_sav(str(kept[0]))
        assert after.column_names_to_labels == before.column_names_to_labels
        assert after.variable_value_labels == before.variable_value_labels
        assert after.file_label == before.file_label and "\n".join(after.notes) == "\n".join(before.notes)


def test_erasure_removes_orphan_and_partial_copies(detainee, catalogue, tmp_path):
    """A file copied into raw/ by a process killed before its database row, and a half-written copy."""
    out = tmp_path / "outbox"
    out.mkdir()
    other = _frame(detainee, seed=5)
    other.loc[2, detainee.role_item("pid").name] = "AB-00001"
    ok = submit_file(_write("sav", detainee, other, out), site="P03", workspace=tmp_path / "ws", key=KEY,
                     catalogue=catalogue)
    assert ok.status == "accepted"
    ws = Workspace.open(tmp_path / "ws")
    victim_file = _write("csv-comment", detainee, _frame(detainee), out)
    # what a kill leaves: a complete copy without a row, and a partial copy
    shutil.copy(victim_file, ws.raw_dir / ("ab" * 32 + ".csv"))
    (ws.raw_dir / ".tmp-123-abc").write_bytes(victim_file.read_bytes()[:300])
    shutil.copy(victim_file, ws.quarantine_dir / ("cd" * 32 + ".csv"))
    assert _grep(ws.root, _needles())
    result = erase(ws, KEY, VICTIM)
    assert result.files_unreadable == ()
    assert _grep(ws.root, _needles()) == []
    actions = [e["action"] for e in ws.audit.entries()]
    assert actions.count("orphan-removed") == 2 and "partial-removed" in actions


def test_erasure_by_national_register_number_follows_the_person_across_instruments(detainee, catalogue, tmp_path):
    """The release record links the national register number to the prison number of the survey."""
    out = tmp_path / "outbox"
    out.mkdir()
    assert submit_file(_write("sav", detainee, _frame(detainee), out), site="P03", workspace=tmp_path / "ws",
                       key=KEY, catalogue=catalogue).status == "accepted"
    release = catalogue.instrument("release_outcomes", catalogue.latest("release_outcomes"))
    rel = synthetic_responses(release, 4, site="P03", seed=3)
    rel.loc[1, "prison_number"] = VICTIM
    rel.loc[1, "national_register"] = VICTIM_NRN
    rel_path = write_csv_data(release, rel, out / "release_P03.csv")
    rep = submit_file(rel_path, site="P03", workspace=tmp_path / "ws", key=KEY, catalogue=catalogue)
    assert rep.status == "accepted", rep.text()
    ws = Workspace.open(tmp_path / "ws")
    nrn = Pseudonymiser(KEY).pseudonym("national_register", VICTIM_NRN)
    result = erase(ws, KEY, VICTIM_NRN)
    assert result.rows_removed == 2 and len(result.files_redacted) == 2 and result.files_unreadable == ()
    digits = "".join(c for c in VICTIM_NRN if c.isdigit())
    assert _grep(ws.root, _needles() + [nrn.encode(), nrn[3:].encode(), VICTIM_NRN.encode(), digits.encode()]) == []


def test_erase_command_names_the_file_it_could_not_clean_and_fails(detainee, catalogue, tmp_path):
    out = tmp_path / "outbox"
    out.mkdir()
    assert submit_file(_write("sav", detainee, _frame(detainee), out), site="P03", workspace=tmp_path / "ws",
                       key=KEY, catalogue=catalogue).status == "accepted"
    ws = Workspace.open(tmp_path / "ws")
    raw = next(p for p in ws.raw_dir.iterdir() if p.suffix == ".sav")
    os.chmod(raw, 0o600)
    raw.write_bytes(raw.read_bytes()[:2000])  # damaged on disk: cannot be read back
    result = erase(ws, KEY, VICTIM)
    assert result.files_unreadable and raw.name in result.files_unreadable[0]
