"""person_counts counts distinct persons, not rows."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import person_counts


@pytest.fixture
def contacts():
    # synthetic: person a has three contacts in P01, b two waves in P01, c one in P02
    return pd.DataFrame(
        {
            "pid": ["a", "a", "a", "b", "b", "c"],
            "site": ["P01", "P01", "P01", "P01", "P01", "P02"],
            "wave": [1, 1, 1, 1, 2, 1],
        }
    )


def test_counts_persons_not_rows(contacts):
    out = person_counts(contacts, by="site")
    assert out.to_dict("list") == {"site": ["P01", "P02"], "n_persons": [2, 1]}


def test_margins_are_distinct_persons_not_sums(contacts):
    out = person_counts(contacts, by=["site", "wave"], margins=True)
    got = {(r.site, r.wave): r.n_persons for r in out.itertuples()}
    assert got[("P01", 1)] == 2 and got[("P01", 2)] == 1
    # b is in both waves of P01: the P01 margin is 2 persons, not 2 + 1
    assert got[("P01", "Total")] == 2
    assert got[("Total", 1)] == 3
    assert got[("Total", "Total")] == 3


def test_missing_pseudonym_is_an_error(contacts):
    contacts.loc[0, "pid"] = None
    with pytest.raises(ValueError, match="pseudonym"):
        person_counts(contacts, by="site")


def test_missing_column_names_the_argument(contacts):
    with pytest.raises(KeyError, match="pass subject="):
        person_counts(contacts, by="site", subject="person")
    with pytest.raises(KeyError, match="pass by="):
        person_counts(contacts, by="prison")


def test_missing_key_forms_its_own_cell_unless_dropna(contacts):
    contacts.loc[5, "site"] = None
    assert len(person_counts(contacts, by="site")) == 2
    assert len(person_counts(contacts, by="site", dropna=True)) == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from(["P01", "P02", "P03"])), min_size=1))
def test_equals_nunique_per_cell(rows):
    df = pd.DataFrame(rows, columns=["pid", "site"])
    out = person_counts(df, by="site").set_index("site")["n_persons"]
    for site, grp in df.groupby("site"):
        assert out[site] == grp["pid"].nunique()
    assert out.sum() >= df["pid"].nunique()
