"""The chapter's view of the evaluation workspace (see :mod:`evaluation.book`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.instruments import Catalogue
from evaluation.store import Workspace, contacts, outcomes, responses, status, submissions

from . import provenance as _prov

__all__ = ["BookContext", "context", "WORKSPACE_ENV", "LOADS_ENV", "LEDGER_ENV"]

WORKSPACE_ENV = "PEER_EVAL_WORKSPACE"
# Where the build asks the kernel to record which instruments a chapter loaded
# (the build checks them against the chapter's declared inputs).
LOADS_ENV = "PEER_EVAL_LOADS_FILE"
# The book's suppression ledger (JSON), kept by the build in <workspace>/book-cache/.
LEDGER_ENV = "PEER_EVAL_LEDGER"


#: What the methods page says when the workspace names no primary outcome yet.
_NONE_NAMED = {"en": "none named yet", "nl": "nog geen benoemd", "fr": "aucun n’est encore désigné"}


@dataclass
class BookContext:
    workspace: Workspace
    catalogue: Catalogue = field(default_factory=Catalogue)
    loaded: set[str] = field(default_factory=set)
    _ledger: object = field(default=None, repr=False)

    # -- configuration ---------------------------------------------------
    @property
    def disclosure(self) -> dict:
        """The mapping for ``analysis.disclosure.DisclosurePolicy.from_mapping``."""
        return {"threshold": self.workspace.disclosure_threshold}

    @property
    def primary_outcomes(self) -> list:
        """The pre-registered primary outcomes (``primary_outcomes`` in workspace.yaml).

        One per evaluation question, e.g. ``[reoffending_1y, who5_change,
        peer_worker_role_clarity]``. A chapter labels every other result
        *exploratory* (see book/methods.md): ``ctx.is_primary("who5_change")``.
        """
        return list(self.workspace.config.get("primary_outcomes") or [])

    def primary_outcome_ids(self) -> list[str]:
        """The primary outcomes' ids (an entry is an id or a mapping with ``id`` and ``label``)."""
        return [str(o.get("id")) if isinstance(o, dict) else str(o) for o in self.primary_outcomes]

    def primary_outcome_labels(self, language: str = "en") -> list[str] | None:
        """The primary outcomes as readers of ``language`` see them: ``label`` (a text in English, or one text
        per language: ``{en: …, nl: …, fr: …}``), else the id; ``None`` when one lacks that language."""
        out = []
        for o in self.primary_outcomes:
            lab = (o.get("label") or o.get("id")) if isinstance(o, dict) else o
            if isinstance(lab, dict):
                lab = lab.get(language)
            elif language != "en" and isinstance(o, dict) and o.get("label"):
                lab = None  # an English label only
            if lab is None:
                return None
            out.append(str(lab))
        return out

    def primary_outcome_texts(self, languages=("en", "nl", "fr")) -> dict[str, str]:
        """The primary outcomes joined by "; " for each of ``languages`` that every outcome's label has
        (``analysis.editions.Multilingual`` then lists the missing ones as untranslated)."""
        texts = {}
        for lang in languages:
            labels = self.primary_outcome_labels(lang)
            if labels is not None:
                texts[lang] = "; ".join(labels) or _NONE_NAMED.get(lang, _NONE_NAMED["en"])
        texts.setdefault("en", "; ".join(str(o) for o in self.primary_outcome_ids()) or _NONE_NAMED["en"])
        return texts

    def is_primary(self, outcome: str) -> bool:
        """Whether ``outcome`` (an id) is one of the workspace's primary outcomes."""
        return outcome in self.primary_outcome_ids()

    def label(self, outcome: str) -> str:
        """``"primary"`` or ``"exploratory"``: how the book labels a result on ``outcome``."""
        return "primary" if self.is_primary(outcome) else "exploratory"

    @property
    def is_demo(self) -> bool:
        return bool(self.workspace.demo)

    # -- the book-wide suppression ledger -------------------------------------
    def ledger(self, factory):
        """The book's suppression ledger, saved after every cell of the chapter.

        ``factory`` is ``analysis.disclosure.SuppressionLedger`` (``evaluation``
        does not import ``analysis``)::

            ledger = ctx.ledger(SuppressionLedger)
            table = protect_table(..., ledger=ledger, family="peer_workers", name="data:pw-by-site")

        Under ``peer-eval build`` the ledger lives in the workspace and is
        shared by all chapters (the build re-runs chapters until no cell is
        hidden in one place and shown in another); elsewhere it is a fresh,
        unsaved ledger.
        """
        if self._ledger is not None:
            return self._ledger
        path = os.environ.get(LEDGER_ENV)
        text = Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else None
        self._ledger = factory.from_json(text)
        if path:
            try:
                ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
            except NameError:
                ip = None
            if ip is not None:
                ip.events.register("post_run_cell", lambda *_: self.save_ledger())
        return self._ledger

    def save_ledger(self) -> None:
        """Write the ledger back to the workspace (done after every cell under the build)."""
        path = os.environ.get(LEDGER_ENV)
        if path and self._ledger is not None:
            tmp = Path(path).with_suffix(".tmp")
            tmp.write_text(self._ledger.to_json(), encoding="utf-8")
            os.replace(tmp, path)

    # -- what arrived ---------------------------------------------------------
    def submissions(self) -> pd.DataFrame:
        """Every submission (accepted, superseded, rejected), without file names."""
        self._record("*")
        return submissions(self.workspace)

    def status(self) -> pd.DataFrame:
        """Per instrument, site and wave: submissions and response counts (``evaluation.store.status``)."""
        self._record("*")
        return status(self.workspace, self.catalogue)

    def instrument_versions(self) -> pd.DataFrame:
        """Accepted submissions per instrument and version: ``instrument``, ``version``, ``submissions``, ``rows``."""
        subs = self.submissions()
        acc = subs[subs["status"] == "accepted"]
        out = (acc.groupby(["instrument", "version"], dropna=False)
               .agg(submissions=("submission_id", "size"), rows=("n_stored", "sum")).reset_index())
        out["rows"] = out["rows"].fillna(0).astype(int)
        return out.sort_values(["instrument", "version"]).reset_index(drop=True)

    # -- provenance --------------------------------------------------------------
    def provenance(self) -> dict:
        """Facts for the provenance page (see :mod:`evaluation.book.provenance`)."""
        subs = self.submissions()
        commit, dirty = _prov.git_commit()
        defs = []
        for r in self.instrument_versions().itertuples():
            digest = _sha256(self.catalogue.root / str(r.instrument) / f"{r.version}.yaml")
            defs.append({"instrument": r.instrument, "version": r.version,
                         "definition (SHA-256)": _prov.grouped(digest[:16]) + " …" if digest else "not in this checkout"})
        acc = subs[subs["status"] == "accepted"]
        return {
            "snapshot": _prov.grouped(_prov.snapshot_hash(subs)),
            "accepted": int(len(acc)),
            "last_received": str(acc["received_at"].max()) if len(acc) else None,
            "instruments": pd.DataFrame(defs),
            "packages": _prov.package_versions(),
            "commit": _prov.grouped(commit) if commit else None,
            "dirty": dirty,
            "seeds": _prov.seeds(self.workspace.root, self.workspace.config),
        }

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

    def transcripts(self) -> pd.DataFrame:
        """Interview transcripts (``evaluation.store.transcripts``): one row per transcript.

        ``sha256`` is the hash of the ORIGINAL text the segments' offsets
        refer to (the version the coders saw); ``text`` is the de-identified
        text and ``replacements`` the positions where names were replaced
        (``[[orig_start, orig_end, new_start, new_end], ...]``), so an original
        offset can be carried onto ``text``. The original text itself, which
        holds names, never enters the store.
        """
        self._record("segments")
        from evaluation.store.segments import transcripts

        return transcripts(self.workspace)

    def interviews(self) -> pd.DataFrame:
        """Everyone interviewed: one row per participant and transcript (normally one each).

        Columns ``pid``, ``respondent_group``, ``site``, ``transcript_id``.
        Participants who raised no theme are included: this is the
        denominator of prevalence (``analysis.themes.theme_prevalence(...,
        interviews=ctx.interviews())``).
        """
        frame = self.transcripts()
        cols = ["pid", "respondent_group", "site", "transcript_id"]
        return (frame[cols].drop_duplicates().sort_values(["respondent_group", "site", "pid", "transcript_id"])
                .reset_index(drop=True))

    def quote_signoffs(self) -> pd.DataFrame:
        """Human sign-offs of quotes (``evaluation.store.quote_signoffs``): ``segment_id``,
        ``approved_by``, ``approved_at``, ``text_sha256`` — the ``signoff`` frame of
        ``analysis.themes.select_quotes``."""
        self._record("segments")
        from evaluation.store.signoffs import quote_signoffs

        return quote_signoffs(self.workspace)


def _sha256(path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def context(workspace: str | Path | None = None) -> BookContext:
    """The chapter's context: the workspace named by ``$PEER_EVAL_WORKSPACE`` (or ``workspace``)."""
    path = workspace or os.environ.get(WORKSPACE_ENV)
    if not path:
        raise RuntimeError(
            f"no workspace: run the chapter through 'peer-eval build WORKSPACE' or 'peer-eval lab WORKSPACE', "
            f"or set {WORKSPACE_ENV} to the workspace folder")
    _plain_text_strings()
    return BookContext(Workspace.open(path, create=False))


def _plain_text_strings() -> None:
    """Show strings in the kernel as their text, not their repr.

    A number glued into prose is glued as the *string* disclosure control
    returns ("fewer than 10", "3,102"); with IPython's default a string's
    text/plain is its repr, which the book would print in quotes.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - chapters always run in IPython
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/plain"].for_type(str, lambda obj, p, cycle: p.text(obj))
