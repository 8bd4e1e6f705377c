"""The providers fakeroute serves. Adding one is adding its folder and a line here."""

from __future__ import annotations

from .agentmessage import AgentMessageProvider
from .base import Provider
from .flowroute import FlowrouteProvider
from .twilio import TwilioProvider

PROVIDERS: tuple[Provider, ...] = (
    AgentMessageProvider(),
    FlowrouteProvider(),
    TwilioProvider(),
)

__all__ = ["PROVIDERS", "Provider"]
