"""Every read of a customer's personal data through the gateway is on record - who, when,
which field groups, the request id, the purpose, the client - before the answer goes out; it
shows in the customer's timeline as "viewed", and survives the customer's erasure without
holding anything of the person."""

from __future__ import annotations

from typing import Any

import httpx
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from shared.broker import publish
from shared.mongo import Document
from tests.conftest import Suite
from tests.integration.gateway.conftest import as_key, new_key
from tests.support.orders import upsert
from tests.support.waiting import eventually

PERSON = {
    "first_name": "Nina",
    "last_name": "Kraus",
    "emails": [{"address": "nina.kraus@example.com"}],
    "addresses": [{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
}


async def log_of(suite: Suite, customer_id: str) -> list[dict[str, Any]]:
    answer = await suite.gateway.get(f"/v1/customers/{customer_id}/access-log")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_reads_are_recorded_before_the_answer_with_who_what_why(
    customer_suite: Suite, mongo: AsyncMongoClient[Document]
) -> None:
    suite = customer_suite
    created = await suite.gateway.post("/v1/customers", json=PERSON)
    customer_id = created.json()["id"]
    supporter_id, supporter_key = await new_key(suite, "supporter")
    analyst_id, analyst_key = await new_key(suite, "analyst")
    stored = suite.db(mongo, "gateway")["access_log"]

    async with as_key(suite, supporter_key) as supporter:
        read = await supporter.get(
            f"/v1/customers/{customer_id}",
            headers={"X-Purpose": "ticket 4711", "X-Request-ID": "req-4711"},
        )
        assert read.status_code == 200
        assert read.headers["X-Request-ID"] == "req-4711"
        # On record the moment the answer is there, in the database itself.
        entry = await stored.find_one({"request_id": "req-4711"})
        assert entry is not None
        assert entry["actor"] == {"type": "api", "id": supporter_id}
        assert entry["groups"] == ["addresses", "contact", "identity"]
        assert entry["purpose"] == "ticket 4711"
        assert entry["customer_id"] == customer_id
        assert entry["client"]

        found = await supporter.get("/v1/customers", params={"email": "nina.kraus@example.com"})
        assert [c["id"] for c in found.json()["items"]] == [customer_id]
        assert (await supporter.get(f"/v1/customers/{customer_id}/addresses")).status_code == 200

    # No personal data in the answer, nothing on record.
    async with as_key(suite, analyst_key) as analyst:
        assert (await analyst.get(f"/v1/customers/{customer_id}")).status_code == 200

    entries = await log_of(suite, customer_id)
    routes = [(e["actor"]["id"], e["route"]) for e in entries]
    assert (supporter_id, "GET /v1/customers/{customer_id}") in routes
    assert (supporter_id, "GET /v1/customers") in routes
    assert (supporter_id, "GET /v1/customers/{customer_id}/addresses") in routes
    assert analyst_id not in {e["actor"]["id"] for e in entries}
    # The admin's own create answered with the person's data: on record too.
    assert ("bootstrap", "POST /v1/customers") in routes

    by_principal = await suite.gateway.get("/v1/access-log", params={"principal": supporter_id})
    assert {e["customer_id"] for e in by_principal.json()["items"]} == {customer_id}
    assert len(by_principal.json()["items"]) == 3

    page = await suite.gateway.get(f"/v1/customers/{customer_id}/access-log", params={"limit": 2})
    older = await suite.gateway.get(
        f"/v1/customers/{customer_id}/access-log",
        params={"limit": 2, "cursor": page.json()["next_cursor"]},
    )
    assert not {e["id"] for e in page.json()["items"]} & {e["id"] for e in older.json()["items"]}


async def test_views_show_in_the_timeline_and_outlive_erasure_without_personal_data(
    customer_suite: Suite, mongo: AsyncMongoClient[Document]
) -> None:
    suite = customer_suite
    customer_id = (await suite.gateway.post("/v1/customers", json=PERSON)).json()["id"]
    supporter_id, supporter_key = await new_key(suite, "supporter")
    async with as_key(suite, supporter_key) as supporter:
        await supporter.get(f"/v1/customers/{customer_id}", headers={"X-Purpose": "callback"})

    timeline = (await suite.gateway.get(f"/v1/customers/{customer_id}/timeline")).json()["items"]
    [viewed] = [a for a in timeline if a["kind"] == "viewed" and a["actor"]["id"] == supporter_id]
    assert viewed["details"] == {
        "field_groups": ["addresses", "contact", "identity"],
        "purpose": "callback",
    }
    assert timeline == sorted(timeline, key=lambda a: a["at"], reverse=True)
    only_views = await suite.gateway.get(
        f"/v1/customers/{customer_id}/timeline", params={"kind": "viewed"}
    )
    assert {a["kind"] for a in only_views.json()["items"]} == {"viewed"}
    no_views = await suite.gateway.get(
        f"/v1/customers/{customer_id}/timeline", params={"kind": "created"}
    )
    assert {a["kind"] for a in no_views.json()["items"]} == {"created"}

    erased = await suite.gateway.post(f"/v1/customers/{customer_id}/erase", json={})
    assert erased.status_code == 200, erased.text
    entries = await log_of(suite, customer_id)
    assert supporter_id in {e["actor"]["id"] for e in entries}
    stored = (
        await suite.db(mongo, "gateway")["access_log"].find({"customer_id": customer_id}).to_list()
    )
    text = str(stored)
    for personal in ("Nina", "Kraus", "nina.kraus", "Hauptstraße", "Berlin"):
        assert personal not in text


async def test_the_access_log_is_for_those_who_manage_access(customer_suite: Suite) -> None:
    _, key = await new_key(customer_suite, "supporter")
    async with as_key(customer_suite, key) as supporter:
        for path in ("/v1/customers/abc/access-log", "/v1/access-log?principal=x"):
            answer: httpx.Response = await supporter.get(path)
            assert answer.status_code == 403


async def test_a_report_that_names_customers_is_on_record_for_them(customer_suite: Suite) -> None:
    suite = customer_suite
    namespace = suite.namespace
    broker = RabbitBroker(
        namespace.infra.amqp_url,
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
    )
    await broker.connect()
    try:
        await publish(broker, namespace.topology, upsert(email="top@example.com", order_id="t-1"))
    finally:
        await broker.stop()

    async def top() -> Any:
        report = await suite.gateway.get("/v1/reports/top-customers", params={"currency": "EUR"})
        return report.json()["items"] or None

    [customer] = await eventually(top, what="the top customer")
    assert customer["display_name"]
    entries = await log_of(suite, customer["customer_id"])
    assert [(e["route"], e["field_groups"]) for e in entries] == [
        ("GET /v1/reports/top-customers", ["identity"])
    ]
    # The analyst sees no names, and so nothing is recorded.
    _, key = await new_key(suite, "analyst")
    async with as_key(suite, key) as analyst:
        report = await analyst.get("/v1/reports/top-customers", params={"currency": "EUR"})
        assert "display_name" not in report.json()["items"][0]
    assert len(await log_of(suite, customer["customer_id"])) == 1
