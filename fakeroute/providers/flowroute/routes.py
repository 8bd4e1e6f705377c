"""Flowroute's URL rules: path, method, handler and the schemas of the query and the body."""

from __future__ import annotations

from ..base import Operation
from . import handlers as h

CALLBACK_TYPES = "sms_callback, mms_callback, dlr_callback, sms_dlr_callback, mms_dlr_callback"

OPERATIONS: tuple[Operation, ...] = (
    Operation("/v2/numbers/available", "GET", h.search_available_numbers, query="query_available"),
    Operation("/v2/numbers/available/areacodes", "GET", h.list_available_area_codes, query="query_areacodes"),
    Operation("/v2/numbers/available/exchanges", "GET", h.list_available_exchange_codes, query="query_exchanges"),
    Operation("/v2/numbers", "GET", h.list_account_phone_numbers, query="query_numbers"),
    Operation("/v2/numbers/<id>", "GET", h.list_phone_number_details),
    Operation("/v2/numbers/<id>", "POST", h.purchase_a_phone_number),
    Operation("/v2/numbers/<id>", "DELETE", h.release_a_did),
    Operation("/v2/numbers/<id>", "PATCH", h.set_did_alias, body="body_alias"),
    Operation("/v2/numbers/<number_id>/relationships/primary_route", "PATCH", h.update_primary_voice_route,
              body="body_relationship"),
    Operation("/v2/numbers/<number_id>/relationships/failover_route", "PATCH", h.update_failover_voice_route,
              body="body_relationship"),
    Operation("/v2/routes", "GET", h.list_inbound_routes, query="query_routes"),
    Operation("/v2/routes", "POST", h.create_an_inbound_route, body="body_route"),
    Operation("/v2/numbers/<id>/relationships/dlr_callback", "POST", h.set_did_level_dlr_callback,
              body="body_callback"),
    Operation("/v2.1/messages", "POST", h.send_a_message, body="body_message"),
    Operation("/v2.1/messages", "GET", h.look_up_a_set_of_messages, query="query_messages"),
    Operation("/v2.1/messages/<id>", "GET", h.look_up_a_message_detail_record),
    Operation(f"/v2.1/messages/<any({CALLBACK_TYPES}):callback_type>", "PUT", h.set_account_level_callback,
              body="body_callback"),
)
