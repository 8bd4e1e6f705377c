"""Soak: a served fake under load for a minute, then 10,000 requests carrying 1 MiB bodies; its RSS must stay flat.

The server runs in a process of its own (RSS read from /proc/<pid>/status), built as ``fakeroute serve`` builds it,
with ``max_messages_per_account`` lowered (``--messages``) so that every bound — the journal's 10,000 entries and
32 MiB, the messages per account, the verdicts — is reached during the warm-up rather than after it: the warm-up
lasts ``--warmup`` seconds and at least ``--warmup-requests`` requests (at most three times ``--warmup``).
Clients (``--threads``, each its own account) mix every provider's calls: buying and releasing numbers through
Flowroute and AgentMessage, routes, aliases, sends, Twilio updates, listings, and bad input (malformed and deeply
nested JSON). Then ``--big-bodies`` requests each carry a 1 MiB body (the largest the fake reads).

Checks (exit 1 when one fails): no 5xx; RSS at the end of the soak within +20% of its value after the warm-up;
RSS after the 1 MiB bodies within ``--big-bound`` MiB of its value before them. Prints a table and, with
``--json PATH``, writes the figures there.
Run: python bench/soak.py [--seconds 60] [--warmup 30] [--threads 8] [--big-bodies 10000]   (make soak)
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

MIB = 1 << 20
BODY_LIMIT = MIB  # fakeroute.app.MAX_BODY_SIZE: the largest body the fake reads


def serve(messages: int) -> None:
    """The child process: the fake as `fakeroute serve` builds it (no access log), its URL on stdout."""
    from fakeroute.app import FakerouteApp
    from fakeroute.server import FakerouteServer
    from fakeroute.world import World

    world = World(rate_limits=False, max_messages_per_account=messages)
    server = FakerouteServer(FakerouteApp(world), port=0, threads=4)
    print(server.url, flush=True)
    server.serve_forever()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Load:
    """Clients running mixed calls until told to stop, counting answers by status."""

    def __init__(self, url: str, threads: int):
        self.url = url
        self.threads = threads
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.failures: list[str] = []

    def run(self) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.threads)]
        for worker in workers:
            worker.start()
        return workers

    def count(self) -> int:
        with self.lock:
            return sum(self.statuses.values())

    def _client(self, serial: int) -> None:
        rng = random.Random(serial)
        session = requests.Session()
        created = session.post(f"{self.url}/_fakeroute/accounts", json={"name": f"soak {serial}"}, timeout=30).json()
        flowroute = created["flowroute"]
        session_auth = (flowroute["access_key"], flowroute["secret_key"])
        am = {"Authorization": f"Bearer {created['agentmessage']['api_keys'][0]['key']}"}
        twilio = (created["twilio"]["account_sid"], created["twilio"]["auth_token"])
        owned: list[str] = []
        routes = 0

        def call(method: str, path: str, **kwargs) -> requests.Response:
            answer = session.request(method, self.url + path, timeout=60, **kwargs)
            with self.lock:
                self.statuses[answer.status_code] += 1
                if answer.status_code >= 500:
                    self.failures.append(f"{method} {path} -> {answer.status_code} {answer.text[:200]}")
            return answer

        while not self.stop.is_set():
            roll = rng.random()
            if roll < 0.15 or not owned:
                offered = call("GET", "/v2/numbers/available", auth=session_auth,
                               params={"starts_with": rng.choice(["1206", "1212", "1312", "1415"]), "limit": 5})
                for number in offered.json()["data"][:1]:
                    if call("POST", f"/v2/numbers/{number['id']}", auth=session_auth).status_code == 201:
                        owned.append(number["id"])
            elif roll < 0.2 and len(owned) > 2:
                call("DELETE", f"/v2/numbers/{owned.pop(0)}", auth=session_auth)
            elif roll < 0.45:
                message = {"data": {"type": "message", "attributes": {
                    "to": "12065551234", "from": rng.choice(owned), "body": "soak " * rng.randrange(1, 30)}}}
                call("POST", "/v2.1/messages", auth=session_auth, json=message)
            elif roll < 0.5:
                if routes < 20:
                    body = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "pbx.example.com",
                                                                     "alias": f"soak-{serial}-{routes}"}}}
                    routes += call("POST", "/v2/routes", auth=session_auth, json=body).status_code == 201
                else:
                    call("PATCH", f"/v2/numbers/{rng.choice(owned)}", auth=session_auth,
                         json={"type": "number", "alias": f"a{rng.randrange(1000)}"})
            elif roll < 0.6:
                found = call("POST", "/v1/phone-numbers/search", headers=am, json={"area_code": "646", "quantity": 1})
                numbers = [n["number"] for n in found.json()["data"]]
                if numbers:
                    ordered = call("POST", "/v1/phone-numbers/orders", headers=am, json={"numbers": numbers})
                    if ordered.status_code == 200:
                        call("DELETE", f"/v1/phone-numbers/{ordered.json()['data'][0]['id']}", headers=am)
            elif roll < 0.7:
                call("GET", "/v2/numbers", auth=session_auth, params={"limit": 20})
            elif roll < 0.75:
                call("GET", "/v1/phone-numbers", headers=am, params={"limit": 20})
            elif roll < 0.8:
                call("POST", "/v2/SipDomains/nobody.sip.twilio.com", auth=twilio, data={"FriendlyName": "soak"})
            elif roll < 0.9:
                call("POST", "/v2/routes", auth=session_auth, data=b"[" * rng.randrange(10, 2000),
                     headers={"Content-Type": "application/json"})
            else:
                call("GET", "/v2.1/messages", auth=session_auth,
                     params={"start_date": "2026-01-01", "limit": rng.randrange(1, 50)})


def big_bodies(url: str, count: int, threads: int) -> tuple[Counter[int], float]:
    """``count`` POSTs of a 1 MiB message body (refused after full validation: 422), over ``threads`` clients."""
    head = b'{"data": {"type": "message", "attributes": {"to": "12065551234", "from": "12065550100", "body": "'
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    remaining = iter(range(count))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                serial = next(remaining, None)
            if serial is None:
                return
            filler = BODY_LIMIT - len(head) - len(b'"}}}') - 8
            body = head + f"{serial:08d}".encode() + b"x" * filler + b'"}}}'
            answer = session.post(f"{url}/v2.1/messages", data=body, auth=("fakeroute", "fakeroute-secret"),
                                  timeout=60)
            with lock:
                statuses[answer.status_code] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="soak after the warm-up (default 60)")
    parser.add_argument("--warmup", type=float, default=30, help="seconds before the reference RSS (default 30)")
    parser.add_argument("--warmup-requests", type=int, default=20_000,
                        help="requests before the reference RSS (default 20,000: the journal holds 10,000)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--messages", type=int, default=500, help="max_messages_per_account of the served World")
    parser.add_argument("--big-bodies", type=int, default=10_000, help="requests with a 1 MiB body (default 10,000)")
    parser.add_argument("--big-bound", type=float, default=64, help="MiB RSS may grow over them (default 64)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.messages)
        return 0

    child = subprocess.Popen([sys.executable, __file__, "--serve", "--messages", str(args.messages)],
                             stdout=subprocess.PIPE, text=True)
    try:
        url = child.stdout.readline().strip()
        figures: dict[str, float] = {"rss_start_mib": rss_mib(child.pid)}
        load = Load(url, args.threads)
        load.run()
        started = time.monotonic()
        time.sleep(args.warmup)
        while load.count() < args.warmup_requests and time.monotonic() - started < 3 * args.warmup:
            time.sleep(1)
        figures["rss_warm_mib"], warm_count, warm_at = rss_mib(child.pid), load.count(), time.monotonic()
        figures["warmup_s"], figures["warmup_requests"] = warm_at - started, warm_count
        peak = figures["rss_warm_mib"]
        while time.monotonic() - warm_at < args.seconds:
            time.sleep(1)
            peak = max(peak, rss_mib(child.pid))
        load.stop.set()
        figures["rss_end_mib"], figures["rss_peak_mib"] = rss_mib(child.pid), peak
        figures["requests"] = load.count()
        figures["requests_per_s"] = (load.count() - warm_count) / (time.monotonic() - warm_at)
        figures["server_errors"] = len(load.failures)
        time.sleep(1)  # let the clients finish their last calls
        before_big = rss_mib(child.pid)
        statuses, took = big_bodies(url, args.big_bodies, 4)
        figures.update(rss_before_big_mib=before_big, rss_after_big_mib=rss_mib(child.pid),
                       big_bodies=sum(statuses.values()), big_bodies_per_s=sum(statuses.values()) / took,
                       big_body_errors=sum(n for status, n in statuses.items() if status >= 500))
        requests.post(f"{url}/_fakeroute/reset", timeout=30)
        figures["rss_after_reset_mib"] = rss_mib(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=30)

    growth = figures["rss_end_mib"] / figures["rss_warm_mib"] - 1
    big_growth = figures["rss_after_big_mib"] - figures["rss_before_big_mib"]
    rows = [
        ("requests (mixed, every provider)", f"{figures['requests']:,.0f}"),
        ("requests/s after the warm-up", f"{figures['requests_per_s']:,.0f}"),
        ("5xx answers", f"{figures['server_errors']:.0f}"),
        ("RSS at start", f"{figures['rss_start_mib']:.1f} MiB"),
        (f"RSS after the warm-up ({figures['warmup_s']:.0f} s, {figures['warmup_requests']:,.0f} requests)",
         f"{figures['rss_warm_mib']:.1f} MiB"),
        (f"RSS after {args.seconds:.0f} s more (peak)",
         f"{figures['rss_end_mib']:.1f} MiB ({figures['rss_peak_mib']:.1f}), {growth:+.1%}"),
        (f"{figures['big_bodies']:,.0f} requests of 1 MiB", f"{figures['big_bodies_per_s']:,.0f}/s, "
                                                           f"{figures['big_body_errors']:.0f} 5xx"),
        ("RSS before / after them", f"{figures['rss_before_big_mib']:.1f} / {figures['rss_after_big_mib']:.1f} MiB"
                                    f" ({big_growth:+.1f})"),
        ("RSS after POST /_fakeroute/reset", f"{figures['rss_after_reset_mib']:.1f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    problems = []
    if figures["server_errors"] or figures["big_body_errors"]:
        problems.append(f"5xx answers: {load.failures[:3]}")
    if growth > 0.2:
        problems.append(f"RSS grew {growth:.0%} after the warm-up (limit +20%)")
    if big_growth > args.big_bound:
        problems.append(f"RSS grew {big_growth:.0f} MiB over the 1 MiB bodies (limit {args.big_bound:.0f})")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
