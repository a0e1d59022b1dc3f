"""book/codebook.md executes against a workspace and shows the codebook in three languages."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbclient

from evaluation.store import Workspace

CHAPTER = Path(__file__).resolve().parents[3] / "book" / "codebook.md"


def test_chapter_renders_every_code_in_three_languages(tmp_path, codebook):
    ws = Workspace.open(tmp_path / "ws")
    nb = jupytext.read(CHAPTER)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "def " not in cell.source and "open(" not in cell.source
    nbclient.NotebookClient(nb, kernel_name="python3", shutdown_kernel="immediate").execute(
        env={**os.environ, "PEER_EVAL_WORKSPACE": str(ws.root)})
    md = [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if "text/markdown" in o.get("data", {})]
    assert len(md) == 3
    for page, lang in zip(md, ("nl", "fr", "en")):
        assert codebook.title[lang] in page
        for code in codebook.all_codes():
            assert codebook.code(code).label[lang] in page
