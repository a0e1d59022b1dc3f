"""The disclosure-control policy: threshold, zero cells, symbols, bands, wording.

One :class:`DisclosurePolicy` governs every table, figure and glued number of
the report. The workspace configuration supplies it as a plain mapping::

    DisclosurePolicy.from_mapping({"threshold": 10, "language": "nl"})

Conventions
-----------
* A cell is *small* when the number of distinct persons behind it is below
  ``threshold`` and, unless ``protect_zeros`` is set, above zero.
* ``protect_zeros`` defaults to ``False``. A zero cell contains nobody, so it
  cannot identify a person; zeros are often structural (no women in a men's
  prison) and suppressing them would force heavy secondary suppression for no
  gain in protection. Set it to ``True`` when an empty cell is itself
  disclosive, e.g. "no peer worker in prison X is a woman" reveals the sex of
  every peer worker there (group attribute disclosure).
* Tables show every suppressed cell with ``symbol`` (default ``"[c]"``,
  "confidential", the UK Government Statistical Service convention). A
  ``"<10"``-style symbol would be false for the complementary cells, which can
  hold large counts, so ``symbol`` may not start with ``"<"``; to show small
  cells as ``"<10"`` set ``small_symbol="<{threshold}"`` (complementary cells
  then keep ``symbol``). Distinguishing the two tells a reader which cells are
  small; secondary suppression takes that knowledge into account.
* Prose (glued numbers) says "fewer than 10" for a small count, or a band
  label when ``bands`` are set: ``bands=(5,)`` splits 1–9 into "fewer than 5"
  and "5 to 9". Bands disclose more than the threshold alone; the default is
  no bands.
* ``language`` (``"en"``, ``"nl"`` or ``"fr"``) selects the wording of notes
  and prose; any text can be overridden with ``texts={...}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

__all__ = ["DisclosurePolicy", "DEFAULT_POLICY", "TEXTS"]

# Wording of notes and prose per language. Keys ending in _one/_other are the
# singular/plural forms. Placeholders: {k} a number of cells/groups,
# {threshold}, {symbol}, {n}, {lo}, {hi}, {zeros}.
TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "fewer": "fewer than {n}",
                "band": "{lo} to {hi}",
                "withheld": "not shown",
                "value_withheld": "not shown (fewer than {threshold} persons)",
                "zeros": " (empty cells included)",
                "primary_one": "1 cell with fewer than {threshold} persons{zeros} suppressed",
                "primary_other": "{k} cells with fewer than {threshold} persons{zeros} suppressed",
                "secondary_one": "1 further cell suppressed so that it cannot be derived from the totals",
                "secondary_other": "{k} further cells suppressed so that they cannot be derived from the totals",
                "consistency_one": "1 cell suppressed because it is suppressed elsewhere in this report",
                "consistency_other": "{k} cells suppressed because they are suppressed elsewhere in this report",
                "percent_one": "1 percentage suppressed because its denominator is suppressed",
                "percent_other": "{k} percentages suppressed because their denominator is suppressed",
                "symbol": "{symbol} = suppressed to protect the people counted",
                "small_symbol": "{symbol} = fewer than {threshold} persons",
                "figure_one": "1 group with fewer than {threshold} persons not shown",
                "figure_other": "{k} groups with fewer than {threshold} persons not shown",
                "figure_ledger_one": "1 group not shown because it is suppressed elsewhere in this report",
                "figure_ledger_other": "{k} groups not shown because they are suppressed elsewhere in this report",
                "at_risk": "curves stop where fewer than {threshold} persons remain at risk",
            }
        ),
        "nl": MappingProxyType(
            {
                "fewer": "minder dan {n}",
                "band": "{lo} tot {hi}",
                "withheld": "niet getoond",
                "value_withheld": "niet getoond (minder dan {threshold} personen)",
                "zeros": " (lege cellen inbegrepen)",
                "primary_one": "1 cel met minder dan {threshold} personen{zeros} onderdrukt",
                "primary_other": "{k} cellen met minder dan {threshold} personen{zeros} onderdrukt",
                "secondary_one": "1 andere cel onderdrukt zodat ze niet uit de totalen kan worden afgeleid",
                "secondary_other": "{k} andere cellen onderdrukt zodat ze niet uit de totalen kunnen worden afgeleid",
                "consistency_one": "1 cel onderdrukt omdat ze elders in dit rapport onderdrukt is",
                "consistency_other": "{k} cellen onderdrukt omdat ze elders in dit rapport onderdrukt zijn",
                "percent_one": "1 percentage onderdrukt omdat de noemer onderdrukt is",
                "percent_other": "{k} percentages onderdrukt omdat hun noemer onderdrukt is",
                "symbol": "{symbol} = onderdrukt om de getelde personen te beschermen",
                "small_symbol": "{symbol} = minder dan {threshold} personen",
                "figure_one": "1 groep met minder dan {threshold} personen niet getoond",
                "figure_other": "{k} groepen met minder dan {threshold} personen niet getoond",
                "figure_ledger_one": "1 groep niet getoond omdat ze elders in dit rapport onderdrukt is",
                "figure_ledger_other": "{k} groepen niet getoond omdat ze elders in dit rapport onderdrukt zijn",
                "at_risk": "de curven stoppen waar minder dan {threshold} personen nog risico lopen",
            }
        ),
        "fr": MappingProxyType(
            {
                "fewer": "moins de {n}",
                "band": "de {lo} à {hi}",
                "withheld": "non communiqué",
                "value_withheld": "non communiqué (moins de {threshold} personnes)",
                "zeros": " (cellules vides comprises)",
                "primary_one": "1 cellule de moins de {threshold} personnes{zeros} masquée",
                "primary_other": "{k} cellules de moins de {threshold} personnes{zeros} masquées",
                "secondary_one": "1 autre cellule masquée pour qu'elle ne puisse pas être déduite des totaux",
                "secondary_other": "{k} autres cellules masquées pour qu'elles ne puissent pas être déduites des totaux",
                "consistency_one": "1 cellule masquée parce qu'elle l'est ailleurs dans ce rapport",
                "consistency_other": "{k} cellules masquées parce qu'elles le sont ailleurs dans ce rapport",
                "percent_one": "1 pourcentage masqué parce que son dénominateur est masqué",
                "percent_other": "{k} pourcentages masqués parce que leur dénominateur est masqué",
                "symbol": "{symbol} = masqué pour protéger les personnes comptées",
                "small_symbol": "{symbol} = moins de {threshold} personnes",
                "figure_one": "1 groupe de moins de {threshold} personnes non affiché",
                "figure_other": "{k} groupes de moins de {threshold} personnes non affichés",
                "figure_ledger_one": "1 groupe non affiché parce qu'il est masqué ailleurs dans ce rapport",
                "figure_ledger_other": "{k} groupes non affichés parce qu'ils sont masqués ailleurs dans ce rapport",
                "at_risk": "les courbes s'arrêtent là où moins de {threshold} personnes restent à risque",
            }
        ),
    }
)


@dataclass(frozen=True)
class DisclosurePolicy:
    """Statistical disclosure-control settings for everything that reaches the book.

    Parameters
    ----------
    threshold : int, default 10
        Smallest number of distinct persons a published cell may rest on.
        Cells with ``0 < n < threshold`` are suppressed (primary suppression).
    protect_zeros : bool, default False
        Treat empty cells as small too. Off by default because an empty cell
        identifies nobody and is often structural; turn it on when "nobody in
        this group" is itself a disclosure about everyone in the row.
    symbol : str, default "[c]"
        Text shown in a table for a suppressed cell. May contain
        ``{threshold}``. Must not start with ``"<"``: it also marks
        complementary cells, which may hold large counts.
    small_symbol : str or None, default None
        If set (e.g. ``"<{threshold}"``), small cells show this text and
        complementary cells show ``symbol``.
    bands : tuple of int, default ()
        Band edges for prose, strictly increasing, between 1 and
        ``threshold``. ``(5,)`` gives the bands 1–4 and 5–9.
    band_labels : tuple of str or None
        Labels for the bands (``len(bands) + 1`` of them), overriding the
        generated "fewer than 5" / "5 to 9".
    language : {"en", "nl", "fr"}, default "en"
        Wording of notes and prose.
    texts : mapping, optional
        Overrides for individual entries of :data:`TEXTS`.

    Examples
    --------
    >>> p = DisclosurePolicy.from_mapping({"threshold": 5, "bands": [3]})
    >>> p.prose_small(2), p.prose_small(4)
    ('fewer than 3', '3 to 4')
    """

    threshold: int = 10
    protect_zeros: bool = False
    symbol: str = "[c]"
    small_symbol: str | None = None
    bands: tuple[int, ...] = ()
    band_labels: tuple[str, ...] | None = None
    language: str = "en"
    texts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int) or t < 2:
            raise ValueError(
                f"threshold must be an integer of at least 2, got {t!r}; "
                "pass threshold=10 (the project's default) or your agreed value"
            )
        object.__setattr__(self, "bands", tuple(int(b) for b in self.bands))
        if self.band_labels is not None:
            object.__setattr__(self, "band_labels", tuple(str(s) for s in self.band_labels))
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))
        if self.language not in TEXTS:
            raise ValueError(
                f"language {self.language!r} is not supported; pass language= one of {sorted(TEXTS)}"
            )
        unknown = set(self.texts) - set(TEXTS["en"])
        if unknown:
            raise ValueError(
                f"texts= has unknown entries {sorted(unknown)}; known entries are {sorted(TEXTS['en'])}"
            )
        if self.table_symbol(small=False).lstrip().startswith(("<", "≤", "&lt;")):
            raise ValueError(
                f"symbol={self.symbol!r} would label complementary cells, which may hold large "
                "counts, as small; use a neutral symbol such as symbol='[c]' and, if you want "
                "small cells shown as '<10', pass small_symbol='<{threshold}'"
            )
        edges = (1, *self.bands, t)
        if any(a >= b for a, b in zip(edges, edges[1:])) or (self.bands and self.bands[0] <= 1):
            raise ValueError(
                f"bands={self.bands!r} must be strictly increasing edges between 2 and "
                f"threshold-1={t - 1}, e.g. bands=(5,)"
            )
        if self.band_labels is not None and len(self.band_labels) != len(self.bands) + 1:
            raise ValueError(
                f"band_labels needs {len(self.bands) + 1} labels for bands={self.bands!r}, "
                f"got {len(self.band_labels)}"
            )

    # -- construction ----------------------------------------------------
    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> DisclosurePolicy:
        """Build a policy from the workspace configuration (a plain mapping).

        Unknown keys are an error (a misspelt ``treshold`` must not silently
        fall back to the default). Lists become tuples.
        """
        if mapping is None:
            return cls()
        if isinstance(mapping, DisclosurePolicy):
            return mapping
        if not isinstance(mapping, Mapping):
            raise TypeError(
                f"from_mapping expects a mapping such as {{'threshold': 10}}, got {type(mapping).__name__}"
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(
                f"unknown disclosure setting(s) {unknown}; known settings are {sorted(known)}"
            )
        kwargs = {
            k: tuple(v) if isinstance(v, list) else v for k, v in mapping.items()
        }
        return cls(**kwargs)

    def to_mapping(self) -> dict[str, Any]:
        """The policy as a JSON/YAML-friendly mapping (inverse of :meth:`from_mapping`)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, Mapping):
                v = dict(v)
            out[f.name] = v
        return out

    # -- rules -----------------------------------------------------------
    def is_small(self, n: float) -> bool:
        """Whether a cell of ``n`` distinct persons must be suppressed (primary)."""
        if n is None or (isinstance(n, float) and math.isnan(n)):
            raise ValueError("a person count is missing (NaN); count persons with person_counts() first")
        if n < 0:
            raise ValueError(f"a person count cannot be negative, got {n}")
        if n == 0:
            return self.protect_zeros
        return n < self.threshold

    def text(self, key: str, **kwargs: Any) -> str:
        """The policy's wording for ``key`` (see :data:`TEXTS`), formatted."""
        template = self.texts.get(key, TEXTS[self.language][key])
        kwargs.setdefault("threshold", self.threshold)
        return template.format(**kwargs)

    def text_editions(self, key: str, **kwargs: Any):
        """:meth:`text` in each of the report's languages, as one :class:`analysis.editions.Multilingual`
        (the policy's own wording for its language, :data:`TEXTS` for the others)."""
        from analysis.editions import LANGUAGES, Multilingual

        kwargs.setdefault("threshold", self.threshold)
        texts = {}
        for lang in LANGUAGES:
            template = self.texts.get(key) if (lang == self.language and key in self.texts) else TEXTS.get(lang, {}).get(key)
            if template is not None:
                texts[lang] = template.format(**kwargs)
        return Multilingual(texts)

    def plural(self, stem: str, k: int, **kwargs: Any) -> str:
        """Singular or plural wording (``stem_one`` / ``stem_other``) for ``k`` items."""
        return self.text(f"{stem}_{'one' if k == 1 else 'other'}", k=k, **kwargs)

    def table_symbol(self, *, small: bool) -> str:
        """Text shown in a table for a suppressed cell (``small`` = primary)."""
        template = self.small_symbol if (small and self.small_symbol is not None) else self.symbol
        return template.format(threshold=self.threshold)

    @property
    def distinguishes_small(self) -> bool:
        """Whether tables show small and complementary cells differently."""
        return self.small_symbol is not None and self.table_symbol(small=True) != self.table_symbol(small=False)

    def band_label(self, n: int) -> str:
        """Prose label of the band that contains the small count ``n``."""
        edges = (1, *self.bands, self.threshold)
        for i, (lo, hi) in enumerate(zip(edges, edges[1:])):
            if n < hi:
                if self.band_labels is not None:
                    return self.band_labels[i]
                if i == 0:
                    return self.text("fewer", n=hi)
                return self.text("band", lo=lo, hi=hi - 1)
        raise ValueError(f"{n} is not below the threshold {self.threshold}")

    def prose_small(self, n: int) -> str:
        """Prose for a small count: "fewer than 10", or its band label."""
        if n == 0 and self.protect_zeros:
            return self.band_label(1)
        return self.band_label(int(n))

    def note_symbol(self) -> list[str]:
        """The legend lines explaining the symbols used in tables."""
        lines = [self.text("symbol", symbol=self.table_symbol(small=False))]
        if self.distinguishes_small:
            lines.insert(0, self.text("small_symbol", symbol=self.table_symbol(small=True)))
        return lines


DEFAULT_POLICY = DisclosurePolicy()
