"""This provider's JSON Schemas, kept as data: request parts, responses, the scenario section."""

from pathlib import Path

from ....validation import SchemaStore

SCHEMAS = SchemaStore(Path(__file__).parent)
