"""Errors raised by disclosure control."""

from __future__ import annotations

__all__ = ["DisclosureError"]


class DisclosureError(RuntimeError):
    """Something about to be published would disclose information about a person."""
