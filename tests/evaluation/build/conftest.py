"""Workspaces for the build's tests: a small one made here, and the demo book built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyreadstat
import pytest

from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace

CAT = Catalogue()


#: the small workspace's key (synthetic, fixed): a test that submits later uses the same one
BUILD_KEY = PseudonymKey(bytes(range(7, 39)), 1, "generated")


def _write(frame, path: Path, defn) -> Path:
    if path.suffix == ".sav":
        labels = {}
        for item in defn.items:
            if item.type == "single_choice" and item.name in frame:
                labels[item.name] = {float(c.code): c.label["en"] for c in defn.choices[item.choices]}
        pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, file_label=f"peer-eval:{defn.ref} en")
    else:
        frame.to_csv(path, index=False)
    return path


def submit(ws: Workspace, key, tmp: Path, instrument: str, n: int, *, site: str, seed: int, wave=None,
           people=None, fmt=".csv"):
    defn = CAT.instrument(instrument)
    frame = synthetic_responses(defn, n, site=site, seed=seed, wave=wave, people=people)
    path = _write(frame, tmp / f"{instrument}-{site}-{wave or 'w'}-{seed}{fmt}", defn)
    report = submit_file(path, site=site, workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    return frame


def make_workspace(root: Path) -> Workspace:
    """Two prisons: P01 with enough people to publish, P02 with a few (suppressed)."""
    ws = Workspace.open(root, demo=True)
    ws.set_config(primary_outcomes=["reoffending_1y", "who5_change", "role_clarity"])
    key = BUILD_KEY
    tmp = root.parent / f"{root.name}-files"
    tmp.mkdir(exist_ok=True)
    for site, n, seed in (("P01", 30, 1), ("P02", 6, 2)):
        base = submit(ws, key, tmp, "detainee", n, site=site, seed=seed, fmt=".sav")
        submit(ws, key, tmp, "detainee", n - 2, site=site, seed=seed + 10, wave="followup",
               people=base["prison_number"].tolist()[: n - 2], fmt=".sav")
        submit(ws, key, tmp, "release_outcomes", n, site=site, seed=seed + 20,
               people=base["prison_number"].tolist())
    submit(ws, key, tmp, "staff", 4, site="P01", seed=7)
    shutil.rmtree(tmp)
    return ws


@pytest.fixture(scope="session")
def small_workspace_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "ws"
    make_workspace(root)
    return root


@pytest.fixture
def small_workspace(small_workspace_template, tmp_path) -> Path:
    """A fresh copy of the small workspace (tests may add submissions or break chapters)."""
    dest = tmp_path / "ws"
    shutil.copytree(small_workspace_template, dest)
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return dest


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory):
    """The whole book (every chapter written so far) built once from the small demo workspace.

    Shared by the end-to-end, disclosure and browser tests (a build takes a
    minute or two); tests must not change the workspace or the site.
    """
    from evaluation.build import build_book
    from evaluation.demo import run_demo

    root = tmp_path_factory.mktemp("demo") / "demo-workspace"
    demo = run_demo(root, scale="small", out=lambda _m: None)
    # (the catalogues are being translated: the demo build lists what is untranslated without failing on it;
    # tests/evaluation/build/test_editions.py shows the rule that fails a build)
    return demo.workspace, build_book(demo.workspace, progress=None, untranslated="report")
