"""Points 4, 6 and 9: orders and statistics, the timeline, notes, tags, status, password reset,
and consent decisions joining the timeline, each recorded once and announced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from shared.contracts.consent import ConsentChanged, ConsentSource, ConsentState, Evidence
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import OrderStatus
from tests.integration.customer.conftest import Producer, count_is, ok, problem
from tests.support.access import ADMIN_ACTOR
from tests.support.broker import Tap
from tests.support.orders import upsert
from tests.support.waiting import eventually


async def imported_customer(api: httpx.AsyncClient, email: str) -> dict[str, Any]:
    async def probe() -> Any:
        items = ok(await api.get("/v1/customers", params={"email": email}))["items"]
        return items[0] if items else None

    found: dict[str, Any] = await eventually(probe, what=f"customer {email}")
    return found


async def test_orders_are_summarised_counted_and_paged(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    for n, (status, currency) in enumerate(
        [("completed", "EUR"), ("shipped", "EUR"), ("cancelled", "EUR"), ("completed", "CHF")]
    ):
        command = upsert(email="stats@example.com", order_id=f"s-{n}", updated_minutes=n)
        order = command.order.model_copy(
            update={
                "status": OrderStatus(status),
                "currency": currency,
                "placed_at": datetime(2026, 1, 1 + n, tzinfo=UTC),
            }
        )
        await producer.send(command.model_copy(update={"order": order}))
    await eventually(count_is(db["orders"], 4), what="four orders")
    customer = await imported_customer(api, "stats@example.com")
    await eventually(count_is(db["customers"], 1, {"stats.order_count": 4}), what="statistics")
    stats = ok(await api.get(f"/v1/customers/{customer['id']}"))["stats"]
    assert stats["revenue"] == {"EUR": "119.80", "CHF": "59.90"}
    assert stats["first_order_at"].startswith("2026-01-01")
    assert stats["last_order_at"].startswith("2026-01-04")

    url = f"/v1/customers/{customer['id']}/orders"
    first = ok(await api.get(url, params={"limit": 3}))
    rest = ok(await api.get(url, params={"limit": 3, "cursor": first["next_cursor"]}))
    assert [o["order_id"] for o in first["items"] + rest["items"]] == ["s-3", "s-2", "s-1", "s-0"]
    assert rest["next_cursor"] is None
    summary = first["items"][1]
    assert (summary["channel"], summary["status"], summary["total"], summary["line_count"]) == (
        "shopify",
        "cancelled",
        "59.90",
        2,
    )
    assert summary["order_number"].startswith("#")
    problem(await api.get("/v1/customers/unknown/orders"), 404)


def changes(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline without the reads of the customer (the gateway's access log)."""
    return [a for a in timeline if a["kind"] != "viewed"]


async def test_the_timeline_is_newest_first_filterable_and_paged(
    api: httpx.AsyncClient, producer: Producer
) -> None:
    await producer.order(email="history@example.com", first_name="Hanna", order_id="h-1")
    customer = await imported_customer(api, "history@example.com")
    url = f"/v1/customers/{customer['id']}"
    ok(await api.patch(url, json={"first_name": "Hannah"}))
    ok(await api.post(f"{url}/tags", json={"add": ["vip"]}))
    await producer.order(email="history@example.com", order_id="h-2", updated_minutes=5)

    async def four() -> Any:
        page = ok(await api.get(f"{url}/timeline"))
        page["items"] = changes(page["items"])
        return page if len(page["items"]) == 4 else None

    page = await eventually(four, what="four activities")
    kinds = [a["kind"] for a in page["items"]]
    assert kinds == ["order_imported", "tags_changed", "updated", "created"]
    created = page["items"][-1]
    assert created["actor"] == {"type": "system", "id": "shopify:demo-store"}
    assert created["source"]["order_id"] == "h-1"
    assert {"field": "first_name", "before": None, "after": "Hanna"} in created["changes"]
    updated = page["items"][2]
    assert updated["actor"]["type"] == "api"
    assert updated["changes"] == [{"field": "first_name", "before": "Hanna", "after": "Hannah"}]

    by_api = ok(await api.get(f"{url}/timeline", params={"actor_type": "api"}))
    assert [a["kind"] for a in changes(by_api["items"])] == ["tags_changed", "updated"]
    orders_only = ok(
        await api.get(f"{url}/timeline", params={"kind": ["created", "order_imported"]})
    )
    assert [a["kind"] for a in orders_only["items"]] == ["order_imported", "created"]
    first = ok(await api.get(f"{url}/timeline", params={"limit": 3}))
    second = ok(
        await api.get(f"{url}/timeline", params={"limit": 3, "cursor": first["next_cursor"]})
    )
    both = changes(first["items"] + second["items"])
    assert [a["id"] for a in both] == [a["id"] for a in page["items"]]


