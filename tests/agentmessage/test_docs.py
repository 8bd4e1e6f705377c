"""docs/agentmessage.md: its examples run as written against a live server, and it names every endpoint."""

from __future__ import annotations

import re

from tests.support import REPO

DOC = REPO / "docs" / "agentmessage.md"


def test_the_documented_examples_run_in_order_against_fakeroute_serve(server_url):
    """Every ```python block of the page, one after the other in one namespace, as a reader would paste them."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 9
    namespace: dict = {}
    for block in blocks:
        exec(compile(block.replace("http://127.0.0.1:8080", server_url), str(DOC), "exec"), namespace)


def test_every_endpoint_is_documented():
    from fakeroute.providers import PROVIDERS

    text = DOC.read_text(encoding="utf-8")
    provider = next(p for p in PROVIDERS if p.name == "agentmessage")
    for op in provider.operations:
        assert f"{op.method} {op.path.replace('<id>', '{id}')}" in text, op.name


def test_the_documented_keys_are_the_default_scenarios(client):
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(am_test_fakeroute_\w+)`", text))
    accounts = client.get("/_fakeroute/accounts").json["accounts"]
    actual = {k["key"] for a in accounts if a["agentmessage"] for k in a["agentmessage"]["api_keys"]}
    assert documented == actual
