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
    # Idempotency-Key is documented on this route and the two consent routes below.
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
    Operation("/v1/messages", "POST", h.send_message, body="body_send_message", scope="messages:send"),
    Operation("/v1/messages", "GET", h.list_messages, query="query_list_messages", scope="messages:read"),
    Operation("/v1/messages/<id>", "GET", h.get_message, path_params=ID, scope="messages:read"),
    Operation("/v1/inbound-messages", "GET", h.list_inbound_messages, query="query_list_inbound_messages",
              scope="messages:read"),
    Operation("/v1/inbound-messages/<id>", "GET", h.get_inbound_message, path_params=ID, scope="messages:read"),
    Operation("/v1/campaigns", "POST", h.create_campaign, body="body_create_campaign", scope="campaigns:write"),
    Operation("/v1/campaigns", "GET", h.list_campaigns, query="query_list_campaigns", scope="campaigns:read"),
    # A static segment outranks <id>: POST /v1/campaigns/review is the pre-check, not a campaign.
    Operation("/v1/campaigns/review", "POST", h.review_campaign_draft, body="body_review_campaign_draft",
              scope="campaigns:write"),
    Operation("/v1/campaigns/<id>", "GET", h.get_campaign, path_params=ID, scope="campaigns:read"),
    Operation("/v1/brands", "POST", h.create_brand, body="body_create_brand", scope="brands:write"),
    Operation("/v1/brands", "GET", h.list_brands, query="query_list_brands", scope="brands:read"),
    Operation("/v1/brands/<id>", "GET", h.get_brand, path_params=ID, scope="brands:read"),
    Operation("/v1/api-keys", "POST", h.create_api_key, body="body_create_api_key", scope="apikeys:write"),
    Operation("/v1/api-keys", "GET", h.list_api_keys, query="query_list_api_keys", scope="apikeys:read"),
    Operation("/v1/api-keys/<id>", "DELETE", h.revoke_api_key, path_params=ID, scope="apikeys:write"),
    Operation("/v1/api-keys/<id>/rotate", "POST", h.rotate_api_key, path_params=ID, scope="apikeys:write"),
    Operation("/v1/webhooks", "POST", h.create_webhook_endpoint, body="body_create_webhook_endpoint",
              scope="webhooks:write"),
    Operation("/v1/webhooks", "GET", h.list_webhook_endpoints, query="query_list_webhook_endpoints",
              scope="webhooks:read"),
    Operation("/v1/webhooks/deliveries", "GET", h.list_webhook_deliveries, query="query_list_webhook_deliveries",
              scope="webhooks:read"),
    Operation("/v1/webhooks/deliveries/<id>/replay", "POST", h.replay_webhook_delivery, path_params=ID,
              body="body_replay_webhook_delivery", scope="webhooks:write"),
    Operation("/v1/webhooks/<id>", "DELETE", h.delete_webhook_endpoint, path_params=ID, scope="webhooks:write"),
    Operation("/v1/consent", "POST", h.capture_attested_consent, body="body_consent", headers="headers_idempotent",
              scope="consent:write", idempotent=True),
    Operation("/v1/consent/double-opt-in", "POST", h.initiate_double_opt_in, body="body_double_opt_in",
              headers="headers_idempotent", scope="consent:write", idempotent=True),
    Operation("/v1/consent/hosted", "POST", h.mint_hosted_consent_token, body="body_hosted_consent",
              scope="consent:write"),
)
