"""The /_fakeroute/ admin API: health, accounts and their credentials, reset, state, journal, faults,
outbox, inbound, clock. Its endpoints are rules of the app's one werkzeug Map (``Admin.rules``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .clock import parse_utc
from .dashboard import render as render_dashboard
from .errors import ApiError
from .validation import MAX_DEPTH, nested_deeper_than

if TYPE_CHECKING:
    from .accounts import Account
    from .world import World

ADMIN_PREFIX = "/_fakeroute"
MAX_ACCOUNT_NAME = 200  # characters


def _json(document: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(document, indent=2) + "\n", status=status, headers=dict(headers or {}),
                    content_type="application/json")


def admin_error(error: HTTPException | str, status: int = 400, headers: Mapping[str, str] | None = None) -> Response:
    """``{"error": message}``: the admin API's error body (also for paths no provider serves).
    A werkzeug ``NotFound``/``MethodNotAllowed`` keeps its status (and ``Allow`` header)."""
    if isinstance(error, HTTPException):
        allow = {"Allow": ", ".join(error.valid_methods)} if isinstance(error, MethodNotAllowed) and \
            error.valid_methods else {}
        message = error.description if error.description != type(error).description else error.name
        return _json({"error": message}, error.code or 500, {**allow, **(headers or {})})
    return _json({"error": error}, status, headers)


class AdminError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _body(request: Request, usage: str) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when empty), or a 400 that shows ``usage``."""
    data = request.get_data()
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminError(400, f"request body is not valid JSON: {exc}") from None
    except RecursionError:
        body = too_deep = True
    else:
        too_deep = data.count(b"[") + data.count(b"{") > MAX_DEPTH and nested_deeper_than(body, MAX_DEPTH)
    if too_deep:  # deeper input would reach code that recurses once per level (messages, the journal)
        raise AdminError(400, f"request body nests arrays and objects more than {MAX_DEPTH} levels deep")
    if not isinstance(body, dict):
        raise AdminError(400, f"body must be an object such as {usage}")
    return body


