"""Create the demo workspace and submit every generated file through the real intake.

:func:`run_demo` makes the workspace (``Workspace.open(path, demo=True)``),
a throwaway pseudonymisation key that is kept in memory only and never
written anywhere, generates the population, surveys and interviews, writes
the coordinators' files into ``<workspace>/incoming/``, submits each with
:func:`evaluation.intake.submit.submit_file` (printing one status line per
file), sets the workspace's primary outcomes (one-year reoffending, WHO-5
change) and writes the known truth to ``<workspace>/demo_truth.yaml``.

Interview transcripts and coded segments are written to
``<workspace>/incoming/interviews/`` as each site's REFI-QDA project and names
list (see :mod:`.interviews`; the first two sites are deep-dive sites with
more detainee interviews) and imported per site with
:func:`evaluation.qda.importer.import_segments` while the throwaway key still
exists; a few quotes are then signed off by a fictional reviewer
(:func:`evaluation.store.signoffs.record_signoff`) so that the themes chapter
can show quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from evaluation.instruments import Catalogue
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace, WorkspaceError

from .files import SYNTHETIC_NOTICE, faulty_staff_file, site_lang, write_csv_data, write_sav_data, write_xlsx_data
from .interviews import simulate_interviews, write_interview_files
from .people import simulate_population
from .surveys import simulate_surveys
from .truth import DEFAULT_SEED, DEMO_TODAY, SCALES, Effects, reoffending_att, write_truth

__all__ = ["run_demo", "DemoResult", "PRIMARY_OUTCOMES", "DemoFile"]

PRIMARY_OUTCOMES = [
    {"id": "reoffending_1y", "question": "detainees",
     "label": {"en": "One-year reoffending after release (participants vs balanced comparison group)",
               "nl": "Recidive binnen een jaar na vrijlating (deelnemers vs gebalanceerde vergelijkingsgroep)",
               "fr": "Récidive dans l’année suivant la libération (participants vs groupe de comparaison équilibré)"},
     "instrument": "release_outcomes"},
    {"id": "who5_change", "question": "detainees",
     "label": {"en": "Change in WHO-5 wellbeing (0-100) from baseline to follow-up",
               "nl": "Verandering in welbevinden volgens de WHO-5 (0-100) van de eerste tot de tweede vragenlijst",
               "fr": "Évolution du bien-être WHO-5 (0-100) entre le premier et le second questionnaire"},
     "instrument": "detainee",
     "scale": "who5"},
]


#: the first sites are deep-dive sites for the interviews: this many more detainees are interviewed there, so
#: that the themes chapter's per-prison joint display has prisons above the disclosure threshold
DEEP_DIVE_SITES, DEEP_DIVE_DETAINEES = 2, 11


@dataclass
class DemoFile:
    """One file the demo wrote and submitted."""

    path: Path
    site: str
    instrument: str
    expect: str  # "accepted" or "rejected"
    report: object | None = None
    append: bool = False  # adds rows to the site's earlier file of the same instrument
    error: str | None = None  # intake failed with an exception (a bug to report)

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else "error"


@dataclass
class DemoResult:
    workspace: Workspace
    files: list[DemoFile]
    truth_path: Path
    interview_dir: Path
    interviews_imported: bool
    sample: dict = field(default_factory=dict)
    interview_reports: dict = field(default_factory=dict)  # site -> interview import report (None: failed)


def _check_target(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise WorkspaceError(
            f"{path} already exists and is not empty. The demo makes a new workspace: remove the folder "
            "or choose another one, e.g. 'peer-eval demo ./demo-workspace-2'.")


def _status_line(f: DemoFile) -> str:
    r = f.report
    if r is None:
        return f"  {'ERROR':<9} {f.path.name:<34} {f.instrument:<22} intake failed: {f.error}"
    codes = sorted({p.code for p in r.errors})
    extra = f"  errors: {', '.join(codes)}" if codes else ""
    return f"  {r.status:<9} {f.path.name:<34} {r.instrument or '?':<22} {r.n_rows:>5} rows{extra}"


def run_demo(
    path: Path | str,
    *,
    seed: int = DEFAULT_SEED,
    sites: int = 10,
    scale: str = "full",
    out: Callable[[str], None] = print,
    catalogue: Catalogue | None = None,
    key: PseudonymKey | None = None,
) -> DemoResult:
    """Create the synthetic demo evaluation in the new folder ``path``; see the module docstring.

    ``sites`` takes the first N of the ten fictional sites; ``scale`` is
    ``"full"`` or ``"small"`` (fewer people, for tests). ``key`` (tests and
    benchmarks only) is used instead of a throwaway key, so the caller can
    submit more files later; the command line never passes one.
    """
    if scale not in SCALES:
        raise ValueError(f"scale={scale!r} is not known; pass one of {sorted(SCALES)}")
    cat = catalogue or Catalogue()
    all_sites = [s.code for s in cat.sites().sites]
    if not 1 <= int(sites) <= len(all_sites):
        raise ValueError(f"sites={sites!r}: pass a number from 1 to {len(all_sites)}")
    site_codes = all_sites[: int(sites)]
    path = Path(path).expanduser().resolve()
    _check_target(path)
    sc, effects = SCALES[scale], Effects()
    rng = np.random.default_rng(seed)
    # coordinators fill in the published templates; a draft version is not in the field yet
    defs = {i: cat.instrument(i, cat.latest(i, published_only=True))
            for i in ("detainee", "peer_worker", "staff", "release_outcomes", "contacts")}

    pop = simulate_population(site_codes, sc, effects, rng)
    surveys = simulate_surveys(pop, defs, sc, effects, rng, seed)
    interviewees = {s: surveys.detainee[(s, "baseline")]["prison_number"].astype(str).tolist() for s in site_codes}
    talks = simulate_interviews(site_codes, pop.peer_workers, sc.interviews, rng, detainees=interviewees,
                                extra_detainees={s: DEEP_DIVE_DETAINEES for s in site_codes[:DEEP_DIVE_SITES]})

    ws = Workspace.open(path, demo=True)
    given_key = key is not None
    key = key if given_key else PseudonymKey.generate()
    out(f"Demo workspace {path} (SYNTHETIC data: fictional prisons and people; seed {seed}, "
        f"{len(site_codes)} sites, scale {scale}).")
    if not given_key:
        out("A throwaway pseudonymisation key was generated for this demo. It is kept in memory only and is NOT "
            "stored anywhere: nobody (you included) can add data to this workspace later or re-identify anyone.")

    incoming = ws.root / "incoming"
    incoming.mkdir(exist_ok=True)
    files: list[DemoFile] = []
    for site in site_codes:
        lang = site_lang(site)
        for wave, word in (("baseline", {"nl": "nulmeting", "fr": "depart"}),
                           ("followup", {"nl": "opvolging", "fr": "suivi"})):
            frame = surveys.detainee[(site, wave)]
            p = write_sav_data(defs["detainee"], frame, incoming / f"gedetineerden_{word[lang]}_{site}.sav"
                               if lang == "nl" else incoming / f"detenus_{word[lang]}_{site}.sav", lang)
            files.append(DemoFile(p, site, "detainee", "accepted"))
        p = write_sav_data(defs["peer_worker"], surveys.peer_worker[site],
                           incoming / f"{'ervaringsdeskundigen' if lang == 'nl' else 'pairs_aidants'}_{site}.sav", lang)
        files.append(DemoFile(p, site, "peer_worker", "accepted"))
        staff_name = f"{'personeel' if lang == 'nl' else 'personnel'}_{site}"
        if site == site_codes[min(2, len(site_codes) - 1)]:
            other = next((s for s in all_sites if s != site))
            bad = faulty_staff_file(surveys.staff[site], defs["staff"], site, other)
            p = write_xlsx_data(defs["staff"], bad, incoming / f"{staff_name}_eerste_versie.xlsx", lang)
            files.append(DemoFile(p, site, "staff", "rejected"))
        p = write_xlsx_data(defs["staff"], surveys.staff[site], incoming / f"{staff_name}.xlsx", lang)
        files.append(DemoFile(p, site, "staff", "accepted"))
        ep = pop.episodes[pop.episodes["site"] == site]
        p = write_csv_data(defs["release_outcomes"], ep, incoming / f"vrijlatingen_recidive_{site}.csv"
                           if lang == "nl" else incoming / f"liberations_recidive_{site}.csv")
        files.append(DemoFile(p, site, "release_outcomes", "accepted"))
        # the site's whole contact log in one file: a person has as many rows as contacts
        co = pop.contacts[pop.contacts["site"] == site]
        if len(co):
            name = f"{'contacten' if lang == 'nl' else 'contacts'}_{site}.csv"
            p = write_csv_data(defs["contacts"], co, incoming / name)
            files.append(DemoFile(p, site, "contacts", "accepted"))

    out(f"Submitting {len(files)} files through intake (one of them deliberately faulty):")
    for f in files:
        try:
            f.report = submit_file(f.path, site=f.site, lang=site_lang(f.site), workspace=ws, key=key,
                                   append=f.append, catalogue=cat, today=DEMO_TODAY)
        except Exception as exc:  # an intake failure must not hide the other files: shown, then reported
            f.error = f"{type(exc).__name__}: {exc}"
        out(_status_line(f))
    interview_dir = incoming / "interviews"
    interview_files = write_interview_files(interview_dir, talks, notice=SYNTHETIC_NOTICE)
    interview_reports = _import_interviews(ws, interview_files, key, out)
    del key
    imported = bool(interview_reports) and all(r is not None and r.status == "accepted"
                                               for r in interview_reports.values())
    signed = _sign_off_quotes(ws, out) if imported else 0
    ws.set_config(primary_outcomes=PRIMARY_OUTCOMES)
    ep = pop.episodes
    sample = {
        **surveys.sample,
        "release_episodes": int(len(ep)),
        "release_episodes_eligible": int((ep["eligible"] == 1).sum()),
        "participants": int(ep["_participant"].sum()),
        "participant_share": float(ep["_participant"].mean()),
        "contacts": int(len(pop.contacts)),
        "contacts_before_release": int((pop.contacts["setting"] == 1).sum()),
        "reoffences_recorded": int(ep["offence_date"].notna().sum()),
        "deaths_recorded": int(ep["death_date"].notna().sum()),
        "deportations_recorded": int(ep["deportation_date"].notna().sum()),
        "site_log_hazard_frailty": pop.site_frailty,
        "reoffending_primary": reoffending_att(ep, pop.site_frailty, effects),
        "interview_transcripts": len(talks.transcripts),
        "interview_segments": int(len(talks.segments)),
        "double_coded_transcripts": len(talks.double_coded),
        "interview_participants": int(talks.respondents["participant"].nunique()),
        "quotes_signed_off": signed,
        "files_submitted": len(files),
        "files_rejected": sum(f.status == "rejected" for f in files),
        "files_failed": [f.path.name for f in files if f.status == "error"],
    }
    truth = write_truth(ws.root, seed=seed, scale=sc, sites=site_codes, effects=effects, sample=sample)
    wrong = [f for f in files if f.status != f.expect]
    out(f"Known true effects written to {truth}.")
    if wrong:
        out("UNEXPECTED: " + ", ".join(f"{f.path.name} was {f.status}" for f in wrong))
    return DemoResult(ws, files, truth, interview_dir, imported, sample, interview_reports)


def _import_interviews(ws: Workspace, files: dict[str, tuple[Path, Path]], key, out) -> dict:
    """Import each site's coded project with its names list; return ``{site: report or None}``."""
    from evaluation.qda.importer import import_segments

    reports: dict = {}
    out(f"Importing {len(files)} coded interview projects (names replaced, participants pseudonymised):")
    for site, (qdpx, names) in files.items():
        try:
            r = import_segments(qdpx, site=site, workspace=ws, key=key, names=names, lang=site_lang(site))
        except Exception as exc:  # shown, then reported like the other files
            reports[site] = None
            out(f"  {'ERROR':<9} {qdpx.name:<34} interview import failed: {type(exc).__name__}: {exc}")
            continue
        reports[site] = r
        codes = sorted({p.code for p in r.errors})
        extra = f"  errors: {', '.join(codes)}" if codes else ""
        out(f"  {r.status:<9} {qdpx.name:<34} {r.instrument or '?':<22} {r.n_rows:>5} codings{extra}")
    return reports


