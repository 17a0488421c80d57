"""Bulk imports: a file streamed through the gateway to ingest over HTTP, rows published."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.ingest.domain.imports.order_columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.integration.gateway.conftest import as_key, new_key
from tests.integration.ingest.serving import served
from tests.support.access import ADMIN_ACTOR, BOOTSTRAP_KEY
from tests.support.broker import Tap, tap
from tests.support.orders import order_json
from tests.support.waiting import eventually
from tools import import_orders
from tools.embedded_mongo import free_port

UPSERT = "customer.upsert_from_order.v1"
COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "marketing.email.state"]


def flat(order: dict[str, Any], prefix: str = "") -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, value in order.items():
        if isinstance(value, dict):
            cells |= flat(value, f"{prefix}{key}.")
        elif value is not None:
            cells[f"{prefix}{key}"] = str(value)
    return cells


def csv_file(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def order_rows(count: int, *, bad_every: int = 0) -> list[dict[str, str]]:
    """`count` orders of different buyers; every `bad_every`th has an invalid currency."""
    rows = []
    for n in range(1, count + 1):
        row = flat(order_json(email=f"buyer{n}@example.com", order_id=f"IMP-{n}"))
        row["marketing.email.state"] = "single_opt_in" if n % 2 else ""
        if bad_every and n % bad_every == 0:
            row["currency"] = "euro"
        rows.append(row)
    return rows


@pytest.fixture
async def suite_over_http(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Suite, Tap, str]]:
    """Ingest and gateway served over HTTP; the gateway streams uploads to ingest."""
    ingest_port = free_port()
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    async with (
        suite_of(namespace, ("ingest", "gateway")) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
        served(suite.apps["ingest"], ingest_port),
        served(suite.apps["gateway"]) as gateway_url,
    ):
        yield suite, commands, gateway_url


async def test_a_csv_of_thousands_of_rows_is_imported_and_explained(
    suite_over_http: tuple[Suite, Tap, str],
) -> None:
    suite, commands, _ = suite_over_http
    count, bad_every = 2000, 250
    body = csv_file(order_rows(count, bad_every=bad_every))

    # Baseline, same run: the same kind of orders one by one through POST /v1/orders.
    baseline_rows = 200
    started = time.perf_counter()
    for n in range(baseline_rows):
        single = await suite.ingest.post("/v1/orders", json=order_json(order_id=f"ONE-{n}"))
        assert single.status_code == 202
    one_by_one = baseline_rows / (time.perf_counter() - started)

    started = time.perf_counter()
    response = await suite.gateway.post(
        "/v1/imports",
        content=_chunks(body, 8192),
        headers={"Content-Type": "text/csv"},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    job = response.json()
    print(
        f"\nimport: {count} rows in {elapsed:.2f}s = {count / elapsed:.0f} rows/s; "
        f"baseline POST /v1/orders one by one: {one_by_one:.0f} rows/s"
    )
    bad = count // bad_every
    assert job["status"] == "completed"
    assert (job["rows_total"], job["rows_accepted"], job["rows_failed"]) == (
        count,
        count - bad,
        bad,
    )
    # Line numbers of the file: the header is line 1, so order n is on line n + 1.
    assert [(e["line"], e["field"]) for e in job["errors"]] == [
        (n + 1, "currency") for n in range(bad_every, count + 1, bad_every)
    ]
    assert job["started_by"] == ADMIN_ACTOR
    assert response.headers["location"] == f"/v1/imports/{job['id']}"

    followed = await suite.gateway.get(f"/v1/imports/{job['id']}")
    assert followed.status_code == 200
    assert followed.json() == job

    expected = baseline_rows + count - bad
    await commands.wait_for(expected, UPSERT, timeout=60)
    imported = [b for b in commands.bodies(UPSERT) if b["order"]["order_id"].startswith("IMP-")]
    assert len({b["order"]["order_id"] for b in imported}) == count - bad
    assert all(b["correlation_id"] == job["id"] for b in imported)
    first = next(b for b in imported if b["order"]["order_id"] == "IMP-1")
    assert first["order"]["marketing"] == [
        {"purpose": "email", "state": "single_opt_in", "decided_at": None, "reported_level": None}
    ]


async def test_ndjson_rows_and_what_cannot_be_imported(
    suite_over_http: tuple[Suite, Tap, str],
) -> None:
    suite, commands, _ = suite_over_http
    good = order_json(order_id="ND-1")
    no_buyer = {k: v for k, v in order_json(order_id="ND-2").items() if k != "buyer"}
    lines = [json.dumps(good), "", "{not json", json.dumps(no_buyer)]
    response = await suite.gateway.post(
        "/v1/imports",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert (job["rows_total"], job["rows_accepted"], job["rows_failed"]) == (3, 1, 2)
    assert [(e["line"], e["field"]) for e in job["errors"]] == [(3, "row"), (4, "buyer")]
    await commands.wait_for(1, UPSERT)

    header = csv_file([]).replace(b"buyer.email", b"buyer.emial")
    refused = await suite.gateway.post(
        "/v1/imports", content=header, headers={"Content-Type": "text/csv"}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["buyer.emial"]
    failed = await suite.gateway.get(refused.headers["location"])
    assert failed.json()["status"] == "failed"

    unsupported = await suite.gateway.post(
        "/v1/imports", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert unsupported.status_code == 415
    assert unsupported.json()["errors"][0]["field"] == "Content-Type"
    missing = await suite.gateway.get(f"/v1/imports/{'0' * 32}")
    assert missing.status_code == 404
    assert [b["order"]["order_id"] for b in commands.bodies(UPSERT)] == ["ND-1"]


def ndjson_file(*orders: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(order) for order in orders).encode()


NDJSON = {"Content-Type": "application/x-ndjson"}


async def test_a_key_bound_to_a_shop_imports_only_that_shops_orders(
    suite_over_http: tuple[Suite, Tap, str],
) -> None:
    """An integration's key imports for its shop: rows of another shop fail, named in the job;
    a key bound to no shop (the admin's) imports any shop."""
    suite, commands, _ = suite_over_http
    key_id, key = await new_key(suite, "integration", shop="Demo-Store.myshopify.com")
    other_shop = "other-store.myshopify.com"
    async with as_key(suite, key) as integration:
        response = await integration.post(
            "/v1/imports",
            content=ndjson_file(
                order_json(order_id="SHOP-1"),
                order_json(order_id="SHOP-2", shop=other_shop),
                order_json(order_id="SHOP-3"),
            ),
            headers=NDJSON,
        )
        assert response.status_code == 201, response.text
        job = response.json()
        assert (job["rows_total"], job["rows_accepted"], job["rows_failed"]) == (3, 2, 1)
        [error] = job["errors"]
        assert (error["line"], error["field"]) == (2, "shop")
        assert other_shop in error["message"]
        assert job["started_by"] == {"type": "api", "id": key_id}
        assert job["shop"] == "demo-store.myshopify.com"

        # Customer records belong to no shop: such a key imports none, and nothing is read.
        customers = await integration.post(
            "/v1/imports",
            params={"kind": "customers", "source": "old-crm"},
            content=b'{"external_id": "C-1", "updated_at": "2026-11-20T10:00:00Z"}',
            headers=NDJSON,
        )
        assert customers.status_code == 403, customers.text
        assert customers.headers["content-type"] == "application/problem+json"
        assert "demo-store.myshopify.com" in customers.json()["detail"]
        assert [e["field"] for e in customers.json()["errors"]] == ["kind"]

    anyone = await suite.gateway.post(
        "/v1/imports",
        content=ndjson_file(order_json(order_id="ADMIN-1", shop=other_shop)),
        headers=NDJSON,
    )
    assert anyone.status_code == 201, anyone.text
    assert (anyone.json()["shop"], anyone.json()["rows_accepted"]) == (None, 1)

    # Each reads its own job; another's is "not found" to the integration, as is a missing one.
    async with as_key(suite, key) as integration:
        assert (await integration.get(f"/v1/imports/{job['id']}")).json()["rows_failed"] == 1
        hidden = await integration.get(f"/v1/imports/{anyone.json()['id']}")
        missing = await integration.get(f"/v1/imports/{uuid.uuid4().hex}")
        assert (hidden.status_code, missing.status_code) == (404, 404), hidden.text
        assert hidden.json()["title"] == missing.json()["title"]
        assert hidden.json()["detail"] == f"No import {anyone.json()['id']}."
    assert (await suite.gateway.get(f"/v1/imports/{job['id']}")).status_code == 200

    # The admin's row is published after the others: once it is here, so is every earlier one.
    await commands.wait_for(3, UPSERT)
    published = sorted(b["order"]["order_id"] for b in commands.bodies(UPSERT))
    assert published == ["ADMIN-1", "SHOP-1", "SHOP-3"]


async def test_the_command_line_tool_imports_a_file_into_customers(
    namespace: Namespace,
    monkeypatch: pytest.MonkeyPatch,
    mongo: AsyncMongoClient[Document],
    tmp_path: Path,
) -> None:
    ingest_port = free_port()
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    rows = order_rows(6, bad_every=3)
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_file(rows))
    async with (
        suite_of(namespace, ("customer", "ingest", "gateway")) as suite,
        served(suite.apps["ingest"], ingest_port),
        served(suite.apps["gateway"]) as gateway_url,
    ):
        status = await asyncio.to_thread(
            import_orders.run, [str(path), "--gateway", gateway_url, "--api-key", BOOTSTRAP_KEY]
        )
        # Two rows had an invalid currency: imported with failures.
        assert status == 1

        customers = suite.db(mongo, "customer")["customers"]

        async def four_customers() -> bool:
            return bool(await customers.count_documents({}) == 4)

        await eventually(four_customers, what="the four valid rows as customers")

    bad_file = tmp_path / "orders.txt"
    bad_file.write_text("x")
    with pytest.raises(SystemExit):
        import_orders.run([str(bad_file), "--gateway", "http://127.0.0.1:1"])
    assert (
        import_orders.run(
            [str(path), "--gateway", "http://127.0.0.1:1"],
            transport=httpx.MockTransport(lambda _: httpx.Response(503, json={"title": "down"})),
        )
        == 2
    )


async def _chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_only_the_gateway_may_start_an_import_or_read_a_job(suite: Suite) -> None:
    """Ingest takes the importer's identity from the gateway, so it must know it is the gateway."""
    body = csv_file(order_rows(1))
    for headers in ({}, {"Authorization": "Bearer not-the-token-of-the-gateway-at-all"}):
        direct = await suite.ingest.post(
            "/v1/imports", content=body, headers={"Content-Type": "text/csv", **headers}
        )
        assert direct.status_code == 401
        assert direct.headers["www-authenticate"] == "Bearer"
    assert (await suite.ingest.get(f"/v1/imports/{'0' * 32}")).status_code == 401
