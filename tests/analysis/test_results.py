"""The shared result shape: a safe repr, remarks printed under the table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.results import Result


@dataclass(frozen=True)
class _Demo(Result):
    data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"pid": ["k1-secret"], "x": [1]}))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"n": [1]})


def test_repr_never_prints_the_data():
    r = _Demo(remarks=("small sample",))
    assert "k1-secret" not in repr(r) and "_Demo" in repr(r) and "1 remark" in repr(r)


def test_str_and_html_show_frame_and_numbered_remarks():
    r = _Demo(remarks=("first", "second"))
    assert "[1] first" in str(r) and "[2] second" in str(r)
    assert "<li>second</li>" in r._repr_html_() and "k1-secret" not in r._repr_html_()


def test_every_result_class_in_the_package_has_the_safe_repr():
    import importlib
    import pkgutil

    import analysis

    seen = 0
    for mod in pkgutil.walk_packages(analysis.__path__, "analysis."):
        m = importlib.import_module(mod.name)
        for obj in vars(m).values():
            if isinstance(obj, type) and issubclass(obj, Result) and obj is not Result:
                seen += 1
                assert obj.__repr__ is Result.__repr__ or "__repr__" in obj.__dict__, obj
    assert seen > 10
