"""The JSON Schemas are current and accept the repository's definitions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from evaluation.instruments.schema import schema_documents

REPO = Path(__file__).resolve().parents[3]
SCHEMA_DIR = REPO / "instruments" / "schema"


def test_committed_schemas_are_current():
    for name, doc in schema_documents().items():
        committed = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(doc)), (
            f"instruments/schema/{name} is out of date: run 'peer-eval instruments schema'")


def _definitions():
    root = REPO / "instruments"
    files = [(p, "instrument") for p in root.glob("*/*.yaml") if p.parent.name not in {"scales", "interviews", "schema"}]
    files += [(p, "scale") for p in (root / "scales").glob("*.yaml")]
    files += [(root / "sites.yaml", "sites"), (root / "factors.yaml", "factors")]
    files += [(p, "instrument") for p in (REPO / "tests" / "fixtures" / "instruments").glob("*/*.yaml")]
    return files


@pytest.mark.parametrize("path, kind", _definitions(), ids=lambda v: str(v)[-40:] if isinstance(v, Path) else v)
def test_definitions_validate_against_schema(path, kind):
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML dates/numbers as JSON would carry them
    doc = json.loads(json.dumps(doc, default=str))
    jsonschema.validate(doc, schema)


def test_schema_catches_a_typo():
    schema = json.loads((SCHEMA_DIR / "instrument.schema.json").read_text(encoding="utf-8"))
    doc = yaml.safe_load((REPO / "tests/fixtures/instruments/mini/1.0.yaml").read_text(encoding="utf-8"))
    doc["items"][0]["lable"] = doc["items"][0].pop("label")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(json.dumps(doc, default=str)), schema)


def test_factor_schema_catches_a_typo_and_a_bad_id():
    schema = json.loads((SCHEMA_DIR / "factors.schema.json").read_text(encoding="utf-8"))
    doc = yaml.safe_load((REPO / "instruments" / "factors.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    typo = json.loads(json.dumps(doc))
    typo["factors"][0]["cfri"] = typo["factors"][0].pop("cfir")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(typo, schema)
    bad_id = json.loads(json.dumps(doc))
    bad_id["factors"][0]["id"] = "Education and training"  # a label, not an id
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad_id, schema)
    assert (REPO / "instruments" / "factors.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=schema/factors.schema.json")
