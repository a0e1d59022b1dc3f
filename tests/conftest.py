"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def instruments_root(tmp_path) -> Path:
    """A copy of the repository's instruments/ plus the synthetic test instruments."""
    root = tmp_path / "instruments"
    shutil.copytree(REPO / "instruments", root)
    shutil.copytree(FIXTURES / "instruments" / "mini", root / "mini")
    return root


@pytest.fixture
def catalogue(instruments_root):
    from evaluation.instruments import Catalogue

    return Catalogue(instruments_root)


@pytest.fixture
def mini(catalogue):
    return catalogue.instrument("mini", "1.0")
