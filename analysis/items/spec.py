"""What the analysis needs to know about an ordinal survey item: a plain spec.

``analysis`` reads no instrument files: a chapter builds the specs from the
instrument definition (``evaluation``'s catalogue) and passes them in, as
:class:`ItemSpec` objects or plain mappings::

    {"name": "role_clear", "label": "The tasks of the peer workers are clearly agreed.",
     "choices": [{"code": 1, "label": "Strongly disagree"}, ..., {"code": 5, "label": "Strongly agree"}],
     "nonresponse": [{"code": -7, "kind": "dont_know", "label": "Don't know"}],
     "factor": "organisational_readiness"}

Conventions
-----------
* ``choices`` are the substantive answers, ordered from the lowest to the
  highest code (the order of the scale).
* ``positive`` (the answers counted as agreeing) defaults to the codes above
  the middle one for an odd number of choices (1–5: 4 and 5) and to the upper
  half for an even number (0 "No" / 1 "Yes": 1). ``neutral`` defaults to the
  middle code for an odd number of choices and to none otherwise.
* ``nonresponse`` codes (don't know, refused, not applicable) are categories
  of their own: never answers, never silently dropped. An empty cell (the
  question was not asked, or left blank) is neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ItemSpec", "as_specs"]


@dataclass(frozen=True)
class ItemSpec:
    """One ordinal item: its wording, ordered answers, nonresponse codes and factor."""

    name: str
    label: str
    choices: tuple[tuple[int, str], ...]
    nonresponse: tuple[tuple[int, str, str], ...] = ()  # (code, kind, label)
    positive: tuple[int, ...] | None = None
    neutral: int | None = None
    factor: str | None = None
    reverse: bool = False

    def __post_init__(self):
        if len(self.choices) < 2:
            raise ValueError(f"item {self.name!r} needs at least two answer choices")
        codes = self.codes
        if list(codes) != sorted(codes):
            object.__setattr__(self, "choices", tuple(sorted(self.choices)))
            codes = self.codes
        k = len(codes)
        if self.neutral is None and k % 2 == 1 and self.positive is None:
            object.__setattr__(self, "neutral", codes[k // 2])
        if self.positive is None:
            object.__setattr__(self, "positive", tuple(codes[(k + 1) // 2:] if k % 2 else codes[k // 2:]))
        bad = [c for c in self.positive if c not in codes]
        if bad or (self.neutral is not None and self.neutral not in codes):
            raise ValueError(f"item {self.name!r}: positive/neutral codes {bad or [self.neutral]} are not answer codes")
        clash = [c for c, *_ in self.nonresponse if c in codes]
        if clash:
            raise ValueError(f"item {self.name!r}: nonresponse codes {clash} are also answer codes")

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(c for c, _ in self.choices)

    @property
    def negative(self) -> tuple[int, ...]:
        return tuple(c for c in self.codes if c not in self.positive and c != self.neutral)

    @property
    def nonresponse_codes(self) -> tuple[int, ...]:
        return tuple(c for c, *_ in self.nonresponse)

    def choice_label(self, code: int) -> str:
        for c, text in self.choices:
            if c == code:
                return text
        for c, _kind, text in self.nonresponse:
            if c == code:
                return text
        raise KeyError(f"item {self.name!r} has no code {code}")

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> "ItemSpec":
        choices = tuple((int(c["code"]), str(c["label"])) for c in m["choices"])
        nonresponse = tuple((int(c["code"]), str(c.get("kind", "")), str(c["label"])) for c in m.get("nonresponse", ()))
        pos = m.get("positive")
        return cls(name=str(m["name"]), label=str(m.get("label") or m["name"]), choices=choices,
                   nonresponse=nonresponse, positive=tuple(pos) if pos is not None else None,
                   neutral=m.get("neutral"), factor=m.get("factor"), reverse=bool(m.get("reverse", False)))


def as_specs(items: Sequence[ItemSpec | Mapping[str, Any]] | ItemSpec | Mapping[str, Any]) -> list[ItemSpec]:
    """Accept one spec or a list of specs or mappings."""
    if isinstance(items, (ItemSpec, Mapping)):
        items = [items]
    out = [i if isinstance(i, ItemSpec) else ItemSpec.from_mapping(i) for i in items]
    if not out:
        raise ValueError("no items given; pass at least one ItemSpec or mapping")
    return out
