"""Purposes are data managed through the API; consent rates per purpose and channel."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Suite
from tests.integration.consent.conftest import CustomerService, known_to_consent

PROBLEM = "application/problem+json"


def decision(state: str, purpose: str = "email", **extra: Any) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "state": state,
        "evidence": {"source": "self_service", "text_version": "v1"},
    } | extra


async def test_purposes_are_seeded_added_renamed_and_retired(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    gateway = consent_suite.gateway
    listed = (await gateway.get("/v1/consents/purposes")).json()["items"]
    assert [p["key"] for p in listed] == [
        "email",
        "phone",
        "post",
        "profiling",
        "sms",
        "third_party_sharing",
    ]
    assert all(p["active"] for p in listed)

    created = await gateway.post(
        "/v1/consents/purposes",
        json={"key": "loyalty_club", "title": "Loyalty club mails", "description": "Points"},
    )
    assert created.status_code == 201, created.text
    again = await gateway.post(
        "/v1/consents/purposes", json={"key": "loyalty_club", "title": "Something else"}
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["errors"][0]["field"] == "key"
    bad = await gateway.post("/v1/consents/purposes", json={"key": "Loyalty Club", "title": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"key", "title"}

    await customers.create("lea")
    await known_to_consent(consent_suite, mongo, "lea")
    opted_in = await gateway.post(
        "/v1/customers/lea/consents", json=decision("single_opt_in", "loyalty_club")
    )
    assert opted_in.status_code == 201, opted_in.text

    renamed = await gateway.patch(
        "/v1/consents/purposes/loyalty_club", json={"title": "Club news", "active": False}
    )
    assert renamed.status_code == 200
    assert renamed.json() == {
        "key": "loyalty_club",
        "title": "Club news",
        "description": "Points",
        "active": False,
    }
    # Retired: no new opt-ins, but a withdrawal is always taken.
    refused = await gateway.post(
        "/v1/customers/lea/consents", json=decision("single_opt_in", "loyalty_club")
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "purpose"
    withdrawn = await gateway.post(
        "/v1/customers/lea/consents", json=decision("withdrawn", "loyalty_club")
    )
    assert withdrawn.status_code == 201
    # Its decided consent is still listed; undecided retired purposes are not.
    consents = (await gateway.get("/v1/customers/lea/consents")).json()["consents"]
    assert {"purpose": "loyalty_club", "state": "withdrawn"}.items() <= next(
        c for c in consents if c["purpose"] == "loyalty_club"
    ).items()

    missing = await gateway.patch("/v1/consents/purposes/nothing_here", json={"active": False})
    assert missing.status_code == 404


async def test_consent_rates_per_purpose_and_channel(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    gateway = consent_suite.gateway
    people = ("p1", "p2", "p3", "p4")
    for number, customer_id in enumerate(people, start=10001):
        await customers.create(customer_id, number=number)
    for customer_id in people:
        await known_to_consent(consent_suite, mongo, customer_id)

    for customer_id, body in [
        ("p1", decision("single_opt_in")),
        ("p2", decision("single_opt_in")),
        ("p3", decision("withdrawn")),
        # p2 withdrew for eBay only; p4 opted in for eBay only.
        ("p2", decision("withdrawn", channel="ebay")),
        ("p4", decision("single_opt_in", channel="ebay")),
    ]:
        response = await gateway.post(f"/v1/customers/{customer_id}/consents", json=body)
        assert response.status_code == 201, response.text

    report = await gateway.get("/v1/reports/consents", params={"purpose": "email"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["customers"] == 4
    rates = {r["channel"]: r for r in body["rates"]}
    assert set(rates) == {None, "ebay"}
    assert rates[None]["counts"] == {
        "none": 1,
        "single_opt_in": 2,
        "double_opt_in": 0,
        "withdrawn": 1,
        "objection": 0,
    }
    assert rates[None]["opt_in_rate"] == 0.5
    # On eBay: p1 (inherits single), p2 (withdrawn there), p3 (inherits withdrawn), p4 (single).
    assert rates["ebay"]["counts"] == {
        "none": 0,
        "single_opt_in": 2,
        "double_opt_in": 0,
        "withdrawn": 2,
        "objection": 0,
    }
    assert rates["ebay"]["opt_in_rate"] == 0.5

    everything = (await gateway.get("/v1/reports/consents")).json()
    assert {r["purpose"] for r in everything["rates"]} >= {"email", "sms", "profiling"}
    unknown = await gateway.get("/v1/reports/consents", params={"purpose": "nothing_here"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "purpose"
