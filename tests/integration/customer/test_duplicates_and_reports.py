"""Points 8 and 11: weak similarity proposes duplicate candidates for a person to decide; the
reports through the gateway."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from tests.integration.customer.conftest import Producer, count_is, ok, problem
from tests.support.orders import upsert
from tests.support.waiting import eventually


async def test_lookalikes_are_proposed_never_merged_and_can_be_accepted_or_dismissed(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    # One person on two channels without a shared strong identifier: same phone, name typo.
    await producer.order(
        email="petra@example.com",
        first_name="Petra",
        last_name="Schäfer",
        phone="+49 171 2223333",
        order_id="d-1",
    )
    await producer.order(
        email="p.schaefer@mail.example",
        first_name="Petra",
        last_name="Schafer",
        phone="0171 2223333",
        order_id="d-2",
        channel="woocommerce",
        shop="shop.example",
    )
    # Same last name, other person: not proposed.
    await producer.order(
        email="karl@example.com",
        first_name="Karl",
        last_name="Schäfer",
        order_id="d-3",
        phone="+49 30 1234567",
    )
    await eventually(count_is(db["orders"], 3), what="three orders")

    async def proposed() -> Any:
        return ok(await api.get("/v1/duplicates"))["items"]

    [candidate] = await eventually(proposed, what="a candidate")
    assert candidate["status"] == "open"
    assert candidate["score"] >= 85
    assert "same phone +491712223333" in candidate["reasons"]
    assert any(r.startswith("similar name") for r in candidate["reasons"])
    assert await db["customers"].count_documents({"status": "active"}) == 3, (
        "never merged by itself"
    )

    report = ok(await api.get("/v1/reports/open-duplicates"))
    assert report["open"] == 1
    assert report["top"][0]["id"] == candidate["id"]

    master = candidate["customer_ids"][1]
    merged = ok(
        await api.post(f"/v1/duplicates/{candidate['id']}/accept", json={"master_id": master})
    )
    assert merged["id"] == master
    assert len(merged["emails"]) == 2
    accepted = ok(await api.get(f"/v1/duplicates/{candidate['id']}"))
    assert accepted["status"] == "accepted"
    assert accepted["decided_by"]["type"] == "api"
    problem(await api.post(f"/v1/duplicates/{candidate['id']}/dismiss"), 409)
    assert ok(await api.get("/v1/reports/open-duplicates"))["open"] == 0


async def test_a_dismissed_pair_is_not_proposed_again(api: httpx.AsyncClient, db: Any) -> None:
    home = {"line1": "Lindenallee 12", "postal_code": "50968", "city": "Köln", "country": "DE"}
    first = ok(
        await api.post(
            "/v1/customers", json={"first_name": "Jonas", "last_name": "Weber", "addresses": [home]}
        ),
        201,
    )
    ok(
        await api.post(
            "/v1/customers",
            json={
                "first_name": "Jonas",
                "last_name": "Webber",
                "addresses": [{**home, "line1": "Lindenallee 12a"}],
            },
        ),
        201,
    )
    [candidate] = ok(await api.get("/v1/duplicates"))["items"]
    assert any(r.startswith("similar address") for r in candidate["reasons"])
    dismissed = ok(await api.post(f"/v1/duplicates/{candidate['id']}/dismiss"))
    assert dismissed["status"] == "dismissed"
    # A change that would propose the pair again.
    ok(await api.patch(f"/v1/customers/{first['id']}", json={"phones": ["+49 221 123456"]}))
    ok(await api.patch(f"/v1/customers/{first['id']}", json={"last_name": "Webber"}))
    assert ok(await api.get("/v1/duplicates"))["items"] == []
    assert (
        ok(await api.get("/v1/duplicates", params={"status": "dismissed"}))["items"][0]["id"]
        == candidate["id"]
    )


async def test_reports(api: httpx.AsyncClient, producer: Producer, db: Any) -> None:
    orders = [
        ("a@example.com", "r-1", "shopify", "100.00"),
        ("a@example.com", "r-2", "shopify", "50.00"),
        ("b@example.com", "r-3", "amazon", "300.00"),
        ("c@example.com", "r-4", "shopify", "20.00"),
    ]
    for n, (email, order_id, channel, total) in enumerate(orders):
        command = upsert(email=email, order_id=order_id, channel=channel, updated_minutes=n)
        order = command.order.model_copy(update={"total": Decimal(total)})
        await producer.send(command.model_copy(update={"order": order}))
    await eventually(count_is(db["orders"], 4), what="four orders")
    ok(await api.post("/v1/customers", json={"last_name": "By Hand"}), 201)

    today = datetime.now(UTC).date().isoformat()
    new = ok(await api.get("/v1/reports/new-customers", params={"start": today, "end": today}))
    assert [(r["channel"], r["count"]) for r in new["rows"]] == [
        ("amazon", 1),
        ("api", 1),
        ("shopify", 2),
    ]
    assert new["total"] == 4
    wrong = problem(
        await api.get("/v1/reports/new-customers", params={"start": today, "end": "2020-01-01"}),
        422,
    )
    assert wrong["errors"][0]["field"] == "period.end"

    rate = ok(await api.get("/v1/reports/repeat-purchase-rate"))
    assert rate == {
        "customers_with_orders": 3,
        "repeat_customers": 1,
        "rate": 0.3333,
        "orders_without_customer": 0,
    }
    top = ok(await api.get("/v1/reports/top-customers", params={"currency": "EUR", "limit": 2}))
    assert [(t["revenue"], t["order_count"]) for t in top["items"]] == [
        ("300.00", 1),
        ("150.00", 2),
    ]
    assert ok(await api.get("/v1/reports/top-customers", params={"currency": "USD"}))["items"] == []