#: the fictional reviewer who signs off the demo's quotes
DEMO_REVIEWER = "demo reviewer (fictional)"


def _sign_off_quotes(ws: Workspace, out, per_group: int = 2) -> int:
    """Sign off up to ``per_group`` quotes per theme and respondent group (coder A's, fewest digits first).

    The chapter still screens them: a signed-off quote that names a date or a
    place is not shown.
    """
    import datetime as dt
    import hashlib

    from evaluation.qda import load_codebook
    from evaluation.store.segments import segments
    from evaluation.store.signoffs import record_signoff

    parents = load_codebook("1.0").parents
    seg = segments(ws)
    seg = seg[seg["coder"] == "A"].copy()
    if seg.empty:
        return 0
    seg["theme"] = seg["code"].map(lambda c: parents.get(c, c))
    seg["_digits"] = seg["text"].fillna("").str.count(r"\d")
    seg = seg.sort_values(["theme", "respondent_group", "_digits", "segment_id"], kind="stable")
    seg = seg.drop_duplicates(["theme", "respondent_group", "text"])  # two people may say the same words
    picked = seg.groupby(["theme", "respondent_group"], sort=True).head(per_group)
    when = dt.datetime.combine(DEMO_TODAY, dt.time(12), tzinfo=dt.timezone.utc)
    for r in picked.itertuples(index=False):
        record_signoff(ws, r.segment_id, approved_by=DEMO_REVIEWER,
                       text_sha256=hashlib.sha256(str(r.text).encode("utf-8")).hexdigest(), at=when)
    out(f"{len(picked)} quotes signed off by a fictional reviewer (the chapter still screens them).")
    return int(len(picked))
