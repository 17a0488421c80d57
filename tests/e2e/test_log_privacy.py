"""No personal data in any log line, with every service running as in production.

The seven services run as processes with `LOG_FORMAT=json` and `LOG_LEVEL=DEBUG` (the most they
ever write). Orders full of personal data go through ingest to customer, consent and tasks; the
gateway looks people up by email and phone, adds a bank account and has a double opt-in mail
sent by the mailer; a malformed order and a command that fits no contract take the error paths
(a 422, a parked message whose log line quotes the person). Then every line of every service's
output must be one JSON object with time, level and service, and none may hold a personal value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.logs import REDACTED
from tests.conftest import Namespace
from tests.support.access import ADMIN_HEADERS
from tests.support.broker import publish_raw
from tests.support.orders import INTEGRATION_HEADERS, order_json
from tests.support.processes import tail
from tests.support.suite_processes import running_services
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

PEOPLE = [
    {
        "first_name": "Wilhelmina",
        "last_name": "Zauberkraut",
        "email": "wilhelmina.zauberkraut@example.org",
        "phone": "+49 30 90182077",
        "line1": "Quittenweg 17",
        "city": "Kleinmachnow",
        "postal_code": "14532",
    },
    {
        "first_name": "Bartholomew",
        "last_name": "Quiggleton",
        "email": "b.quiggleton@example.net",
        "phone": "+44 20 7946 0958",
        "line1": "Marrowbone Lane 221",
        "city": "Little Snoring",
        "postal_code": "NR21 0AB",
    },
]
IBAN = "DE89370400440532013000"
# Values searched for in the logs: each one alone, in the spellings a log could take.
PERSONAL_VALUES = [
    value
    for person in PEOPLE
    for key, value in person.items()
    if key not in ("postal_code", "phone")
] + [
    "90182077",
    "7946 0958",
    "79460958",
    IBAN,
    "0532 0130",
    "Kontoinhaberin Zauberkraut",
    "NR21 0AB",
]


def personal_order(person: dict[str, str], **changes: Any) -> dict[str, Any]:
    order = order_json(
        email=person["email"],
        first_name=person["first_name"],
        last_name=person["last_name"],
        phone=person["phone"],
    )
    order["billing_address"] |= {
        "line1": person["line1"],
        "city": person["city"],
        "postal_code": person["postal_code"],
        "phone": person["phone"],
    }
    order["marketing"] = [
        {"purpose": "email", "state": "single_opt_in", "reported_level": "single_opt_in"}
    ]
    return order | changes


async def test_no_log_line_of_any_service_holds_personal_data(
    namespace: Namespace, tmp_path: Path
) -> None:
    env = {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    async with running_services(namespace, tmp_path, env) as suite:
        async with httpx.AsyncClient(timeout=15, headers=ADMIN_HEADERS) as http:
            ingest, gateway = suite.url("ingest"), suite.url("gateway")
            for person in PEOPLE:
                accepted = await http.post(
                    f"{ingest}/v1/orders", json=personal_order(person), headers=INTEGRATION_HEADERS
                )
                assert accepted.status_code == 202, accepted.text
            # Refused at the edge: the problem names the field, the log must not quote it.
            bad = personal_order(PEOPLE[0], currency="EURO")
            refused = await http.post(f"{ingest}/v1/orders", json=bad, headers=INTEGRATION_HEADERS)
            assert refused.status_code == 422, refused.text
            # A command that fits no contract: parked, with the reason in the log.
            await publish_raw(
                namespace.infra.amqp_url,
                namespace.topology.commands.name,
                "customer.upsert_from_order.v1",
                {
                    "type": "customer.upsert_from_order.v1",
                    "message_id": "broken-1",
                    "order": {"buyer": PEOPLE[1], "notes": f"call {PEOPLE[1]['phone']}"},
                },
            )

            async def found(person: dict[str, str]) -> dict[str, Any] | None:
                page = await http.get(f"{gateway}/v1/customers", params={"email": person["email"]})
                items = page.json()["items"]
                return items[0] if items else None

            customers = [
                await eventually(lambda p=p: found(p), what=f"customer {i}")  # type: ignore[misc]
                for i, p in enumerate(PEOPLE)
            ]
            by_phone = await http.get(
                f"{gateway}/v1/customers", params={"phone": PEOPLE[0]["phone"]}
            )
            assert by_phone.status_code == 200, by_phone.text
            first = customers[0]["id"]
            account = await http.post(
                f"{gateway}/v1/customers/{first}/bank-accounts",
                json={"iban": IBAN, "holder": "Kontoinhaberin Zauberkraut"},
            )
            assert account.status_code == 201, account.text

            async def consent_known() -> bool:
                started = await http.post(
                    f"{gateway}/v1/customers/{first}/consents/double-opt-in",
                    json={"purpose": "email", "text_version": "newsletter-v3"},
                )
                return started.status_code == 202

            await eventually(consent_known, what="a double opt-in to start")
            await eventually(
                lambda: any(suite.mail_dir.glob("*.eml")), what="the confirmation mail"
            )
        suite.stop()

    lines_seen = 0
    for name, log in suite.logs.items():
        text = log.read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            lines_seen += 1
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                pytest.fail(f"{name} line {number} is not JSON: {line[:300]}")
            assert isinstance(entry, dict), line
            assert {"time", "level", "service", "message"} <= entry.keys(), line
            assert entry["service"] == name, line
            lowered = line.lower()
            for value in PERSONAL_VALUES:
                assert value.lower() not in lowered, f"{name} line {number} holds {value!r}"
        assert f"{name} stopped" in text, tail(log)
    # The error paths did log, and with the personal parts taken out.
    everything = "".join(log.read_text() for log in suite.logs.values())
    assert "broken-1" in everything
    assert REDACTED in everything
    assert lines_seen > 50
