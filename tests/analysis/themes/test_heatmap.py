"""protected_heatmap draws only what disclosure control published."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import protect_table
from analysis.themes.heatmap import protected_heatmap


@pytest.fixture
def table():
    cells = pd.DataFrame({
        "theme": ["trust", "trust", "stigma", "stigma"],
        "group": ["detainee", "staff", "detainee", "staff"],
        "n": [24, 3, 12, 0],
        "share": [0.8, 0.5, 0.4, 0.0],
    })
    return protect_table(cells, row="theme", col="group", count="n", values=["share"], margins=False,
                         formats={"share": "{:.0%}"})


def test_hidden_cells_are_grey_and_carry_only_the_symbol(table):
    ax = protected_heatmap(table, value="share")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["80%", "[c]", "40%", "0%"]
    assert "50%" not in texts and "3" not in texts
    grid = ax.images[0].get_array()
    assert grid.mask[0, 1] and not grid.mask[0, 0]
    assert np.isclose(grid[1, 0], 0.4)
    # rows in words from the label catalogue ("stigma" is a theme: "Stigma"); a name without an entry as written
    assert [t.get_text() for t in ax.get_yticklabels()] == ["trust", "Stigma"]


def test_needs_a_two_way_protected_table(table):
    with pytest.raises(TypeError, match="ProtectedTable"):
        protected_heatmap(table.to_frame(), value="share")
    with pytest.raises(KeyError, match="value="):
        protected_heatmap(table, value="mean")
    one_way = protect_table(pd.DataFrame({"theme": ["a"], "n": [12]}), row="theme", count="n", margins=False)
    with pytest.raises(ValueError, match="two-way"):
        protected_heatmap(one_way, value="n")
