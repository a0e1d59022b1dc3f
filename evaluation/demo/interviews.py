"""Synthetic interview transcripts and coded segments (clearly fictional).

Each site has a few interviews (a peer worker, staff members, detainees).
A transcript is a handful of paragraphs, each written from a template for
one theme of the starting codebook (the themes the project brief names), with
fictional first names and places in them so that de-identification has
something to do. Coder ``A`` codes every paragraph of every transcript;
coder ``B`` independently codes a subset of transcripts (about a third),
agreeing on most segments, so that inter-coder agreement can be computed.

Segments follow the ``segments()`` contract of DESIGN.md (``transcript_id``,
``respondent``, ``respondent_group``, ``site``, ``coder``, ``code``,
``start``, ``end`` (character offsets into the transcript), ``text``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Interviews", "simulate_interviews", "CODES", "FICTIONAL_NAMES"]

#: the starting codebook (code -> English label), from the themes the literature names
CODES = {
    "role_definition": "What defines the role; tasks; professional boundaries",
    "motivation": "Motivations: giving back, reciprocity, helping others",
    "integration_training": "Organisational integration: training, role clarity, supervision",
    "pathway": "Pathways into the role: stages, enablers, barriers",
    "identity_recovery": "Identity and recovery: self-esteem, shared identity, employment",
    "stigma": "Stigma in the workplace and in society",
    "working_conditions": "Working conditions: pay, insecurity, power imbalances",
    "prison_security": "Prison-specific: security concerns, ethical dilemmas, ambiguous status",
    "trust_credibility": "Service as detainees see it: trust, credibility, hope",
    "continuity_of_care": "Continuity of care after release",
}
FICTIONAL_NAMES = ("Jan", "Samira", "Kevin", "Madame Dubois", "Youssef", "Els", "Marco", "Nathalie")

TEMPLATES = {
    "role_definition": [
        "My job is mostly listening. I am not a therapist and I tell them that. {name} asked me once to "
        "carry a letter out, and I had to say no, that is where the line is.",
        "The peer worker is not staff and not a detainee. {name} from the psychosocial service explained "
        "what they can and cannot do, and it helped us to know who to send.",
    ],
    "motivation": [
        "I want to give something back. When I was inside nobody talked to me like {name} talks to people "
        "now, and that is why I do this work.",
        "Somebody helped me when I was at the bottom, so now it is my turn. That is the whole reason.",
    ],
    "integration_training": [
        "The training was three days and then we started. Supervision with {name} every two weeks helps, "
        "but at the start nobody on the wing knew why I was there.",
        "We had one information session about the project. After that it depended on {name} whether the "
        "peer worker could come onto the section.",
    ],
    "pathway": [
        "First I volunteered at a drop-in in {place}, then the project asked me. Without a clean record it "
        "was hard to get the access badge.",
    ],
    "identity_recovery": [
        "Working here keeps me straight. I am somebody with a job now, not only an ex-prisoner. {name} "
        "says I walk differently.",
        "He had been through the same as me, so I felt I was not alone. It gave me some hope for myself.",
    ],
    "stigma": [
        "Some officers still see me as a junkie. One of them said to {name} that I should be behind the "
        "door, not in front of it.",
        "Outside, when people hear where you were, the conversation stops. As a woman it is even harder.",
    ],
    "working_conditions": [
        "The contract runs for one year at a time. I never know if I will be paid in {month}, and I earn "
        "less than the colleagues who do the same work.",
    ],
    "prison_security": [
        "Security always comes first. When there is an incident the peer worker cannot come in, and then "
        "the appointment with {name} is lost.",
        "Sometimes a man tells me something that the prison should know. That is a real dilemma for me.",
    ],
    "trust_credibility": [
        "I trust him because he does not write reports about me. With {name} from the service I am "
        "careful what I say.",
        "She knew what withdrawal feels like. I believed her when she said it gets better.",
    ],
    "continuity_of_care": [
        "On the day of my release {name} was waiting at the gate and took me to the methadone clinic in "
        "{place}. Otherwise I would have gone straight back to the old street.",
        "After release the contact stopped. Nobody knew who was supposed to call me.",
    ],
}
PLACES = ("Noordhaven", "Valmont", "Bergdal", "Roche-Claire")
MONTHS = ("January", "June", "September")
THEMES_BY_GROUP = {
    "peer_worker": ["role_definition", "motivation", "integration_training", "pathway", "identity_recovery",
                    "stigma", "working_conditions", "prison_security"],
    "staff": ["role_definition", "integration_training", "stigma", "prison_security", "continuity_of_care",
              "trust_credibility"],
    "detainee": ["trust_credibility", "identity_recovery", "continuity_of_care", "stigma", "prison_security"],
}


@dataclass
class Interviews:
    transcripts: dict[str, str]  # transcript_id -> text
    respondents: pd.DataFrame  # transcript_id, respondent, respondent_group, site
    segments: pd.DataFrame  # coded segments, both coders
    double_coded: list[str]  # transcripts coded by both coders


def simulate_interviews(sites: list[str], peer_workers: dict[str, list[str]], n_range: tuple[int, int],
                        rng: np.random.Generator) -> Interviews:
    """Transcripts per site and their coded segments (see the module docstring)."""
    transcripts: dict[str, str] = {}
    resp_rows, seg_rows = [], []
    double: list[str] = []
    for site in sites:
        n = int(rng.integers(n_range[0], n_range[1] + 1))
        groups = ["peer_worker"] + [str(g) for g in rng.choice(["staff", "detainee"], n - 1)]
        counters = {"peer_worker": 0, "staff": 0, "detainee": 0}
        for group in groups:
            counters[group] += 1
            if group == "peer_worker":
                respondent = peer_workers[site][0]
            else:
                respondent = f"{site}-{'S' if group == 'staff' else 'D'}{counters[group]}"
            tid = f"T-{site}-{group[:2].upper()}{counters[group]}"
            themes = list(THEMES_BY_GROUP[group])
            k = int(rng.integers(3, min(6, len(themes)) + 1))
            chosen = [themes[i] for i in np.sort(rng.choice(len(themes), k, replace=False))]
            text = f"[SYNTHETIC interview {tid}: fictional respondent, fictional names]\n\n"
            spans = []
            for code in chosen:
                para = str(rng.choice(TEMPLATES[code])).format(
                    name=str(rng.choice(FICTIONAL_NAMES)), place=str(rng.choice(PLACES)),
                    month=str(rng.choice(MONTHS)))
                para = f"R: {para}"
                start = len(text)
                text += f"I: Can you tell me more about that?\n\n{para}\n\n"
                start = text.index(para, start)
                spans.append((code, start, start + len(para)))
            transcripts[tid] = text
            resp_rows.append({"transcript_id": tid, "respondent": respondent, "respondent_group": group,
                              "site": site})
            twice = rng.random() < 0.35
            if twice:
                double.append(tid)
            for code, s, e in spans:
                base = {"transcript_id": tid, "respondent": respondent, "respondent_group": group, "site": site}
                seg_rows.append({**base, "coder": "A", "code": code, "start": s, "end": e, "text": text[s:e]})
                if not twice:
                    continue
                u = rng.random()
                if u < 0.15:  # B chose another code for the same passage
                    other = [c for c in CODES if c != code]
                    code_b = str(rng.choice(other))
                else:
                    code_b = code
                s_b = s + (3 if 0.15 <= u < 0.25 else 0)  # a slightly narrower span
                seg_rows.append({**base, "coder": "B", "code": code_b, "start": s_b, "end": e,
                                 "text": text[s_b:e]})
    segments = pd.DataFrame(seg_rows)
    segments.insert(0, "segment_id", [f"G{i + 1:05d}" for i in range(len(segments))])
    return Interviews(transcripts, pd.DataFrame(resp_rows), segments, double)
