"""The /_fakeroute/ admin API: health, accounts and their credentials, reset, state, journal, faults,
outbox, inbound, clock, OpenAPI, the dashboard. Its endpoints are rules of the app's one werkzeug Map
(``Admin.rules``).

Who may call what: with no admin token (a loopback server, the default) everyone may call everything, whatever
credentials come along. With a token, every endpoint but ``health`` needs ``Authorization: Bearer <token>`` (a
browser gets the token into a cookie by opening ``/_fakeroute/?token=<token>`` once), and a tenant's own provider
credentials (its Flowroute key and secret, Twilio SID and token, AgentMessage API key) read that tenant's
journal, state and outbox, and reset that tenant, and nothing of any other tenant.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .clock import parse_utc
from .dashboard import render as render_dashboard
from .errors import ApiError
from .openapi import index_document, provider_document
from .providers.base import Exchange
from .scenario import ScenarioError, preset_names
from .validation import MAX_DEPTH, nested_deeper_than

if TYPE_CHECKING:
    from .accounts import Account
    from .world import World

ADMIN_PREFIX = "/_fakeroute"
MAX_ACCOUNT_NAME = 200  # characters
TOKEN_COOKIE = "fakeroute_admin"
MAX_STATE_SIZE = 256 << 20  # a scenario document for PUT /state: a busy world's state is well over 1 MiB
OPEN_ENDPOINTS = frozenset({"GET /health"})
# What a tenant's own credentials may call; each of these handlers takes ``tenant`` (the account id, or None
# for the admin) and shows or changes that tenant's part only.
TENANT_ENDPOINTS = frozenset({"GET /requests", "GET /state", "GET /outbox", "POST /reset"})
_ADMIN = None  # the caller who may do everything
_RULE_PATTERN = re.compile(r"(?=.{1,20}\Z)\+?[0-9*?]+")  # a delivery rule's number pattern


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
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def _data(request: Request) -> bytes:
    try:
        return request.get_data()
    except RequestEntityTooLarge:
        raise AdminError(413, f"request body exceeds {request.max_content_length} bytes") from None


def _body(request: Request, usage: str) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when empty), or a 400 that shows ``usage``."""
    data = _data(request)
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

    def __init__(self, world: World, token: str | None = None):
        self.world = world
        self.token = token or None  # None: open to every caller (a loopback server)
        self._endpoints: dict[str, Callable[..., Response]] = {}
        self._openapi: dict[str, dict[str, Any]] = {}  # generated once per provider, on first request
        self._rules: list[Rule] = []
        for method, path, handler in (
            ("GET", "/", self.dashboard),
            ("GET", "/health", self.health),
            ("GET", "/accounts", self.list_accounts),
            ("POST", "/accounts", self.create_account),
            ("POST", "/reset", self.reset),
            ("GET", "/state", self.state),
            ("PUT", "/state", self.load_state),
            ("GET", "/requests", self.list_requests),
            ("DELETE", "/requests", self.clear_requests),
            ("GET", "/faults", self.list_faults),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/outbox", self.list_outbox),
            ("DELETE", "/outbox", self.clear_outbox),
            ("POST", "/inbound", self.inbound),
            ("POST", "/delivery-rules", self.add_delivery_rule),
            ("GET", "/clock", self.clock),
            ("POST", "/clock", self.move_clock),
            ("GET", "/openapi", self.openapi_index),
            ("GET", "/openapi/<provider>.json", self.openapi),
        ):
            self.add(method, path, handler)

    def add(self, method: str, path: str, handler: Callable[..., Response]) -> None:
        """One more admin endpoint: ``/_fakeroute<path>`` answers ``method`` with ``handler(request, **path_args)``
        (``path`` may hold werkzeug rule variables: ``/openapi/<provider>.json``)."""
        endpoint = f"{method} {path}"
        self._endpoints[endpoint] = handler
        self._rules.append(Rule(ADMIN_PREFIX + path, methods=[method], endpoint=("admin", endpoint)))

    def rules(self) -> list[Rule]:
        return list(self._rules)

    def dispatch(self, endpoint: str, request: Request, path_args: Mapping[str, Any] | None = None) -> Response:
        try:
            if endpoint == "GET /" and "token" in request.args:
                return self._sign_in(request)
            handler = self._endpoints[endpoint]
            # Its GETs only read: the World's version stays (replies the app remembers still hold).
            with self.world.lock.reading() if request.method == "GET" else self.world.lock:
                if endpoint in OPEN_ENDPOINTS:
                    return handler(request, **(path_args or {}))
                tenant = self._caller(request)
                if endpoint in TENANT_ENDPOINTS:
                    return handler(request, tenant=tenant, **(path_args or {}))
                if tenant is not _ADMIN:
                    raise AdminError(403, f"the credentials of account {tenant!r} may only read its requests, "
                                     "state and outbox and reset it; this needs the admin token")
                return handler(request, **(path_args or {}))
        except AdminError as exc:
            return admin_error(exc.message, exc.status, exc.headers)

    # -- who calls --------------------------------------------------------------------------------

    def _caller(self, request: Request) -> str | None:
        """``_ADMIN`` (None) for the admin, else the id of the account whose provider credentials came;
        a 401 when neither the token nor a tenant's credentials came. Without a token everyone is the admin:
        a client that sends its provider credentials along (one session for both) sees what it always saw."""
        if self.token is None:
            return _ADMIN
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and _same(value.strip(), self.token):
            return _ADMIN
        if _same(request.cookies.get(TOKEN_COOKIE, ""), self.token):
            return _ADMIN
        for provider in self.world.providers:
            try:
                with self.world.lock.reading():  # authenticate only reads ("only who calls")
                    return provider.authenticate(Exchange(request, provider), self.world).id
            except ApiError:
                continue
        raise AdminError(401, "the admin API needs Authorization: Bearer <admin token> (a tenant's own provider "
                         "credentials read its requests, state and outbox)",
                         {"WWW-Authenticate": 'Bearer realm="fakeroute"'})

    def _sign_in(self, request: Request) -> Response:
        """``/_fakeroute/?token=T``: the dashboard for a browser, which cannot send a bearer token itself. The
        token goes into a cookie only this path sends (same site only), and out of the address bar."""
        if self.token is not None and not _same(request.args["token"], self.token):
            raise AdminError(401, "wrong admin token", {"WWW-Authenticate": 'Bearer realm="fakeroute"'})
        response = Response(status=303, headers={"Location": ADMIN_PREFIX + "/"})
        if self.token is not None:
            response.set_cookie(TOKEN_COOKIE, self.token, path=ADMIN_PREFIX, httponly=True, samesite="Strict")
        return response

    @staticmethod
    def _account_filter(request: Request, tenant: str | None) -> str | None:
        """The account a read is narrowed to: the ``account`` argument, which a tenant may set to itself only."""
        account = request.args.get("account")
        if tenant is not _ADMIN:
            if account is not None and account != tenant:
                raise AdminError(403, f"the credentials of account {tenant!r} may not read account {account!r}")
            return tenant
        return account

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

    def reset(self, request: Request, tenant: str | None = _ADMIN) -> Response:
        """Back to the scenario: everything, or with ``{"account": id}`` that account alone, or with
        ``{"scenario": preset}`` everything to a built-in preset, which later resets return to."""
        body = _body(request, '{"account": "default"}')
        if "scenario" in body:
            return self.reset_to_preset(body, tenant)
        account = body.get("account", tenant)
        if set(body) - {"account"} or (account is not None and not isinstance(account, str)):
            raise AdminError(400, 'body must be empty (reset everything), {"account": "<account id>"} or '
                                  '{"scenario": "<preset>"}')
        if tenant is not _ADMIN and account != tenant:
            raise AdminError(403, f"the credentials of account {tenant!r} may not reset account {account!r}")
        if account is None:
            self.world.reset()
            return _json({"status": "reset", "scenario": self.world.scenario_name, "seed": self.world.seed})
        try:
            self.world.reset_account(account)
        except KeyError:
            raise AdminError(404, f"no account {account!r}") from None
        except ScenarioError as exc:
            raise AdminError(409, str(exc)) from None
        return _json({"status": "reset", "account": account, "scenario": self.world.scenario_name})

    def reset_to_preset(self, body: Mapping[str, Any], tenant: str | None) -> Response:
        """``{"scenario": "busy"}``: the world starts over from that built-in preset (a scenario file on the
        server's disk is not reachable this way: ``PUT /state`` takes a document)."""
        names = preset_names()
        name = body["scenario"]
        if set(body) != {"scenario"} or name not in names:
            got = json.dumps(name)[:80] if isinstance(name, str) else type(name).__name__
            raise AdminError(400, f"scenario must be the name of a built-in preset, one of {', '.join(names)} "
                                  f"(alone in the body), got {got}")
        if tenant is not _ADMIN:
            raise AdminError(403, f"the credentials of account {tenant!r} may reset only that account, "
                                  "not the whole world to a preset")
        try:
            self.world.load_scenario(name)
        except ScenarioError as exc:  # a preset that no longer loads under these providers: nothing changed
            raise AdminError(409, str(exc)) from None
        return _json({"status": "reset", "scenario": self.world.scenario_name, "seed": self.world.seed})

    def state(self, request: Request, tenant: str | None = _ADMIN) -> Response:
        """The world as a scenario document (``?account=`` narrows it to one account)."""
        only = self._account_filter(request, tenant)
        accounts = []
        for account in self.world:
            if only is not None and account.id != only:
                continue
            doc: dict[str, Any] = {"id": account.id, "name": account.name}
            if account.suspended:
                doc["suspended"] = True
            for provider in self.world.providers:
                section = provider.dump_state(account.state(provider.name))
                if section is not None:
                    doc[provider.name] = section
            accounts.append(doc)
        document: dict[str, Any] = {"accounts": accounts}
        if "rate_limits" in self.world.scenario and only is None:
            document = {"rate_limits": self.world.scenario["rate_limits"], **document}
        return _json(document)

    def load_state(self, request: Request) -> Response:
        """Start over from a scenario document (what ``GET`` gives): all of it loads, or nothing changes."""
        request.max_content_length = MAX_STATE_SIZE
        usage = '{"accounts": [{"id": "default", "flowroute": {...}}]}'
        if not _data(request).strip():
            raise AdminError(400, f"body must be a scenario document such as {usage}")
        try:
            self.world.load_scenario(_body(request, usage))
        except ScenarioError as exc:
            raise AdminError(400, str(exc)) from None
        return _json({"status": "loaded", "accounts": [account.id for account in self.world]})

    def list_requests(self, request: Request, tenant: str | None = _ADMIN) -> Response:
        """The journal, newest first: ``provider``, ``account``, ``method``, ``path`` (``*`` one segment, ``**``
        many), ``status``, ``since`` (a time on the fake clock) filter it; ``limit`` (default 100, at most 10,000)
        caps it; ``bodies=false`` leaves the request and response bodies out. ``total`` counts every match.
        A tenant's own credentials read only its own calls."""
        args = request.args
        only = self._account_filter(request, tenant)

        def number(name: str, default: int | None, low: int, high: int) -> int | None:
            text = args.get(name)
            if text is None:
                return default
            if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
                raise AdminError(400, f"{name} must be an integer from {low} to {high}, got {text!r}")
            return int(text)

        status = number("status", None, 100, 599)
        limit = number("limit", 100, 1, 10_000)
        since = None
        if "since" in args:
            try:
                since = parse_utc(args["since"])
            except ValueError:
                raise AdminError(400, f"since must be an ISO 8601 time such as 2026-01-01T00:00:05Z, "
                                      f"got {args['since']!r}") from None
        bodies = args.get("bodies", "true").lower()
        if bodies not in ("true", "false"):
            raise AdminError(400, f"bodies must be true or false, got {args['bodies']!r}")
        found = self.world.journal.filter(args.get("provider"), args.get("method"), args.get("path"), status,
                                          account=only, since=since)
        newest = found[::-1][:limit]
        return _json({"requests": [entry.to_dict(bodies=bodies == "true") for entry in newest],
                      "total": len(found), "limit": limit})

    def clear_requests(self, request: Request) -> Response:
        cleared = len(self.world.journal)
        self.world.journal.clear()
        return _json({"cleared": cleared})

    def list_faults(self, request: Request) -> Response:
        return _json({"faults": [fault.to_dict() for fault in self.world.faults.all()]})

    def add_fault(self, request: Request) -> Response:
        usage = '{"provider": "twilio", "status": 503, "times": 2}'
        if not _data(request).strip():
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

    def list_outbox(self, request: Request, tenant: str | None = _ADMIN) -> Response:
        """Webhooks emitted so far, filtered by ``provider``, ``account``, ``kind``, ``url``;
        ``scheduled=true`` adds those whose time on the fake clock has not come yet."""
        filters = {k: request.args[k] for k in ("provider", "kind", "url") if k in request.args}
        only = self._account_filter(request, tenant)
        if only is not None:
            filters["account"] = only
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
        if not _data(request).strip():
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

    def add_delivery_rule(self, request: Request) -> Response:
        """``{"provider": "flowroute", "to": "1206555*", "outcome": "rejected", "account": "default"}``: from now
        until the next reset, the account's messages to matching numbers end that way (the newest rule first; a
        magic recipient beats every rule). ``account`` defaults to ``default``."""
        usage = '{"provider": "flowroute", "to": "1206555*", "outcome": "rejected"}'
        body = _body(request, usage)
        able = {p.name: p for p in self.world.providers if p.delivery_outcomes}
        provider = able.get(body.get("provider"))  # type: ignore[arg-type]
        if provider is None:
            raise AdminError(400, f"provider must be one that sends messages, one of {', '.join(able)}; "
                                  f"body such as {usage}")
        unknown = set(body) - {"provider", "to", "outcome", "account"}
        if unknown:
            raise AdminError(400, f"unknown field {sorted(unknown)[0]!r}: body such as {usage}")
        to, outcome, account = body.get("to"), body.get("outcome"), body.get("account", "default")
        if not isinstance(to, str) or not _RULE_PATTERN.fullmatch(to):
            raise AdminError(400, "to must be a number pattern of 1 to 20 characters: digits, a leading '+', "
                                  "and the wildcards * (any digits) and ? (one digit)")
        if outcome not in provider.delivery_outcomes:
            raise AdminError(400, f"outcome must be one of {', '.join(provider.delivery_outcomes)} for "
                                  f"{provider.name}, got {json.dumps(outcome)[:80]}")
        if not isinstance(account, str) or account not in self.world.accounts:
            raise AdminError(404, f"no account {json.dumps(account)[:80]}")
        rule = provider.add_delivery_rule(self.world, account, to, outcome)
        return _json({"provider": provider.name, "account": account, **rule}, 201)

    def openapi_index(self, request: Request) -> Response:
        return _json(index_document(self.world.providers, request.host_url.rstrip("/"), ADMIN_PREFIX + "/openapi"))

    def openapi(self, request: Request, provider: str) -> Response:
        """The provider's OpenAPI 3.1 document, its real server first and this server second."""
        found = next((p for p in self.world.providers if p.name == provider), None)
        if found is None:
            names = ", ".join(p.name for p in self.world.providers)
            raise AdminError(404, f"no provider named {provider!r}: one of {names}")
        if provider not in self._openapi:
            self._openapi[provider] = provider_document(found)
        document = self._openapi[provider]
        return _json({**document, "servers": [*document["servers"], {
            "url": request.host_url.rstrip("/"), "description": "this fakeroute server"}]})

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


def _same(given: str, token: str) -> bool:
    """Compared in constant time: how long a wrong guess takes says nothing about the token."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8", "surrogateescape"))
