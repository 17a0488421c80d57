"""Erasure, the customer side: anonymised, identities released, history without personal data,
and `CustomerErased` for consent and tasks."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.customer.conftest import Producer, count_is, ok, problem
from tests.support.broker import Tap
from tests.support.waiting import eventually


async def test_an_erased_customer_keeps_nothing_personal(
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
            "/v1/custom-fields",
            json={"key": "hobby", "label": "Hobby", "field_type": "string", "pii": True},
        ),
        201,
    )
    await producer.order(
        email="forget.me@example.com", first_name="Fiona", last_name="Vergessen", order_id="e-1"
    )
    await eventually(count_is(db["customers"], 1), what="the customer")
    [customer] = ok(await api.get("/v1/customers", params={"email": "forget.me@example.com"}))[
        "items"
    ]
    url = f"/v1/customers/{customer['id']}"
    ok(
        await api.patch(
            url,
            json={"extra": {"tier": "gold", "hobby": "climbing"}, "phones": ["+49 171 1234567"]},
        )
    )
    ok(await api.post(f"{url}/notes", json={"text": "Fiona called"}), 201)
    ok(await api.post(f"{url}/bank-accounts", json={"iban": "DE89370400440532013000"}), 201)

    erased = ok(await api.post(f"{url}/erase", json={"reason": "Art. 17 request"}))
    assert erased["status"] == "erased"
    for field in ("first_name", "last_name"):
        assert erased[field] is None
    assert (erased["emails"], erased["phones"], erased["addresses"], erased["bank_accounts"]) == (
        [],
        [],
        [],
        [],
    )
    assert erased["extra"] == {"tier": "gold"}, "non-personal custom fields stay"
    assert erased["stats"]["order_count"] == 1, "orders stay for accounting"
    assert await db["identities"].count_documents({}) == 0
    assert await db["notes"].count_documents({}) == 0
    stored = str(await db["customers"].find_one({"_id": customer["id"]}))
    history = str([doc async for doc in db["activities"].find({"customer_id": customer["id"]})])
    outbox = str([doc async for doc in db["outbox"].find({})])
    for personal in ("Fiona", "Vergessen", "forget.me", "climbing", "+49171", "Hauptstr"):
        assert personal not in stored
        assert personal not in history, personal
        assert personal not in outbox, f"{personal} is still in a sent event"
    # Reads of the customer (`viewed`, from the access log) stay in the timeline too.
    timeline = [a for a in ok(await api.get(f"{url}/timeline"))["items"] if a["kind"] != "viewed"]
    assert timeline[0]["kind"] == "erased"
    assert timeline[-1]["kind"] == "created", "who changed what when is still there"

    [event] = await events.wait_for(1, "customer.erased.v1")
    assert event["customer"] == {
        "customer_id": customer["id"],
        "customer_number": customer["customer_number"],
        "version": erased["version"],
        "status": "erased",
        "display_name": None,
        "primary_email": None,
    }
    # Erasing again changes nothing; the record cannot be edited any more.
    assert ok(await api.post(f"{url}/erase"))["version"] == erased["version"]
    problem(await api.patch(url, json={"first_name": "Back"}), 409)

    # The person orders again: a new customer, the old record stays erased.
    await producer.order(
        email="forget.me@example.com", first_name="Fiona", order_id="e-2", updated_minutes=1
    )
    await eventually(count_is(db["customers"], 1, {"status": "active"}), what="a new customer")
    assert (await db["customers"].find_one({"_id": customer["id"]}))["status"] == "erased"
