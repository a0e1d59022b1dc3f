"""The chapter's view of the evaluation workspace (see :mod:`evaluation.book`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.instruments import Catalogue
from evaluation.store import Workspace, contacts, outcomes, responses

__all__ = ["BookContext", "context", "WORKSPACE_ENV", "LOADS_ENV"]

WORKSPACE_ENV = "PEER_EVAL_WORKSPACE"
# Where the build asks the kernel to record which instruments a chapter loaded
# (the build checks them against the chapter's declared inputs).
LOADS_ENV = "PEER_EVAL_LOADS_FILE"


@dataclass
class BookContext:
    workspace: Workspace
    catalogue: Catalogue = field(default_factory=Catalogue)
    loaded: set[str] = field(default_factory=set)

    # -- configuration ---------------------------------------------------
    @property
    def disclosure(self) -> dict:
        """The mapping for ``analysis.disclosure.DisclosurePolicy.from_mapping``."""
        return {"threshold": self.workspace.disclosure_threshold}

    @property
    def primary_outcomes(self) -> list:
        return list(self.workspace.config.get("primary_outcomes") or [])

    @property
    def is_demo(self) -> bool:
        return bool(self.workspace.demo)

    # -- loaders -----------------------------------------------------------
    def _record(self, name: str) -> None:
        self.loaded.add(name)
        path = os.environ.get(LOADS_ENV)
        if path:
            Path(path).write_text(json.dumps(sorted(self.loaded)), encoding="utf-8")

    def responses(self, instrument: str, version: str | None = None) -> pd.DataFrame:
        """Responses harmonised to ``version`` (default latest); see ``evaluation.store.responses``."""
        self._record(instrument)
        frame, _ = responses(self.workspace, instrument, version, catalogue=self.catalogue)
        return frame

    def responses_report(self, instrument: str, version: str | None = None):
        """The frame and what could not be harmonised."""
        self._record(instrument)
        return responses(self.workspace, instrument, version, catalogue=self.catalogue)

    def outcomes(self) -> pd.DataFrame:
        self._record("release_outcomes")
        return outcomes(self.workspace)

    def contacts(self) -> pd.DataFrame:
        self._record("contacts")
        return contacts(self.workspace)

    def segments(self) -> pd.DataFrame:
        """Coded interview segments (``evaluation.store.segments``): offsets into the original
        transcripts, text de-identified; ``evaluation.store.transcripts`` has the transcripts."""
        self._record("segments")
        from evaluation.store.segments import segments

        return segments(self.workspace)


def context(workspace: str | Path | None = None) -> BookContext:
    """The chapter's context: the workspace named by ``$PEER_EVAL_WORKSPACE`` (or ``workspace``)."""
    path = workspace or os.environ.get(WORKSPACE_ENV)
    if not path:
        raise RuntimeError(
            f"no workspace: run the chapter through 'peer-eval build WORKSPACE' or 'peer-eval lab WORKSPACE', "
            f"or set {WORKSPACE_ENV} to the workspace folder")
    return BookContext(Workspace.open(path, create=False))
