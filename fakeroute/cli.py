"""``fakeroute serve``: run the fake on a port until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .app import FakerouteApp
from .inventory import DEFAULT_SIZE, MAX_SIZE
from .server import FakerouteServer
from .world import ScenarioError, World

MAX_THREADS = 1024
_INTEGER = re.compile(r"-?[0-9]{1,20}\Z")


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``, else the usage error naming the option."""

    def parse(text: str) -> int:
        if not _INTEGER.match(text):  # ASCII digits: int() would also take "٢" or "1_0"
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}, got {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fakeroute", description="A stateful fake of telecom provider APIs.")
    parser.add_argument("--version", action="version", version=f"fakeroute {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every provider and the admin API on one port")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_bounded(0, 65535), default=8080, help="port, 0 for a free one (default 8080)")
    serve.add_argument("--seed", type=_bounded(-(2**63), 2**63 - 1), default=0,
                       help="seed of the inventory and ids (default 0)")
    serve.add_argument("--scenario", default=None,
                       help="scenario file (JSON) or built-in name (default: the built-in 'default')")
    serve.add_argument("--inventory-size", type=_bounded(1, MAX_SIZE), default=DEFAULT_SIZE,
                       help=f"count of purchasable numbers (default {DEFAULT_SIZE})")
    serve.add_argument("--threads", type=_bounded(1, MAX_THREADS), default=4, help="worker threads (default 4)")
    serve.add_argument("--no-rate-limits", dest="rate_limits", action="store_false", default=None,
                       help="let every request through the providers' rate limits (default: as the scenario says, "
                       "on unless it says \"rate_limits\": false, as the real APIs enforce them)")
    serve.add_argument("--clock", choices=("fake", "real"), default="fake",
                       help="fake: deterministic, one second per reading, moved by POST /_fakeroute/clock (default); "
                       "real: follows the wall clock, so delivery receipts and their webhooks arrive by themselves")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        world = World(seed=args.seed, scenario=args.scenario, inventory_size=args.inventory_size,
                      real_time=args.clock == "real", rate_limits=args.rate_limits)
    except (ScenarioError, ValueError) as exc:
        print(f"fakeroute: {exc}", file=sys.stderr)
        return 2
    try:
        server = FakerouteServer(FakerouteApp(world), host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        print(f"fakeroute: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError:  # waitress: a host that is no address and resolves to none
        print(f"fakeroute: cannot listen on {args.host}:{args.port}: not a host or address to listen on",
              file=sys.stderr)
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
