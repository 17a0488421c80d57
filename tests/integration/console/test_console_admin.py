"""The console's admin screens over HTTP, against customer, ingest and the gateway: custom field
definitions made, refused beside the field, changed and removed; a file of customers imported
through the upload form (streamed on to ingest), its page with the rows ingest refused and the
rows the customer service parked; dead letters listed, inspected (the body hidden from a role
that does not read every group) and replayed once the cause is fixed. And the API's
`/v1/dead-letters`, which uses the same use case."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.console.support import csrf_of, key_with_roles, sign_in
from tests.integration.ingest.serving import served
from tests.support.access import BOOTSTRAP_KEY
from tests.support.waiting import eventually
from tools.embedded_mongo import free_port

CSV = "\r\n".join(
    [
        "external_id,updated_at,first_name,last_name,emails,extra.tier",
        "C-1,2026-01-05T09:30:00+01:00,Jörg,Müller,joerg@example.de,gold",
        # The customer service parks this one: no such tier (yet).
        "C-2,2026-01-05T09:30:00+01:00,Ivo,Ungültig,ivo@example.com,platinum",
        # Ingest refuses this one: not a time.
        "C-3,yesterday,Zoe,Zeit,zoe@example.com,",
        "",
    ]
).encode()


@pytest.fixture
async def admin_suite(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Suite]:
    ingest_port = free_port()
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    async with (
        suite_of(namespace, ("customer", "ingest", "gateway")) as suite,
        served(suite.apps["ingest"], ingest_port),
    ):
        yield suite


@pytest.fixture
async def admin(admin_suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=admin_suite.apps["gateway"]), base_url="http://gateway"
    ) as client:
        assert (await sign_in(client, BOOTSTRAP_KEY)).status_code == 303
        yield client


async def _form(client: httpx.AsyncClient, url: str, **fields: Any) -> httpx.Response:
    csrf = csrf_of((await client.get(url)).text)
    return await client.post(
        url if "action" not in fields else fields.pop("action"), data={"csrf_token": csrf, **fields}
    )


async def test_custom_fields_are_defined_changed_and_removed(
    admin_suite: Suite, admin: httpx.AsyncClient
) -> None:
    url = "/console/admin/fields"
    refused = await _form(admin, url, key="Tier!", label="Tier", field_type="enum")
    assert refused.status_code == 422
    assert 'id="field-key" name="key" type="text" value="Tier!" aria-invalid="true"' in refused.text
    made = await _form(
        admin, url, key="tier", label="Tier", field_type="enum", enum_values="gold, silver"
    )
    assert made.status_code == 303
    listed = await admin.get(url)
    assert re.search(r'data-field="tier">.*?enum: gold, silver', listed.text, re.S)
    assert (await admin_suite.gateway.get("/v1/custom-fields/tier")).json()["enum_values"] == [
        "gold",
        "silver",
    ]

    changed = await _form(
        admin, f"{url}/tier", label="Loyalty tier", enum_values="gold\nsilver\nbronze"
    )
    assert changed.status_code == 303
    field = (await admin_suite.gateway.get("/v1/custom-fields/tier")).json()
    assert field["label"] == "Loyalty tier"
    assert field["enum_values"] == ["gold", "silver", "bronze"]

    # A value held by a customer keeps the field; the refusal is explained on its page.
    customer = await admin_suite.gateway.post(
        "/v1/customers", json={"first_name": "Gold", "extra": {"tier": "gold"}}
    )
    assert customer.status_code == 201, customer.text
    kept = await _form(admin, f"{url}/tier", action=f"{url}/tier/remove")
    assert kept.status_code == 409
    assert 'class="error card" role="alert"' in kept.text
    spare = await _form(admin, url, key="spare", label="Spare", field_type="string")
    assert spare.status_code == 303
    removed = await _form(admin, f"{url}/spare", action=f"{url}/spare/remove")
    assert removed.status_code == 303
    assert (await admin_suite.gateway.get("/v1/custom-fields/spare")).status_code == 404

    # Only for those who manage fields; the API's rule, the console's too.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=admin_suite.apps["gateway"]), base_url="http://gateway"
    ) as supporter:
        await sign_in(supporter, await key_with_roles(admin_suite.gateway, "supporter"))
        assert (await supporter.get(url)).status_code == 403
        assert "Admin</a>" not in (await supporter.get("/console/customers")).text


async def test_an_import_from_upload_to_parked_rows_replayed(
    admin_suite: Suite, admin: httpx.AsyncClient
) -> None:
    api = admin_suite.gateway
    field = {"key": "tier", "label": "Tier", "field_type": "enum", "enum_values": ["gold"]}
    assert (await api.post("/v1/custom-fields", json=field)).status_code == 201

    page = await admin.get("/console/admin/imports")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    form = {"csrf_token": csrf, "kind": "customers", "source": "old-crm", "format": "csv"}
    # Without the session's token nothing is imported.
    forged = await admin.post(
        "/console/admin/imports",
        data=form | {"csrf_token": "forged"},
        files={"file": ("customers.csv", CSV, "text/csv")},
    )
    assert forged.status_code == 403
    assert (await api.get("/v1/imports")).json()["items"] == []

    # Ingest's refusal is shown beside the field it names.
    no_source = await admin.post(
        "/console/admin/imports",
        data=form | {"source": ""},
        files={"file": ("customers.csv", CSV, "text/csv")},
    )
    assert no_source.status_code == 422
    assert 'id="import-source-error" class="error"' in no_source.text

    started = await admin.post(
        "/console/admin/imports", data=form, files={"file": ("customers.csv", CSV, "text/csv")}
    )
    assert started.status_code == 303, started.text
    job_url = started.headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    job_page = await admin.get(job_url)
    assert "data-import-status>completed<" in job_page.text
    assert "<dd data-rows-accepted>2</dd>" in job_page.text
    assert re.search(r'data-failed-line="4">.*?updated_at', job_page.text, re.S)
    listed = await admin.get("/console/admin/imports")
    assert f'data-import="{job_id}"' in listed.text
    assert [j["id"] for j in (await api.get("/v1/imports")).json()["items"]] == [job_id]

    # The row the customer service could not apply is parked under the job's id.
    async def parked_on_the_job_page() -> str | None:
        text = (await admin.get(job_url)).text
        found = re.search(r'data-parked="([^"]+)"', text)
        return found.group(1) if found else None

    message_id = await eventually(parked_on_the_job_page, what="the parked row")
    listed_parked = await admin.get("/console/admin/dead-letters", params={"service": "customer"})
    assert f'data-parked="{message_id}"' in listed_parked.text
    message_url = f"/console/admin/dead-letters/customer/{message_id}"
    inspected = await admin.get(message_url)
    assert "platinum" in inspected.text
    assert "Ungültig" in inspected.text
    assert "tier" in re.search(r"data-reason>([^<]+)<", inspected.text).group(1)  # type: ignore[union-attr]
    # Read whole, the row is on the access log: it names no customer, so against itself.
    subject = f"dead-letter:customer:{message_id}"
    logged = (await api.get(f"/v1/customers/{subject}/access-log")).json()["items"]
    assert [e["route"] for e in logged] == [
        "GET /console/admin/dead-letters/{service}/{message_id}"
    ]
    assert {"identity", "contact"} <= set(logged[0]["field_groups"])
    assert (await api.get(f"/v1/dead-letters/customer/{message_id}")).status_code == 200
    logged = (await api.get(f"/v1/customers/{subject}/access-log")).json()["items"]
    assert "GET /v1/dead-letters/{service}/{message_id}" in [e["route"] for e in logged]

    # An operator whose role reads no personal data sees the reason and the envelope only.
    await api.put(
        "/v1/roles/operator",
        json={"reads": ["customers"], "actions": ["manage_access", "import"]},
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=admin_suite.apps["gateway"]), base_url="http://gateway"
    ) as operator:
        await sign_in(operator, await key_with_roles(api, "operator"))
        cut = await operator.get(message_url)
        assert cut.status_code == 200
        assert "tier" in cut.text
        assert "Ungültig" not in cut.text
        assert "ivo@example.com" not in cut.text
        assert "your roles do not read every field group" in cut.text

    # The cause fixed (the tier defined), the row replayed: Ivo becomes a customer.
    allowed = await _form(
        admin, "/console/admin/fields/tier", label="Tier", enum_values="gold, platinum"
    )
    assert allowed.status_code == 303
    replayed = await _form(admin, message_url, action=f"{message_url}/replay")
    assert replayed.status_code == 303
    assert f"replayed={message_id}" in replayed.headers["location"]

    async def ivo() -> list[dict[str, Any]]:
        found = await api.get("/v1/customers", params={"email": "ivo@example.com"})
        items: list[dict[str, Any]] = found.json()["items"]
        return items

    [customer] = await eventually(ivo, what="the replayed row applied")
    assert customer["extra"]["tier"] == "platinum"
    assert (await admin.get(message_url)).status_code == 404


async def test_the_dead_letter_api(admin_suite: Suite) -> None:
    api = admin_suite.gateway
    listed = await api.get("/v1/dead-letters/customer")
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"service": "customer", "items": [], "limit": 50}
    assert (await api.get("/v1/dead-letters/nobody")).status_code == 422
    missing = await api.post("/v1/dead-letters/customer/0123abcd/replay")
    assert missing.status_code == 404
    supporter = {"X-API-Key": await key_with_roles(api, "supporter")}
    refused = await api.get("/v1/dead-letters/customer", headers=supporter)
    assert refused.status_code == 403
