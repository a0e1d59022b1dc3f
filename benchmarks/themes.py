"""Timing of the themes analyses on a synthetic study of realistic size.

Run from the repository root:

    .venv/bin/python benchmarks/themes.py [--transcripts 60] [--paragraphs 150] [--codes 40]

Data are synthetic (random words and codes). Prints seconds per call; not a test.
"""

import argparse
import time

import numpy as np
import pandas as pd

from analysis.themes import code_cooccurrence, coder_agreement, select_quotes, theme_prevalence

WORDS = "peer worker helps me trust talk cell guard hope day week support drugs prison staff".split()


def synthetic(n_transcripts: int, n_paragraphs: int, n_codes: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    codes = [f"code{i:02d}" for i in range(n_codes)]
    parents = {c: f"theme{i % 8}" for i, c in enumerate(codes)}
    transcripts, segments = [], []
    coders = ["C1", "C2", "C3"]
    for t in range(n_transcripts):
        paras = [" ".join(rng.choice(WORDS, 12)).capitalize() + "." for _ in range(n_paragraphs)]
        text = "\n".join(paras)
        transcripts.append({"transcript_id": f"T{t}", "text": text})
        starts = np.cumsum([0] + [len(p) + 1 for p in paras[:-1]])
        truth = rng.random((n_paragraphs, n_codes)) < 0.04
        for coder in coders:
            applied = truth ^ (rng.random(truth.shape) < 0.01)
            for p, c in zip(*np.nonzero(applied)):
                s = int(starts[p])
                segments.append({"transcript_id": f"T{t}", "pid": f"P{t}", "coder": coder, "code": codes[c],
                                 "start": s, "end": s + len(paras[p]), "text": paras[p]})
    seg = pd.DataFrame(segments)
    seg["segment_id"] = [f"S{i}" for i in range(len(seg))]
    groups = np.array(["detainee", "peer_worker", "staff"])[np.arange(n_transcripts) % 3]
    seg["respondent_group"] = seg["pid"].str[1:].astype(int).map(lambda i: groups[i])
    seg["site"] = seg["pid"].str[1:].astype(int).map(lambda i: f"site{i % 10}")
    interviews = seg[["pid", "respondent_group", "site"]].drop_duplicates()
    coded = seg[["transcript_id", "coder"]].drop_duplicates()
    return pd.DataFrame(transcripts), seg, coded, interviews, parents


def timed(label, f):
    start = time.perf_counter()
    f()
    print(f"{label:<40s} {time.perf_counter() - start:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=60)
    parser.add_argument("--paragraphs", type=int, default=150)
    parser.add_argument("--codes", type=int, default=40)
    args = parser.parse_args()
    transcripts, seg, coded, interviews, parents = synthetic(args.transcripts, args.paragraphs, args.codes)
    print(f"{len(transcripts)} transcripts × {args.paragraphs} paragraphs, 3 coders, {args.codes} codes, "
          f"{len(seg)} segments")
    one = seg.loc[seg["coder"] == "C1"]
    timed("coder_agreement(unit='paragraph')", lambda: coder_agreement(
        seg, coded=coded, unit="paragraph", transcripts=transcripts))
    timed("coder_agreement(unit='sentence')", lambda: coder_agreement(
        seg, coded=coded, unit="sentence", transcripts=transcripts))
    timed("coder_agreement(unit='transcript')", lambda: coder_agreement(seg, coded=coded))
    timed("theme_prevalence(site='site')", lambda: theme_prevalence(
        one, interviews=interviews, parents=parents, site="site"))
    timed("code_cooccurrence(within='segment')", lambda: code_cooccurrence(one))
    timed("code_cooccurrence(within='participant')", lambda: code_cooccurrence(one, within="participant"))
    timed("select_quotes(theme='theme0')", lambda: select_quotes(
        one, theme="theme0", parents=parents, names=["Jan", "Fatima"], places=["Haren"]))


if __name__ == "__main__":
    main()
