"""The one exception handlers raise for a client error; each provider renders it in its own error format."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class ApiError(Exception):
    """A request the real API would refuse.

    ``status`` is the HTTP status, ``detail`` the human message. ``field`` names the offending
    input (``data.attributes.route_type``, ``limit``, ``id``) when there is one; ``code`` carries a
    provider-specific error code (Twilio's 20404, AgentMessage's ``NOT_FOUND``) and ``extra`` any
    further provider-specific members of the error body.
    """

    status: int
    detail: str
    field: str | None = None
    code: Any = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"
