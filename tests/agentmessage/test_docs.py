"""docs/agentmessage.md: its example runs as written against a live server."""

from __future__ import annotations

import re

from tests.support import REPO

DOC = REPO / "docs" / "agentmessage.md"


def test_the_documented_example_runs_against_fakeroute_serve(server_url):
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    exec(compile(block.replace("http://127.0.0.1:8080", server_url), str(DOC), "exec"), {})


def test_the_documented_keys_are_the_default_scenarios(client):
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(am_test_fakeroute_\w+)`", text))
    accounts = client.get("/_fakeroute/accounts").json["accounts"]
    actual = {k["key"] for a in accounts if a["agentmessage"] for k in a["agentmessage"]["api_keys"]}
    assert documented == actual
