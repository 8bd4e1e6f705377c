"""Acme Lines: rent a number from the shared inventory, list, get, give back."""

from __future__ import annotations

from fakeroute.errors import ApiError
from fakeroute.providers.base import Call, Reply

from . import rendering
from .models import KINDS, AcmeAccount, Line


def _account(call: Call) -> AcmeAccount:
    return call.scope.state


def _line(call: Call) -> Line:
    found = _account(call).lines.get(call.path["id"])
    if found is None:
        raise ApiError(404, f"no line {call.path['id']}", field="id")
    return found


def list_lines(call: Call) -> Reply:
    lines = sorted(_account(call).lines.values(), key=lambda item: item.id)[: call.query.get("limit", 50)]
    return Reply(200, {"lines": [rendering.line(item) for item in lines]})


def rent_line(call: Call) -> Reply:
    offered = call.scope.inventory.take(call.body["number"])
    if offered is None:
        raise ApiError(409, f"{call.body['number']} is not available", field="number")
    item = Line(f"ln_{call.scope.ids.next('acme.line')}", offered.value, KINDS[offered.number_type],
                call.body.get("label", ""))
    _account(call).lines[item.id] = item
    return Reply(201, rendering.line(item))


def get_line(call: Call) -> Reply:
    return Reply(200, rendering.line(_line(call)))


def return_line(call: Call) -> Reply:
    item = _line(call)
    del _account(call).lines[item.id]
    call.scope.inventory.put_back(item.number)
    return Reply(204)
