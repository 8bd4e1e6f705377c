"""AgentMessage's URL rules: path, method, handler and the schemas of the query and the body."""

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

_UNSCOPED = [op.name for op in OPERATIONS if op.name not in REQUIRED]
if _UNSCOPED:  # every operation must say which scope it needs: checked at import
    raise ValueError(f"no required scope declared in scopes.REQUIRED for: {', '.join(_UNSCOPED)}")
