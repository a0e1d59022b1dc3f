"""Load instrument definitions, resolve scales and check them across files.

Usage::

    from evaluation.instruments import Catalogue
    cat = Catalogue()                       # the repository's instruments/
    det = cat.instrument("detainee")        # latest version
    det10 = cat.instrument("detainee", "1.0")

Every problem in a definition is collected before failing; the
:class:`~evaluation.instruments.errors.DefinitionError` lists each with the
file, the item and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from . import frozen
from .errors import DefinitionError, DefinitionProblem
from .expr import ExpressionError, parse
from .model import Choice, FactorList, Instrument, Item, Scale, ScaleRef, SiteList
from .text import LANGUAGES, TranslationSource

__all__ = [
    "Catalogue",
    "InstrumentDefinition",
    "default_root",
    "version_key",
    "LICENSED_TEXTS_ENV",
]

LICENSED_TEXTS_ENV = "PEER_EVAL_LICENSED_TEXTS"
ROOT_ENV = "PEER_EVAL_INSTRUMENTS"
NON_INSTRUMENT_DIRS = {"scales", "interviews", "schema"}


def default_root() -> Path:
    """The instruments folder: ``$PEER_EVAL_INSTRUMENTS`` or the repository's ``instruments/``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "instruments"


def read_yaml_mapping(path: Path, rel: str, problems: list[DefinitionProblem]) -> dict | None:
    """The mapping a definition file holds, or None after adding the problem to ``problems``."""
    try:
        # libyaml's parser when present (same data, several times faster: intake loads every version)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(DefinitionProblem(rel, None, f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                                          "correct the YAML syntax (indentation, quotes, colons)"))
        return None
    if not isinstance(data, dict):
        problems.append(DefinitionProblem(rel, None, "does not contain a mapping of fields",
                                          "start the file with 'id:', 'version:', ..."))
        return None
    return data


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@dataclass(frozen=True)
class InstrumentDefinition:
    """An instrument with its scales expanded: what exports and intake work from."""

    meta: Instrument
    items: tuple[Item, ...]
    choices: dict[str, list[Choice]]
    scales: dict[str, Scale]
    sites: SiteList
    path: Path
    sha256: str
    licensed_texts_missing: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def ref(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"

    @cached_property
    def _by_name(self) -> dict[str, Item]:
        return {i.name: i for i in self.items}

    def item(self, name: str) -> Item:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.ref} has no item '{name}'") from None

    def item_specs(self, lang: str = "en", *, items: list[str] | None = None,
                   factor: str | None = None) -> list[dict]:
        """Plain mappings of single-choice items for ``analysis.items.ItemSpec.from_mapping``.

        Each has the item's ``name``, its wording (``label``) and answer labels in
        ``lang``, its nonresponse codes with their kind, and the factor tag
        (``factor``, ``cfir``, ``reverse``) the definition gives it. ``items``
        picks and orders items by name; ``factor`` keeps the items tagged with it.
        """
        from evaluation.exports.common import PHRASES  # the templates' nonresponse labels

        chosen = [self.item(n) for n in items] if items is not None else list(self.items)
        out = []
        for it in chosen:
            if it.type != "single_choice" or (factor and (not it.factor or it.factor.id != factor)):
                continue
            text = lambda t: t.get(lang) or t.get("en") or next(iter(t.values()))  # noqa: E731
            out.append({
                "name": it.name,
                "label": text(it.label),
                "choices": [{"code": c.code, "label": text(c.label)} for c in self.choices[it.choices]],
                "nonresponse": [{"code": code, "kind": kind, "label": PHRASES[kind].get(lang, PHRASES[kind]["en"])}
                                for kind, code in self.nonresponse_codes(it).items()],
                "factor": it.factor.id if it.factor else None,
                "cfir": it.factor.cfir if it.factor else None,
                "reverse": bool(it.factor.reverse) if it.factor else False,
            })
        return out

    def role_item(self, role: str) -> Item | None:
        return next((i for i in self.items if i.role == role), None)

    def codes(self, item: Item) -> list[int]:
        return [c.code for c in self.choices[item.choices]] if item.choices else []

    def item_columns(self, item: Item) -> list[str]:
        return item.columns(self.codes(item))

    def columns(self) -> list[str]:
        """Every data column, in questionnaire order."""
        return [c for i in self.items for c in self.item_columns(i)]

    def nonresponse_codes(self, item: Item) -> dict[str, int]:
        return {k: self.meta.nonresponse_codes[k] for k in item.nonresponse}

    def provenance(self, item: Item, lang: str) -> TranslationSource:
        """Where ``item``'s text in ``lang`` comes from (item, then its scale, then the file)."""
        if item.translation and lang in item.translation:
            return item.translation[lang]
        if item.scale:
            scale = self.scales[item.scale]
            if lang in scale.translation:
                return scale.translation[lang]
            return TranslationSource.original
        if lang in self.meta.translation:
            return self.meta.translation[lang]
        return TranslationSource.original

    def unvalidated_languages(self) -> list[str]:
        """Languages in which some text is a project translation not yet validated."""
        return [
            lang
            for lang in self.meta.languages
            if any(self.provenance(i, lang).unvalidated for i in self.items)
            or (self.meta.translation.get(lang) is TranslationSource.project)
        ]


