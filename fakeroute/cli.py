"""``fakeroute serve``: run the fake on a port until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime

from . import __version__
from .app import FakerouteApp
from .clock import parse_start
from .inventory import DEFAULT_SIZE
from .server import FakerouteServer
from .world import ScenarioError, World


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fakeroute", description="A stateful fake of telecom provider APIs.")
    parser.add_argument("--version", action="version", version=f"fakeroute {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every provider and the admin API on one port")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port, 0 for a free one (default 8080)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the inventory and ids (default 0)")
    serve.add_argument("--scenario", default=None,
                       help="scenario file (JSON) or built-in name (default: the built-in 'default')")
    serve.add_argument("--inventory-size", type=int, default=DEFAULT_SIZE,
                       help=f"count of purchasable numbers (default {DEFAULT_SIZE})")
    serve.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    serve.add_argument("--no-rate-limits", dest="rate_limits", action="store_false", default=None,
                       help="let every request through the providers' rate limits (default: as the scenario says, "
                       "on unless it says \"rate_limits\": false, as the real APIs enforce them)")
    serve.add_argument("--clock", choices=("fake", "real"), default="fake",
                       help="fake: deterministic, one second per reading, moved by POST /_fakeroute/clock (default); "
                       "real: follows the wall clock from now, so delivery receipts and their webhooks arrive by "
                       "themselves and the dates it writes are today's")
    serve.add_argument("--clock-start", type=_clock_start, default=None, metavar="ISO",
                       help="where the clock starts, e.g. 2026-03-01T09:00:00Z (UTC unless it says; default: "
                       "2026-01-01T00:00:00Z, or with --clock real the wall clock's now)")
    return parser


def _clock_start(text: str) -> datetime:
    try:
        return parse_start(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        world = World(seed=args.seed, scenario=args.scenario, inventory_size=args.inventory_size,
                      start=args.clock_start, real_time=args.clock == "real", rate_limits=args.rate_limits)
    except (ScenarioError, ValueError) as exc:
        print(f"fakeroute: {exc}", file=sys.stderr)
        return 2
    try:
        server = FakerouteServer(FakerouteApp(world), host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        print(f"fakeroute: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _exit)
    print(f"fakeroute listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)
