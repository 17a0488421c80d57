"""Point 5 (values validated on import too) and survivorship for imported customer records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from shared.contracts.customers import CustomerDraft, ImportCustomer
from shared.contracts.envelope import Actor, ActorType
from tests.conftest import Namespace
from tests.integration.customer.conftest import Producer, count_is, ok
from tests.support.broker import drain
from tests.support.waiting import eventually

MIGRATION = Actor(type=ActorType.SYSTEM, id="crm-migration")


def imported(external_id: str, minute: int, **draft: Any) -> ImportCustomer:
    return ImportCustomer(
        source="old-crm",
        external_id=external_id,
        updated_at=datetime(2026, 1, 1, 12, minute, tzinfo=UTC),
        customer=CustomerDraft.model_validate(draft),
        actor=MIGRATION,
    )


async def test_an_import_is_validated_like_an_edit_and_respects_survivorship(
    namespace: Namespace, api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    tier = {"key": "tier", "label": "Tier", "field_type": "enum", "enum_values": ["a", "b"]}
    ok(await api.post("/v1/custom-fields", json=tier), 201)

    first = imported(
        "4711",
        0,
        first_name="Ida",
        last_name="Import",
        extra={"tier": "a"},
        emails=[{"address": "ida@example.com"}],
    )
    await producer.send(first)
    await producer.send(first)  # redelivered: no second change
    await eventually(count_is(db["customers"], 1), what="the imported customer")
    [customer] = ok(await api.get("/v1/customers", params={"email": "ida@example.com"}))["items"]
    assert customer["extra"] == {"tier": "a"}
    assert customer["provenance"]["first_name"]["source"] == "import:old-crm"
    ok(await api.patch(f"/v1/customers/{customer['id']}", json={"first_name": "Ida Maria"}))

    bad = imported("4712", 0, last_name="Broken", extra={"tier": "z"})
    await producer.send(bad)
    parked = await eventually(
        lambda: drain(namespace.infra.amqp_url, namespace.topology.customer.dead_letter_name),
        what="the invalid import parked",
    )
    assert "extra.tier" in str(parked[0].headers["x-failure-reason"])

    # A newer state of the same record: found by its external id; the hand-set name stays.
    await producer.send(
        imported(
            "4711",
            5,
            first_name="Ida",
            last_name="Importer",
            extra={"tier": "b"},
            phones=["+49 30 901820"],
        )
    )
    # An older state delivered late changes nothing.
    await producer.send(imported("4711", 1, last_name="Stale", extra={"tier": "a"}))
    # Inbox: the field definition, the first import (once), the edit, the newer and the stale one.
    await eventually(count_is(db["inbox"], 5), what="every import processed")
    updated = ok(await api.get(f"/v1/customers/{customer['id']}"))
    assert (updated["first_name"], updated["last_name"]) == ("Ida Maria", "Importer")
    assert updated["extra"] == {"tier": "b"}
    assert updated["phones"] == ["+4930901820"]
    assert await db["customers"].count_documents({}) == 1
    claims = sorted([d["_id"] async for d in db["identities"].find({})])
    assert claims == ["email:ida@example.com", "external:old-crm:4711"]
