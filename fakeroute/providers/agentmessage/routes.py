"""AgentMessage's URL rules, and the lookup the provider uses to find the operation before validating."""

from __future__ import annotations

from ..base import Operation
from . import handlers as h
from .scopes import REQUIRED

OPERATIONS: tuple[Operation, ...] = (
    Operation("/v1/phone-numbers/search", "POST", h.search_phone_numbers, body="body_search"),
    Operation("/v1/phone-numbers/orders", "POST", h.order_phone_numbers, body="body_order"),
    Operation("/v1/phone-numbers", "GET", h.list_phone_numbers, query="query_list_numbers"),
    Operation("/v1/phone-numbers/bulk", "POST", h.bulk_order_phone_numbers, body="body_bulk_order"),
    Operation("/v1/phone-numbers/bulk/release", "POST", h.bulk_release_phone_numbers,
              query="query_bulk_release", body="body_bulk_release"),
    Operation("/v1/phone-numbers/bulk/<id>", "GET", h.get_bulk_order),
    Operation("/v1/phone-numbers/<id>", "GET", h.get_phone_number),
    Operation("/v1/phone-numbers/<id>", "PATCH", h.update_phone_number, body="body_update"),
    Operation("/v1/phone-numbers/<id>", "DELETE", h.release_phone_number, query="query_release"),
    Operation("/v1/campaigns", "GET", h.list_campaigns, query="query_list_campaigns"),
    Operation("/v1/campaigns/<id>", "GET", h.get_campaign),
    Operation("/v1/brands", "GET", h.list_brands, query="query_list_brands"),
    Operation("/v1/brands/<id>", "GET", h.get_brand),
)

# Operations whose semantics read the Idempotency-Key header (documented on this route only).
IDEMPOTENT = frozenset({"bulk_order_phone_numbers"})


def _tables() -> tuple[dict[tuple[str, str], Operation], dict[tuple[str, str], tuple[Operation, str]]]:
    """(method, path) -> operation for literal paths, and (method, parent) -> (operation, variable) for
    paths ending in one variable: every AgentMessage route has one of these shapes, checked at import."""
    literal: dict[tuple[str, str], Operation] = {}
    variable: dict[tuple[str, str], tuple[Operation, str]] = {}
    for op in OPERATIONS:
        parent, _, last = op.path.rpartition("/")
        if "<" in parent:
            raise ValueError(f"{op.path}: only the last segment may be a variable")
        if op.name not in REQUIRED:
            raise ValueError(f"{op.name}: no required scope declared in scopes.REQUIRED")
        if last.startswith("<"):
            variable[(op.method, parent)] = (op, last[1:-1])
        else:
            literal[(op.method, op.path)] = op
    return literal, variable


_LITERAL, _VARIABLE = _tables()


def resolve(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation the app's URL map picked for this request, and its path arguments.

    The shared app does not pass the operation to ``authenticate``, yet scopes must be checked
    (403) before the input is validated (422), so the provider finds it again: two dict lookups,
    literal paths first as werkzeug prefers them.
    """
    method = "GET" if method == "HEAD" else method
    path = path.rstrip("/") or "/"
    op = _LITERAL.get((method, path))
    if op is not None:
        return op, {}
    parent, _, last = path.rpartition("/")
    hit = _VARIABLE.get((method, parent))
    if hit is None:
        return None
    return hit[0], {hit[1]: last}
