"""The thin end-to-end path in one process: ingest -> customer -> events -> consent, tasks."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Suite
from tests.support.orders import order_json
from tests.support.waiting import eventually


async def customers_by_email(suite: Suite, email: str) -> list[dict[str, Any]]:
    response = await suite.gateway.get("/v1/customers", params={"email": email})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_new_buyer_becomes_a_customer_everywhere(
    suite: Suite, mongo: AsyncMongoClient[Document]
) -> None:
    response = await suite.ingest.post(
        "/v1/orders", json=order_json(email="Anna.Schmidt@Example.com")
    )
    assert response.status_code == 202, response.text

    found = await eventually(
        lambda: customers_by_email(suite, "anna.schmidt@example.com"), what="the customer"
    )
    assert len(found) == 1
    customer = found[0]
    assert customer["first_name"] == "Anna"
    assert customer["emails"] == [{"address": "anna.schmidt@example.com", "primary": True}]
    assert customer["phones"] == ["+4930901820"]

    by_id = await suite.gateway.get(f"/v1/customers/{customer['id']}")
    assert by_id.status_code == 200
    assert by_id.json()["customer_number"] == customer["customer_number"]

    for service in ("consent", "tasks"):
        directory = suite.db(mongo, service)["customers"]

        async def recorded(directory: Any = directory) -> Any:
            return await directory.find_one({"_id": customer["id"]})

        known = await eventually(recorded, what=f"{service} to record the customer")
        assert known["primary_email"] == "anna.schmidt@example.com"
        assert known["version"] == 1


async def test_a_known_email_updates_the_existing_customer(
    suite: Suite, mongo: AsyncMongoClient[Document]
) -> None:
    first = await suite.ingest.post(
        "/v1/orders", json=order_json(email="max@example.com", first_name="Max")
    )
    assert first.status_code == 202
    [created] = await eventually(lambda: customers_by_email(suite, "max@example.com"))

    second = await suite.ingest.post(
        "/v1/orders",
        json=order_json(email="MAX@example.com", first_name="Maximilian", updated_minutes=5),
    )
    assert second.status_code == 202

    async def renamed() -> list[dict[str, Any]] | None:
        items = await customers_by_email(suite, "max@example.com")
        return items if items and items[0]["first_name"] == "Maximilian" else None

    [updated] = await eventually(renamed, what="the update")
    assert updated["id"] == created["id"]
    assert updated["version"] == 2

    async def consent_has_v2() -> Any:
        return await suite.db(mongo, "consent")["customers"].find_one(
            {"_id": created["id"], "version": 2}
        )

    known = await eventually(consent_has_v2, what="consent to see the update")
    assert known["display_name"] == "Maximilian Schmidt"


async def test_unknown_customer_is_a_problem(suite: Suite) -> None:
    response = await suite.gateway.get("/v1/customers/000000000000000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Customer not found"


async def test_invalid_order_names_the_field_and_publishes_nothing(suite: Suite) -> None:
    body = order_json()
    body["currency"] = "euro"
    del body["buyer"]
    response = await suite.ingest.post("/v1/orders", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"currency", "buyer"}
