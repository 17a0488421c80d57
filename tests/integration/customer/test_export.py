"""GDPR export (Art. 15/20) through the gateway: everything the customer and consent services hold
on a person in one document, recorded in the person's timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.support.access import ADMIN_ACTOR
from tests.support.orders import order_json
from tests.support.waiting import eventually

IBAN = "DE89370400440532013000"


@pytest.fixture
async def export_suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("customer", "consent", "ingest", "gateway")) as suite:
        yield suite


async def buyer(suite: Suite, email: str, account: str, purpose: str) -> dict[str, Any]:
    """A customer from an order whose buyer ticked a marketing box."""
    placed = order_json(email=email, customer_id=account)
    placed["marketing"] = [{"purpose": purpose, "state": "single_opt_in"}]
    assert (await suite.ingest.post("/v1/orders", json=placed)).status_code == 202

    async def ledger() -> dict[str, Any] | None:
        # Once the consent service recorded the order's box, the customer is known everywhere.
        found = (await suite.gateway.get("/v1/customers", params={"email": email})).json()
        if not found["items"]:
            return None
        history = await suite.gateway.get(f"/v1/customers/{found['items'][0]['id']}/consents")
        consents = history.json()["consents"] if history.status_code == 200 else []
        decided = any(c["state"] == "single_opt_in" for c in consents)
        return found["items"][0] if decided else None

    result: dict[str, Any] = await eventually(ledger, what=f"{email} with a consent")
    return result


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def test_the_export_holds_everything_and_is_recorded(export_suite: Suite) -> None:
    suite = export_suite
    api = suite.gateway
    for field in (
        {"key": "tier", "label": "Tier", "field_type": "string"},
        {"key": "hobby", "label": "Hobby", "field_type": "string", "pii": True},
    ):
        ok(await api.post("/v1/custom-fields", json=field), 201)
    anna = await buyer(suite, "anna@example.com", "7001", "email")
    other = await buyer(suite, "anna.s@example.org", "7002", "sms")
    url = f"/v1/customers/{anna['id']}"
    ok(await api.patch(url, json={"extra": {"tier": "gold", "hobby": "climbing"}}))
    ok(await api.post(f"{url}/notes", json={"text": "Prefers calls after 6 pm"}), 201)
    ok(await api.post(f"{url}/bank-accounts", json={"iban": IBAN}), 201)
    ok(await api.post(f"{url}/merge", json={"source_ids": [other["id"]]}))

    async def sms_carried_over() -> bool:
        consents = ok(await api.get(f"{url}/consents"))["consents"]
        return any(c["purpose"] == "sms" and c["state"] == "single_opt_in" for c in consents)

    await eventually(sms_carried_over, what="the merge to reach the consent service")

    response = await api.get(f"{url}/export")
    export = ok(response)
    assert response.headers["content-disposition"] == (
        f'attachment; filename="customer-{anna["customer_number"]}.json"'
    )
    assert IBAN not in response.text, "bank details only masked"
    assert export["format"] == "customer-suite.personal-data.v1"
    assert export["exported_by"] == ADMIN_ACTOR
    record = export["customer"]
    assert record["id"] == anna["id"]
    assert [e["address"] for e in record["emails"]] == ["anna@example.com", "anna.s@example.org"]
    assert record["extra"] == {"tier": "gold", "hobby": "climbing"}
    [account] = record["bank_accounts"]
    assert account["iban_masked"].startswith("DE89")
    assert {a["city"] for a in record["addresses"]} == {"Berlin"}
    assert sorted(export["identities"]) == [
        "account:shopify:demo-store.myshopify.com:7001",
        "account:shopify:demo-store.myshopify.com:7002",
        "email:anna.s@example.org",
        "email:anna@example.com",
    ]
    assert export["absorbed_ids"] == [other["id"]]
    assert len(export["orders"]) == 2
    assert [n["text"] for n in export["notes"]] == ["Prefers calls after 6 pm"]
    kinds = {a["kind"] for a in export["history"]}
    assert {"created", "updated", "note_added", "bank_account_added", "merged"} <= kinds
    current = {(c["purpose"], c["channel"]): c["state"] for c in export["consents"]}
    assert current[("email", "shopify")] == current[("sms", "shopify")] == "single_opt_in"
    # Both records' own ledgers: the absorbed record's entry, and the master's (one carried over).
    ledger = {(e["customer_id"], e["purpose"]) for e in export["consent_ledger"]}
    assert {(anna["id"], "email"), (anna["id"], "sms"), (other["id"], "sms")} <= ledger

    [recorded] = ok(await api.get(f"{url}/timeline", params={"kind": "data_exported"}))["items"]
    assert recorded["actor"] == ADMIN_ACTOR
    contents = recorded["details"]["contents"]
    assert (contents["orders"], contents["notes"], contents["bank_accounts"]) == (2, 1, 1)
    assert contents["consent_ledger"] == len(export["consent_ledger"])

    # The absorbed record's id leads to the master's export, like the record itself.
    moved = await api.get(f"/v1/customers/{other['id']}/export")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{url}/export"
    missing = await api.get("/v1/customers/0123456789abcdef01234567/export")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Customer not found"
    # Only the one complete export was recorded.
    assert len(ok(await api.get(f"{url}/timeline", params={"kind": "data_exported"}))["items"]) == 1


async def test_an_erased_customer_exports_what_is_left(export_suite: Suite) -> None:
    suite = export_suite
    anna = await buyer(suite, "gone@example.com", "7009", "email")
    url = f"/v1/customers/{anna['id']}"
    ok(await suite.gateway.post(f"{url}/erase", json={"reason": "Art. 17"}))

    async def pseudonymised() -> dict[str, Any] | None:
        answer = await suite.gateway.get(f"{url}/export")
        export: dict[str, Any] = ok(answer)
        ledger = export["consent_ledger"]
        return export if ledger and all(e["email"] is None for e in ledger) else None

    export = await eventually(pseudonymised, what="the consent ledger pseudonymised")
    assert export["customer"]["status"] == "erased"
    assert export["customer"]["emails"] == []
    assert export["identities"] == []
    assert export["consents"] == [], "no current consent on an erased person"
    assert "gone@example.com" not in str(export)
