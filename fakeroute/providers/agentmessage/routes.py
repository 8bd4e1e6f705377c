"""AgentMessage's URL rules and their policy: path, method, handler, the schemas of each input part,
the scope a key needs (from the endpoint pages) and whether ``Idempotency-Key`` applies."""

from __future__ import annotations

from ..base import Operation
from . import handlers as h

ID = "path"  # schema of the {id} path parameter: a UUID, else 422 with details.id

OPERATIONS: tuple[Operation, ...] = (
    # numbers:write, not read, as documented: a search is a step of buying
    Operation("/v1/phone-numbers/search", "POST", h.search_phone_numbers, body="body_search", scope="numbers:write"),
    Operation("/v1/phone-numbers/orders", "POST", h.order_phone_numbers, body="body_order", scope="numbers:write"),
    Operation("/v1/phone-numbers", "GET", h.list_phone_numbers, query="query_list_numbers", scope="numbers:read"),
    # Idempotency-Key is documented on this route only.
    Operation("/v1/phone-numbers/bulk", "POST", h.bulk_order_phone_numbers, body="body_bulk_order",
              headers="headers_idempotent", scope="numbers:write", idempotent=True),
    Operation("/v1/phone-numbers/bulk/release", "POST", h.bulk_release_phone_numbers,
              query="query_bulk_release", body="body_bulk_release", scope="numbers:write"),
    Operation("/v1/phone-numbers/bulk/<id>", "GET", h.get_bulk_order, path_params=ID, scope="numbers:read"),
    Operation("/v1/phone-numbers/<id>", "GET", h.get_phone_number, path_params=ID, scope="numbers:read"),
    Operation("/v1/phone-numbers/<id>", "PATCH", h.update_phone_number, path_params=ID, body="body_update",
              scope="numbers:write"),
    Operation("/v1/phone-numbers/<id>", "DELETE", h.release_phone_number, path_params=ID, query="query_release",
              scope="numbers:write"),
    Operation("/v1/campaigns", "GET", h.list_campaigns, query="query_list_campaigns", scope="campaigns:read"),
    Operation("/v1/campaigns/<id>", "GET", h.get_campaign, path_params=ID, scope="campaigns:read"),
    Operation("/v1/brands", "GET", h.list_brands, query="query_list_brands", scope="brands:read"),
    Operation("/v1/brands/<id>", "GET", h.get_brand, path_params=ID, scope="brands:read"),
)
