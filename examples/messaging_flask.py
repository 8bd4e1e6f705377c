"""A small Flask app of the kind fakeroute tests: it buys a Flowroute number, sends SMS, and records the delivery
receipts and inbound messages Flowroute POSTs back to it. It knows nothing of fakeroute."""

from __future__ import annotations

from typing import Any

import requests
from flask import Flask, jsonify, request


def create_app(flowroute_url: str, access_key: str, secret_key: str, public_url: str) -> Flask:
    """``flowroute_url``: where Flowroute answers (https://api.flowroute.com in production); ``public_url``: where
    Flowroute reaches this app, for its callbacks."""
    app = Flask(__name__)
    flowroute = requests.Session()
    flowroute.auth = (access_key, secret_key)
    statuses: dict[str, list[str]] = {}  # message id -> the statuses its receipts reported, in arrival order
    inbox: list[dict[str, Any]] = []

    @app.post("/numbers")
    def buy_number() -> Any:
        found = flowroute.get(f"{flowroute_url}/v2/numbers/available",
                              params={"starts_with": "1" + request.json["area_code"], "limit": 1})
        found.raise_for_status()
        number = found.json()["data"][0]["id"]
        flowroute.post(f"{flowroute_url}/v2/numbers/{number}").raise_for_status()
        flowroute.put(f"{flowroute_url}/v2.1/messages/sms_callback", json={"data": {"attributes": {
            "callback_url": f"{public_url}/webhooks/inbound"}}}).raise_for_status()
        return jsonify(number=number), 201

    @app.post("/messages")
    def send_message() -> Any:
        sent = flowroute.post(f"{flowroute_url}/v2.1/messages", json={"data": {"type": "message", "attributes": {
            **request.json, "dlr_callback": f"{public_url}/webhooks/dlr"}}})
        sent.raise_for_status()
        message_id = sent.json()["data"]["id"]
        statuses.setdefault(message_id, [])
        return jsonify(id=message_id), 202

    @app.get("/messages/<message_id>")
    def message(message_id: str) -> Any:
        return jsonify(id=message_id, statuses=statuses.get(message_id, []))

    @app.get("/inbox")
    def read_inbox() -> Any:
        return jsonify(inbox)

    @app.post("/webhooks/dlr")
    def delivery_receipt() -> Any:
        receipt = request.get_json()["data"]
        statuses.setdefault(receipt["id"], []).append(receipt["attributes"]["status"])
        return "", 200

    @app.post("/webhooks/inbound")
    def inbound_message() -> Any:
        attributes = request.get_json()["data"]["attributes"]
        inbox.append({"from": attributes["from"], "to": attributes["to"], "body": attributes["body"]})
        return "", 200

    return app
