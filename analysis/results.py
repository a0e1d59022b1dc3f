"""The shared shape of every analysis result.

Every public analysis function returns a frozen result object with:

- ``to_frame()`` – the result as a tidy :class:`pandas.DataFrame`;
- ``plot(ax=None)`` – draws on the given axes (or new ones) and returns them;
- ``remarks`` – numbered caveats that travel with the result (tableone-style),
  printed under the table in text and HTML representations;
- an HTML representation for notebooks (``_repr_html_``): the reader's view
  (:mod:`analysis.reader`) — the title as the table's caption, column labels
  in words, p-values as "< 0.001", counts as whole numbers, the remarks as
  numbered notes — in English, Dutch and French (``_repr_mimebundle_``: the
  book's three editions each show their language, :mod:`analysis.editions`).

Subclasses are frozen dataclasses that implement ``to_frame`` (and ``plot``
where a figure makes sense).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Result", "format_remarks"]


def format_remarks(remarks: tuple[str, ...] | list[str]) -> str:
    """Number the remarks as they are printed under a table: ``[1] ...``."""
    return "\n".join(f"[{i}] {r}" for i, r in enumerate(remarks, start=1))


@dataclass(frozen=True)
class Result:
    """Base class: a frozen result with a frame, an optional plot and remarks."""

    remarks: tuple[str, ...] = field(default=(), kw_only=True)

    def __init_subclass__(cls, **kwargs):
        # A result holds the data it was computed from (individual rows, which cells
        # were suppressed as small, ...). The dataclass repr would print all of it into
        # a notebook's text output, so every result gets the short, safe repr below;
        # ``@dataclass`` keeps a ``__repr__`` that the class already defines.
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Result.__repr__

    def __repr__(self) -> str:
        return (f"<{type(self).__name__}: {len(self.remarks)} remark(s); "
                "see .to_frame(), .plot() and .remarks>")

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} does not define to_frame()")

    def plot(self, ax=None):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no plot")

    @property
    def title(self) -> str:
        return type(self).__name__

    def __str__(self) -> str:
        text = f"{self.title}\n{self.to_frame().to_string()}"
        if self.remarks:
            text += "\n\n" + format_remarks(self.remarks)
        return text

    def _repr_html_(self) -> str:
        from .reader import reader_html

        return reader_html(self.to_frame(), title=self.title, remarks=self.remarks)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The reader's table in the three editions' languages (:func:`analysis.reader.reader_bundle`)."""
        from .reader import reader_bundle

        return reader_bundle(self.to_frame(), title=self.title, remarks=self.remarks)._repr_mimebundle_()
