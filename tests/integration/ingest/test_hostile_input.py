"""Hostile input at the edge of the suite (ingest and the gateway, served over real HTTP): every
case below answered 500, or was read whole, or was silently ignored, before the edge checked it.
Each now gets a 4xx problem+json that names what is wrong, and nothing behind the edge sees it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import Namespace, suite_of
from tests.integration.ingest.channels import configure_channels, shopify_delivery
from tests.integration.ingest.serving import served
from tests.support.access import ADMIN_HEADERS
from tests.support.broker import Tap, tap
from tests.support.orders import INTEGRATION_HEADERS
from tools.embedded_mongo import free_port

MiB = 1024 * 1024


@pytest.fixture
async def edge(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, str, Tap]]:
    """Ingest and the gateway (which streams imports to that ingest) at their URLs, and a tap
    on the commands exchange: what passes the edge shows there."""
    configure_channels(monkeypatch)
    ingest_port = free_port()
    monkeypatch.setenv("GATEWAY_INGEST_URL", f"http://127.0.0.1:{ingest_port}")
    async with (
        suite_of(namespace, ("ingest", "gateway")) as suite,
        served(suite.apps["ingest"], ingest_port) as ingest,
        served(suite.apps["gateway"]) as gateway,
        tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
    ):
        yield ingest, gateway, commands


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def refused_while_sending(url: str, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """POST a chunked body of 100 MiB to `url` + `path`, reading the answer while sending;
    returns the status and how many body bytes were sent when it came."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(head.encode() + b"\r\n")
    piece = b"%x\r\n%s\r\n" % (MiB // 4, b" " * (MiB // 4))
    sent, answer = 0, b""
    with contextlib.suppress(ConnectionError):
        while sent < 100 * MiB and not answer:
            writer.write(piece)
            await writer.drain()
            sent += MiB // 4
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(1024), timeout=0.005)
    answer = answer or await asyncio.wait_for(reader.read(1024), timeout=10)
    writer.close()
    return int(answer.split(b" ", 2)[1]), sent


async def test_a_100_mib_body_is_refused_after_the_limit_not_read_whole(edge: Any) -> None:
    """Before: ingest held four such bodies at once (812 MiB). Now the answer comes once the
    limit (2 MiB at ingest, 1 MiB at the gateway) has arrived, while the client still sends."""
    ingest, gateway, commands = edge
    json_body = {"Content-Type": "application/json"}
    started = time.monotonic()
    for url, path, headers, limit in (
        (ingest, "/v1/orders", {**json_body, **INTEGRATION_HEADERS}, 2 * MiB),
        (ingest, "/webhooks/shopify", json_body, 2 * MiB),
        (gateway, "/v1/customers", {**json_body, **ADMIN_HEADERS}, MiB),
    ):
        status, sent = await refused_while_sending(url, path, headers)
        assert status == 413
        # The limit, plus what the sockets of both ends hold: nowhere near 100 MiB.
        assert sent <= limit + 16 * MiB, (path, sent)
        print(f"{path}: 413 after {sent / MiB:.2f} MiB of 100 MiB sent")
    assert time.monotonic() - started < 30
    assert commands.bodies() == []


async def test_a_signed_webhook_nested_10000_deep_is_a_400_not_a_recursion_error(
    edge: Any,
) -> None:
    ingest, _, commands = edge
    body = b'{"id": 1, "line_items": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    async with httpx.AsyncClient(base_url=ingest) as http:
        deep = await http.post("/webhooks/shopify", **shopify_delivery(body))
        assert problem(deep, 400)["type"] == "urn:problem:too-deeply-nested"
        delivery = shopify_delivery(b'{"id": 1}')
        delivery["headers"]["Content-Type"] = "text/plain"
        assert problem(await http.post("/webhooks/shopify", **delivery), 415)["errors"] == [
            {"field": "Content-Type", "message": "'text/plain' is not taken here"}
        ]
        unknown = await http.post("/v1/orders?dry_run=1", json={}, headers=INTEGRATION_HEADERS)
        assert [e["field"] for e in problem(unknown, 400)["errors"]] == ["dry_run"]
    assert commands.bodies() == []


