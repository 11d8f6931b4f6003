"""The chronicle JSON: the versioned contract between the stages, the UI, the exports and evaluations."""

from timeweave.chronicle.export import SCHEMA_VERSION, chronicle, load_schema, validate

__all__ = ["SCHEMA_VERSION", "chronicle", "load_schema", "validate"]