class Admin:
    """The admin endpoints of one World. Credentials need no auth here: the fake is a test double,
    and this is how a test learns them."""

    def __init__(self, world: World):
        self.world = world
        self._endpoints: dict[str, Callable[[Request], Response]] = {}
        self._rules: list[Rule] = []
        for method, path, handler in (
            ("GET", "/", self.dashboard),
            ("GET", "/health", self.health),
            ("GET", "/accounts", self.list_accounts),
            ("POST", "/accounts", self.create_account),
            ("POST", "/reset", self.reset),
            ("GET", "/state", self.state),
            ("GET", "/requests", self.list_requests),
            ("DELETE", "/requests", self.clear_requests),
            ("GET", "/faults", self.list_faults),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/outbox", self.list_outbox),
            ("DELETE", "/outbox", self.clear_outbox),
            ("POST", "/inbound", self.inbound),
            ("GET", "/clock", self.clock),
            ("POST", "/clock", self.move_clock),
        ):
            self.add(method, path, handler)

    def add(self, method: str, path: str, handler: Callable[[Request], Response]) -> None:
        """One more admin endpoint: ``/_fakeroute<path>`` answers ``method`` with ``handler(request)``."""
        endpoint = f"{method} {path}"
        self._endpoints[endpoint] = handler
        self._rules.append(Rule(ADMIN_PREFIX + path, methods=[method], endpoint=("admin", endpoint)))

    def rules(self) -> list[Rule]:
        return list(self._rules)

    def dispatch(self, endpoint: str, request: Request) -> Response:
        try:
            with self.world.lock:
                return self._endpoints[endpoint](request)
        except AdminError as exc:
            return admin_error(exc.message, exc.status)

    def dashboard(self, request: Request) -> Response:
        html = render_dashboard(self.world, provider=request.args.get("provider"), account=request.args.get("account"))
        return Response(html, content_type="text/html; charset=utf-8")

    def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    def account_document(self, account: Account) -> dict[str, Any]:
        document: dict[str, Any] = {"id": account.id, "name": account.name}
        for provider in self.world.providers:
            document[provider.name] = provider.public_credentials(account.state(provider.name))
        return document

    def list_accounts(self, request: Request) -> Response:
        return _json({"accounts": [self.account_document(a) for a in self.world]})

    def create_account(self, request: Request) -> Response:
        usage = '{"name": "my test account"}'
        body = _body(request, usage)
        unknown = sorted(set(body) - {"name"})
        if unknown:
            raise AdminError(400, f"unknown field(s): {', '.join(unknown)} (an account takes only \"name\")")
        name = body.get("name")
        if name is not None and not (isinstance(name, str) and 0 < len(name) <= MAX_ACCOUNT_NAME):
            raise AdminError(400, f"name must be a string of 1 to {MAX_ACCOUNT_NAME} characters, "
                                  f"got {json.dumps(name)[:80] if isinstance(name, str) else type(name).__name__}")
        account = self.world.create_account(name)
        return _json(self.account_document(account), 201)

    def reset(self, request: Request) -> Response:
        self.world.reset()
        return _json({"status": "reset", "scenario": self.world.scenario_name, "seed": self.world.seed})

    def state(self, request: Request) -> Response:
        accounts = []
        for account in self.world:
            doc: dict[str, Any] = {"id": account.id, "name": account.name}
            for provider in self.world.providers:
                section = provider.dump_state(account.state(provider.name))
                if section is not None:
                    doc[provider.name] = section
            accounts.append(doc)
        return _json({"accounts": accounts})

    def list_requests(self, request: Request) -> Response:
        """The journal, filtered by ``provider``, ``method``, ``path`` (``*`` wildcards) and ``status``."""
        status = request.args.get("status")
        if status is not None and not status.isdigit():
            raise AdminError(400, f"status must be an integer, got {status!r}")
        found = self.world.journal.filter(request.args.get("provider"), request.args.get("method"),
                                          request.args.get("path"), int(status) if status else None)
        return _json({"requests": [entry.to_dict() for entry in found]})

    def clear_requests(self, request: Request) -> Response:
        cleared = len(self.world.journal)
        self.world.journal.clear()
        return _json({"cleared": cleared})

    def list_faults(self, request: Request) -> Response:
        return _json({"faults": [fault.to_dict() for fault in self.world.faults.all()]})

    def add_fault(self, request: Request) -> Response:
        usage = '{"provider": "twilio", "status": 503, "times": 2}'
        if not request.get_data().strip():
            raise AdminError(400, f"body must be an object such as {usage}")
        spec = _body(request, usage)
        names = [p.name for p in self.world.providers]
        if spec.get("provider") is not None and spec["provider"] not in names:
            # A fault for a provider this World does not serve would wait silently for a call that never comes.
            shown = json.dumps(spec["provider"])[:80]
            raise AdminError(400, f"provider must be one of {', '.join(names)} (or null for any), got {shown}")
        try:
            fault = self.world.faults.add(**spec)
        except (TypeError, ValueError) as exc:
            raise AdminError(400, str(exc)) from None
        return _json(fault.to_dict(), 201)

    def clear_faults(self, request: Request) -> Response:
        cleared = len(self.world.faults.all())
        self.world.faults.clear()
        return _json({"cleared": cleared})

    def list_outbox(self, request: Request) -> Response:
        """Webhooks emitted so far, filtered by ``provider``, ``account``, ``kind``, ``url``;
        ``scheduled=true`` adds those whose time on the fake clock has not come yet."""
        filters = {k: request.args[k] for k in ("provider", "account", "kind", "url") if k in request.args}
        scheduled = request.args.get("scheduled", "false").lower() in ("1", "true", "yes")
        return _json({"webhooks": self.world.outbox.to_list(scheduled=scheduled, **filters)})

    def clear_outbox(self, request: Request) -> Response:
        cleared = len(self.world.outbox.webhooks(scheduled=True))
        self.world.outbox.clear()
        return _json({"cleared": cleared})

    def inbound(self, request: Request) -> Response:
        """Simulate a message arriving at an owned number: ``{"provider": "flowroute", "to", "from", "body",
        "media_urls"}``. ``provider`` may be left out when only one provider simulates inbound messages."""
        usage = '{"to": "12065550100", "from": "12065551234", "body": "hello"}'
        if not request.get_data().strip():
            raise AdminError(400, f"body must be an object such as {usage}")
        body = _body(request, usage)
        able = [p for p in self.world.providers if p.supports_inbound]
        name = body.get("provider", able[0].name if len(able) == 1 else None)
        provider = next((p for p in able if p.name == name), None)
        if provider is None:
            raise AdminError(400, f"provider {name!r} has no inbound messages to simulate" if name is not None
                             else f"name the provider: one of {', '.join(p.name for p in able)}")
        try:
            return _json(provider.simulate_inbound(self.world, body), 201)
        except ApiError as exc:
            raise AdminError(exc.status, exc.detail) from None

    def clock(self, request: Request) -> Response:
        return _json({"now": self.world.clock.peek().isoformat()})

    def move_clock(self, request: Request) -> Response:
        """``{"advance": seconds}`` moves the fake clock on (delivery receipts fall due); ``{"set": ISO time}``."""
        usage = 'body must be {"advance": seconds} (seconds >= 0) or {"set": "2026-01-01T00:00:00Z"}'
        body = _body(request, '{"advance": 10}')
        try:
            if set(body) == {"advance"}:
                seconds = body["advance"]
                if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10**9:
                    raise AdminError(400, usage)
                self.world.clock.advance(seconds)
            elif set(body) == {"set"} and isinstance(body["set"], str):
                try:
                    moment = parse_utc(body["set"])
                except ValueError:
                    raise AdminError(400, usage) from None
                self.world.clock.set(moment.astimezone(UTC))
            else:
                raise AdminError(400, usage)
        except ValueError as exc:  # the clock's own range (1970 to 9999): it stays where it was
            raise AdminError(400, str(exc)) from None
        return _json({"now": self.world.clock.peek().isoformat()})
