"""Issue 17 part 8 on the built demo book: no count under the threshold can be recovered from what it publishes.

The attacker (``recovery.py``) reads only the built pages — every table and
the prose — and tries the issue's attacks: table margins, the themes page's
Jaccard indices with its participants by group (single hidden cells and the
"peer workers + staff" pairs), "n of N" complements, the same population on
two pages, a table's answers beside the size of the group asked, and
per-prison tags on quotes (checked against the demo database). Each attack
is first shown to work on a page-shaped table where it should (so that a
finding of "nothing recovered" means something). The book is the session's
``demo_book`` (built once, conftest.py).
"""

from __future__ import annotations

import re

import pytest

from .recovery import (
    HIDDEN,
    Attacker,
    Table,
    complements,
    jaccard_equations,
    margin_equations,
    page_text,
    read_tables,
)

THRESHOLD = 10


@pytest.fixture(scope="module")
def pages(demo_book):
    ws, result = demo_book
    threshold = int(ws.config.get("disclosure_threshold", THRESHOLD))
    assert threshold == THRESHOLD
    html = result.html
    return {p.stem: p for p in html.glob("*.html") if p.stem not in ("genindex", "search")}


# -- the attacker works where it should ------------------------------------------------------------------------


def test_the_attacker_recovers_a_cell_from_margins_and_a_pair_from_jaccard_indices():
    t = Table("x", 0, ["prison", "baseline", "followup", "Total"], ["P01", "P02", "Total"],
              [["P01", "33", HIDDEN, "40"], ["P02", "43", "24", "67"], ["Total", "76", "31", "107"]])
    att, cache = Attacker(THRESHOLD), {}
    margin_equations(att, t, cache)
    assert [att.recovered({u: 1.0}) for u in range(len(att.names))] == [7.0]
    # the themes page: indices shown beside counts where peer workers (5, 7, 7) are hidden,
    # and, where staff are hidden too, the peer-worker + staff sums
    groups = Table("themes", 0, ["theme", "participants detainees", "participants peer workers", "participants staff"],
                   ["A", "B", "C"], [["A", "30", HIDDEN, "12"], ["B", "25", HIDDEN, HIDDEN],
                                     ["C", "40", HIDDEN, HIDDEN]])
    totals = {"A": 47, "B": 47, "C": 58}
    n = {("A", "B"): 20, ("A", "C"): 25, ("B", "C"): 30}
    pairs = Table("themes", 1, ["code", "with code", "number", "overlap (Jaccard)"], [f"{a} / {b}" for a, b in n],
                  [[a, b, str(k), f"{k / (totals[a] + totals[b] - k):.3f}"] for (a, b), k in n.items()])
    att, cache = Attacker(THRESHOLD), {}
    hidden = jaccard_equations(att, pairs, groups, cache)
    assert att.recovered({hidden["A"][0]: 1.0}) == 5.0
    assert att.recovered({u: 1.0 for u in hidden["B"]}) == 22.0  # peer workers + staff of theme B
    assert att.recovered({hidden["B"][0]: 1.0}) is None  # each on its own: more than one solution
    assert complements("35 of 36 detainees raised it", THRESHOLD) == [("35 of 36", 1)]


# -- the demo book -------------------------------------------------------------------------------------------------


def test_no_hidden_cell_follows_from_a_tables_margins(pages):
    found = []
    checked = 0
    for name, path in pages.items():
        att, cache = Attacker(THRESHOLD), {}
        for t in read_tables(path):
            margin_equations(att, t, cache)
        checked += len(att.names)
        for u, cell in enumerate(att.names):
            value = att.recovered({u: 1.0})
            if value is not None:
                found.append((cell, value))
    assert checked > 50  # the pages do hide cells, and the attacker found them
    assert found == []


def test_jaccard_indices_and_group_counts_give_no_hidden_cell_nor_peer_worker_plus_staff_sum(pages):
    tables = read_tables(pages["themes"])
    groups = next(t for t in tables if t.column(r"^participants") is not None)
    pairs = next(t for t in tables if t.column(r"Jaccard") is not None)
    att, cache = Attacker(THRESHOLD), {}
    hidden = jaccard_equations(att, pairs, groups, cache)
    assert any(len(u) == 2 for u in hidden.values())  # themes with peer workers and staff both hidden
    found = []
    for theme, unknowns in hidden.items():
        for u in unknowns:
            if att.recovered({u: 1.0}) is not None:
                found.append((att.names[u], att.recovered({u: 1.0})))
        if len(unknowns) == 2:
            pair = {u: 1.0 for u in unknowns}
            if att.recovered(pair) is not None:
                found.append((f"{theme}: peer workers + staff", att.recovered(pair)))
    assert found == []


