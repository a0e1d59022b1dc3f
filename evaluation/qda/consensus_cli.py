"""``peer-eval interviews consensus``: record or list the consensus coding of double-coded transcripts.

    peer-eval interviews consensus --list [--workspace DIR] [--lang nl|fr|en]
    peer-eval interviews consensus TRANSCRIPT_ID --coder NAME --by NAME [--workspace DIR] [--lang nl|fr|en]

The parser is added to the ``interviews`` command by :func:`add_parser`; the
records are kept by :mod:`evaluation.qda.consensus`.
"""

from __future__ import annotations

import sys

__all__ = ["add_parser"]

DESCRIPTION = (
    "Record which coding is the consensus of a transcript that two or more coders coded: after the coders "
    "have compared their codings, name the coder whose coding the team agreed on (or the coder name under "
    "which a separate consensus pass was imported). Prevalence and co-occurrence in the book then use that "
    "coding for the transcript; transcripts without a recorded consensus are merged by the majority rule. "
    "A later decision for the same transcript replaces the earlier one; every decision is kept and audited."
)
EPILOG = """examples:
  peer-eval interviews consensus --list --workspace ws
  peer-eval interviews consensus T-P01-DE1 --coder A --by "evaluator B" --workspace ws --lang nl
"""


def add_parser(isub) -> None:
    """Add ``consensus`` to the ``interviews`` sub-commands."""
    import argparse
    import textwrap

    c = isub.add_parser("consensus", help="record which coding is the consensus of a double-coded transcript",
                        description=textwrap.fill(DESCRIPTION, 79), epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("transcript", nargs="?", metavar="TRANSCRIPT_ID", help="the transcript (see --list)")
    c.add_argument("--coder", metavar="NAME", help="the coder whose coding is the consensus")
    c.add_argument("--by", metavar="NAME", help="who records the decision (name or initials)")
    c.add_argument("--list", action="store_true", help="list the double-coded transcripts and their consensus")
    c.add_argument("--workspace", metavar="DIR")
    c.add_argument("--lang", choices=["nl", "fr", "en"], default="en", help="language of the messages")
    c.set_defaults(func=run)


def _open(path):
    from evaluation.store import Workspace, WorkspaceError

    try:
        return Workspace.open(path, create=False)
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return None


def _list(ws, lang: str) -> int:
    from evaluation.qda.consensus import consensus_passes, message
    from evaluation.store import segments

    seg = segments(ws)
    coders = seg.groupby("transcript_id")["coder"].agg(lambda s: sorted(set(s)))
    double = coders[coders.map(len) >= 2]
    passes = consensus_passes(ws).set_index("transcript_id")
    print(message("list-header", lang, n=len(double)))
    for t, names in double.items():
        if t in passes.index:
            p = passes.loc[t]
            state = message("list-entry", lang, coder=p["coder"], by=p["recorded_by"],
                            at=f"{p['recorded_at']:%Y-%m-%d}")
        else:
            state = message("list-none", lang)
        print(f"  {t}  [{', '.join(names)}]  {state}")
    return 0


def run(args) -> int:
    from evaluation.qda.consensus import ConsensusRefused, message, record_consensus

    ws = _open(args.workspace)
    if ws is None:
        return 2
    if args.list:
        return _list(ws, args.lang)
    if not args.transcript or not args.coder:
        print(message("need-coder", args.lang), file=sys.stderr)
        return 2
    try:
        rec = record_consensus(ws, args.transcript, coder=args.coder, recorded_by=args.by or "", lang=args.lang)
    except ConsensusRefused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(message("recorded", args.lang, coder=rec["coder"], transcript=rec["transcript_id"], by=rec["recorded_by"],
                  at=rec["recorded_at"]))
    return 0
