"""Flowroute's JSON:API documents: numbers, routes, available numbers, MDRs, webhooks, E911 addresses, CNAM
records, CDR exports, portability, paginated lists."""

from __future__ import annotations

import csv
import gzip
import io
import mimetypes
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode

from ...inventory import AvailableNumber
from .models import (
    CDR_COLUMNS,
    COMPLETED,
    E911,
    E911_ATTRIBUTES,
    NUMBER_TYPES,
    CallRecord,
    CdrExport,
    Cnam,
    EdgeStrategy,
    Media,
    Message,
    Number,
    Receipt,
    Route,
    amount_display,
    mdr_time,
)

MEDIA_TYPE = "application/vnd.api+json"


def route_resource(route: Route, base: str) -> dict[str, Any]:
    return {
        "type": "route",
        "id": route.id,
        "attributes": {"route_type": route.route_type, "alias": route.alias, "value": route.value,
                       "edge_strategy": route.edge_strategy},
        "links": {"self": f"{base}/v2/routes/{route.id}"},
    }


def edge_strategies_document(strategies: Iterable[EdgeStrategy]) -> dict[str, Any]:
    """GET /v2/routes/edge_strategies: every PoP, integer ids, no links (Flowroute's example)."""
    return {"data": [
        {"attributes": {"description": e.description, "firewall_rules": e.firewall_rules, "name": e.name,
                        "naptr": e.naptr},
         "id": e.id, "type": "edge_strategy"}
        for e in strategies
    ]}


def created_route_document(route: Route, base: str) -> dict[str, Any]:
    # The real answer (tutorial and spec example) links to /routes/<id>, without /v2.
    self_link = f"{base}/routes/{route.id}"
    resource = route_resource(route, base)
    resource["links"] = {"self": self_link}
    return {"data": resource, "links": {"self": self_link}}


def number_resource(number: Number, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": number.value,
        "attributes": {
            "rate_center": number.rate_center,
            "value": number.value,
            "alias": number.alias,
            "state": number.state,
            "number_type": number.number_type,
            "cnam_lookups_enabled": number.cnam_lookups_enabled,
        },
        "links": {"self": f"{base}/v2/numbers/{number.value}"},
    }


def _link(kind: str, record_id: str | None) -> dict[str, Any]:
    return {"data": None if record_id is None else {"type": kind, "id": record_id}}


def number_document(number: Number, routes: Mapping[str, Route], base: str) -> dict[str, Any]:
    """GET /v2/numbers/{id}: the number with its relationships and the routes they point to."""
    resource = number_resource(number, base)
    resource["relationships"] = {
        "cnam_preset": _link("cnam", number.cnam),
        "e911_address": _link("e911", number.e911),
        "failover_route": _link("route", number.failover_route),
        "primary_route": _link("route", number.primary_route),
    }
    included_ids = dict.fromkeys(r for r in (number.primary_route, number.failover_route) if r is not None)
    return {
        "data": resource,
        "included": [route_resource(routes[r], base) for r in included_ids if r in routes],
        "links": {"self": f"{base}/v2/numbers/{number.value}"},
    }


def available_number_resource(number: AvailableNumber, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": number.value,
        "attributes": {
            "rate_center": number.rate_center,
            "value": number.value,
            "monthly_cost": number.monthly_cost,
            "state": number.state,
            "number_type": NUMBER_TYPES[number.number_type],
            "setup_cost": number.setup_cost,
        },
        "links": {"related": f"{base}/v2/numbers/{number.value}"},
    }


def area_code_resource(code: str, base: str) -> dict[str, Any]:
    return {
        "type": "areacode",
        "id": code,
        "links": {"related": f"{base}/v2/numbers/available/exchanges?areacode={code}"},
    }


def exchange_resource(code: str, base: str) -> dict[str, Any]:
    return {
        "type": "exchange",
        "id": code,
        "links": {"related": f"{base}/v2/numbers/available?starts_with=1{code}"},
    }