def test_shares_beside_hidden_counts_are_hidden_too(pages):
    """A share shown where its count is hidden gives the count back (share x group size on the page)."""
    found, examined = [], 0
    for name, path in pages.items():
        for t in read_tables(path):
            for j, col in enumerate(t.columns):
                m = re.match(r"(?:share|%)\s+(.+)$", col)
                if not m:
                    continue
                partner = next((k for k, c in enumerate(t.columns) if k != j and c.endswith(" " + m.group(1))
                                and not re.match(r"(share|%)", c)), None)
                if partner is None:
                    continue
                for i, row in enumerate(t.cells):
                    examined += row[partner] == HIDDEN
                    if row[partner] == HIDDEN and row[j] not in (HIDDEN, "", "nan", "–"):
                        found.append((name, t.labels[i], col, row[j]))
    assert examined > 0 and found == []


def test_no_n_of_N_phrase_leaves_a_small_remainder(pages):
    found = [(name, c) for name, path in pages.items() for c in complements(page_text(path), THRESHOLD)]
    assert found == []


def _wave(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _data_page_totals(pages) -> dict[str, int]:
    """Responses per questionnaire (the data page's summary table), and detainee questionnaires per wave."""
    tables = read_tables(pages["data"])
    summary = next(t for t in tables if t.column(r"^responses") is not None)
    j = summary.column(r"^responses")
    out = {summary.labels[i].split(" / ")[0]: int(r[j].replace(",", "")) for i, r in enumerate(summary.cells)}
    for t in tables:
        total_row = next((i for i, lab in enumerate(t.labels) if lab.endswith("Total")), None)
        tot_col = t.column(r"^Total$")
        if total_row is None or tot_col is None or t.cells[total_row][tot_col] != str(out.get("detainees")):
            continue
        for j2, col in enumerate(t.columns):
            if j2 != tot_col and re.sub(r"^wave\s+", "", col) not in ("", "prison"):
                out[f"detainees {_wave(re.sub(r'^wave', '', col))}"] = int(t.cells[total_row][j2])
    return out


def test_the_attacker_finds_the_totals_and_tables_the_cross_page_attacks_need(pages):
    """Outside the expected failures below, so that they fail for the leak and not for a parse."""
    totals = _data_page_totals(pages)
    assert {"detainees baseline", "detainees followup", "staff"} <= set(totals)
    assert any(t.column(r"^persons") is not None and any(c.split()[-1:] == ["wave"] for c in t.columns)
               for t in read_tables(pages["wellbeing"]))


def test_the_same_population_on_two_pages_leaves_no_small_difference(pages):
    totals = _data_page_totals(pages)
    assert "detainees baseline" in totals and "detainees followup" in totals
    found = []
    for t in read_tables(pages["wellbeing"]):
        wave_col = next((j for j, c in enumerate(t.columns) if c.split()[-1:] == ["wave"]), None)
        for j, col in enumerate(t.columns):
            if wave_col is None or not re.match(r"(persons|complete responses)", col):
                continue
            for row in t.cells:
                n = int(row[j]) if row[j].isdigit() else None
                big = totals.get(f"detainees {_wave(row[wave_col])}")
                if n is not None and big is not None and 0 < big - n < THRESHOLD:
                    found.append((" ".join(row[:wave_col + 1]), col, big, n, big - n))
    assert found == []


def test_answers_beside_the_group_total_leave_no_small_nonresponse(pages):
    staff = _data_page_totals(pages)["staff"]
    found = []
    for t in read_tables(pages["perspectives"]):
        j = t.column(r"^answers$")
        dk = t.column(r"don't know")
        if j is None or dk is None:
            continue
        for i, row in enumerate(t.cells):
            if row[j].isdigit() and 0 < staff - int(row[j]) < THRESHOLD:
                found.append((t.labels[i], staff - int(row[j])))
    assert found == []


def test_quotes_are_tagged_only_with_prisons_where_enough_were_interviewed(pages, demo_book):
    from evaluation.store import segments

    ws, _ = demo_book
    seg = segments(ws)
    per_site = seg.groupby(["respondent_group", "site"])["pid"].nunique()
    words = {"detainee": "detainee", "peer worker": "peer_worker", "staff": "staff", "member of staff": "staff"}
    tags = re.findall(r"— (detainee|peer worker|member of staff|staff), (P\d\d)\b", page_text(pages["themes"]))
    assert tags  # quotes are published, some with their prison
    small = [(g, s, int(per_site.get((words[g], s), 0))) for g, s in tags
             if per_site.get((words[g], s), 0) < THRESHOLD]
    assert small == []