async def test_a_consent_change_joins_the_timeline_once(
    api: httpx.AsyncClient, producer: Producer
) -> None:
    customer = ok(await api.post("/v1/customers", json={"last_name": "Opt"}), 201)
    event = ConsentChanged(
        customer_id=customer["id"],
        purpose="email",
        channel="shopify",
        previous_state=ConsentState.NONE,
        state=ConsentState.DOUBLE_OPT_IN,
        evidence=Evidence(
            source=ConsentSource.DOUBLE_OPT_IN,
            decided_at=datetime(2026, 5, 1, tzinfo=UTC),
            ip_address="203.0.113.9",
            text_version="nl-2026-01",
        ),
        actor=Actor(type=ActorType.CUSTOMER, id=customer["id"]),
    )
    await producer.send(event)
    await producer.send(event)  # delivered twice
    url = f"/v1/customers/{customer['id']}/timeline"

    async def recorded() -> Any:
        return ok(await api.get(url, params={"kind": "consent_changed"}))["items"]

    [entry] = await eventually(recorded, what="the consent entry")
    await producer.send(event.with_id("another-message").model_copy(update={"purpose": "sms"}))
    entries = await eventually(lambda: _at_least(recorded, 2), what="the second consent entry")
    assert len(entries) == 2
    assert entry["changes"] == [
        {"field": "consent.email.shopify", "before": "none", "after": "double_opt_in"}
    ]
    assert entry["actor"]["type"] == "customer"
    assert entry["details"]["text_version"] == "nl-2026-01"
    assert "203.0.113.9" not in str(entry)


async def _at_least(probe: Any, count: int) -> Any:
    items = await probe()
    return items if len(items) >= count else None


async def test_notes_tags_status_and_password_reset_are_recorded_and_announced(
    api: httpx.AsyncClient, events: Tap
) -> None:
    customer = ok(await api.post("/v1/customers", json={"last_name": "Noted"}), 201)
    url = f"/v1/customers/{customer['id']}"
    first = ok(await api.post(f"{url}/notes", json={"text": "called about a refund"}), 201)
    second = ok(await api.post(f"{url}/notes", json={"text": "prefers phone"}), 201)
    assert first["author"] == ADMIN_ACTOR
    ok(await api.patch(f"{url}/notes/{first['id']}", json={"pinned": True}))
    notes = ok(await api.get(f"{url}/notes"))["items"]
    assert [n["id"] for n in notes] == [first["id"], second["id"]], "pinned first"
    ok(await api.delete(f"{url}/notes/{second['id']}"), 204)
    problem(await api.patch(f"{url}/notes/{second['id']}", json={"pinned": True}), 404)

    tagged = ok(await api.post(f"{url}/tags", json={"add": ["vip", "b2b"]}))
    assert tagged["tags"] == ["vip", "b2b"]
    ok(await api.post(f"{url}/tags", json={"remove": ["b2b"]}))
    disabled = ok(await api.post(f"{url}/disable", json={"reason": "fraud suspected"}))
    assert disabled["status"] == "disabled"
    assert ok(await api.post(f"{url}/enable"))["status"] == "active"
    reset = ok(await api.post(f"{url}/password-reset", json={"reason": "leaked"}))
    assert reset["password_reset_required"] is True

    expected = [
        "customer.note_added.v1",
        "customer.note_added.v1",
        "customer.note_changed.v1",
        "customer.note_removed.v1",
        "customer.tags_changed.v1",
        "customer.tags_changed.v1",
        "customer.disabled.v1",
        "customer.enabled.v1",
        "customer.password_reset_required.v1",
    ]
    # Each change of the record is also announced as customer.updated (6 of them here).
    await events.wait_for(len(expected) + 6)
    published = [b["type"] for b in events.bodies() if b["type"] != "customer.updated.v1"]
    assert published == ["customer.created.v1", *expected]
    tags = events.bodies("customer.tags_changed.v1")
    assert (tags[0]["added"], tags[1]["removed"]) == (["vip", "b2b"], ["b2b"])
    disabled_event = events.bodies("customer.disabled.v1")[0]
    assert disabled_event["reason"] == "fraud suspected"
    assert disabled_event["customer"]["status"] == "disabled"

    timeline = changes(ok(await api.get(f"{url}/timeline"))["items"])
    assert [a["kind"] for a in timeline][:9] == [
        "password_reset_required",
        "enabled",
        "disabled",
        "tags_changed",
        "tags_changed",
        "note_removed",
        "note_changed",
        "note_added",
        "note_added",
    ]
