"""Acme's JSON Schemas, kept as data."""

from pathlib import Path

from fakeroute.validation import SchemaStore

SCHEMAS = SchemaStore(Path(__file__).parent)
