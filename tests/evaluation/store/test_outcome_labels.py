"""outcomes() carries the contract's values for the real release record."""

from __future__ import annotations

from evaluation.instruments import Catalogue
from evaluation.store.loaders import _labels


def test_reimprisonment_label_matches_the_analysis_contract():
    import pandas as pd

    defn = Catalogue().instrument("release_outcomes", "1.0")
    frame = _labels(defn, pd.DataFrame({"reoffence_kind": [1, 2, None]}), ("reoffence_kind",))
    assert frame["reoffence_kind"].tolist()[:2] == ["reconviction", "reimprisonment"]
