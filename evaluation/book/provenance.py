"""Facts for the book's provenance page: what data, code and software built it.

Everything here is deterministic for a given workspace and checkout (no
clock), so two builds give the same page. Hashes are shown in groups of
eight characters (:func:`grouped`): the page check refuses long hexadecimal
runs, which are what pseudonyms look like; a hash of files is not a
pseudonym, but it is written so that it cannot be mistaken for one.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from pathlib import Path

import pandas as pd
import yaml

__all__ = ["REPO_ROOT", "snapshot_hash", "git_commit", "lock_pins", "package_versions", "seeds", "grouped",
           "KEY_PACKAGES"]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Packages named on the provenance page (the full set is in requirements.lock).
KEY_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "lifelines", "pingouin", "matplotlib",
                "pydantic", "pyreadstat", "jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme",
                "nbclient", "jupytext")


def grouped(digest: str, size: int = 8) -> str:
    """``"3f2a9c1b5d…"`` -> ``"3f2a9c1b 5d…"`` (groups of ``size``, separated by spaces)."""
    return " ".join(digest[i:i + size] for i in range(0, len(digest), size))


def snapshot_hash(submissions: pd.DataFrame) -> str:
    """SHA-256 over the accepted submissions (id, file hash, instrument, version), in a fixed order."""
    acc = submissions[submissions["status"] == "accepted"] if len(submissions) else submissions
    lines = sorted(f"{r.submission_id} {r.sha256} {r.instrument} {r.version}" for r in acc.itertuples())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def git_commit(root: Path = REPO_ROOT) -> tuple[str | None, bool]:
    """``(commit, dirty)`` of the checkout (``(None, False)`` outside git); dirty = uncommitted code or book."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=20, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", "analysis", "evaluation", "book",
                                 "instruments", "requirements.lock"], cwd=root, capture_output=True, text=True,
                                timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None, False
    return head or None, bool(status.strip())


def lock_pins(root: Path = REPO_ROOT) -> dict[str, str]:
    """``{package: version}`` from ``requirements.lock`` (names lower-case, ``_`` -> ``-``)."""
    path = root / "requirements.lock"
    pins: dict[str, str] = {}
    if not path.is_file():
        return pins
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, ver = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = ver.strip().split(";")[0].strip()
    return pins


def package_versions(names=KEY_PACKAGES, root: Path = REPO_ROOT) -> pd.DataFrame:
    """Per package: the pinned version and the installed one (they should agree)."""
    from importlib import metadata

    pins = lock_pins(root)
    rows = [{"package": "python", "pinned": "", "installed": platform.python_version()}]
    for name in names:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        rows.append({"package": name, "pinned": pins.get(name, ""), "installed": installed})
    return pd.DataFrame(rows)


def seeds(workspace_root: Path, config: dict) -> pd.DataFrame:
    """Seeds that shaped the results: the demo generator's, the workspace's and the build's."""
    rows = []
    truth = Path(workspace_root) / "demo_truth.yaml"
    if truth.is_file():
        data = yaml.safe_load(truth.read_text(encoding="utf-8")) or {}
        for k, v in sorted(data.items()):
            if "seed" in str(k).lower() and isinstance(v, (int, str)):
                rows.append({"what": f"demo data ({k})", "seed": str(v)})
    for k, v in sorted((config.get("seeds") or {}).items()):
        rows.append({"what": f"workspace: {k}", "seed": str(v)})
    rows.append({"what": "Python hash seed (PYTHONHASHSEED) of the chapters' kernels", "seed": "0"})
    rows.append({"what": "SOURCE_DATE_EPOCH of the build",
                 "seed": os.environ.get("SOURCE_DATE_EPOCH", "1735689600")})
    return pd.DataFrame(rows)
