"""Acme's error body: ``{"error": {"status", "message", "field"}}``."""

from __future__ import annotations

from typing import Any

from fakeroute.errors import ApiError


def error_document(error: ApiError) -> dict[str, Any]:
    return {"error": {"status": error.status, "message": error.detail, "field": error.field}}
