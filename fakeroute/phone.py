"""Phone-number rules every provider shares: what libphonenumber calls a real, dialable number."""

from __future__ import annotations

import phonenumbers


def _parsed(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


def is_valid(digits: str) -> bool:
    """A number (E.164, with or without "+") that libphonenumber knows as assigned and dialable."""
    number = _parsed("+" + digits.lstrip("+"))
    return number is not None and phonenumbers.is_valid_number(number)


def is_canonical_e164(value: str) -> bool:
    """``+`` and digits exactly as E.164 writes a possible number (no spaces, no national prefix)."""
    number = _parsed(value)
    if number is None:
        return False
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value and \
        phonenumbers.is_possible_number(number)