def page_document(
    items: list[dict[str, Any]],
    *,
    base: str,
    path: str,
    filters: Mapping[str, Any],
    limit: int,
    offset: int,
    has_more: bool,
) -> dict[str, Any]:
    """A list with ``links.self`` and, when more items follow, ``links.next`` (offset + limit).

    The links write the filters as the README's answers do: in alphabetical order, each in its normal form
    (the handler normalizes: ``starts_with=1646`` for 646, ``max_setup_cost=3`` for 3.25), then ``limit``
    and ``offset``: ``?contains=3&ends_with=7&starts_with=1646&limit=3&offset=0``.
    """

    head = "".join(f"{_quoted(k)}={_quoted(_text(filters[k]))}&" for k in sorted(filters))
    head += f"limit={limit}&offset="

    def link(at: int) -> str:
        return f"{base}{path}?{head}{at}"

    links = {"self": link(offset)}
    if has_more:
        links["next"] = link(offset + limit)
    return {"data": items, "links": links}


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")  # what urlencode(quote_via=quote, safe="") leaves as it is


def _quoted(text: str) -> str:
    """``text`` as urlencode(quote_via=quote, safe="") writes it, without its cost when nothing needs quoting."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- messages (v2.1) ------------------------------------------------------------------------------


def message_link(message_id: str, base: str) -> str:
    return f"{base}/v2.1/messages/{message_id}"


def message_accepted_document(message: Message, base: str) -> dict[str, Any]:
    """POST /v2.1/messages → 202: the new MDR's id and where to look it up."""
    return {"data": {"type": "message", "id": message.id, "links": {"self": message_link(message.id, base)}}}


def receipt_resource(receipt: Receipt) -> dict[str, Any]:
    return {
        "status": receipt.status,
        "status_code": receipt.status_code,
        "status_code_description": receipt.status_code_description,
        "timestamp": mdr_time(receipt.timestamp),
        "level": receipt.level,
    }


def mdr_attributes(message: Message, now: datetime) -> dict[str, Any]:
    """The MDR2 attributes in the order Flowroute's README shows them; receipts newest first."""
    return {
        "body": message.body,
        "status": message.status_at(now),
        "direction": message.direction,
        "amount_nanodollars": message.amount_nanodollars,
        "to": message.to,
        "message_encoding": message.message_encoding,
        "timestamp": mdr_time(message.timestamp),
        "delivery_receipts": [receipt_resource(r) for r in reversed(message.receipts_at(now))],
        "amount_display": amount_display(message.amount_nanodollars),
        "from": message.sender,
        "is_mms": message.is_mms,
        "message_type": message.message_type,
    }


def mdr_resource(message: Message, now: datetime) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": "message", "id": message.id, "attributes": mdr_attributes(message, now)}
    if message.is_mms:
        resource["relationships"] = {"media": {"data": [{"id": m.id, "type": "media"} for m in message.media]}}
    return resource


def mdr_document(message: Message, now: datetime) -> dict[str, Any]:
    """GET /v2.1/messages/{id}: the record alone (the README's answer has no links); an MMS with media also
    has ``included``, its media objects with their URLs, as the MMS callback carries them."""
    document: dict[str, Any] = {"data": mdr_resource(message, now)}
    if message.media:
        document["included"] = [media_resource(m) for m in message.media]
    return document


def mdr_page_document(
    messages: list[Message], now: datetime, *, base: str, query: list[tuple[str, Any]], next_offset: int | None,
) -> dict[str, Any]:
    """GET /v2.1/messages: like the README's answer, ``links`` holds only ``next``, and only when more follow;
    ``included`` holds the media of the page's MMS (only when there are any).

    The link repeats the query as ``limit``, ``start_date``, ``end_date``, ``offset`` with the dates in their
    UTC ISO form (``2017-12-01T00:00:00+00:00``), percent-encoded.
    """
    links: dict[str, str] = {}
    if next_offset is not None:
        pairs = [*query, ("offset", next_offset)]
        links["next"] = f"{base}/v2.1/messages?{urlencode(pairs, quote_via=quote, safe='')}"
    document: dict[str, Any] = {"data": [mdr_resource(m, now) for m in messages], "links": links}
    media = [media_resource(item) for m in messages for item in m.media]
    if media:
        document["included"] = media
    return document


