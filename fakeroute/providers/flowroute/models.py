"""Flowroute state of one account: routes, numbers, messages and messaging callbacks. Knows nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

from .messages import DeliveryRule, Message

SIP_REG_ROUTE_ID = "0"  # every account's built-in route, the default primary route of a new number
FIRST_ROUTE_ID = 98_400  # new route ids count up from here (real ids are five-digit and up)


@dataclass
class Route:
    id: str
    route_type: str  # host | number | uri | sip-reg
    value: str | None
    alias: str


@dataclass
class Number:
    value: str  # 11 digits, E.164 without "+"
    number_type: str  # standard | tollfree
    rate_center: str | None
    state: str | None
    alias: str | None = None
    cnam_lookups_enabled: bool = True
    primary_route: str = SIP_REG_ROUTE_ID
    failover_route: str | None = None
    dlr_callback: str | None = None  # this number's delivery receipts go here (set via its relationships)
    messaging_enabled: bool = True  # a number can be kept from sending, as a number being ported is


def builtin_route() -> Route:
    return Route(SIP_REG_ROUTE_ID, "sip-reg", None, "sip-reg")


@dataclass
class FlowrouteAccount:
    access_key: str | None  # None: the scenario gave this account no Flowroute credentials
    secret_key: str | None
    routes: dict[str, Route] = field(default_factory=lambda: {SIP_REG_ROUTE_ID: builtin_route()})
    numbers: dict[str, Number] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)  # by MDR id, in the order they happened
    # Account-level callback URLs by Flowroute's name: sms_callback, mms_callback, sms_dlr_callback, mms_dlr_callback.
    callbacks: dict[str, str] = field(default_factory=dict)
    delivery_rules: list[DeliveryRule] = field(default_factory=list)

    def sorted_numbers(self) -> list[Number]:
        return [self.numbers[key] for key in sorted(self.numbers)]

    def route_with_alias(self, alias: str) -> Route | None:
        return next((r for r in self.routes.values() if r.alias == alias), None)
