"""Exports: every format is an implementation of one `exporter` hook (as datasette's renderers are)."""

from timeweave.export.registry import EXPORTERS, export, exporter, load_exporters

__all__ = ["EXPORTERS", "export", "exporter", "load_exporters"]
