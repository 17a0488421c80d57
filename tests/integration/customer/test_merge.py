"""Point 7: a master absorbs other customers and nothing of any of them is lost; refusals."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.customer.conftest import Producer, count_is, fields_of, ok, problem
from tests.support.broker import Tap
from tests.support.waiting import eventually


async def customer(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = ok(await api.post("/v1/customers", json=body), 201)
    return created


async def test_a_merge_loses_no_field_order_note_or_tag_of_any_input(
    api: httpx.AsyncClient, producer: Producer, db: Any, events: Tap
) -> None:
    ok(
        await api.post(
            "/v1/custom-fields", json={"key": "tier", "label": "Tier", "field_type": "string"}
        ),
        201,
    )
    ok(
        await api.post(
            "/v1/custom-fields", json={"key": "club", "label": "Club", "field_type": "string"}
        ),
        201,
    )
    home = {"line1": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"}
    master = await customer(
        api,
        {
            "first_name": "Anna",
            "emails": [{"address": "anna@example.com"}],
            "tags": ["vip"],
            "addresses": [home],
            "extra": {"tier": "gold"},
        },
    )
    # A buyer from a shop, with an order and a different address.
    await producer.order(
        email="a.schmidt@example.com",
        first_name="Anna",
        last_name="Schmidt",
        customer_id="shop-9",
        order_id="m-1",
    )
    await eventually(count_is(db["orders"], 1), what="the order")
    [imported] = ok(await api.get("/v1/customers", params={"email": "a.schmidt@example.com"}))[
        "items"
    ]
    ok(await api.post(f"/v1/customers/{imported['id']}/tags", json={"add": ["newsletter"]}))
    ok(
        await api.patch(
            f"/v1/customers/{imported['id']}", json={"extra": {"tier": "silver", "club": "A"}}
        )
    )
    ok(
        await api.post(
            f"/v1/customers/{imported['id']}/bank-accounts", json={"iban": "DE89370400440532013000"}
        ),
        201,
    )
    third = await customer(
        api,
        {
            "last_name": "S.",
            "company": "Schmidt GmbH",
            "phones": ["+49 30 901820"],
            "emails": [{"address": "anna@schmidt-gmbh.example"}],
            "tags": ["b2b", "vip"],
            "addresses": [{**home, "city": "BERLIN"}],
        },
    )
    notes = {}
    for who in (master, imported, third):
        note = ok(
            await api.post(f"/v1/customers/{who['id']}/notes", json={"text": f"about {who['id']}"}),
            201,
        )
        notes[who["id"]] = note["id"]

    merged = ok(
        await api.post(
            f"/v1/customers/{master['id']}/merge",
            json={"source_ids": [imported["id"], third["id"]]},
        )
    )
    # The master's values win; its blanks are filled from the sources in order.
    assert (merged["first_name"], merged["last_name"], merged["company"]) == (
        "Anna",
        "Schmidt",
        "Schmidt GmbH",
    )
    assert [e["address"] for e in merged["emails"]] == [
        "anna@example.com",
        "a.schmidt@example.com",
        "anna@schmidt-gmbh.example",
    ]
    assert [e["primary"] for e in merged["emails"]] == [True, False, False]
    assert merged["phones"] == ["+4930901820"]
    assert sorted(merged["tags"]) == ["b2b", "newsletter", "vip"]
    assert merged["extra"] == {"tier": "gold", "club": "A"}
    # The order's billing address (with the buyer's name) is another; the third's is the
    # master's own, typed differently, and is kept once.
    assert [(a["last_name"], a["city"]) for a in merged["addresses"]] == [
        (None, "Berlin"),
        ("Schmidt", "Berlin"),
    ]
    assert merged["bank_accounts"][0]["iban_masked"].endswith("30 00")
    assert merged["channel_accounts"] == ["shopify:demo-store.myshopify.com:shop-9"]
    assert merged["stats"]["order_count"] == 1
    assert merged["stats"]["revenue"] == {"EUR": "59.90"}
    orders = ok(await api.get(f"/v1/customers/{master['id']}/orders"))["items"]
    assert [o["order_id"] for o in orders] == ["m-1"]
    listed = ok(await api.get(f"/v1/customers/{master['id']}/notes"))["items"]
    assert sorted(n["id"] for n in listed) == sorted(notes.values())

    # The absorbed records tell where they went.
    for source in (imported, third):
        moved = await api.get(f"/v1/customers/{source['id']}")
        assert moved.status_code == 301
        assert moved.headers["location"] == f"/v1/customers/{master['id']}"
        assert moved.json()["status"] == "merged"
    claims = {doc["_id"]: doc["customer_id"] async for doc in db["identities"].find({})}
    assert set(claims.values()) == {master["id"]}
    assert len(claims) == 4

    [event] = await events.wait_for(1, "customer.merged.v1")
    assert event["master"]["customer_id"] == master["id"]
    assert sorted(event["absorbed_ids"]) == sorted([imported["id"], third["id"]])
    timeline = ok(
        await api.get(f"/v1/customers/{master['id']}/timeline", params={"kind": "merged"})
    )
    [entry] = timeline["items"]
    absorbed = {a["id"]: a for a in entry["details"]["absorbed"]}
    assert absorbed[third["id"]]["company"] == "Schmidt GmbH"
    assert {c["field"] for c in entry["changes"]} >= {"last_name", "company", "tags", "emails"}

    # A later order of an absorbed identity lands on the master.
    await producer.order(
        email="a.schmidt@example.com", customer_id="shop-9", order_id="m-2", updated_minutes=9
    )
    await eventually(
        count_is(db["orders"], 1, {"order_id": "m-2", "customer_id": master["id"]}),
        what="the late order on the master",
    )
    assert await db["customers"].count_documents({"status": "active"}) == 1


async def test_merges_that_make_no_sense_are_refused(api: httpx.AsyncClient) -> None:
    a = await customer(api, {"last_name": "A"})
    b = await customer(api, {"last_name": "B"})
    c = await customer(api, {"last_name": "C"})
    itself = problem(
        await api.post(f"/v1/customers/{a['id']}/merge", json={"source_ids": [a["id"]]}), 422
    )
    assert fields_of(itself) == {"source_ids.0"}
    missing = problem(
        await api.post(f"/v1/customers/{a['id']}/merge", json={"source_ids": ["nope"]}), 422
    )
    assert fields_of(missing) == {"source_ids.0"}
    problem(await api.post("/v1/customers/nope/merge", json={"source_ids": [a["id"]]}), 404)

    ok(await api.post(f"/v1/customers/{a['id']}/merge", json={"source_ids": [b["id"]]}))
    into_merged = problem(
        await api.post(f"/v1/customers/{b['id']}/merge", json={"source_ids": [c["id"]]}), 409
    )
    assert a["id"] in into_merged["detail"]
    cycle = problem(
        await api.post(f"/v1/customers/{b['id']}/merge", json={"source_ids": [a["id"]]}), 409
    )
    assert "cycle" in cycle["detail"]
    again = problem(
        await api.post(f"/v1/customers/{c['id']}/merge", json={"source_ids": [b["id"]]}), 409
    )
    assert fields_of(again) == {"source_ids.0"}

    ok(await api.post(f"/v1/customers/{c['id']}/erase"))
    into_erased = problem(
        await api.post(f"/v1/customers/{c['id']}/merge", json={"source_ids": [a["id"]]}), 409
    )
    assert "erased" in into_erased["detail"]
    erased_source = problem(
        await api.post(f"/v1/customers/{a['id']}/merge", json={"source_ids": [c["id"]]}), 409
    )
    assert fields_of(erased_source) == {"source_ids.0"}
