"""Write the synthetic double-coded interviews used as reference input.

All data here is synthetic (random words, random codes): no real interview.
Run from the repository root:

    .venv/bin/python tests/reference/themes/make_synthetic.py

It writes transcripts.csv, segments.csv and coded.csv beside this file; the R
script agreement.R reads them and computes reference agreement values
independently (its own paragraph splitting, overlap mapping and coefficients).
Paragraphs are separated by a single newline and have no surrounding blanks,
so that R's splitting on newlines and Python's paragraph rule agree.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
WORDS = ("peer worker helps me trust talk cell guard hope day week support drugs "
         "prison staff listen time program group visit plan release work").split()
CODES = ["trust", "hope", "supervision", "stigma", "security"]
CODERS = {"C1": range(1, 10), "C2": range(1, 7), "C3": range(3, 9)}


def main(seed: int = 20240601) -> None:
    rng = np.random.default_rng(seed)
    transcripts, segments = [], []
    for t in range(1, 10):
        paragraphs = []
        for _ in range(12):
            sentences = [" ".join(rng.choice(WORDS, rng.integers(4, 9))).capitalize() + "."
                         for _ in range(rng.integers(1, 4))]
            paragraphs.append(" ".join(sentences))
        text = "\n".join(paragraphs)
        transcripts.append({"transcript_id": f"T{t}", "text": text})
        bounds, pos = [], 0
        for p in paragraphs:
            bounds.append((pos, pos + len(p)))
            pos += len(p) + 1
        truth = rng.random((12, len(CODES))) < [0.35, 0.2, 0.15, 0.1, 0.05]
        for coder, ts in CODERS.items():
            if t not in ts:
                continue
            noise = {"C1": 0.08, "C2": 0.12, "C3": 0.2}[coder]
            applied = truth ^ (rng.random(truth.shape) < noise)
            for (p, c) in zip(*np.nonzero(applied)):
                s, e = bounds[p]
                start = int(s + rng.integers(0, max(1, (e - s) // 3)))
                end = int(e - rng.integers(0, max(1, (e - s) // 3)))
                if p + 1 < 12 and rng.random() < 0.15:  # runs into the next paragraph
                    end = int(bounds[p + 1][0] + 5)
                segments.append({"transcript_id": f"T{t}", "coder": coder, "code": CODES[c],
                                 "start": start, "end": end, "text": text[start:end]})
    seg = pd.DataFrame(segments)
    seg.insert(0, "segment_id", [f"S{i:04d}" for i in range(1, len(seg) + 1)])
    seg.insert(2, "pid", seg["transcript_id"].str.replace("T", "P"))
    # one stored text no longer matches the transcript at its offsets
    seg.loc[3, "text"] = seg.loc[3, "text"].upper() + " (edited)"
    coded = pd.DataFrame([{"transcript_id": f"T{t}", "coder": c} for c, ts in CODERS.items() for t in ts])
    pd.DataFrame(transcripts).to_csv(HERE / "transcripts.csv", index=False)
    seg.to_csv(HERE / "segments.csv", index=False)
    coded.to_csv(HERE / "coded.csv", index=False)


if __name__ == "__main__":
    main()
