"""The book's chapters: discovered from ``book/_toc.yml``, described by their front matter.

``book/_toc.yml`` is the master list of chapters, in reading order. A chapter
listed there whose file does not exist yet (an analysis chapter still being
written) is left out of the generated book, with a note in the build's
progress, so that a half-written book still builds with ``-W``.

A chapter is a MyST-markdown notebook (``book/<name>.md``) whose front matter
says what it reads::

    ---
    jupytext: {text_representation: {extension: .md, format_name: myst}}
    kernelspec: {display_name: Python 3, language: python, name: python3}
    peer_eval:
      loads: [release_outcomes, contacts]   # instruments whose data it reads; "*" = all
      commit: false                         # true: also depends on the git commit (provenance)
    ---

``loads`` drives the build cache (:mod:`evaluation.build.cache`): a chapter
is executed again only when its file, the data of these instruments, their
definitions, the workspace's disclosure settings or the code changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Chapter", "BOOK_DIR", "read_toc", "discover", "front_matter", "toc_entries"]

#: The book's sources in the repository.
BOOK_DIR = Path(__file__).resolve().parents[2] / "book"


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book: its name (the toc entry), file and declared inputs."""

    name: str
    path: Path
    loads: tuple[str, ...] = ()
    commit: bool = False

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def has_code(self) -> bool:
        """Whether the chapter has code cells (a chapter without is a plain page: nothing to execute)."""
        return self.exists and "```{code-cell}" in self.path.read_text(encoding="utf-8")

    @property
    def loads_all(self) -> bool:
        return "*" in self.loads


def front_matter(path: Path) -> dict:
    """The YAML front matter of a MyST file (``{}`` when there is none)."""
    text = Path(path).read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError(f"{path}: the front matter opened by '---' is never closed; add a line '---' after it")
    meta = yaml.safe_load(text[3:end]) or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: the front matter must be a YAML mapping")
    return meta


def toc_entries(toc: dict) -> list[str]:
    """Every ``file`` entry of a Jupyter Book toc (root first), in reading order."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return out


def read_toc(book_dir: Path = BOOK_DIR) -> dict:
    path = Path(book_dir) / "_toc.yml"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the book's table of contents lists its chapters")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _chapter(book_dir: Path, name: str) -> Chapter:
    if Path(name).suffix:
        raise ValueError(f"_toc.yml entry {name!r} has an extension; write it without (e.g. {Path(name).stem!r})")
    path = Path(book_dir) / f"{name}.md"
    if not path.is_file():
        return Chapter(name, path)
    meta = (front_matter(path).get("peer_eval") or {})
    loads = meta.get("loads") or []
    if isinstance(loads, str):
        loads = [loads]
    if not all(isinstance(x, str) for x in loads):
        raise ValueError(f"{path}: peer_eval.loads must be a list of instrument names, e.g. [release_outcomes]")
    return Chapter(name, path, tuple(loads), bool(meta.get("commit", False)))


def discover(book_dir: Path = BOOK_DIR) -> list[Chapter]:
    """Every chapter listed in ``_toc.yml`` (including ones not written yet: see ``Chapter.exists``)."""
    return [_chapter(book_dir, name) for name in toc_entries(read_toc(book_dir))]