def media_resource(media: Media) -> dict[str, Any]:
    name = media.url.rsplit("/", 1)[-1].split("?", 1)[0] or "media"
    return {
        "type": "media",
        "id": media.id,
        "attributes": {"file_name": name, "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
                       "url": media.url},
    }


def inbound_webhook_document(message: Message, callback_url: str) -> dict[str, Any]:
    """What an SMS/MMS callback URL receives: the inbound MDR plus ``message_callback_url``; for an MMS the
    media relationships and, in ``included``, each media object with its URL."""
    attributes = mdr_attributes(message, message.timestamp)
    attributes["message_callback_url"] = callback_url
    resource: dict[str, Any] = {"type": "message", "id": message.id, "attributes": dict(sorted(attributes.items()))}
    document: dict[str, Any] = {"data": resource}
    if message.is_mms:
        resource["relationships"] = {"media": {"data": [{"id": m.id, "type": "media"} for m in message.media]}}
        document["included"] = [media_resource(m) for m in message.media]
    return document


def dlr_webhook_document(message: Message, receipt: Receipt, base: str) -> dict[str, Any]:
    """What a DLR callback URL receives for one receipt, as Flowroute's "Receive a DLR" page lists it: ``body``
    empty for an MMS, ``status_code`` a string (null for a level-1 receipt, which has no code), the timestamp
    as the MDR writes it."""
    return {
        "data": {
            "attributes": {
                "body": "" if message.is_mms else message.body,
                "level": receipt.level,
                "status": receipt.status,
                "status_code": None if receipt.status_code is None else str(receipt.status_code),
                "status_code_description": receipt.status_code_description,
                "timestamp": mdr_time(receipt.timestamp),
            },
            "id": message.id,
            "links": {"related": message_link(message.id, base)},
            "type": "delivery_receipt",
        }
    }


# -- E911 addresses ---------------------------------------------------------------------------------


def e911_resource(address: E911, base: str) -> dict[str, Any]:
    """An E911 record as the README shows it: attributes in alphabetical order, the address type and its
    number only when the address has one."""
    attributes = {name: getattr(address, name) for name in sorted(E911_ATTRIBUTES)}
    if address.address_type is None:
        del attributes["address_type"], attributes["address_type_number"]
    return {"attributes": attributes, "id": address.id, "links": {"self": f"{base}/v2/e911s/{address.id}"},
            "type": "e911"}


def e911_document(address: E911, base: str) -> dict[str, Any]:
    """GET, POST and PATCH of one E911 record: the record alone, no top-level links (README)."""
    return {"data": e911_resource(address, base)}


def related_number_resource(number: Number, base: str) -> dict[str, Any]:
    """A number in GET /v2/e911s/{id}/relationships/numbers: only its alias and value (README)."""
    return {"attributes": {"alias": number.alias, "value": number.value}, "id": number.value,
            "links": {"self": f"{base}/v2/numbers/{number.value}"}, "type": "number"}


# -- CNAM records -----------------------------------------------------------------------------------


def cnam_time(moment: datetime) -> str:
    """CNAM times as Flowroute writes them: "2018-06-01 00:09:52.513092+00:00"."""
    return moment.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")


def cnam_resource(cnam: Cnam, base: str) -> dict[str, Any]:
    return {
        "attributes": {
            "approval_datetime": cnam_time(cnam.decided_at) if cnam.is_approved else None,
            "creation_datetime": cnam_time(cnam.created_at),
            "is_approved": cnam.is_approved,
            "rejection_reason": cnam.rejection_reason,
            "value": cnam.value,
        },
        "id": cnam.id,
        "links": {"self": f"{base}/v2/cnams/{cnam.id}"},
        "type": "cnam",
    }


