"""Through all five services: a buyer from an order, their consent, and the events about it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.support.broker import tap
from tests.support.orders import order_json
from tests.support.waiting import eventually


async def test_a_buyer_from_an_order_gets_a_consent_ledger(suite: Suite) -> None:
    accepted = await suite.ingest.post("/v1/orders", json=order_json(email="nina@example.com"))
    assert accepted.status_code == 202, accepted.text

    async def customer() -> dict[str, Any] | None:
        found = await suite.gateway.get("/v1/customers", params={"email": "nina@example.com"})
        items = found.json()["items"] if found.status_code == 200 else []
        return items[0] if items else None

    nina = await eventually(customer, what="the customer from the order")

    async def consents() -> dict[str, Any] | None:
        # The consent service learns of the customer from the customer service's events.
        response = await suite.gateway.get(f"/v1/customers/{nina['id']}/consents")
        return response.json() if response.status_code == 200 else None

    await eventually(consents, what="the consent service to know the customer")

    namespace = suite.namespace
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name, "consent.#") as seen:
        recorded = await suite.gateway.post(
            f"/v1/customers/{nina['id']}/consents",
            json={
                "purpose": "email",
                "state": "single_opt_in",
                "evidence": {"source": "supporter", "text_version": "phone-script-2"},
            },
        )
        assert recorded.status_code == 201, recorded.text
        [changed] = await seen.wait_for(1, "consent.changed.v1")
    assert changed["customer_id"] == nina["id"]
    assert recorded.json()["entry"]["email"] == "nina@example.com"

    async def in_timeline() -> list[dict[str, Any]] | None:
        response = await suite.gateway.get(
            f"/v1/customers/{nina['id']}/timeline", params={"kind": "consent_changed"}
        )
        items: list[dict[str, Any]] = response.json()["items"] if response.is_success else []
        return items or None

    [activity] = await eventually(in_timeline, what="the consent change in the timeline")
    assert activity["changes"] == [
        {"field": "consent.email", "before": "none", "after": "single_opt_in"}
    ]


async def test_an_orders_marketing_flag_reaches_the_ledger_and_a_withdrawal_holds(
    suite: Suite,
) -> None:
    """Order -> customer service -> RecordConsent -> consent service, under the consent rules."""
    first = order_json(email="otto@example.com", customer_id="otto-1")
    first["marketing"] = [{"purpose": "email", "state": "single_opt_in"}]
    accepted = await suite.ingest.post("/v1/orders", json=first)
    assert accepted.status_code == 202, accepted.text

    async def customer() -> dict[str, Any] | None:
        found = await suite.gateway.get("/v1/customers", params={"email": "otto@example.com"})
        items = found.json()["items"] if found.status_code == 200 else []
        return items[0] if items else None

    otto = await eventually(customer, what="the customer from the order")
    history_url = f"/v1/customers/{otto['id']}/consents/history"

    async def entries(count: int) -> list[dict[str, Any]] | None:
        response = await suite.gateway.get(history_url)
        items = response.json()["items"] if response.status_code == 200 else []
        return items if len(items) >= count else None

    [imported] = await eventually(lambda: entries(1), what="the order's consent in the ledger")
    assert (imported["decision"], imported["state"]) == ("single_opt_in", "single_opt_in")
    assert imported["evidence"]["source"] == "order_import"
    assert imported["channel"] == "shopify"

    # Otto withdraws himself; a later order still ticking the box does not opt him in again.
    withdrawn = await suite.gateway.post(
        f"/v1/customers/{otto['id']}/consents",
        json={
            "purpose": "email",
            "state": "withdrawn",
            # Between the two orders (placed at 10:00 and updated at 11:30 that day).
            "evidence": {"source": "self_service", "decided_at": "2026-11-20T11:00:00Z"},
        },
    )
    assert withdrawn.status_code == 201, withdrawn.text
    later = order_json(email="otto@example.com", customer_id="otto-1", updated_minutes=90)
    later["marketing"] = [{"purpose": "email", "state": "single_opt_in"}]
    assert (await suite.ingest.post("/v1/orders", json=later)).status_code == 202
    latest = (await eventually(lambda: entries(3), what="the later order's consent"))[0]
    assert (latest["evidence"]["source"], latest["outcome"], latest["rule"]) == (
        "order_import",
        "overruled",
        "withdrawal_stands",
    )
    consents = (await suite.gateway.get(f"/v1/customers/{otto['id']}/consents")).json()
    states = {(c["purpose"], c["channel"]): c["state"] for c in consents["consents"]}
    assert states[("email", None)] == "withdrawn"
    assert states[("email", "shopify")] == "withdrawn"


async def test_a_decision_right_after_the_customer_is_created_waits_for_the_consent_service(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consent service learns of a new customer from the customer service's event. Held
    back here (its directory writes wait 1.5 s for a batch), it does not know the customer when
    the decision comes right after the creation: the gateway, seeing that the customer service
    knows them, asks again until the consent service does (it answered 404 before)."""
    monkeypatch.setenv("CONSENT_DECISION_BATCH_WAIT_MS", "1500")
    decision = {
        "purpose": "email",
        "state": "single_opt_in",
        "evidence": {"source": "supporter", "text_version": "newsletter-v3"},
    }
    async with suite_of(namespace, ("customer", "consent", "gateway")) as suite:
        created = await suite.gateway.post(
            "/v1/customers",
            json={"first_name": "Ida", "emails": [{"address": "ida@example.com"}]},
        )
        assert created.status_code == 201, created.text
        customer_id = created.json()["id"]
        decided = await suite.gateway.post(
            f"/v1/customers/{customer_id}/consents",
            json=decision,
        )
        assert decided.status_code == 201, decided.text
        # A customer nobody knows is still refused.
        nobody = await suite.gateway.post(
            "/v1/customers/nobody/consents",
            json=decision,
        )
        assert nobody.status_code == 404, nobody.text
