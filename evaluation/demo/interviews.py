"""Synthetic interview transcripts and coded segments (clearly fictional).

Each site has a few interviews (its first peer worker, staff members,
detainees who answered the baseline questionnaire, so that interviews link to
the surveys). A transcript is a handful of paragraphs, each written from a
template for one sub-theme of the project's codebook
(``instruments/interviews/codebook_1.0.yaml``), with fictional first names and
towns in them so that de-identification has something to do. Coder ``A``
codes every paragraph of every transcript; coder ``B`` independently codes a
subset of transcripts (about a third), agreeing on most segments, so that
inter-coder agreement can be computed.

What the coordinators hand in (written by :func:`write_interview_files`), per
site, in ``<folder>``:

- ``coded_<site>.qdpx``: a REFI-QDA project (as NVivo, ATLAS.ti, MAXQDA or
  QualCoder export it) with the transcripts, one case per participant (study
  identifier, ``role`` and ``site`` variables), both coders as users and
  every coding with its positions;
- ``names_<site>.csv``: the names list — every fictional name and town that
  occurs in the texts with the label that replaces it, and the roster of
  interviewees (participant identifier and role);
- ``transcripts/<transcript>.txt``: the plain transcripts (for reading).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Interviews", "simulate_interviews", "write_interview_files", "CODES", "FICTIONAL_NAMES", "NAME_LABELS",
           "PLACES", "TEMPLATES"]

#: fictional names in the texts and the labels that replace them on import
NAME_LABELS = {"Jan": "[peer worker]", "Samira": "[psychologist]", "Kevin": "[officer]",
               "Madame Dubois": "[director]", "Youssef": "[fellow detainee]", "Els": "[social worker]",
               "Marco": "[peer worker]", "Nathalie": "[nurse]"}
FICTIONAL_NAMES = tuple(NAME_LABELS)
#: fictional towns, replaced by "[town]"
PLACES = ("Noordhaven", "Valmont", "Bergdal", "Roche-Claire")
MONTHS = ("January", "June", "September")

#: codebook sub-theme -> paragraph templates (the respondent's words)
TEMPLATES = {
    "role_boundaries": [
        "My job is mostly listening. I am not a therapist and I tell them that. {name} asked me once to "
        "carry a letter out, and I had to say no, that is where the line is."],
    "role_clarity": [
        "The peer worker is not staff and not a detainee. {name} from the psychosocial service explained "
        "what they can and cannot do, and it helped us to know who to send."],
    "motiv_giving_back": [
        "I want to give something back. When I was inside nobody talked to me like {name} talks to people "
        "now, and that is why I do this work."],
    "motiv_helping_others": [
        "Somebody helped me when I was at the bottom, so now it is my turn to help the next one."],
    "org_supervision": [
        "Supervision with {name} every two weeks helps, but at the start nobody on the wing knew why I was "
        "there."],
    "org_training": [
        "The training was three days and then we started. We had one information session about the project "
        "and after that we learned on the job."],
    "path_barriers": [
        "First I volunteered at a drop-in in {place}, then the project asked me. Without a clean record it "
        "was hard to get the access badge."],
    "id_employment": [
        "Working here keeps me straight. I am somebody with a job now, not only an ex-prisoner. {name} "
        "says I walk differently."],
    "id_shared_identity": [
        "He had been through the same as me, so I felt I was not alone. It gave me some hope for myself."],
    "stigma_workplace": [
        "Some officers still see me as a junkie. One of them said to {name} that I should be behind the "
        "door, not in front of it."],
    "stigma_society": [
        "Outside, when people hear where you were, the conversation stops. As a woman it is even harder."],
    "work_insecurity": [
        "The contract runs for one year at a time. I never know if I will be paid in {month}, and I earn "
        "less than the colleagues who do the same work."],
    "prison_security": [
        "Security always comes first. When there is an incident the peer worker cannot come in, and then "
        "the appointment with {name} is lost."],
    "prison_ethics": [
        "Sometimes a man tells me something that the prison should know. That is a real dilemma for me."],
    "svc_trust": [
        "I trust him because he does not write reports about me. With {name} from the service I am "
        "careful what I say."],
    "svc_hope": [
        "She knew what withdrawal feels like. I believed her when she said it gets better."],
    "svc_continuity": [
        "On the day of my release {name} was waiting at the gate and took me to the methadone clinic in "
        "{place}. Otherwise I would have gone straight back to the old street.",
        "After release the contact stopped. Nobody knew who was supposed to call me."],
}
#: the codes used (all sub-themes of codebook 1.0) -> their theme
CODES = {
    "role_boundaries": "role_definition", "role_clarity": "role_definition",
    "motiv_giving_back": "motivations", "motiv_helping_others": "motivations",
    "org_supervision": "organisational_integration", "org_training": "organisational_integration",
    "path_barriers": "pathways_into_role", "id_employment": "identity_and_recovery",
    "id_shared_identity": "identity_and_recovery", "stigma_workplace": "stigma", "stigma_society": "stigma",
    "work_insecurity": "working_conditions", "prison_security": "prison_specific",
    "prison_ethics": "prison_specific", "svc_trust": "service_delivery", "svc_hope": "service_delivery",
    "svc_continuity": "service_delivery",
}
THEMES_BY_GROUP = {
    "peer_worker": ["role_boundaries", "motiv_giving_back", "motiv_helping_others", "org_supervision",
                    "org_training", "path_barriers", "id_employment", "stigma_workplace", "work_insecurity",
                    "prison_ethics"],
    "staff": ["role_clarity", "org_training", "org_supervision", "stigma_workplace", "prison_security",
              "svc_continuity", "svc_trust"],
    "detainee": ["svc_trust", "svc_hope", "id_shared_identity", "svc_continuity", "stigma_society",
                 "prison_security"],
}


@dataclass
class Interviews:
    transcripts: dict[str, str]  # transcript name -> text
    respondents: pd.DataFrame  # transcript, participant, respondent_group, site
    segments: pd.DataFrame  # coded segments, both coders: transcript, participant, ..., coder, code, start, end, text
    double_coded: list[str]  # transcripts coded by both coders


def simulate_interviews(sites: list[str], peer_workers: dict[str, list[str]], n_range: tuple[int, int],
                        rng: np.random.Generator, detainees: dict[str, list[str]] | None = None,
                        extra_detainees: dict[str, int] | None = None) -> Interviews:
    """Transcripts per site and their coded segments (see the module docstring).

    ``n_range`` is the number of interviews per site (a peer worker, then
    staff and detainees at random); ``extra_detainees`` adds detainee
    interviews at some sites (deep-dive sites, where enough detainees are
    interviewed for per-site results to pass disclosure control).
    ``detainees`` gives each site's prison numbers to interview (those who
    answered the baseline questionnaire); without it, numbers are made up.
    """
    transcripts: dict[str, str] = {}
    resp_rows, seg_rows = [], []
    double: list[str] = []
    codes = list(CODES)
    for site in sites:
        n = int(rng.integers(n_range[0], n_range[1] + 1))
        groups = ["peer_worker"] + [str(g) for g in rng.choice(["staff", "detainee"], n - 1, p=[0.4, 0.6])]
        groups += ["detainee"] * int((extra_detainees or {}).get(site, 0))
        pool = list((detainees or {}).get(site) or [])
        chosen_det = [str(v) for v in rng.choice(pool, min(len(pool), groups.count("detainee")), replace=False)] \
            if pool else []
        counters = {"peer_worker": 0, "staff": 0, "detainee": 0}
        for group in groups:
            counters[group] += 1
            k = counters[group]
            if group == "peer_worker":
                participant = peer_workers[site][0]
            elif group == "staff":
                participant = f"{site}-S{k}"
            else:
                participant = chosen_det[k - 1] if k <= len(chosen_det) else f"{site[1:]}90{k:03d}"
            name = f"T-{site}-{group[:2].upper()}{k}"
            themes = THEMES_BY_GROUP[group]
            m = int(rng.integers(3, min(6, len(themes)) + 1))
            chosen = [themes[i] for i in np.sort(rng.choice(len(themes), m, replace=False))]
            text = f"[SYNTHETIC interview {name}: fictional respondent, fictional names]\n\n"
            spans = []
            for code in chosen:
                para = str(rng.choice(TEMPLATES[code])).format(
                    name=str(rng.choice(FICTIONAL_NAMES)), place=str(rng.choice(PLACES)),
                    month=str(rng.choice(MONTHS)))
                text += f"I: Can you tell me more about that?\n\nR: {para}\n\n"
                start = text.rindex(para)
                spans.append((code, start, start + len(para)))
            transcripts[name] = text
            base = {"transcript": name, "participant": participant, "respondent_group": group, "site": site}
            resp_rows.append(base)
            twice = rng.random() < 0.35
            if twice:
                double.append(name)
            for code, s, e in spans:
                seg_rows.append({**base, "coder": "A", "code": code, "start": s, "end": e, "text": text[s:e]})
                if not twice:
                    continue
                u = rng.random()
                code_b = str(rng.choice([c for c in codes if c != code])) if u < 0.15 else code
                s_b = s + (3 if 0.15 <= u < 0.25 else 0)  # a slightly narrower span
                seg_rows.append({**base, "coder": "B", "code": code_b, "start": s_b, "end": e, "text": text[s_b:e]})
    return Interviews(transcripts, pd.DataFrame(resp_rows), pd.DataFrame(seg_rows), double)


def write_interview_files(folder: Path, talks: Interviews, *, notice: str) -> dict[str, tuple[Path, Path]]:
    """Write each site's ``.qdpx`` project and names list (and the plain transcripts) into ``folder``.

    Returns ``{site: (qdpx path, names path)}``. ``notice`` (saying the data
    are synthetic) names the REFI-QDA project.
    """
    from evaluation.qda import load_codebook
    from evaluation.qda.refi import write_qdpx

    codebook = load_codebook("1.0")
    folder = Path(folder)
    (folder / "transcripts").mkdir(parents=True, exist_ok=True)
    for name, text in talks.transcripts.items():
        (folder / "transcripts" / f"{name}.txt").write_text(text, encoding="utf-8")
    out: dict[str, tuple[Path, Path]] = {}
    for site, people in talks.respondents.groupby("site", sort=True):
        projects = []
        for r in people.itertuples(index=False):
            segs = talks.segments[talks.segments["transcript"] == r.transcript]
            projects.append({"name": r.transcript, "text": talks.transcripts[r.transcript],
                             "participant": r.participant, "role": r.respondent_group, "site": site,
                             "codings": [(int(s.start), int(s.end), s.code, s.coder) for s in segs.itertuples()]})
        qdpx = write_qdpx(folder / f"coded_{site}.qdpx", codebook, projects,
                          project=f"{notice} Interviews {site}", origin="peer-eval demo (synthetic)")
        names = folder / f"names_{site}.csv"
        with open(names, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "label", "participant", "role"])
            for n, label in NAME_LABELS.items():
                w.writerow([n, label, "", ""])
            for place in PLACES:
                w.writerow([place, "[town]", "", ""])
            for r in people.itertuples(index=False):
                w.writerow(["", "", r.participant, r.respondent_group])
        out[str(site)] = (qdpx, names)
    return out
