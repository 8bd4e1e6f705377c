"""The magic inputs: one registry of fictional 555-01XX numbers, its lookups, and the tables printed from it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fakeroute import cli, magic
from fakeroute.magic import INBOUND, PURCHASE, REGISTRY, SEND, inbound_keyword, purchase_outcome, send_outcome
from fakeroute.phone import is_valid
from fakeroute.providers import PROVIDERS
from fakeroute.scenario import owned_numbers, read_scenario
from tests.support import REPO

LOOKUPS = {SEND: send_outcome, PURCHASE: purchase_outcome, INBOUND: inbound_keyword}


def test_the_registry_is_what_the_docs_promise():
    assert [(e.digits, e.action, e.outcome) for e in REGISTRY] == [
        ("0101", SEND, "delivered"),
        ("0102", SEND, "undelivered"),
        ("0103", SEND, "carrier_rejected"),
        ("0104", SEND, "landline"),
        ("0105", SEND, "opted_out"),
        ("0106", SEND, "delayed_receipts"),
        ("0107", SEND, "no_receipt"),
        ("0131", INBOUND, "STOP"),
        ("0132", INBOUND, "HELP"),
        ("0151", PURCHASE, "just_taken"),
        ("0152", PURCHASE, "carrier_error"),
    ]
    assert len({e.digits for e in REGISTRY}) == len(REGISTRY)
    assert all(e.description for e in REGISTRY)


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: f"{e.action}-{e.outcome}")
@pytest.mark.parametrize("area_code", ["206", "415", "212", "907"])
def test_each_entry_forces_its_outcome_in_any_area_code_and_only_for_its_action(entry, area_code):
    number = entry.number(area_code)
    assert number == f"1{area_code}555{entry.digits}" and is_valid(number)  # libphonenumber takes it
    for action, lookup in LOOKUPS.items():
        expected = entry.outcome if action == entry.action else None
        assert lookup(number) == expected
        assert lookup("+" + number) == expected  # E.164, as AgentMessage and Twilio write numbers


@pytest.mark.parametrize("number", [
    "12065550100",  # in the fictional range, but no entry: an ordinary number
    "12065550199",
    "12065551234",
    "18005550101",  # toll-free 555 numbers are real ones, never magic
    "+18885550105",
    "1206555010",  # too short
    "120655501011",  # too long
    "12065550101 ",
    "02065550101",
    "12065560101",
])
def test_anything_else_is_an_ordinary_number(number):
    assert all(lookup(number) is None for lookup in LOOKUPS.values())


def test_the_built_in_scenarios_own_no_magic_number():
    for name in ("default", "empty", "busy", "near-limits", "suspended"):
        _, document = read_scenario(name)
        assert not [n for n in owned_numbers(name, document, PROVIDERS) if magic.reserved_line(n) in
                    {e.digits for e in REGISTRY}], name


def test_the_readme_table_is_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Magic inputs", 1)[1].split("\n## ", 1)[0]
    assert magic.markdown_table() in section


def test_fakeroute_magic_prints_the_registry(capsys):
    assert cli.main(["magic"]) == 0
    printed = capsys.readouterr().out
    assert printed == magic.text_table()
    assert printed.splitlines()[0].split() == ["number", "action", "outcome", "what", "happens"]
    assert printed.splitlines()[1].split()[:3] == ["1NPA5550101", "send", "delivered"]
    assert len(printed.splitlines()) == len(REGISTRY) + 1
    assert cli.main(["magic", "--markdown"]) == 0
    assert capsys.readouterr().out == magic.markdown_table()


def test_python_dash_m_prints_the_markdown_table():
    done = subprocess.run([sys.executable, "-m", "fakeroute.magic", "--markdown"], capture_output=True, text=True,
                          check=True, cwd=REPO)
    assert done.stdout == magic.markdown_table()
