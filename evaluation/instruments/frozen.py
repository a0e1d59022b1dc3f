"""Published versions never change: a registry of their content hashes.

``instruments/published.sha256`` lists ``<sha256>  <relative path>`` for every
published definition. Loading a published file whose content no longer
matches its registered hash fails: a change must be a new version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["REGISTRY_NAME", "content_hash", "read_registry", "register"]

REGISTRY_NAME = "published.sha256"


def content_hash(path: Path) -> str:
    """SHA-256 of a definition file, with line endings normalised to ``\\n``."""
    data = Path(path).read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def read_registry(root: Path) -> dict[str, str]:
    path = Path(root) / REGISTRY_NAME
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, rel = line.split(maxsplit=1)
        out[rel.strip()] = digest
    return out


def register(root: Path, rel_paths: list[str]) -> list[str]:
    """Add published files not yet in the registry; never changes an existing entry.

    Returns the paths newly registered.
    """
    root = Path(root)
    registry = read_registry(root)
    added = []
    for rel in sorted(rel_paths):
        if rel not in registry:
            registry[rel] = content_hash(root / rel)
            added.append(rel)
    lines = ["# Content hashes of published instrument versions. Never edit an entry:",
             "# a published version is frozen; publish a new version instead."]
    lines += [f"{registry[k]}  {k}" for k in sorted(registry)]
    (root / REGISTRY_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added
