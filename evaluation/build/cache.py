"""Skip re-executing a chapter whose inputs have not changed.

A chapter's cache key is the SHA-256 of:

* the chapter file (its MyST source);
* the data it declares in ``peer_eval.loads``: the accepted submissions
  (id and file hash) of those instruments ("*": of every instrument);
* the definitions of those instruments (every YAML file in their folders,
  plus the scales and the site list they can use);
* the workspace settings a chapter can read (disclosure threshold, primary
  outcomes, demo flag);
* the source of the ``analysis`` and ``evaluation`` packages and
  ``requirements.lock``;
* the cells hidden by *other* chapters in the book's suppression ledger,
  in the families of the chapter's own tables (a chapter hides a cell that
  another hides);
* with ``peer_eval.commit: true`` (the provenance page), the git commit.

Executed notebooks and their keys are kept in ``<workspace>/book-cache/``
(``<chapter>.ipynb`` and ``<chapter>.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .chapters import Chapter

if TYPE_CHECKING:  # nbformat is imported when a notebook is read or written (it costs ~1.5 s to import)
    import nbformat

__all__ = ["ChapterCache", "code_hash", "data_fingerprint", "instrument_hash", "ledger_hidden_by_others",
           "chapter_key", "CACHE_DIR", "REPO_ROOT", "ALIASES"]

CACHE_DIR = "book-cache"
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Names a chapter may declare that stand for other instruments in the store.
ALIASES = {"segments": ("segments", "interviews", "interview_segments", "codebook")}
_code_cache: dict[tuple, str] = {}


def _hash_files(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def code_hash(root: Path = REPO_ROOT) -> str:
    """Hash of every ``.py`` file of ``analysis/`` and ``evaluation/``, of the data files the code reads there
    (``.yaml``, ``.json``: the reader labels, message catalogues, calibration records) and of
    ``requirements.lock``."""
    files = [p for pkg in ("analysis", "evaluation") for pattern in ("*.py", "*.yaml", "*.json")
             for p in (root / pkg).rglob(pattern) if "__pycache__" not in p.parts]
    lock = root / "requirements.lock"
    if lock.is_file():
        files.append(lock)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(files))
    if stamp not in _code_cache:
        _code_cache.clear()
        _code_cache[stamp] = _hash_files(files, root)
    return _code_cache[stamp]


def _names(chapter: Chapter, all_instruments: list[str]) -> list[str]:
    if chapter.loads_all:
        return sorted(set(all_instruments) | {n for a in ALIASES.values() for n in a})
    out: set[str] = set()
    for name in chapter.loads:
        out.update(ALIASES.get(name, (name,)))
    return sorted(out)


def instrument_hash(instruments_root: Path, names: list[str]) -> str:
    """Hash of the definitions of ``names`` (their folders) plus ``scales/`` and ``sites.yaml``."""
    root = Path(instruments_root)
    files: list[Path] = []
    for name in names:
        folder = root / name
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*.yaml"))
    if names:
        files.extend((root / "scales").glob("*.yaml"))
        if (root / "sites.yaml").is_file():
            files.append(root / "sites.yaml")
    return _hash_files(files, root) if files else ""


def data_fingerprint(db_path: Path, names: list[str]) -> list[list[str]]:
    """Accepted submissions (instrument, id, sha256) of ``names``, sorted."""
    if not Path(db_path).is_file() or not names:
        return []
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(names))
        rows = con.execute(f"SELECT instrument, submission_id, sha256 FROM submissions "
                           f"WHERE status = 'accepted' AND instrument IN ({marks}) "
                           f"ORDER BY instrument, submission_id", names).fetchall()
    except sqlite3.OperationalError:  # no submissions table yet
        rows = []
    finally:
        con.close()
    return [list(r) for r in rows]


def ledger_hidden_by_others(ledger_text: str | None, own_tables: list[str]) -> list:
    """Cells hidden by tables that are not ``own_tables``, in the families ``own_tables`` use.

    A chapter's tables consult the ledger only for their own families (a
    table of family ``staff_responses`` hides what another table of that
    family hides), so a cell hidden elsewhere in another family does not
    change what the chapter shows, and a chapter without tables in the
    ledger does not depend on it at all. (The ledger's JSON is read without
    ``analysis``.)
    """
    if not ledger_text:
        return []
    cells = json.loads(ledger_text).get("cells", [])
    own = set(own_tables)
    families = {c["family"] for c in cells if own & set(c.get("tables", {}))}
    out = []
    for cell in cells:
        if cell["family"] not in families:
            continue
        if any(h and t not in own for t, h in cell.get("tables", {}).items()):
            out.append([cell["family"], sorted(cell.get("dims", {}).items())])
    return sorted(out, key=json.dumps)


def chapter_key(chapter: Chapter, *, workspace_root: Path, config: dict, instruments_root: Path,
                all_instruments: list[str], ledger_text: str | None, own_tables: list[str],
                commit: str | None = None) -> str:
    """The chapter's cache key (see the module docstring)."""
    names = _names(chapter, all_instruments)
    parts = {
        "chapter": hashlib.sha256(chapter.path.read_bytes()).hexdigest(),
        "data": data_fingerprint(Path(workspace_root) / "evaluation.sqlite", names),
        "definitions": instrument_hash(instruments_root, names),
        "settings": {k: config.get(k) for k in ("disclosure_threshold", "primary_outcomes", "demo")},
        "code": code_hash(),
        "ledger": ledger_hidden_by_others(ledger_text, own_tables),
        "commit": commit if chapter.commit else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class ChapterCache:
    """The executed notebooks kept in ``<workspace>/book-cache``."""

    root: Path

    @classmethod
    def of(cls, workspace_root: Path) -> "ChapterCache":
        root = Path(workspace_root) / CACHE_DIR
        root.mkdir(exist_ok=True)
        return cls(root)

    @property
    def ledger_path(self) -> Path:
        return self.root / "ledger.json"

    def ledger_text(self) -> str | None:
        return self.ledger_path.read_text(encoding="utf-8") if self.ledger_path.is_file() else None

    def meta(self, name: str) -> dict:
        p = self.root / f"{name}.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}

    def path(self, name: str, key: str) -> Path | None:
        """The file of the cached notebook of ``name`` if it was executed under ``key`` (nothing parsed)."""
        nb_path = self.root / f"{name}.ipynb"
        if self.meta(name).get("key") != key or not nb_path.is_file():
            return None
        return nb_path

    def get(self, name: str, key: str) -> nbformat.NotebookNode | None:
        """The cached notebook of ``name`` if it was executed under ``key``."""
        nb_path = self.path(name, key)
        if nb_path is None:
            return None
        import nbformat

        return nbformat.read(nb_path, as_version=4)

    def put(self, name: str, key: str, nb: nbformat.NotebookNode, *, tables: list[str], loaded: list[str],
            seconds: float) -> None:
        import nbformat

        nb_path = self.root / f"{name}.ipynb"
        tmp = nb_path.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, nb_path)
        meta = {"key": key, "tables": sorted(tables), "loaded": sorted(loaded), "seconds": round(seconds, 2)}
        (self.root / f"{name}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def invalidate(self, name: str) -> None:
        (self.root / f"{name}.json").unlink(missing_ok=True)
