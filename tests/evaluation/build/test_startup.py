"""A no-change ``peer-eval build`` starts fast (issue 18): nothing notebook- or schema-related at import time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("nbformat", "jupytext", "nbclient", "jsonschema", "rfc3987_syntax")


def test_the_build_command_imports_no_notebook_machinery_until_a_chapter_runs():
    code = (
        "import sys, json\n"
        "from evaluation.cli import build_parser\n"
        "build_parser()\n"
        "from evaluation.build import ChapterFailed, SphinxFailed, UndeclaredLoad, build_book\n"
        "from evaluation.build.book import LedgerUnsettled\n"
        "from evaluation.build.cache import ChapterCache\n"
        "from evaluation.build.sphinx import assemble\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


def test_lazy_exports_still_resolve():
    import evaluation.build as build

    assert build.execute_chapter.__module__ == "evaluation.build.execute"
    assert build.SYNTHETIC_NOTICE.startswith("Synthetic data")
    assert "build_book" in dir(build)
