"""Versioned, trilingual instrument definitions: load, validate, diff, harmonise."""

from .errors import DefinitionError, DefinitionProblem
from .expr import Expression, ExpressionError, parse
from .guides import GuideCatalogue, TopicGuide
from .loader import Catalogue, InstrumentDefinition, default_root, version_key
from .model import Choice, Instrument, Item, Scale, NONRESPONSE_DEFAULT_CODES
from .text import LANGUAGE_NAMES, LANGUAGES, TranslationSource

__all__ = [
    "Catalogue",
    "GuideCatalogue",
    "TopicGuide",
    "InstrumentDefinition",
    "DefinitionError",
    "DefinitionProblem",
    "Expression",
    "ExpressionError",
    "parse",
    "default_root",
    "version_key",
    "Choice",
    "Instrument",
    "Item",
    "Scale",
    "NONRESPONSE_DEFAULT_CODES",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "TranslationSource",
]
