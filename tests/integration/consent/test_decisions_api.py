"""Recording consent through the gateway: answered at once, refused with the reason."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Suite
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.support.access import ADMIN_ACTOR
from tests.support.broker import Tap

PROBLEM = "application/problem+json"


def decision(state: str = "single_opt_in", **evidence: Any) -> dict[str, Any]:
    return {
        "purpose": "email",
        "state": state,
        "evidence": {"source": "supporter", "text_version": "newsletter-v3"} | evidence,
    }


async def test_a_decision_is_recorded_shown_and_published(
    consent_suite: Suite,
    customers: CustomerService,
    events: Tap,
    mongo: AsyncMongoClient[Document],
) -> None:
    await customers.create("ada", "ada@example.com")
    await known_to_consent(consent_suite, mongo, "ada")
    gateway = consent_suite.gateway

    response = await gateway.post(
        "/v1/customers/ada/consents",
        json=decision(
            source="self_service",
            decided_at="2026-11-01T09:30:00+01:00",
            text="Yes, send me the newsletter",
            ip_address="203.0.113.7",
            user_agent="Firefox/140",
        ),
    )
    assert response.status_code == 201, response.text
    entry = response.json()["entry"]
    assert (entry["previous_state"], entry["state"], entry["outcome"]) == (
        "none",
        "single_opt_in",
        "applied",
    )
    assert entry["evidence"]["decided_at"] == "2026-11-01T08:30:00Z"
    assert entry["email"] == "ada@example.com"

    current = (await gateway.get("/v1/customers/ada/consents")).json()
    email = next(c for c in current["consents"] if c["purpose"] == "email")
    assert (email["state"], email["source"], email["entry_id"]) == (
        "single_opt_in",
        "self_service",
        entry["id"],
    )
    # Every purpose is listed; undecided ones as none.
    assert {c["purpose"]: c["state"] for c in current["consents"]} == {
        "email": "single_opt_in",
        "sms": "none",
        "phone": "none",
        "post": "none",
        "third_party_sharing": "none",
        "profiling": "none",
    }

    [changed] = await events.wait_for(1, "consent.changed.v1")
    assert changed["customer_id"] == "ada"
    assert (changed["previous_state"], changed["state"]) == ("none", "single_opt_in")
    assert changed["entry_id"] == entry["id"]
    assert changed["evidence"]["ip_address"] == "203.0.113.7"
    assert changed["actor"] == ADMIN_ACTOR


async def test_the_rules_refuse_at_once_and_record_nothing(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("bob")
    await known_to_consent(consent_suite, mongo, "bob")
    gateway = consent_suite.gateway
    withdrawn = await gateway.post(
        "/v1/customers/bob/consents", json=decision("withdrawn", source="self_service")
    )
    assert withdrawn.status_code == 201, withdrawn.text

    # A supporter cannot opt the person in again.
    refused = await gateway.post("/v1/customers/bob/consents", json=decision())
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    problem = refused.json()
    assert problem["type"] == "urn:problem:consent-withdrawal-stands"
    assert problem["errors"][0]["field"] == "state"
    history = (await gateway.get("/v1/customers/bob/consents/history")).json()
    assert [e["decision"] for e in history["items"]] == ["withdrawn"]

    # The person can.
    again = await gateway.post("/v1/customers/bob/consents", json=decision(source="self_service"))
    assert again.status_code == 201
    assert again.json()["entry"]["state"] == "single_opt_in"


async def test_bad_input_is_a_problem_naming_the_field(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("cleo")
    await known_to_consent(consent_suite, mongo, "cleo")
    gateway = consent_suite.gateway

    async def problem_fields(body: dict[str, Any], customer: str = "cleo") -> set[str]:
        response = await gateway.post(f"/v1/customers/{customer}/consents", json=body)
        assert response.status_code in (404, 422), response.text
        assert response.headers["content-type"] == PROBLEM
        return {e["field"] for e in response.json()["errors"]}

    # Shape (gateway) ...
    assert await problem_fields(
        {"purpose": "Email!", "state": "maybe", "evidence": {"source": "rumour"}}
    ) == {"purpose", "state", "evidence.source"}
    # ... and meaning (consent service).
    assert await problem_fields(decision(text_version=None)) == {"evidence.text_version"}
    assert await problem_fields(decision("double_opt_in")) == {"state"}
    assert await problem_fields(decision(source="order_import")) == {"evidence.source"}
    assert await problem_fields(decision(decided_at="2099-01-01T00:00:00Z")) == {
        "evidence.decided_at"
    }
    assert await problem_fields(decision(ip_address="not-an-ip")) == {"evidence.ip_address"}
    assert await problem_fields(decision() | {"purpose": "carrier_pigeon"}) == {"purpose"}
    assert await problem_fields(decision() | {"channel": "Not A Slug"}) == {"channel"}
    # The customer must exist.
    unknown = await gateway.post("/v1/customers/nobody/consents", json=decision())
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "customer_id"
    assert (await gateway.get("/v1/customers/nobody/consents")).status_code == 404
    assert (await gateway.get("/v1/customers/nobody/consents/history")).status_code == 404

    history = (await gateway.get("/v1/customers/cleo/consents/history")).json()
    assert history["items"] == []


async def test_history_pages_newest_first_with_a_cursor(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("dora")
    await known_to_consent(consent_suite, mongo, "dora")
    gateway = consent_suite.gateway
    for purpose in ("email", "sms", "post", "email", "profiling"):
        response = await gateway.post(
            "/v1/customers/dora/consents", json=decision() | {"purpose": purpose}
        )
        assert response.status_code == 201, response.text

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await gateway.get("/v1/customers/dora/consents/history", params=params)).json()
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]

    emails = (
        await gateway.get("/v1/customers/dora/consents/history", params={"purpose": "email"})
    ).json()
    assert [(e["seq"], e["outcome"]) for e in emails["items"]] == [
        (4, "unchanged"),
        (1, "applied"),
    ]
    bad = await gateway.get("/v1/customers/dora/consents/history", params={"cursor": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
