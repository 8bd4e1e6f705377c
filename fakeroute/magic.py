"""The one registry of magic inputs: fictional 555-01XX numbers whose last digits force an outcome.

NANPA reserves 555-0100 through 555-0199 in every geographic area code for fictional use: no such number
is ever assigned, so no test can reach a real person through one, and libphonenumber still calls them
valid. Toll-free area codes are not part of the reservation (800-555-xxxx numbers are real), so a
toll-free 555-01XX number is never magic. Providers call the lookups below and run the outcome through
the same code as real state; ``python -m fakeroute.magic [--markdown]`` and ``fakeroute magic`` print
the table (the README's is generated from it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .inventory import is_toll_free

PURCHASE = "purchase"  # the number is ordered
SEND = "send"  # a message is sent to the number
INBOUND = "inbound"  # the number sends a message to the customer's number

# 1 NPA 555 01XX, with or without "+": the NPA a geographic one (first digit 2-9).
_RESERVED = re.compile(r"\+?1([2-9][0-9]{2})555(01[0-9]{2})")


@dataclass(frozen=True)
class MagicInput:
    """One magic input: a number ending in ``digits`` (after 1 NPA 555) makes ``action`` end in ``outcome``."""

    digits: str  # the line number, "0101"
    action: str  # PURCHASE | SEND | INBOUND
    outcome: str  # the outcome's name, the providers' contract (SEND outcomes, PURCHASE outcomes, keywords)
    description: str

    def number(self, area_code: str = "206") -> str:
        """The magic number in an area code, 11 digits: ``12065550101``."""
        return f"1{area_code}555{self.digits}"


REGISTRY: tuple[MagicInput, ...] = (
    MagicInput("0101", SEND, "delivered", "delivered to the handset, every receipt on time (whatever delivery "
               "rules say)"),
    MagicInput("0102", SEND, "undelivered", "accepted by the carrier, then undeliverable: the handset cannot be "
               "reached"),
    MagicInput("0103", SEND, "carrier_rejected", "rejected by the carrier (a spam filter, a blocked sender)"),
    MagicInput("0104", SEND, "landline", "a fixed line, which cannot receive SMS: what the provider does with "
               "one (a refusal, or an undeliverable receipt)"),
    MagicInput("0105", SEND, "opted_out", "has texted STOP to every sender: refused as the provider refuses an "
               "opted-out recipient, nothing charged"),
    MagicInput("0106", SEND, "delayed_receipts", "delivered, but the handset's receipt arrives 30 to 120 minutes "
               "late"),
    MagicInput("0107", SEND, "no_receipt", "accepted by the carrier, which never reports the outcome: no final "
               "receipt"),
    MagicInput("0131", INBOUND, "STOP", "answers the first message it receives with STOP: an inbound message, "
               "and the pair is opted out"),
    MagicInput("0132", INBOUND, "HELP", "answers the first message it receives with HELP: an inbound message "
               "the provider answers with its help text"),
    MagicInput("0151", PURCHASE, "just_taken", "someone else bought it a moment ago: the provider's answer for "
               "a number no longer available"),
    MagicInput("0152", PURCHASE, "carrier_error", "the carrier fails the order: the provider's answer for an "
               "upstream failure, nothing bought or charged"),
)

_BY_KEY = {(entry.action, entry.digits): entry for entry in REGISTRY}
OUTCOMES: dict[str, tuple[str, ...]] = {
    action: tuple(e.outcome for e in REGISTRY if e.action == action) for action in (PURCHASE, SEND, INBOUND)
}


def reserved_line(number: str) -> str | None:
    """The 01XX line of a number in the fictional range (``"0123"``), None for any other number."""
    match = _RESERVED.fullmatch(number)
    if match is None or is_toll_free(match.group(1)):
        return None
    return match.group(2)


def lookup(action: str, number: str) -> MagicInput | None:
    """The entry that forces ``action`` on ``number`` (11 digits or E.164), or None: an ordinary number."""
    line = reserved_line(number)
    return None if line is None else _BY_KEY.get((action, line))


def send_outcome(to: str) -> str | None:
    """How a message to ``to`` ends, when ``to`` is magic: one of ``OUTCOMES[SEND]``."""
    entry = lookup(SEND, to)
    return entry.outcome if entry else None


def purchase_outcome(number: str) -> str | None:
    """How ordering ``number`` ends, when it is magic: one of ``OUTCOMES[PURCHASE]``."""
    entry = lookup(PURCHASE, number)
    return entry.outcome if entry else None


def inbound_keyword(from_: str) -> str | None:
    """The keyword ``from_`` replies with to the first message it receives (``"STOP"``), when it is magic."""
    entry = lookup(INBOUND, from_)
    return entry.outcome if entry else None


# -- the table, for the CLI and the README --------------------------------------------------------

_COLUMNS = ("number", "action", "outcome", "what happens")


def _rows() -> list[tuple[str, str, str, str]]:
    return [(f"1NPA555{e.digits}", e.action, e.outcome, e.description) for e in REGISTRY]


def markdown_table() -> str:
    """The registry as the README's Markdown table (a test checks the README holds exactly this)."""
    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    lines += [f"| `{number}` | {action} | `{outcome}` | {what} |" for number, action, outcome, what in _rows()]
    return "\n".join(lines) + "\n"


def text_table() -> str:
    """The registry as a plain-text table for a terminal."""
    rows = [_COLUMNS, *_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1] + "\n"
        for row in rows
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fakeroute.magic", description="Print the magic inputs.")
    parser.add_argument("--markdown", action="store_true", help="as the README's Markdown table")
    args = parser.parse_args(argv)
    sys.stdout.write(markdown_table() if args.markdown else text_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
