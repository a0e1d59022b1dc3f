"""Fixtures for the store: a workspace, a key, synthetic submissions of the `mini` instrument.

``submit`` plays the lead's ``submit`` pipeline in miniature (write the file,
keep it raw, pseudonymise, store) so the store can be tested on its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.intake.pseudonymise import PseudonymKey, pseudonymise_frame
from evaluation.store import Store, SubmissionMeta, Workspace

#: a fixed synthetic key (never a real one)
KEY = PseudonymKey(bytes(range(32)), 1, "generated")

RELEASE_OUTCOMES = """
id: release_outcomes
version: "1.0"
status: draft
kind: administrative
respondent_group: administrative
languages: [en, nl, fr]
title: {en: Release, nl: Vrijlating, fr: Libération}
introduction: {en: Synthetic., nl: Synthetisch., fr: Synthétique.}
waves: [{name: release, code: 1, label: {en: Release, nl: Vrijlating, fr: Libération}}]
choices:
  yesno:
    - {code: 1, label: {en: "Yes", nl: Ja, fr: Oui}}
    - {code: 0, label: {en: "No", nl: Nee, fr: Non}}
  kind:
    - {code: 1, label: {en: Reconviction, nl: Veroordeling, fr: Condamnation}}
    - {code: 2, label: {en: Reimprisonment, nl: Opsluiting, fr: Incarcération}}
  sex:
    - {code: 1, label: {en: Male, nl: Man, fr: Homme}}
    - {code: 2, label: {en: Female, nl: Vrouw, fr: Femme}}
items:
  - {name: national_register, type: text, role: pid, identifier: national_register, label: {en: N, nl: N, fr: N}}
  - {name: site, type: text, role: site, label: {en: S, nl: S, fr: S}}
  - {name: entry_date, type: date, label: {en: E, nl: E, fr: E}}
  - {name: release_date, type: date, role: date, label: {en: R, nl: R, fr: R}}
  - {name: eligible, type: single_choice, choices: yesno, label: {en: El, nl: El, fr: El}}
  - {name: offence_date, type: date, label: {en: O, nl: O, fr: O}}
  - {name: reoffence_kind, type: single_choice, choices: kind, label: {en: K, nl: K, fr: K}}
  - {name: sex, type: single_choice, choices: sex, nonresponse: [refused], label: {en: Sx, nl: Sx, fr: Sx}}
  - {name: age_at_release, type: integer, label: {en: A, nl: A, fr: A}}
"""


REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def instruments_root(tmp_path) -> Path:
    """The site list, the scales and the synthetic `mini` instrument, isolated from work in progress.

    Published scales are registered in this temporary copy, so the store's
    tests do not depend on the state of the repository's freeze registry.
    """
    from evaluation.instruments import frozen

    root = tmp_path / "instruments"
    root.mkdir()
    shutil.copy(REPO / "instruments" / "sites.yaml", root / "sites.yaml")
    shutil.copytree(REPO / "instruments" / "scales", root / "scales")
    shutil.copytree(REPO / "tests" / "fixtures" / "instruments" / "mini", root / "mini")
    frozen.register(root, [f"scales/{p.name}" for p in (root / "scales").glob("*.yaml")])
    return root


@pytest.fixture
def key() -> PseudonymKey:
    return KEY


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def store(ws, catalogue):
    s = Store(ws, catalogue=catalogue)
    yield s
    s.close()


@pytest.fixture
def outcomes_catalogue(instruments_root):
    from evaluation.instruments import Catalogue

    (instruments_root / "release_outcomes").mkdir(exist_ok=True)
    (instruments_root / "release_outcomes" / "1.0.yaml").write_text(RELEASE_OUTCOMES, encoding="utf-8")
    return Catalogue(instruments_root)


def mini_frame(n: int = 6, *, site: str = "P01", wave: int = 1, start: int = 0, version: str = "1.0",
               seed: int = 0) -> pd.DataFrame:
    """Synthetic raw answers to mini 1.0 / 1.1 with prison numbers ``AB-<start+i>``."""
    rng = np.random.default_rng(seed)
    used = rng.integers(0, 2, n)
    df = pd.DataFrame({
        "prison_number": [f"AB-{start + i:05d}" for i in range(n)],
        "site": site,
        "wave": wave,
        "date": pd.date_range("2025-03-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "used_drugs_30d": used,
        "days_used": np.where(used == 1, rng.integers(0, 31, n), np.nan),
    })
    codes = [1, 2, 3] if version == "1.0" else [1, 2, 4, 5]
    for c in codes:
        df[f"support_kind_{c}"] = rng.integers(0, 2, n)
    if version == "1.0":
        df["support_kind_3"] = 1  # referral: cannot be harmonised to 1.1
        df["hours"] = rng.integers(0, 40, n).astype(float)
        df["comment"] = "fine"
    else:
        df["hours_week"] = rng.integers(0, 40, n).astype(float)
        df["naloxone"] = rng.integers(0, 2, n)
    for k in range(1, 6):
        df[f"who5_{k}"] = rng.integers(0, 6, n)
    return df


def write_file(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as .csv (semicolon, as Belgian Excel), .xlsx or .sav."""
    ext = path.suffix.lower()
    if ext == ".csv":
        frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    elif ext == ".xlsx":
        frame.to_excel(path, index=False)
    elif ext == ".sav":
        import pyreadstat

        pyreadstat.write_sav(frame, str(path), column_labels=[str(c) for c in frame.columns])
    else:
        raise ValueError(ext)
    return path


def submit(ws: Workspace, store: Store, frame: pd.DataFrame, *, instrument: str = "mini", version: str = "1.0",
           site: str = "P01", name: str = "submission.csv", tmp: Path | None = None, key: PseudonymKey = KEY,
           replaces: str | None = None, append: bool = False) -> str:
    """Write, keep raw, pseudonymise and store a file; return the submission id."""
    folder = tmp or ws.root.parent / "outbox"
    folder.mkdir(exist_ok=True)
    path = write_file(frame, folder / name)
    ws.check_key(key)
    sha, stored, _ = ws.keep_raw(path)
    ids = {"prison_number": "prison_number"}
    pseudo, problems = pseudonymise_frame(frame, ids, key)
    assert not problems
    meta = SubmissionMeta(sha256=sha, file_name=path.name, site=site, instrument=instrument, version=version,
                          format=path.suffix[1:], n_rows=len(frame), id_columns=ids, stored_path=stored)
    return store.write_submission(meta, pseudo, replaces=replaces, append=append)
