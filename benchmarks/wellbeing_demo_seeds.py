"""The demo's WHO-5 participation effect over many generator seeds (issue 13 diagnosis).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/wellbeing_demo_seeds.py [--seeds 1-60] [--record]

For each seed the demo's population and surveys are drawn exactly as
``peer-eval demo`` draws them (:func:`evaluation.demo.people.simulate_population`,
:func:`evaluation.demo.surveys.simulate_surveys`, full scale, ten sites), without
the intake: participants are the generator's own (``Surveys.truth``), which the
store's classification reproduces exactly (tests/evaluation/demo). The
chapter's :func:`analysis.wellbeing.participation.participation_change` is
run on the WHO-5 scores (covariates age band and gender). Printed: mean
estimate, SD of the estimates against the mean standard error, and the
coverage of the population truth, per analysis; also the realised latent
difference in change among completers (raw points; 1.5 in the generating
model), which shows how much of a seed's error the comparison group's
sampling already carries. About 2 s per seed. ``--record`` writes
``evaluation/demo/_wellbeing_seeds_record.py`` (per seed: the primary
estimate, SE and interval; the coverage of the truth), which the demo test
checks and re-runs in part, and the wellbeing chapter cites. Synthetic data only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.wellbeing.participation import NON_PARTICIPANT, PARTICIPANT, participation_change  # noqa: E402
from evaluation.demo.people import simulate_population  # noqa: E402
from evaluation.demo.surveys import simulate_surveys  # noqa: E402
from evaluation.demo.truth import SCALES, Effects, expected_changes  # noqa: E402
from evaluation.instruments import Catalogue  # noqa: E402

ITEMS = [f"who5_{i}" for i in range(1, 6)]
RECORD = Path(__file__).resolve().parents[1] / "evaluation" / "demo" / "_wellbeing_seeds_record.py"


def one_seed(seed: int, cat: Catalogue) -> dict:
    defs = {i: cat.instrument(i) for i in ("detainee", "peer_worker", "staff", "release_outcomes", "contacts")}
    sites = [s.code for s in cat.sites().sites]
    rng = np.random.default_rng(seed)
    e, sc = Effects(), SCALES["full"]
    pop = simulate_population(sites, sc, e, rng)
    sv = simulate_surveys(pop, defs, sc, e, rng, seed)
    frames = pd.concat(sv.detainee.values(), ignore_index=True)
    items = frames[ITEMS].astype(float)
    scores = pd.DataFrame({"pid": frames["prison_number"].astype(str), "site": frames["site"],
                           "wave": frames["wave"].astype(int),
                           "score": np.where(items.isna().any(axis=1), np.nan, 4 * items.sum(axis=1))})
    base = frames[frames["wave"].astype(int) == 1]
    t = sv.truth.assign(pid=sv.truth["prison_number"].astype(str))
    groups = t[["pid"]].assign(group=np.where(t["participant"], PARTICIPANT, NON_PARTICIPANT))
    groups = groups.merge(base[["prison_number", "age_band", "gender"]].rename(columns={"prison_number": "pid"})
                          .astype({"pid": str}), on="pid")
    # a prison number twice in one wave (the intake would refuse the file); the generator no longer draws one,
    # the guard stays: such people would be left out here
    dup = set(scores.loc[scores.duplicated(["pid", "wave"], keep=False), "pid"])
    scores, groups = scores[~scores["pid"].isin(dup)], groups[~groups["pid"].isin(dup)].drop_duplicates("pid")
    t = t[~t["pid"].isin(dup)]
    res = participation_change(scores, groups, covariates=("age_band", "gender"), pre=1, post=2, mixed=False)
    done = t[t["followed_up"]]
    lat = done["who5_latent_1"] - done["who5_latent_0"]
    out = {"seed": seed, "latent_difference": float(lat[done["participant"]].mean() - lat[~done["participant"]].mean())}
    for r in res.table.itertuples():
        out[r.analysis] = (r.estimate, r.se, r.ci_low, r.ci_high)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-60", help="a range a-b (inclusive)")
    ap.add_argument("--record", action="store_true", help=f"write {RECORD.name}")
    args = ap.parse_args(argv)
    a, b = (int(x) for x in args.seeds.split("-"))
    truth = expected_changes(Effects())["who5_participation_effect"]
    cat = Catalogue()
    t0 = time.perf_counter()
    rows = [one_seed(s, cat) for s in range(a, b + 1)]
    lat = np.array([r["latent_difference"] for r in rows])
    print(f"{len(rows)} seeds; truth {truth:.3f}; realised latent difference {lat.mean():.3f} "
          f"(SD {lat.std(ddof=1):.3f})")
    for name in [k for k in rows[0] if k not in ("seed", "latent_difference")]:
        v = np.array([r[name] for r in rows])
        cover = ((v[:, 2] <= truth) & (truth <= v[:, 3])).mean()
        print(f"{name:<40} mean {v[:, 0].mean():6.3f}  SD {v[:, 0].std(ddof=1):.3f}  mean SE {v[:, 1].mean():.3f}  "
              f"coverage {100 * cover:.1f}% (MC SE {100 * np.sqrt(cover * (1 - cover) / len(rows)):.1f})")
    took = time.perf_counter() - t0
    print(f"wall clock {took:.0f} s")
    if args.record:
        import pprint

        from analysis.wellbeing.calibration import PRIMARY

        v = np.array([r[PRIMARY] for r in rows])
        cover = (v[:, 2] <= truth) & (truth <= v[:, 3])
        record = {
            "command": f"OPENBLAS_NUM_THREADS=1 python benchmarks/wellbeing_demo_seeds.py --seeds {args.seeds} --record",
            "seeds": [a, b], "seconds": round(took), "truth": truth, "interval": PRIMARY,
            "coverage": float(cover.mean()), "mean_estimate": float(v[:, 0].mean()),
            "sd_estimate": float(v[:, 0].std(ddof=1)), "mean_se": float(v[:, 1].mean()),
            "per_seed": [{"seed": r["seed"], "estimate": float(e), "se": float(se), "ci_low": float(lo),
                          "ci_high": float(hi)} for r, (e, se, lo, hi) in zip(rows, v)],
        }
        RECORD.write_text(
            '"""The WHO-5 participation effect of the demo over generator seeds, recorded by\n'
            'benchmarks/wellbeing_demo_seeds.py --record: do not edit by hand. tests/evaluation/demo/test_wellbeing_generator.py\n'
            're-runs its first seeds; the wellbeing chapter cites the coverage."""\n\n'
            f"RECORD = {pprint.pformat(record, width=110, sort_dicts=False)}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
