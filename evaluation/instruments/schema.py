"""JSON Schemas of the definition format, so editors can check a file while it is written.

Generated from the pydantic models; ``instruments/schema/*.schema.json`` are
written by ``peer-eval instruments schema`` and a test keeps them current.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import FactorList, Instrument, Scale, SiteList

__all__ = ["SCHEMAS", "schema_documents", "write_schemas"]

SCHEMAS = {"instrument": Instrument, "scale": Scale, "sites": SiteList, "factors": FactorList}


def schema_documents() -> dict[str, dict]:
    docs = {}
    for name, model in SCHEMAS.items():
        doc = model.model_json_schema()
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["title"] = f"peer-eval {name} definition"
        docs[f"{name}.schema.json"] = doc
    return docs


def write_schemas(folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, doc in schema_documents().items():
        path = folder / fname
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
