"""Flowroute's URL rules: path, method, handler and the schemas of the query and the body."""

from __future__ import annotations

from ..base import Operation
from . import handlers as h

CALLBACK_TYPES = "sms_callback, mms_callback, dlr_callback, sms_dlr_callback, mms_dlr_callback"
# Bodies the SDK sends form-encoded (a dict handed to requests): read as forms when they come as one.
FORM_BODIES = frozenset({"create_cnam_record", "check_portability"})
# Not authenticated by credentials: the download URL carries its own signature, as a presigned S3 URL does.
PRESIGNED = frozenset({"download_cdr_export"})
# The SDK writes relationships/cnam, Flowroute's pages relationships/cnams: both are served.
CNAM_RELATIONSHIP = "<any(cnam, cnams):relationship>"

OPERATIONS: tuple[Operation, ...] = (
    # numbers
    Operation("/v2/numbers/available", "GET", h.search_available_numbers, query="query_available"),
    Operation("/v2/numbers/available/areacodes", "GET", h.list_available_area_codes, query="query_areacodes"),
    Operation("/v2/numbers/available/exchanges", "GET", h.list_available_exchange_codes, query="query_exchanges"),
    Operation("/v2/numbers", "GET", h.list_account_phone_numbers, query="query_numbers"),
    Operation("/v2/numbers/<id>", "GET", h.list_phone_number_details),
    Operation("/v2/numbers/<id>", "POST", h.purchase_a_phone_number),
    Operation("/v2/numbers/<id>", "DELETE", h.release_a_did),
    Operation("/v2/numbers/<id>", "PATCH", h.set_did_alias, body="body_alias"),
    # routes
    Operation("/v2/numbers/<number_id>/relationships/primary_route", "PATCH", h.update_primary_voice_route,
              body="body_relationship"),
    Operation("/v2/numbers/<number_id>/relationships/failover_route", "PATCH", h.update_failover_voice_route,
              body="body_relationship"),
    Operation("/v2/routes", "GET", h.list_inbound_routes, query="query_routes"),
    Operation("/v2/routes", "POST", h.create_an_inbound_route, body="body_route"),
    Operation("/v2/routes/edge_strategies", "GET", h.list_edge_strategies),
    # messages
    Operation("/v2/numbers/<id>/relationships/dlr_callback", "POST", h.set_did_level_dlr_callback,
              body="body_callback"),
    Operation("/v2.1/messages", "POST", h.send_a_message, body="body_message"),
    Operation("/v2.1/messages", "GET", h.look_up_a_set_of_messages, query="query_messages"),
    Operation("/v2.1/messages/<id>", "GET", h.look_up_a_message_detail_record),
    Operation(f"/v2.1/messages/<any({CALLBACK_TYPES}):callback_type>", "PUT", h.set_account_level_callback,
              body="body_callback"),
    # E911 addresses
    Operation("/v2/e911s", "GET", h.list_e911s, query="query_e911s"),
    Operation("/v2/e911s", "POST", h.create_address, body="body_e911"),
    Operation("/v2/e911s/validate", "POST", h.validate_address, body="body_e911"),
    Operation("/v2/e911s/<e911_id>", "GET", h.get_e911),
    Operation("/v2/e911s/<e911_id>", "PATCH", h.update_address, body="body_e911_update"),
    Operation("/v2/e911s/<e911_id>", "DELETE", h.delete_address),
    Operation("/v2/e911s/<e911_id>/relationships/numbers", "GET", h.list_dids_for_e911, query="query_page"),
    Operation("/v2/numbers/<number_id>/relationships/e911s/<e911_id>", "PATCH", h.associate),
    Operation("/v2/numbers/<number_id>/relationships/e911s", "DELETE", h.disconnect),
    # CNAM records
    Operation("/v2/cnams", "GET", h.list_cnams, query="query_cnams"),
    Operation("/v2/cnams", "POST", h.create_cnam_record, body="body_cnam"),
    Operation("/v2/cnams/<cnam_id>", "GET", h.get_cnam),
    Operation("/v2/cnams/<cnam_id>", "DELETE", h.remove_cnam),
    Operation(f"/v2/numbers/<number_id>/relationships/{CNAM_RELATIONSHIP}/<cnam_id>", "PATCH", h.associate_cnam),
    Operation(f"/v2/numbers/<number_id>/relationships/{CNAM_RELATIONSHIP}", "DELETE", h.unassociate_cnam),
    # CDR exports
    Operation("/v2/cdrs/exports", "GET", h.list_cdrs, query="query_cdrs"),
    Operation("/v2/cdrs/exports", "POST", h.create_cdr_export, body="body_cdr_export"),
    Operation("/v2/cdrs/exports/<export_id>", "GET", h.get_cdr_export_status),
    Operation("/v2/cdrs/exports/<export_id>/download/<signature>.csv.gz", "GET", h.download_cdr_export),
    # porting
    Operation("/v2/portorders/portability", "POST", h.check_portability, body="body_portability"),
)
