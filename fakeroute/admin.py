"""The /_fakeroute/ admin API: health, accounts and their credentials, reset, state, outbox, inbound, clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .dashboard import render as render_dashboard
from .errors import ApiError

if TYPE_CHECKING:
    from .world import Account, World


def _json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document, indent=2) + "\n", status=status, content_type="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


class Admin:
    """Dispatches ``/_fakeroute/<name>`` by method to the World. Credentials need no auth here:
    the fake is a test double, and this is how a test learns them."""

    def __init__(self, world: World):
        self.world = world
        self._routes = {
            ("GET", "/"): self.dashboard,  # /_fakeroute and /_fakeroute/ alike: dispatch strips the slash
            ("GET", "/health"): self.health,
            ("GET", "/accounts"): self.list_accounts,
            ("POST", "/accounts"): self.create_account,
            ("POST", "/reset"): self.reset,
            ("GET", "/state"): self.state,
            ("GET", "/requests"): self.list_requests,
            ("DELETE", "/requests"): self.clear_requests,
            ("GET", "/faults"): self.list_faults,
            ("POST", "/faults"): self.add_fault,
            ("DELETE", "/faults"): self.clear_faults,
            ("GET", "/outbox"): self.list_outbox,
            ("DELETE", "/outbox"): self.clear_outbox,
            ("POST", "/inbound"): self.inbound,
            ("GET", "/clock"): self.clock,
            ("POST", "/clock"): self.move_clock,
        }

    def dispatch(self, request: Request, path: str) -> Response:
        handler = self._routes.get((request.method, path.rstrip("/") or "/"))
        if handler is None:
            if any(p == path.rstrip("/") for _, p in self._routes):
                return _error(405, f"{request.method} is not allowed on /_fakeroute{path}")
            return _error(404, f"no admin endpoint /_fakeroute{path}")
        with self.world.lock:
            return handler(request)

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
        body: Any = {}
        if request.get_data():
            try:
                body = json.loads(request.get_data())
            except (ValueError, UnicodeDecodeError) as exc:
                return _error(400, f"request body is not valid JSON: {exc}")
        if not isinstance(body, dict) or not isinstance(body.get("name", ""), str):
            return _error(400, 'body must be an object such as {"name": "my test account"}')
        account = self.world.create_account(body.get("name"))
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
            return _error(400, f"status must be an integer, got {status!r}")
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
        try:
            spec = json.loads(request.get_data() or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, f"request body is not valid JSON: {exc}")
        if not isinstance(spec, dict):
            return _error(400, 'body must be an object such as {"provider": "twilio", "status": 503, "times": 2}')
        try:
            fault = self.world.faults.add(**spec)
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
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
        "media_urls"}`` (``provider`` defaults to flowroute)."""
        try:
            body = json.loads(request.get_data() or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, f"request body is not valid JSON: {exc}")
        if not isinstance(body, dict):
            return _error(400, 'body must be an object such as {"to": "12065550100", "from": "12065551234", '
                               '"body": "hello"}')
        name = body.get("provider", "flowroute")
        provider = next((p for p in self.world.providers if p.name == name), None)
        if provider is None or not hasattr(provider, "inbound"):
            return _error(400, f"provider {name!r} has no inbound messages to simulate")
        try:
            return _json(provider.inbound(self.world, body), 201)
        except ApiError as exc:
            return _error(exc.status, exc.detail)

    def clock(self, request: Request) -> Response:
        return _json({"now": self.world.clock.peek().isoformat()})

    def move_clock(self, request: Request) -> Response:
        """``{"advance": seconds}`` moves the fake clock on (delivery receipts fall due); ``{"set": ISO time}``."""
        try:
            body = json.loads(request.get_data() or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, f"request body is not valid JSON: {exc}")
        usage = 'body must be {"advance": seconds} (seconds >= 0) or {"set": "2026-01-01T00:00:00Z"}'
        if isinstance(body, dict) and set(body) == {"advance"}:
            seconds = body["advance"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10**9:
                return _error(400, usage)
            self.world.clock.advance(seconds)
        elif isinstance(body, dict) and set(body) == {"set"} and isinstance(body["set"], str):
            try:
                moment = datetime.fromisoformat(body["set"])
            except ValueError:
                return _error(400, usage)
            self.world.clock.set(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment)
        else:
            return _error(400, usage)
        return _json({"now": self.world.clock.peek().isoformat()})
