"""The same app with FastAPI and httpx's async client: buys a Flowroute number, sends SMS, and records the delivery
receipts and inbound messages Flowroute POSTs back to it. It knows nothing of fakeroute."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request


def create_app(flowroute_url: str, access_key: str, secret_key: str, public_url: str) -> FastAPI:
    """``flowroute_url``: where Flowroute answers (https://api.flowroute.com in production); ``public_url``: where
    Flowroute reaches this app, for its callbacks."""
    app = FastAPI()
    auth = (access_key, secret_key)
    statuses: dict[str, list[str]] = {}  # message id -> the statuses its receipts reported, in arrival order
    inbox: list[dict[str, Any]] = []

    def flowroute() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=flowroute_url, auth=auth)

    @app.post("/numbers", status_code=201)
    async def buy_number(order: dict[str, str]) -> dict[str, str]:
        async with flowroute() as api:
            found = await api.get("/v2/numbers/available", params={"starts_with": "1" + order["area_code"],
                                                                   "limit": 1})
            found.raise_for_status()
            number = found.json()["data"][0]["id"]
            (await api.post(f"/v2/numbers/{number}")).raise_for_status()
            (await api.put("/v2.1/messages/sms_callback", json={"data": {"attributes": {
                "callback_url": f"{public_url}/webhooks/inbound"}}})).raise_for_status()
        return {"number": number}

    @app.post("/messages", status_code=202)
    async def send_message(message: dict[str, str]) -> dict[str, str]:
        async with flowroute() as api:
            sent = await api.post("/v2.1/messages", json={"data": {"type": "message", "attributes": {
                **message, "dlr_callback": f"{public_url}/webhooks/dlr"}}})
        sent.raise_for_status()
        message_id = sent.json()["data"]["id"]
        statuses.setdefault(message_id, [])
        return {"id": message_id}

    @app.get("/messages/{message_id}")
    async def message(message_id: str) -> dict[str, Any]:
        return {"id": message_id, "statuses": statuses.get(message_id, [])}

    @app.get("/inbox")
    async def read_inbox() -> list[dict[str, Any]]:
        return inbox

    @app.post("/webhooks/dlr")
    async def delivery_receipt(request: Request) -> dict[str, bool]:
        receipt = (await request.json())["data"]
        statuses.setdefault(receipt["id"], []).append(receipt["attributes"]["status"])
        return {"ok": True}

    @app.post("/webhooks/inbound")
    async def inbound_message(request: Request) -> dict[str, bool]:
        attributes = (await request.json())["data"]["attributes"]
        inbox.append({"from": attributes["from"], "to": attributes["to"], "body": attributes["body"]})
        return {"ok": True}

    return app