class Catalogue:
    """All instrument, scale and site-list definitions under one folder."""

    def __init__(self, root: Path | str | None = None, *, licensed_texts: Path | str | None = None):
        self.root = Path(root) if root else default_root()
        lt = licensed_texts or os.environ.get(LICENSED_TEXTS_ENV)
        self.licensed_texts_path = Path(lt) if lt else None
        self._cache: dict[tuple[str, str], InstrumentDefinition] = {}

    # -- discovery -------------------------------------------------------
    def instrument_ids(self) -> list[str]:
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and p.name not in NON_INSTRUMENT_DIRS and any(p.glob("*.yaml"))
        )

    def versions(self, instrument_id: str) -> list[str]:
        folder = self.root / instrument_id
        if not folder.is_dir():
            known = ", ".join(self.instrument_ids())
            raise KeyError(f"no instrument '{instrument_id}'; known instruments: {known}")
        return sorted((p.stem for p in folder.glob("*.yaml")), key=version_key)

    def latest(self, instrument_id: str, *, published_only: bool = False) -> str:
        versions = self.versions(instrument_id)
        if published_only:
            versions = [v for v in versions if self.instrument(instrument_id, v).meta.status == "published"]
        return versions[-1]

    def scale_ids(self) -> list[tuple[str, str]]:
        return sorted((p.stem.rsplit("_", 1)[0], p.stem.rsplit("_", 1)[1])
                      for p in (self.root / "scales").glob("*_*.yaml"))

    # -- loading ---------------------------------------------------------
    def instrument(self, instrument_id: str, version: str | None = None) -> InstrumentDefinition:
        version = version or self.latest(instrument_id)
        key = (instrument_id, version)
        if key not in self._cache:
            path = self.root / instrument_id / f"{version}.yaml"
            if not path.exists():
                raise KeyError(
                    f"no version {version} of '{instrument_id}'; "
                    f"versions: {', '.join(self.versions(instrument_id))}"
                )
            self._cache[key] = self._load_instrument(path)
        return self._cache[key]

    def parse_ref(self, ref: str) -> InstrumentDefinition:
        """Load ``"detainee@1.1"`` or ``"detainee"`` (latest)."""
        name, _, version = ref.partition("@")
        return self.instrument(name, version or None)

    def scale(self, scale_id: str, version: str) -> Scale:
        problems: list[DefinitionProblem] = []
        scale = self._load_scale(scale_id, version, problems)
        if problems:
            raise DefinitionError(problems)
        return scale

    def sites(self, name: str = "sites") -> SiteList:
        problems: list[DefinitionProblem] = []
        sites = self._load_sites(name, problems)
        if problems:
            raise DefinitionError(problems)
        return sites

    def factors(self, name: str = "factors") -> FactorList:
        """The implementation factors items are tagged with (``instruments/factors.yaml``)."""
        problems: list[DefinitionProblem] = []
        factors = self._load_factors(name, problems)
        if problems:
            raise DefinitionError(problems)
        return factors

    def _load_factors(self, name: str, problems: list[DefinitionProblem]) -> FactorList | None:
        path = self.root / f"{name}.yaml"
        if not path.exists():
            problems.append(DefinitionProblem(self._rel(path), None, "factor list not found",
                                              f"create instruments/{name}.yaml or remove the 'factor:' tags"))
            return None
        data = self._read_yaml(path, problems)
        return None if data is None else self._validate(FactorList, data, path, problems)

    def check_all(self) -> list[DefinitionProblem]:
        """Load every definition; return every problem found (empty when all is well)."""
        problems: list[DefinitionProblem] = []
        for iid in self.instrument_ids():
            for v in self.versions(iid):
                try:
                    self._load_instrument(self.root / iid / f"{v}.yaml")
                except DefinitionError as exc:
                    problems.extend(exc.problems)
        for sid, v in self.scale_ids():
            self._load_scale(sid, v, problems)
        if (self.root / "factors.yaml").exists():
            self._load_factors("factors", problems)
        return problems

    # -- internals -------------------------------------------------------
    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _read_yaml(self, path: Path, problems: list[DefinitionProblem]) -> dict | None:
        return read_yaml_mapping(path, self._rel(path), problems)

    def _validate(self, model, data: dict, path: Path, problems: list[DefinitionProblem]):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            rel = self._rel(path)
            for err in exc.errors():
                loc = err["loc"]
                item = None
                if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
                    try:
                        raw = data["items"][loc[1]]
                        item = raw.get("name") or raw.get("scale") or f"#{loc[1] + 1}"
                    except (IndexError, KeyError, AttributeError, TypeError):
                        item = f"#{loc[1] + 1}"
                    loc = loc[2:]
                    # drop the union branch name pydantic inserts
                    if loc and loc[0] in ("item", "scale"):
                        loc = loc[1:]
                field_path = ".".join(str(p) for p in loc) or "(the item)"
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    fix = f"remove or rename '{field_path}' (see instruments/README.md for the fields)"
                    msg = f"unknown field '{field_path}'"
                elif err["type"] == "missing":
                    fix = f"add '{field_path}'"
                    msg = f"field '{field_path}' is missing"
                elif "|" in msg:
                    msg, fix = msg.split("|", 1)
                    if loc:
                        msg = f"field '{field_path}' {msg}"
                else:
                    fix = f"correct '{field_path}' (see instruments/README.md)"
                    msg = f"field '{field_path}': {msg}"
                problems.append(DefinitionProblem(rel, item, msg, fix))
            return None

    def _check_frozen(self, path: Path, status: str, problems: list[DefinitionProblem]) -> str:
        digest = frozen.content_hash(path)
        if status != "published":
            return digest
        rel = self._rel(path)
        registered = frozen.read_registry(self.root).get(rel)
        if registered is None:
            problems.append(DefinitionProblem(
                rel, None, "is published but not in the registry of published versions",
                "run 'peer-eval instruments freeze' to register it (this freezes it for good)"))
        elif registered != digest:
            problems.append(DefinitionProblem(
                rel, None, "is a published version that was edited after publication",
                "undo the edit (git checkout the file) and put the change in a new version "
                "with status: draft"))
        return digest

    def _load_sites(self, name: str, problems: list[DefinitionProblem]) -> SiteList | None:
        path = self.root / f"{name}.yaml"
        if not path.exists():
            problems.append(DefinitionProblem(self._rel(path), None, "site list not found",
                                              f"create instruments/{name}.yaml or correct 'sites:'"))
            return None
        data = self._read_yaml(path, problems)
        return None if data is None else self._validate(SiteList, data, path, problems)

    def _load_scale(self, scale_id: str, version: str, problems: list[DefinitionProblem]) -> Scale | None:
        path = self.root / "scales" / f"{scale_id}_{version}.yaml"
        rel = self._rel(path)
        if not path.exists():
            problems.append(DefinitionProblem(rel, None, f"scale {scale_id} version {version} not found",
                                              f"add instruments/scales/{scale_id}_{version}.yaml or correct the reference"))
            return None
        data = self._read_yaml(path, problems)
        if data is None:
            return None
        scale = self._validate(Scale, data, path, problems)
        if scale is None:
            return None
        if (scale.id, scale.version) != (scale_id, version):
            problems.append(DefinitionProblem(rel, None,
                f"declares id '{scale.id}' version {scale.version} but its file name says {scale_id} {version}",
                "make the file name scales/<id>_<version>.yaml match the fields"))
        self._check_frozen(path, scale.status, problems)
        names = [i.name for i in scale.items]
        for r in scale.scoring.reverse:
            if r not in names:
                problems.append(DefinitionProblem(rel, r, "is listed as reverse-keyed but is not an item of the scale",
                                                  "correct the name in scoring.reverse"))
        if scale.scoring.max_missing >= len(names):
            problems.append(DefinitionProblem(rel, None, "tolerates as many missing items as it has items",
                                              "lower scoring.max_missing"))
        if scale.licensed_texts:
            for i in scale.items:
                if any(t.strip() for t in i.label.values()):
                    problems.append(DefinitionProblem(rel, i.name,
                        "is an item of a licensed scale but the repository file contains its text",
                        "remove the label text: licensed item texts come only from a local file "
                        f"(${LICENSED_TEXTS_ENV})"))
        else:
            langs = set(scale.translation) or set(LANGUAGES)
            self._check_texts(rel, None, "title", scale.title, langs, problems)
            for i in scale.items:
                self._check_texts(rel, i.name, "label", i.label, langs, problems)
        return scale

    def _licensed_texts(self, scale: Scale) -> dict[str, dict[str, str]]:
        if self.licensed_texts_path is None or not self.licensed_texts_path.exists():
            return {}
        data = yaml.safe_load(self.licensed_texts_path.read_text(encoding="utf-8")) or {}
        return (data.get(scale.id) or {}).get("items", {})

    def _check_texts(self, rel, item, what, text, langs, problems):
        if text is None:
            return
        missing = [l for l in sorted(langs) if not (text.get(l) or "").strip()]
        if missing:
            problems.append(DefinitionProblem(rel, item, f"{what} has no text in {', '.join(missing)}",
                                              f"add the {what} in {', '.join(missing)} (or remove the language from 'languages')"))

    def _load_instrument(self, path: Path) -> InstrumentDefinition:
        problems: list[DefinitionProblem] = []
        rel = self._rel(path)
        data = self._read_yaml(path, problems)
        if data is None:
            raise DefinitionError(problems)
        meta = self._validate(Instrument, data, path, problems)
        if meta is None:
            raise DefinitionError(problems)
        folder_id, file_version = path.parent.name, path.stem
        if (meta.id, meta.version) != (folder_id, file_version):
            problems.append(DefinitionProblem(rel, None,
                f"declares id '{meta.id}' version {meta.version} but lives in {folder_id}/{file_version}.yaml",
                "make the folder name the id and the file name the version"))
        digest = self._check_frozen(path, meta.status, problems)
        langs = set(meta.languages)
        sites = self._load_sites(meta.sites, problems)
        _factors: list = []

        def factor_ids() -> set[str] | None:
            if not _factors:
                fl = self._load_factors("factors", problems)
                _factors.append(None if fl is None else {f.id for f in fl.factors})
            return _factors[0]

        # expand scales
        choices: dict[str, list[Choice]] = dict(meta.choices)
        scales: dict[str, Scale] = {}
        items: list[Item] = []
        missing_licensed: list[str] = []
        for entry in meta.items:
            if isinstance(entry, Item):
                items.append(entry)
                continue
            scale = self._load_scale(entry.scale, entry.version, problems)
            if scale is None:
                continue
            if meta.status == "published" and scale.status != "published":
                problems.append(DefinitionProblem(rel, entry.scale,
                    f"a published instrument uses the draft scale {entry.scale} {entry.version}",
                    "publish the scale first or keep the instrument a draft"))
            scales[scale.id] = scale
            list_name = f"scale_{scale.id}"
            choices[list_name] = scale.response_choices
            texts = self._licensed_texts(scale) if scale.licensed_texts else {}
            for n, it in enumerate(scale.items, start=1):
                label = dict(it.label)
                if scale.licensed_texts:
                    supplied = texts.get(it.name) or {}
                    label = {l: supplied.get(l) or
                             f"[{scale.id.upper()} item {n}: licensed text not shipped; supply it in ${LICENSED_TEXTS_ENV}]"
                             for l in meta.languages}
                    if not supplied:
                        missing_licensed.append(it.name)
                items.append(it.model_copy(update={
                    "type": "single_choice", "choices": list_name, "label": label,
                    "required": entry.required, "relevant": entry.relevant or it.relevant,
                    "scale": scale.id,
                    "nonresponse": it.nonresponse or ["dont_know", "refused"],
                }))

        names = [i.name for i in items]
        seen: set[str] = set()
        for n in names:
            if n in seen:
                problems.append(DefinitionProblem(rel, n, "is used as an item name more than once",
                                                  "give each item a unique name (scales add their own items)"))
            seen.add(n)

        # texts in every language
        self._check_texts(rel, None, "title", meta.title, langs, problems)
        self._check_texts(rel, None, "introduction", meta.introduction, langs, problems)
        for w in meta.waves:
            self._check_texts(rel, f"wave {w.name}", "label", w.label, langs, problems)
        for lname, clist in meta.choices.items():
            codes = [c.code for c in clist]
            if len(set(codes)) != len(codes):
                problems.append(DefinitionProblem(rel, f"choice list {lname}", "repeats a code",
                                                  "give each choice a unique code"))
            clash = set(codes) & set(meta.nonresponse_codes.values())
            if clash:
                problems.append(DefinitionProblem(rel, f"choice list {lname}",
                    f"uses the nonresponse code(s) {sorted(clash)} as answers",
                    "choose other codes: nonresponse codes are reserved for don't know / refused / not applicable"))
            for c in clist:
                self._check_texts(rel, f"choice list {lname}", f"choice {c.code}", c.label, langs, problems)
        for it in items:
            if it.scale and scales.get(it.scale) and scales[it.scale].licensed_texts:
                pass
            else:
                self._check_texts(rel, it.name, "label", it.label, langs, problems)
            self._check_texts(rel, it.name, "hint", it.hint, langs, problems)
            if it.constraint:
                self._check_texts(rel, it.name, "constraint message", it.constraint.message, langs, problems)
            if it.range and it.range.message:
                self._check_texts(rel, it.name, "range message", it.range.message, langs, problems)
            if it.choices and it.choices not in choices:
                problems.append(DefinitionProblem(rel, it.name, f"uses the unknown choice list '{it.choices}'",
                    f"define '{it.choices}' under 'choices:' or use one of: {', '.join(sorted(choices)) or 'none defined'}"))
            if it.factor:
                known = factor_ids()
                if known is not None and it.factor.id not in known:
                    problems.append(DefinitionProblem(rel, it.name, f"is tagged with the unknown factor '{it.factor.id}'",
                        f"use one of: {', '.join(sorted(known))} (instruments/factors.yaml)"))
            for what, src in (("relevant", it.relevant), ("constraint", it.constraint.rule if it.constraint else None)):
                if not src:
                    continue
                try:
                    expr = parse(src)
                except ExpressionError as exc:
                    problems.append(DefinitionProblem(rel, it.name, f"{what}: {exc}", f"rewrite the {what} expression"))
                    continue
                unknown = sorted(expr.names - set(names))
                if unknown:
                    problems.append(DefinitionProblem(rel, it.name,
                        f"{what} '{src}' names unknown item(s) {', '.join(unknown)}",
                        "use the name of an item of this instrument"))
                if what == "relevant" and it.name in expr.names:
                    problems.append(DefinitionProblem(rel, it.name, "skip logic refers to the item itself",
                                                      "make it depend on an earlier item"))
            for code_kind in it.nonresponse:
                if code_kind not in meta.nonresponse_codes:
                    problems.append(DefinitionProblem(rel, it.name, f"allows '{code_kind}' but the instrument declares no code for it",
                                                      "add it under nonresponse_codes"))

        # identifier roles
        for role in ("pid", "site", "wave", "date"):
            holders = [i.name for i in items if i.role == role]
            if len(holders) > 1:
                problems.append(DefinitionProblem(rel, holders[1], f"is a second item with role '{role}'",
                                                  f"only one item may carry role '{role}'"))
        has_pid = any(i.role == "pid" for i in items)
        if meta.anonymous and any(i.role == "link" for i in items):
            problems.append(DefinitionProblem(rel, None, "is anonymous but has an identifier with role 'link'",
                                              "remove the identifier or set anonymous: false"))
        if meta.anonymous and has_pid:
            problems.append(DefinitionProblem(rel, None, "is anonymous but has an item with role 'pid'",
                                              "remove the person identifier or set anonymous: false"))
        if not meta.anonymous and not has_pid:
            problems.append(DefinitionProblem(rel, None, "has no item with role 'pid'",
                                              "add the person identifier item, or set anonymous: true"))
        if not any(i.role == "site" for i in items):
            problems.append(DefinitionProblem(rel, None, "has no item with role 'site'", "add the site item (role: site)"))

        # waves
        wave_names = [w.name for w in meta.waves]
        if len(set(wave_names)) != len(wave_names) or len({w.code for w in meta.waves}) != len(meta.waves):
            problems.append(DefinitionProblem(rel, None, "repeats a wave name or code", "make wave names and codes unique"))
        for w in meta.waves:
            if w.window and w.window.after not in wave_names:
                problems.append(DefinitionProblem(rel, f"wave {w.name}", f"has a window after the unknown wave '{w.window.after}'",
                                                  f"use one of: {', '.join(wave_names)}"))
            if w.window and w.window.min_weeks > w.window.max_weeks:
                problems.append(DefinitionProblem(rel, f"wave {w.name}", "window min_weeks is after max_weeks",
                                                  "swap the two"))

        # harmonisation
        for h in meta.harmonisation:
            old_path = path.parent / f"{h.from_version}.yaml"
            if not old_path.exists():
                problems.append(DefinitionProblem(rel, None, f"declares a mapping from version {h.from_version}, which does not exist",
                                                  "correct harmonisation.from_version"))
                continue
            if version_key(h.from_version) >= version_key(meta.version):
                problems.append(DefinitionProblem(rel, None, f"maps from version {h.from_version}, which is not older",
                                                  "map only from older versions"))
            for name in h.items:
                if name not in names:
                    problems.append(DefinitionProblem(rel, name, "has a harmonisation mapping but is not an item of this version",
                                                      "map onto an item of this version"))

        if problems:
            raise DefinitionError(problems)
        return InstrumentDefinition(
            meta=meta, items=tuple(items), choices=choices, scales=scales, sites=sites,
            path=path, sha256=digest, licensed_texts_missing=tuple(missing_licensed),
        )
