"""Acme's URL rules and their policy."""

from __future__ import annotations

from fakeroute.providers.base import Operation

from . import handlers as h

OPERATIONS: tuple[Operation, ...] = (
    Operation("/acme/v1/lines", "GET", h.list_lines, query="query_list"),
    Operation("/acme/v1/lines", "POST", h.rent_line, body="body_line"),
    Operation("/acme/v1/lines/<id>", "GET", h.get_line, path_params="path"),
    Operation("/acme/v1/lines/<id>", "DELETE", h.return_line, path_params="path"),
)