def cnam_document(cnam: Cnam, base: str) -> dict[str, Any]:
    return {"data": cnam_resource(cnam, base)}


def cnam_association_document(cnam_id: str | None, at: datetime) -> dict[str, Any]:
    """PATCH/DELETE /v2/numbers/{id}/relationships/cnam → 202: the record's integer id (null once unassigned)
    and ``date_created`` in HTTP-date form ("Fri, 01 Jun 2018 00:17:52 GMT"), as Flowroute answers."""
    return {"data": {"attributes": {"date_created": format_datetime(at.astimezone(UTC), usegmt=True)},
                     "id": None if cnam_id is None else int(cnam_id), "type": "cnam"}}


# -- CDR exports ------------------------------------------------------------------------------------


def cdr_time(moment: datetime) -> str:
    """CDR export times: UTC to the second with an offset ("2019-03-18T23:20:30+00:00")."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _money(value: float) -> str:
    return f"{value:.6f}"


def cdr_export_attributes(export: CdrExport, download_url: str) -> dict[str, Any]:
    """The attributes of an export, in alphabetical order as the README lists them: the totals, the download
    URL and its expiry are null until the export is completed."""
    done = export.status == COMPLETED
    records = export.records
    subtotal = sum(r.cost_subtotal for r in records)
    totals = {
        "billed_minutes": sum(r.billed_duration for r in records) // 60,
        "call_subtotal": _money(subtotal),
        "ccrf": _money(sum(r.ccrf for r in records)),
        "cnamlookup_fees": _money(sum(r.cnam_lookup_fee for r in records)),
        "connect_fees": _money(0),
        "num_calls": len(records),
        "total_cost": _money(sum(r.total_cost for r in records)),
        "usf_fees": _money(0),
    }
    attributes: dict[str, Any] = {
        "callback_url": export.callback_url,
        "created_at": cdr_time(export.requested_at),
        "download_url": download_url if done else None,
        "expires_at": cdr_time(export.expires_at) if done else None,
        "filter_parameters": export.filter_parameters,
        "requested_at": cdr_time(export.requested_at),
        "status": export.status,
    }
    attributes.update({k: (v if done else None) for k, v in totals.items()})
    return dict(sorted(attributes.items()))


def cdr_export_resource(export: CdrExport, base: str, download_url: str) -> dict[str, Any]:
    return {"attributes": cdr_export_attributes(export, download_url), "id": export.id,
            "links": {"self": f"{base}/v2/cdrs/exports/{export.id}"}, "type": "cdrexport"}


def cdr_export_document(export: CdrExport, base: str, download_url: str) -> dict[str, Any]:
    """POST /v2/cdrs/exports → 201 and GET /v2/cdrs/exports/{id}; also what the callback URL receives."""
    return {"data": cdr_export_resource(export, base, download_url)}


def cdr_list_item(export: CdrExport, download_url: str) -> dict[str, Any]:
    """An item of GET /v2/cdrs/exports: wrapped in its own ``data`` and without links, exactly as the README's
    answer shows and the SDK's cdr_demo reads it (``result['data'][0]['data']['id']``)."""
    return {"data": {"attributes": cdr_export_attributes(export, download_url), "id": export.id,
                     "type": "cdrexport"}}


def cdr_file(records: Iterable[CallRecord]) -> bytes:
    """The export's file: a CSV with the README's header and columns, gzipped (the ``.gz`` the real URL names,
    which the SDK's download_cdr_export unzips). ``mtime=0`` keeps the bytes the same for a seed."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CDR_COLUMNS)
    writer.writerows(r.row() for r in records)
    return gzip.compress(text.getvalue().encode(), mtime=0)


# -- porting ----------------------------------------------------------------------------------------


def portability_document(portable: list[str], nonportable: list[str], hypernetwork: list[str]) -> dict[str, Any]:
    """POST /v2/portorders/portability → 200: the numbers as sent, in three groups (Flowroute's example)."""
    return {"data": {"hypernetwork_enabled": hypernetwork, "nonportable": nonportable, "portable": portable}}
