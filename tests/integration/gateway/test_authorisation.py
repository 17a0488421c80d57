"""What each default role may read, write and do, decided by the gateway's policy:
object-level (OWASP API1), property-level (API3: reading, mass assignment) and function-level
(API5) authorisation, and roles changed through the API in force without a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.gateway.conftest import as_key, new_key
from tests.support.tokens import IdentityProvider

IBAN = "DE89 3704 0044 0532 0130 00"
MISSING = "0123456789abcdef0123456789abcdef"
PERSONAL = ("first_name", "last_name", "birthday", "emails", "phones", "addresses", "bank_accounts")


@dataclass
class World:
    suite: Suite
    customer_id: str
    note_id: str
    keys: dict[str, httpx.AsyncClient]


@pytest.fixture
async def world(namespace: Namespace, idp: IdentityProvider) -> AsyncIterator[World]:
    async with suite_of(namespace, ("customer", "consent", "gateway")) as suite:
        admin = suite.gateway
        for field in (
            {"key": "loyalty_level", "label": "Loyalty", "field_type": "string"},
            {"key": "salary_band", "label": "Salary", "field_type": "string", "access_group": "hr"},
        ):
            assert (await admin.post("/v1/custom-fields", json=field)).status_code == 201
        created = await admin.post(
            "/v1/customers",
            json={
                "first_name": "Nina",
                "last_name": "Kraus",
                "birthday": "1980-02-03",
                "emails": [{"address": "nina.kraus@example.com"}],
                "phones": ["+49 30 901820"],
                "tags": ["vip"],
                "extra": {"loyalty_level": "gold", "salary_band": "B2"},
                "addresses": [{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
            },
        )
        assert created.status_code == 201, created.text
        customer_id = created.json()["id"]
        bank = await admin.post(
            f"/v1/customers/{customer_id}/bank-accounts",
            json={"iban": IBAN, "holder": "Nina Kraus"},
        )
        assert bank.status_code == 201, bank.text
        note = await admin.post(f"/v1/customers/{customer_id}/notes", json={"text": "VIP"})
        keys = {}
        for role in ("supporter", "marketing", "analyst", "integration"):
            _, key = await new_key(suite, role)
            keys[role] = as_key(suite, key)
        try:
            yield World(suite, customer_id, note.json()["id"], keys)
        finally:
            for client in keys.values():
                await client.aclose()


def forbidden(answer: httpx.Response, *names: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in answer.json()["errors"]} == set(names), answer.json()


def allowed(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code < 400, answer.text
    return answer.json() if answer.content else {}


async def test_admin_reads_everything_unmasked(world: World) -> None:
    view = allowed(await world.suite.gateway.get(f"/v1/customers/{world.customer_id}"))
    assert view["first_name"] == "Nina"
    assert view["extra"] == {"loyalty_level": "gold", "salary_band": "B2"}
    [account] = view["bank_accounts"]
    assert account["holder"] == "Nina Kraus"
    assert account["iban_masked"] == "DE89 **** **** **** **30 00"


async def test_supporter(world: World) -> None:
    supporter, cid = world.keys["supporter"], world.customer_id
    # Property level, reading: bank accounts masked, the `hr` custom field left out.
    view = allowed(await supporter.get(f"/v1/customers/{cid}"))
    assert view["first_name"] == "Nina"
    assert view["emails"][0]["address"] == "nina.kraus@example.com"
    assert view["extra"] == {"loyalty_level": "gold"}
    assert "extra.salary_band" not in view["provenance"]
    [account] = view["bank_accounts"]
    assert "holder" not in account
    assert account["iban_masked"].startswith("DE89")
    [listed] = allowed(await supporter.get(f"/v1/customers/{cid}/bank-accounts"))
    assert "holder" not in listed
    timeline = allowed(await supporter.get(f"/v1/customers/{cid}/timeline"))["items"]
    changed = [c["field"] for a in timeline for c in a["changes"]]
    assert "extra.loyalty_level" in changed
    assert "extra.salary_band" not in changed
    # Property level, writing (mass assignment): the hr field is refused by name, nothing done.
    forbidden(
        await supporter.patch(
            f"/v1/customers/{cid}", json={"language": "de", "extra": {"salary_band": "C"}}
        ),
        "extra.salary_band",
    )
    assert (await world.suite.gateway.get(f"/v1/customers/{cid}")).json().get("language") is None
    assert allowed(await supporter.patch(f"/v1/customers/{cid}", json={"language": "de"}))
    assert allowed(await supporter.post(f"/v1/customers/{cid}/tags", json={"add": ["called"]}))
    assert allowed(await supporter.get(f"/v1/customers/{cid}/notes"))
    # Function level: merge and disable yes; erase, export, fields and access no.
    assert (
        await supporter.post(f"/v1/customers/{cid}/merge", json={"source_ids": [MISSING]})
    ).status_code != 403
    assert allowed(await supporter.post(f"/v1/customers/{cid}/disable", json={}))
    forbidden(await supporter.post(f"/v1/customers/{cid}/erase", json={}), "erase")
    forbidden(await supporter.get(f"/v1/customers/{cid}/export"), "export")
    forbidden(
        await supporter.post(
            "/v1/custom-fields", json={"key": "x_y", "label": "x", "field_type": "string"}
        ),
        "manage_fields",
    )
    forbidden(await supporter.get("/v1/api-keys"), "manage_access")
    forbidden(await supporter.get("/v1/integrations"), "manage_access")
    forbidden(await supporter.get("/v1/reports/repeat-purchase-rate"), "reports")


async def test_marketing(world: World) -> None:
    marketing, cid = world.keys["marketing"], world.customer_id
    view = allowed(await marketing.get(f"/v1/customers/{cid}"))
    assert view["first_name"] == "Nina"
    assert view["addresses"]
    assert "bank_accounts" not in view
    assert view["extra"] == {}
    forbidden(await marketing.get(f"/v1/customers/{cid}/bank-accounts"), "bank")
    forbidden(await marketing.get(f"/v1/customers/{cid}/timeline"), "history")
    forbidden(await marketing.get(f"/v1/customers/{cid}/notes"), "notes")
    forbidden(await marketing.get(f"/v1/customers/{cid}/orders"), "orders")
    # Mass assignment: every field it may not write is named.
    forbidden(
        await marketing.patch(f"/v1/customers/{cid}", json={"first_name": "X", "tags": ["a"]}),
        "first_name",
        "tags",
    )
    assert allowed(await marketing.get(f"/v1/customers/{cid}/consents"))
    assert allowed(await marketing.get("/v1/reports/consents"))
    forbidden(await marketing.post(f"/v1/customers/{cid}/disable", json={}), "disable")
    forbidden(await marketing.get(f"/v1/customers/{cid}/export"), "export")


async def test_analyst(world: World) -> None:
    analyst, cid = world.keys["analyst"], world.customer_id
    view = allowed(await analyst.get(f"/v1/customers/{cid}"))
    assert view["id"] == cid
    assert view["tags"] == ["vip"]
    assert "stats" in view
    for personal in PERSONAL:
        assert personal not in view, personal
    assert view["extra"] == {}
    assert set(view["provenance"]) <= {"tags", "channels", "status"}
    # Searching by a personal field would tell whether someone has it.
    forbidden(
        await analyst.get("/v1/customers", params={"email": "nina.kraus@example.com"}), "email"
    )
    forbidden(await analyst.get("/v1/customers", params={"name": "Nin"}), "name")
    forbidden(
        await analyst.get("/v1/customers", params={"extra.loyalty_level": "gold"}),
        "extra.loyalty_level",
    )
    [found] = allowed(await analyst.get("/v1/customers", params={"tag": "vip"}))["items"]
    assert "emails" not in found
    assert "last_name" not in found
    assert allowed(await analyst.get("/v1/reports/repeat-purchase-rate"))
    top = allowed(await analyst.get("/v1/reports/top-customers", params={"currency": "EUR"}))
    assert all("display_name" not in t for t in top["items"])
    forbidden(await analyst.patch(f"/v1/customers/{cid}", json={"language": "de"}), "language")
    forbidden(await analyst.get(f"/v1/customers/{cid}/timeline"), "history")
    forbidden(await analyst.get("/v1/duplicates"), "merge")
    forbidden(await analyst.get(f"/v1/customers/{cid}/tasks"), "tasks")
    forbidden(await analyst.post("/v1/tasks", json={"title": "x"}), "tasks")


async def test_integration(world: World) -> None:
    integration, cid = world.keys["integration"], world.customer_id
    forbidden(await integration.get(f"/v1/customers/{cid}"), "customers")
    forbidden(await integration.get("/v1/customers"), "customers")
    forbidden(await integration.post("/v1/customers", json={"last_name": "X"}), "last_name")
    forbidden(await integration.get(f"/v1/customers/{cid}/consents"), "consent")
    forbidden(await integration.get("/v1/reports/repeat-purchase-rate"), "reports")
    forbidden(await integration.get("/v1/tasks"), "tasks")
    forbidden(await integration.get("/v1/notifications"), "tasks")
    forbidden(await integration.get("/v1/integrations"), "manage_access")
    # Imports are its function (ingest is not running here: anything but a refusal by role).
    assert (await integration.get(f"/v1/imports/{MISSING}")).status_code != 403


@pytest.mark.parametrize("role", ["marketing", "analyst", "integration"])
async def test_object_level_refusals_do_not_tell_whether_the_object_exists(
    world: World, role: str
) -> None:
    """The same 403 for a customer, note or key that exists and one that does not."""
    client, cid = world.keys[role], world.customer_id
    for path in (
        f"/v1/customers/{{}}/notes/{world.note_id}",
        "/v1/customers/{}/bank-accounts",
        "/v1/customers/{}/export",
    ):
        for customer_id in (cid, MISSING):
            method = "DELETE" if "notes" in path else "GET"
            answer = await client.request(method, path.format(customer_id))
            assert answer.status_code == 403, (role, path, answer.text)
    for key_id in ("0123456789abcdef", "fedcba9876543210"):
        assert (await client.delete(f"/v1/api-keys/{key_id}")).status_code == 403


async def test_roles_are_data_an_admin_changes_without_a_restart(world: World) -> None:
    admin, marketing, cid = world.suite.gateway, world.keys["marketing"], world.customer_id
    roles = {r["name"]: r for r in allowed(await admin.get("/v1/roles"))["items"]}
    assert set(roles) == {"admin", "supporter", "marketing", "analyst", "integration"}
    assert roles["supporter"]["masked"] == ["bank"]
    assert roles["marketing"]["writes"] == ["consent"]
    forbidden(await marketing.get(f"/v1/customers/{cid}/timeline"), "history")

    reads = [*roles["marketing"]["reads"], "history"]
    changed = await admin.put("/v1/roles/marketing", json={"reads": reads, "writes": ["consent"]})
    assert allowed(changed)["reads"] == sorted(reads)
    assert allowed(await marketing.get(f"/v1/customers/{cid}/timeline"))

    auditor = await admin.put("/v1/roles/auditor", json={"reads": ["customers", "hr"]})
    assert allowed(auditor)["builtin"] is False
    _, key = await new_key(world.suite, "auditor")
    async with as_key(world.suite, key) as client:
        view = allowed(await client.get(f"/v1/customers/{cid}"))
        assert view["extra"] == {"salary_band": "B2"}
        assert "first_name" not in view

    locked_out = await admin.put("/v1/roles/admin", json={"reads": ["*"]})
    assert locked_out.status_code == 422
    refused = await marketing.put("/v1/roles/marketing", json={"reads": ["*"], "writes": ["*"]})
    forbidden(refused, "manage_access")
