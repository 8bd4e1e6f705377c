"""``fakeroute serve``: run the fake on a port until SIGINT/SIGTERM; ``fakeroute magic``: print the magic inputs."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from . import __version__, magic
from .app import FakerouteApp
from .clock import parse_start
from .inventory import DEFAULT_SIZE, MAX_SIZE
from .outbox import is_loopback
from .server import CHANNEL_TIMEOUT, CONNECTION_LIMIT, AccessLog, FakerouteServer
from .world import ScenarioError, World

MAX_THREADS = 1024
_INTEGER = re.compile(r"-?[0-9]{1,20}\Z")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


class _Options:
    """``serve``'s options, each defaulting to its environment variable, then to its built-in default; the help
    of each shows both."""

    def __init__(self, parser: argparse.ArgumentParser):
        self.parser = parser
        self.problems: list[str] = []

    def add(self, flag: str, env: str, default: Any, help: str, *, kind: Callable[[str], Any] = str,
            shown: str | None = None, **kwargs: Any) -> None:
        value = default
        if env in os.environ:
            try:
                value = kind(os.environ[env])
            except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
                self.problems.append(f"{env}={os.environ[env]!r}: {exc}")
        if "choices" in kwargs and value not in kwargs["choices"]:  # argparse checks only what the command line says
            self.problems.append(f"{env}={value!r}: must be one of {', '.join(kwargs['choices'])}")
        shown = shown if shown is not None else str(default)
        self.parser.add_argument(flag, default=value, help=f"{help} (default: {shown}; env {env})", **kwargs)

    def switch(self, flag: str, env: str, help: str, *, dest: str, on: bool) -> None:
        """A flag without a value: ``env`` set to 1/true/yes/on (or 0/false/no/off) works as giving it (or not)."""
        value: bool | None = None
        raw = os.environ.get(env)
        if raw is not None:
            if raw.strip().lower() in TRUE_WORDS:
                value = on
            elif raw.strip().lower() not in FALSE_WORDS:
                self.problems.append(f"{env}={raw!r}: must be 1, true, yes or on (or 0, false, no, off)")
        action = "store_true" if on else "store_false"
        self.parser.add_argument(flag, dest=dest, action=action, default=value,
                                 help=f"{help} (default: off; env {env}=1)")


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


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise ValueError(f"must be greater than 0, got {text}")
        return value
    convert.__name__ = kind.__name__
    return convert


def build_parser() -> argparse.ArgumentParser:
    """The parser; what is wrong with the FAKEROUTE_* variables it read is ``env_problems`` of serve's arguments."""
    parser = argparse.ArgumentParser(prog="fakeroute", description="A stateful fake of telecom provider APIs.")
    parser.add_argument("--version", action="version", version=f"fakeroute {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve every provider and the admin API on one port",
        description="Serve every provider at its real paths and the admin API under /_fakeroute/ on one port. "
                    "Each option can also be set by its environment variable; the option wins.",
    )
    options = _Options(serve)
    options.add("--host", "FAKEROUTE_HOST", "127.0.0.1",
                "address to listen on; a non-loopback one without --admin-token gets a generated token")
    port, seed = _bounded(0, 65535), _bounded(-(2**63), 2**63 - 1)
    options.add("--port", "FAKEROUTE_PORT", 8080, "port, 0 for a free one", kind=port, type=port)
    options.add("--seed", "FAKEROUTE_SEED", 0, "seed of the inventory and ids", kind=seed, type=seed)
    options.add("--scenario", "FAKEROUTE_SCENARIO", None, "scenario file (JSON) or built-in name",
                shown="the built-in 'default'")
    size, threads = _bounded(1, MAX_SIZE), _bounded(1, MAX_THREADS)
    options.add("--inventory-size", "FAKEROUTE_INVENTORY_SIZE", DEFAULT_SIZE, "count of purchasable numbers",
                kind=size, type=size)
    options.add("--threads", "FAKEROUTE_THREADS", 4, "worker threads", kind=threads, type=threads)
    options.switch("--no-rate-limits", "FAKEROUTE_NO_RATE_LIMITS", "let every request through the providers' "
                   "rate limits, which are otherwise on, as the real APIs enforce them, unless the scenario says "
                   "\"rate_limits\": false", dest="rate_limits", on=False)
    options.add("--clock", "FAKEROUTE_CLOCK", "fake",
                "fake: deterministic, one second per reading, moved by POST /_fakeroute/clock; real: follows the "
                "wall clock from now, so delivery receipts and their webhooks arrive by themselves and the dates it "
                "writes are today's", choices=("fake", "real"))
    options.add("--clock-start", "FAKEROUTE_CLOCK_START", None, "where the clock starts, e.g. 2026-03-01T09:00:00Z "
                "(UTC unless it says)", kind=parse_start, type=_clock_start, metavar="ISO",
                shown="2026-01-01T00:00:00Z, or with --clock real the wall clock's now")
    options.add("--admin-token", "FAKEROUTE_ADMIN_TOKEN", None,
                "every /_fakeroute/ path but health then needs Authorization: Bearer TOKEN",
                shown="none: open on a loopback host, generated and printed on any other")
    options.switch("--quiet", "FAKEROUTE_QUIET", "no access log (one line per request on stderr)", dest="quiet",
                   on=True)
    options.add("--log-format", "FAKEROUTE_LOG_FORMAT", "text", "access log lines: text, or json (one object per "
                "line: time, remote, method, path, provider, account, status, ms)", choices=("text", "json"))
    options.add("--connection-limit", "FAKEROUTE_CONNECTION_LIMIT", CONNECTION_LIMIT,
                "open connections served at once; one more is answered 503 in JSON", kind=_positive(int),
                type=_positive(int))
    options.add("--channel-timeout", "FAKEROUTE_CHANNEL_TIMEOUT", CHANNEL_TIMEOUT,
                "seconds an idle connection is kept open", kind=_positive(float), type=_positive(float))
    serve.set_defaults(env_problems=options.problems)
    magic_command = commands.add_parser("magic", help="print the magic inputs: fictional numbers that force an outcome")
    magic_command.add_argument("--markdown", action="store_true", help="as a Markdown table (the README's)")
    return parser


def _clock_start(text: str) -> datetime:
    try:
        return parse_start(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "magic":
        return magic.main(["--markdown"] if args.markdown else [])
    if args.env_problems:
        parser.error("; ".join(args.env_problems))
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        world = World(seed=args.seed, scenario=args.scenario, inventory_size=args.inventory_size,
                      start=args.clock_start, real_time=args.clock == "real", rate_limits=args.rate_limits)
    except (ScenarioError, ValueError) as exc:
        print(f"fakeroute: {exc}", file=sys.stderr)
        return 2
    token = args.admin_token or None
    generated = token is None and not is_loopback(args.host)
    if generated:
        token = secrets.token_urlsafe(24)  # reachable from other machines: never open by accident
    app: Any = FakerouteApp(world, admin_token=token)
    if not args.quiet:
        app = AccessLog(app, sys.stderr, json_lines=args.log_format == "json")
    try:
        server = FakerouteServer(app, host=args.host, port=args.port, threads=args.threads,
                                 connection_limit=args.connection_limit, channel_timeout=args.channel_timeout)
    except OSError as exc:
        print(f"fakeroute: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError:  # waitress: a host that is no address and resolves to none
        print(f"fakeroute: cannot listen on {args.host}:{args.port}: not a host or address to listen on",
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _exit)
    print(f"fakeroute listening on {server.url}", flush=True)
    if generated:
        print(f"fakeroute admin token: {token}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)
