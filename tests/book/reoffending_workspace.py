"""A small synthetic workspace for the reoffending chapter, built through the real intake.

Release episodes and contacts come from :func:`analysis.recidivism.simulate_outcomes`
(dates moved six years on, so that contacts fall in the study period of the
``contacts`` instrument), are written as CSV files per site the way a data
manager would, and are submitted with :func:`evaluation.intake.submit.submit_file`.
Site P10 is kept deliberately small, so that per-site results must be
suppressed there. No real person is in these data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.recidivism import simulate_outcomes
from evaluation.instruments.synthetic import synthetic_national_register
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace

SHIFT = pd.DateOffset(years=6)
TODAY = dt.date(2030, 7, 1)
SMALL_SITE = "P10"
MAX_CONTACTS = 3

SEX = {"male": 1, "female": 2}
KIND = {"reconviction": 1, "reimprisonment": 2}
SUBSTANCE = {"alcohol": 1, "cannabis": 2, "opioids": 3, "cocaine": 4}
OFFENCE = {"drugs": 1, "property": 2, "violence": 3, "other": 6}
SETTING = {"custody": 1, "after_release": 2}

DATES = ("entry_date", "release_date", "followup_end", "extract_date", "offence_date",
         "conviction_date", "death_date", "deportation_date")


def _day(s: pd.Series) -> pd.Series:
    return (pd.to_datetime(s) + SHIFT).dt.strftime("%Y-%m-%d")


def simulated_frames(n: int = 700, *, seed: int = 11, hr: float = 0.7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw release records and contact logs (codes, not labels), sites P01-P10, P10 small."""
    out, con = simulate_outcomes(n, seed=seed, hr_participation=hr, extract_date="2024-06-30")
    # one release per person: the intake takes one row per person and wave (episode)
    out = out.sort_values(["pid", "release_date"], kind="stable").drop_duplicates("pid")
    out = out.sort_values(["release_date", "pid"], kind="stable")
    out["site"] = out["site"].str.replace("S", "P", regex=False)
    con["site"] = con["site"].str.replace("S", "P", regex=False)
    # keep only a handful of episodes released from the small site
    small = out.index[out["site"] == SMALL_SITE]
    out = out.drop(small[12:])
    con = con.loc[con["pid"].isin(out["pid"])]
    rng = np.random.default_rng(seed)
    nrn = [synthetic_national_register(rng) for _ in range(len(out))]
    rel = pd.DataFrame({"prison_number": out["pid"], "national_register": nrn, "site": out["site"]})
    for c in DATES:
        rel[c] = _day(out[c])
    rel["first_contact_date"] = ""  # optional; participation is derived from the contact logs
    rel["eligible"] = 1
    rel["reoffence_kind"] = out["reoffence_kind"].map(KIND)
    rel["age_at_release"] = out["age_at_release"].astype(int)
    rel["sex"] = out["sex"].map(SEX)
    rel["prior_incarcerations"] = out["prior_incarcerations"].astype(int)
    rel["sentence_months"] = out["sentence_months"]
    rel["primary_substance"] = out["primary_substance"].map(SUBSTANCE)
    rel["index_offence"] = out["index_offence"].map(OFFENCE)
    log = pd.DataFrame({
        "prison_number": con["pid"], "site": con["site"], "date": _day(con["date"]),
        "setting": con["setting"].map(SETTING), "kind": np.where(con["setting"] == "custody", 1, 5),
        "duration_minutes": 60, "peer_worker_code": con["site"] + "-A",
    })
    log = log.sort_values(["prison_number", "date"], kind="stable")
    return rel.reset_index(drop=True), log.reset_index(drop=True)


def build_workspace(root: Path, outbox: Path, *, n: int = 700, seed: int = 11) -> Workspace:
    """Create a workspace at ``root`` and submit the release records and contact logs of every site."""
    ws = Workspace.open(root)
    key = PseudonymKey.generate()
    rel, log = simulated_frames(n, seed=seed)
    outbox.mkdir(parents=True, exist_ok=True)
    # the intake takes one row per person and wave in a file, so the k-th contact of
    # each person goes in the k-th file of the site (appended to the first)
    log["round"] = log.groupby("prison_number").cumcount()
    log = log.loc[log["round"] < MAX_CONTACTS]
    files = [("release_outcomes", site, 0, part) for site, part in rel.groupby("site", sort=True)]
    files += [("contacts", site, k, part.drop(columns="round"))
              for (site, k), part in log.groupby(["site", "round"], sort=True)]
    for instrument, site, k, part in files:
        path = outbox / f"{instrument} {site} {k}.csv"
        part.to_csv(path, index=False)
        # release records in version 1.0 (without the three items of 1.1): accepted with a warning and
        # harmonised to the latest version when loaded, the new items missing
        ref = "release_outcomes@1.0" if instrument == "release_outcomes" else instrument
        report = submit_file(path, site=site, instrument=ref, workspace=ws, key=key, today=TODAY,
                             append=k > 0)
        if report.status != "accepted":
            raise AssertionError(report.text())
    return ws