async def test_malformed_ids_and_filters_at_the_gateway_are_4xx_naming_them(edge: Any) -> None:
    """Each was a 500 (a message the gateway could not build, or an integer MongoDB cannot
    hold); the unknown filters were ignored and every customer came back."""
    _, gateway, _ = edge
    async with httpx.AsyncClient(base_url=gateway, headers=ADMIN_HEADERS) as http:
        for method, path, field in (
            ("POST", "/v1/customers/%C2%A0/enable", "customer_id"),
            ("POST", "/v1/customers/a%01b/disable", "customer_id"),
            ("GET", "/v1/customers/a%20b", "customer_id"),
            ("DELETE", "/v1/customers/c-1/addresses/%09", "address_id"),
            ("DELETE", "/v1/customers/c-1/notes/%C2%A0", "note_id"),
        ):
            answer = await http.request(method, path)
            assert [e["field"] for e in problem(answer, 422)["errors"]] == [field], path
        merge = await http.post("/v1/customers/c-1/merge", json={"source_ids": ["a b"]})
        assert "source_ids.0" in [e["field"] for e in problem(merge, 422)["errors"]]
        for query, field in (
            ("tag=%F0%9A%A4%9C%01", "tag"),
            ("number=99999999999999999999", "number"),
        ):
            answer = await http.get(f"/v1/customers?{query}")
            assert [e["field"] for e in problem(answer, 422)["errors"]] == [field], query
        long_value = await http.get("/v1/customers", params={"extra.tier": "x" * 301})
        assert [e["field"] for e in problem(long_value, 422)["errors"]] == ["extra.tier"]
        many = {f"extra.field_{n}": "x" for n in range(11)}
        assert [
            e["field"] for e in problem(await http.get("/v1/customers", params=many), 422)["errors"]
        ] == ["extra"]
        timeline = await http.get("/v1/customers/0/timeline", params={"cursor": "0" * 300})
        assert [e["field"] for e in problem(timeline, 422)["errors"]] == ["cursor"]
        for params, unknown in (
            ({"customer_number": 10002}, "customer_number"),
            ({"emial": "x"}, "emial"),
        ):
            answer = await http.get("/v1/customers", params=params)
            assert [e["field"] for e in problem(answer, 400)["errors"]] == [unknown]


async def test_a_csv_import_with_a_bare_carriage_return_is_refused_not_a_500(edge: Any) -> None:
    _, gateway, commands = edge
    async with httpx.AsyncClient(base_url=gateway, timeout=30, headers=ADMIN_HEADERS) as http:
        refused = await http.post(
            "/v1/imports", content=b"a\rb,c\n", headers={"Content-Type": "text/csv"}
        )
        body = problem(refused, 422)
        assert [e["field"] for e in body["errors"]] == ["header"]
        job = (await http.get(refused.headers["location"])).json()
    assert (job["status"], job["rows_accepted"]) == ("failed", 0)
    assert commands.bodies() == []


async def test_an_import_larger_than_its_limit_is_stopped_at_the_limit(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INGEST_MAX_IMPORT_BYTES", str(64 * 1024))
    async with (
        suite_of(namespace, ("ingest",)) as suite,
        served(suite.apps["ingest"]) as ingest,
    ):

        async def rows() -> AsyncIterator[bytes]:
            for _ in range(1024):
                yield b'{"order_id": "A-1"}\n' * 50  # 1 MiB of rows (each refused)

        token = {"Authorization": "Bearer dev-only-import-token-gateway-to-ingest"}
        async with httpx.AsyncClient(base_url=ingest, timeout=30) as http:
            refused = await http.post(
                "/v1/imports",
                content=rows(),
                headers={"Content-Type": "application/x-ndjson", **token},
            )
            body = problem(refused, 413)
            job = (await http.get(refused.headers["location"], headers=token)).json()
    assert body["errors"] == [{"field": "body", "message": "larger than 65536 bytes"}]
    assert job["status"] == "failed"
    assert "larger than 65536 bytes" in job["detail"]
