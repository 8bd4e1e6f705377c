"""The messaging engine: GSM-7 and UCS-2 segments at every boundary, prices, opt-out keywords and their state
machine, delivery rules, delivery delays drawn from the seed."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

import fakeroute.messaging
from fakeroute.messaging import (
    DELAYED_DELIVERY,
    DELIVERY,
    GSM7,
    GSM_BASIC_TABLE,
    GSM_EXTENSION_TABLE,
    UCS2,
    DeliveryRule,
    DeliveryRules,
    Keyword,
    OptOuts,
    delivery_delays,
    keyword,
    price,
    segments,
    split,
)

EMOJI = "😀"  # U+1F600: a surrogate pair in UTF-16, two units
CYRILLIC = "ж"  # in no GSM table: UCS-2, one unit


def test_the_doctests_hold():
    assert doctest.testmod(fakeroute.messaging).failed == 0


def test_the_default_alphabet_is_the_3gpp_table_in_code_order():
    assert len(GSM_BASIC_TABLE) == 128
    assert [GSM_BASIC_TABLE[code] for code in (0x00, 0x01, 0x09, 0x0A, 0x0D, 0x10, 0x1B, 0x1F, 0x24, 0x40, 0x5B,
                                               0x5F, 0x60, 0x7F)] == \
        ["@", "£", "Ç", "\n", "\r", "Δ", "\x1b", "É", "¤", "¡", "Ä", "§", "¿", "à"]
    assert GSM_EXTENSION_TABLE == {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
                                   "]": 0x3E, "|": 0x40, "€": 0x65}


@pytest.mark.parametrize(("body", "encoding", "units", "part_lengths"), [
    # GSM-7, one septet per character
    ("", GSM7, 0, [0]),
    ("a" * 160, GSM7, 160, [160]),
    ("a" * 161, GSM7, 161, [153, 8]),
    ("a" * 306, GSM7, 306, [153, 153]),
    ("a" * 307, GSM7, 307, [153, 153, 1]),
    ("a" * 459, GSM7, 459, [153, 153, 153]),
    ("Ω£¥\n\rÇ" * 20, GSM7, 120, [120]),  # Greek capitals, currency signs, CR and LF are single septets
    # extension characters take two septets
    ("€" * 80, GSM7, 160, [80]),
    ("€" * 81, GSM7, 162, [76, 5]),  # 76 × 2 = 152: the 77th would straddle the boundary
    ("a" * 158 + "[", GSM7, 160, [159]),
    ("a" * 159 + "]", GSM7, 161, [153, 7]),
    ("a" * 152 + "€" + "a" * 10, GSM7, 164, [152, 11]),  # the escape pair is never split: part one is 152 septets
    ("a" * 153 + "€" * 4, GSM7, 161, [153, 4]),
    ("{}" * 80, GSM7, 320, [76, 76, 8]),
    # UCS-2 for anything outside the tables, counted in UTF-16 code units
    (CYRILLIC * 70, UCS2, 70, [70]),
    (CYRILLIC * 71, UCS2, 71, [67, 4]),
    (CYRILLIC * 134, UCS2, 134, [67, 67]),
    (CYRILLIC * 135, UCS2, 135, [67, 67, 1]),
    ("a" * 69 + "ç", UCS2, 70, [70]),  # one lower-case ç (not in the table; Ç is) makes the whole body UCS-2
    (EMOJI * 35, UCS2, 70, [35]),
    (EMOJI * 36, UCS2, 72, [33, 3]),  # 33 emoji = 66 units: the 34th would split a surrogate pair
    (CYRILLIC * 66 + EMOJI + CYRILLIC * 4, UCS2, 72, [66, 5]),
    (CYRILLIC * 67 + EMOJI, UCS2, 69, [68]),
    ("a" * 69 + EMOJI, UCS2, 71, [67, 3]),
    ("\x1b", UCS2, 1, [1]),  # the bare escape code is no character of the alphabet
])
def test_encoding_units_and_parts(body, encoding, units, part_lengths):
    result = split(body)
    assert (result.encoding, result.units) == (encoding, units)
    assert [len(part) for part in result.parts] == part_lengths
    assert "".join(result.parts) == body
    assert result.segments == segments(body) == len(part_lengths)
    assert result.data_coding == (0 if encoding == GSM7 else 8)


def test_no_part_ends_inside_a_surrogate_pair_or_an_escape():
    parts = split(EMOJI * 100).parts
    assert all(len(part.encode("utf-16-le")) // 2 <= 67 for part in parts)
    assert all(part.encode("utf-16-le").decode("utf-16-le") == part for part in parts)
    assert split("a" * 152 + "€" * 5).parts == ("a" * 152, "€" * 5)


def test_price_per_segment_in_the_providers_unit():
    assert split("a" * 161).price(4_000_000) == 8_000_000  # nanodollars, as Flowroute bills
    assert price(CYRILLIC * 135, Decimal("0.0079")) == Decimal("0.0237")
    assert price("", 4_000_000) == 4_000_000  # an empty message is still one segment


# -- opt-out keywords -------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "kind"), [
    *((word, Keyword.OPT_OUT) for word in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")),
    *((word, Keyword.OPT_IN) for word in ("START", "YES", "UNSTOP")),
    ("HELP", Keyword.HELP),
    ("stop", Keyword.OPT_OUT), ("Stop", Keyword.OPT_OUT), ("sToPaLl", Keyword.OPT_OUT),
    (" stop \n", Keyword.OPT_OUT), ("Stop.", Keyword.OPT_OUT), ("STOP!!!", Keyword.OPT_OUT),
    ("¡STOP!", Keyword.OPT_OUT), ('"quit"', Keyword.OPT_OUT), ("(end)", Keyword.OPT_OUT), ("yes!", Keyword.OPT_IN),
    ("help?", Keyword.HELP),
    ("STOP please", None), ("please stop", None), ("S T O P", None), ("stop stop", None), ("STOPP", None),
    ("ST.OP", None), ("STOP 🛑", None), ("", None), ("  ", None), ("INFO", None), ("REVOKE", None),
    ("OPTOUT", None), ("Y", None),
])
def test_a_keyword_is_the_whole_message_in_any_case(body, kind):
    assert keyword(body) is kind


def test_stop_blocks_the_pair_it_came_over_and_start_lifts_it():
    customer, other_customer, consumer = "12065550100", "16465550123", "12065551234"
    opt_outs = OptOuts()
    assert not opt_outs.is_opted_out(customer, consumer)
    assert opt_outs.apply(consumer, customer, "Hi there") is None
    assert opt_outs.apply(consumer, customer, "STOP") is Keyword.OPT_OUT
    assert opt_outs.is_opted_out(customer, consumer)
    assert not opt_outs.is_opted_out(other_customer, consumer)  # only the number the STOP was sent to
    assert not opt_outs.is_opted_out(consumer, customer)  # and only in that direction
    assert opt_outs.apply(consumer, customer, "quit") is Keyword.OPT_OUT  # again: no change
    assert list(opt_outs) == [(customer, consumer)]
    assert opt_outs.apply(consumer, customer, "HELP") is Keyword.HELP
    assert opt_outs.apply(consumer, customer, "What?") is None
    assert opt_outs.is_opted_out(customer, consumer)  # HELP and ordinary replies change nothing
    assert opt_outs.apply(consumer, customer, "unstop") is Keyword.OPT_IN
    assert not opt_outs.is_opted_out(customer, consumer)
    assert opt_outs.apply(consumer, customer, "Yes") is Keyword.OPT_IN  # opting in twice is no error
    assert len(opt_outs) == 0


def test_opt_outs_copy_independently_and_take_direct_changes():
    original = OptOuts([("12065550100", "12065551234")])
    copied = original.copy()
    copied.opt_out("16465550123", "12065551234")
    copied.opt_in("12065550100", "12065551234")
    assert list(original) == [("12065550100", "12065551234")]
    assert list(copied) == [("16465550123", "12065551234")]
    assert original != copied and original == OptOuts([("12065550100", "12065551234")])


# -- delivery delays --------------------------------------------------------------------------------

def test_delivery_delays_are_fixed_by_seed_and_message_id():
    assert delivery_delays(0, "mdr2-00000000000000000000000000000001") == (0.519, 1.583, 8.448)
    assert delivery_delays(0, "mdr2-00000000000000000000000000000001") == \
        delivery_delays(0, "mdr2-00000000000000000000000000000001")
    assert delivery_delays(1, "mdr2-00000000000000000000000000000001") != \
        delivery_delays(0, "mdr2-00000000000000000000000000000001")
    assert delivery_delays(0, "mdr2-00000000000000000000000000000002") != \
        delivery_delays(0, "mdr2-00000000000000000000000000000001")


@pytest.mark.parametrize("profile", [DELIVERY, DELAYED_DELIVERY, ((1.0, 2.0),) * 11])
def test_each_step_follows_the_last_within_its_range(profile):
    for n in range(200):
        offsets = delivery_delays(7, f"message-{n}", profile)
        assert len(offsets) == len(profile)
        previous = 0.0
        for offset, (shortest, longest) in zip(offsets, profile, strict=True):
            assert shortest - 0.001 <= offset - previous <= longest + 0.001
            previous = offset


def test_delivery_rules_newest_first_wildcards_default_and_independent_copies():
    rules = DeliveryRules.load([{"to": "1206555*", "outcome": "undeliverable"}, {"to": "1*", "outcome": "expired"}])
    assert [rules.outcome_for(n) for n in ("12065551234", "14155551234", "442071234567")] == [
        "undeliverable", "expired", "delivered"]
    copy = rules.copy()
    assert copy.add("1206555123?", "rejected") == DeliveryRule("1206555123?", "rejected")
    assert copy.outcome_for("12065551234") == "rejected" and copy.outcome_for("12065551244") == "undeliverable"
    assert rules.outcome_for("12065551234") == "undeliverable" and len(rules) == 2  # the original is untouched
    assert copy.dump()[0] == {"to": "1206555123?", "outcome": "rejected"}
    assert DeliveryRules.load(copy.dump()) == copy and list(copy)[0].to == "1206555123?"
    assert DeliveryRules(default="sent").outcome_for("+12065551234") == "sent"
