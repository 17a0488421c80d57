"""Bulk imports of customers: a file through the gateway and ingest becomes customers, with custom
field values checked by the customer service, and a file uploaded again changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.integration.ingest.serving import served
from tests.support.access import ADMIN_ACTOR, BOOTSTRAP_KEY
from tests.support.waiting import eventually
from tools import import_orders
from tools.dead_letters import list_parked
from tools.embedded_mongo import free_port

FIELDS = [
    {"key": "tier", "label": "Tier", "field_type": "enum", "enum_values": ["gold", "silver"]},
    {"key": "score", "label": "Score", "field_type": "number"},
    {"key": "newsletter", "label": "Newsletter", "field_type": "boolean"},
]
CSV = "\r\n".join(
    [
        "external_id,updated_at,first_name,last_name,emails,phones,tags,"
        "address.line1,address.postal_code,address.city,address.country,"
        "extra.tier,extra.score,extra.newsletter",
        "C-1,2026-01-05T09:30:00+01:00,Jörg,Müller,joerg@example.de;j.mueller@example.com,"
        '030 901820,vip;wholesale,"Hauptstraße 5",10115,Berlin,DE,gold,42,true',
        "C-2,2026-01-05T09:30:00+01:00,Ewa,Nowak,ewa@example.pl,,,,,,,silver,7.5,false",
        # The customer service refuses this one: no such tier.
        "C-3,2026-01-05T09:30:00+01:00,Ivo,Ungültig,ivo@example.com,,,,,,,platinum,1,true",
        # Ingest refuses this one: not a time.
        "C-4,yesterday,Zoe,Zeit,zoe@example.com,,,,,,,,,",
        "",
    ]
).encode()
IMPORT = "customer.import.v1"


@pytest.fixture
async def suite_over_http(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Suite, str]]:
    ingest_port = free_port()
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    async with (
        suite_of(namespace, ("customer", "ingest", "gateway")) as suite,
        served(suite.apps["ingest"], ingest_port),
        served(suite.apps["gateway"]) as gateway_url,
    ):
        for field in FIELDS:
            defined = await suite.gateway.post("/v1/custom-fields", json=field)
            assert defined.status_code == 201, defined.text
        yield suite, gateway_url


async def customer(suite: Suite, email: str) -> dict[str, Any] | None:
    found = await suite.gateway.get("/v1/customers", params={"email": email})
    items: list[dict[str, Any]] = found.json()["items"]
    return items[0] if items else None


async def test_a_csv_and_an_ndjson_of_customers_become_customers(
    suite_over_http: tuple[Suite, str],
    namespace: Namespace,
    mongo: AsyncMongoClient[Document],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    suite, gateway_url = suite_over_http
    caplog.set_level(logging.INFO, logger="shared.unit_of_work")
    params = {"kind": "customers", "source": "old-crm"}
    response = await suite.gateway.post(
        "/v1/imports", params=params, content=CSV, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert (job["kind"], job["source"], job["status"]) == ("customers", "old-crm", "completed")
    assert (job["rows_total"], job["rows_accepted"], job["rows_failed"]) == (4, 3, 1)
    assert [(e["line"], e["field"]) for e in job["errors"]] == [(5, "updated_at")]

    joerg = await eventually(lambda: customer(suite, "joerg@example.de"), what="Jörg")
    assert (joerg["first_name"], joerg["last_name"]) == ("Jörg", "Müller")
    assert joerg["emails"] == [
        {"address": "joerg@example.de", "primary": True},
        {"address": "j.mueller@example.com", "primary": False},
    ]
    assert (joerg["phones"], joerg["tags"]) == (["+4930901820"], ["vip", "wholesale"])
    assert [(a["line1"], a["country_code"]) for a in joerg["addresses"]] == [
        ("Hauptstraße 5", "DE")
    ]
    # Cells are text; the customer service stored them in each field's type.
    assert joerg["extra"] == {"tier": "gold", "score": 42, "newsletter": True}
    assert joerg["provenance"]["last_name"]["source"] == "import:old-crm"
    assert joerg["provenance"]["last_name"]["actor_id"] == ADMIN_ACTOR["id"]
    ewa = await eventually(lambda: customer(suite, "ewa@example.pl"), what="Ewa")
    assert ewa["extra"] == {"tier": "silver", "score": 7.5, "newsletter": False}

    # The row the customer service could not apply is parked there, named by the import.
    queue = namespace.topology.customer
    [parked] = await eventually(
        lambda: list_parked(namespace.infra.amqp_url, queue, limit=10, correlation_id=job["id"]),
        what="the refused row parked",
    )
    assert parked.reason is not None
    assert "extra.tier" in parked.reason
    assert json.loads(parked.body)["external_id"] == "C-3"
    assert await customer(suite, "ivo@example.com") is None

    # NDJSON, through the command-line tool: a newer state of Ewa (typed JSON values) and a
    # row that tries to name another source.
    rows = tmp_path / "customers.ndjson"
    newer = {"last_name": "Nowak-Kowalska", "extra": {"score": 8}}
    rows.write_text(
        "\n".join(
            json.dumps(row)
            for row in (
                {"external_id": "C-2", "updated_at": "2026-02-01T00:00:00Z", "customer": newer},
                {"external_id": "C-9", "updated_at": "2026-02-01T00:00:00Z", "source": "x"},
            )
        )
    )
    arguments = [
        *(str(rows), "--customers", "old-crm", "--gateway", gateway_url),
        *("--api-key", BOOTSTRAP_KEY),
    ]
    assert await asyncio.to_thread(import_orders.run, arguments) == 1, "one row failed"

    async def ewa_updated() -> dict[str, Any] | None:
        found = await customer(suite, "ewa@example.pl")
        return found if found and found["last_name"] == "Nowak-Kowalska" else None

    ewa = await eventually(ewa_updated, what="Ewa's newer state")
    assert ewa["extra"] == {"tier": "silver", "score": 8, "newsletter": False}

    # The same file again: the same messages, which the customer service skips.
    inbox = suite.db(mongo, "customer")["inbox"]
    remembered = await inbox.count_documents({})
    again = await suite.gateway.post(
        "/v1/imports", params=params, content=CSV, headers={"Content-Type": "text/csv"}
    )
    assert again.status_code == 201, again.text
    assert again.json()["rows_accepted"] == 3

    def skipped() -> int:
        return sum(
            f"{IMPORT} " in r.getMessage() and "processed before" in r.getMessage()
            for r in caplog.records
        )

    await eventually(lambda: skipped() == 2, what="Jörg's and Ewa's rows skipped")
    assert await inbox.count_documents({}) == remembered
    assert (await customer(suite, "joerg@example.de")) == joerg
    assert (await customer(suite, "ewa@example.pl")) == ewa
    assert await suite.db(mongo, "customer")["customers"].count_documents({}) == 2


async def test_a_customer_import_names_its_source(suite_over_http: tuple[Suite, str]) -> None:
    suite, _ = suite_over_http
    for params in ({"kind": "customers"}, {"source": "old-crm"}, {"kind": "people"}):
        refused = await suite.gateway.post(
            "/v1/imports", params=params, content=CSV, headers={"Content-Type": "text/csv"}
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        field = "kind" if "people" in params.values() else "source"
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    header = CSV.replace(b"extra.score", b"extra.Score")
    refused = await suite.gateway.post(
        "/v1/imports",
        params={"kind": "customers", "source": "old-crm"},
        content=header,
        headers={"Content-Type": "text/csv"},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["extra.Score"]
