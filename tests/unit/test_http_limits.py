"""The edge every HTTP request passes (`shared.http_limits`), on a small app of its own: bodies
bounded while they stream, media types, JSON nesting, unknown query parameters, the document."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query, Request
from pydantic import BaseModel

from shared.http_limits import install_request_limits
from shared.json_nesting import nested_deeper_than
from shared.problems import install_problem_handlers
from tests.integration.ingest.serving import served

LIMIT = 64 * 1024
FILE_LIMIT = 256 * 1024
DEPTH = 8


class Item(BaseModel):
    name: str
    tags: list[Any] = []


def limited_app() -> tuple[FastAPI, list[str]]:
    """The app, and what its endpoints saw (an endpoint that never ran saw nothing)."""
    app = FastAPI()
    install_problem_handlers(app)
    seen: list[str] = []

    @app.post("/items")
    async def add_item(item: Item) -> Item:
        seen.append(item.name)
        return item

    @app.get("/items")
    async def find_items(name: Annotated[str | None, Query()] = None, limit: int = 10) -> list[str]:
        seen.append(f"find {name}")
        return [name or ""]

    @app.post(
        "/files",
        openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    async def upload(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        seen.append(f"file {size}")
        return {"size": size}

    install_request_limits(
        app,
        max_body_bytes=LIMIT,
        max_json_depth=DEPTH,
        streamed={"/files": FILE_LIMIT},
        open_query={"/items": ("extra.",)},
    )
    return app, seen


@pytest.fixture
async def edge() -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    app, seen = limited_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c, seen


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def test_a_body_within_the_limits_reaches_the_endpoint(edge: Any) -> None:
    client, seen = edge
    response = await client.post("/items", json={"name": "ok", "tags": [[["fine"]]]})
    assert response.status_code == 200
    assert seen == ["ok"]


async def test_a_larger_body_is_refused_before_the_endpoint_sees_it(edge: Any) -> None:
    client, seen = edge
    declared = await client.post("/items", json={"name": "x" * LIMIT})
    assert problem(declared, 413)["errors"][0]["field"] == "body"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"name": "'
        for _ in range(LIMIT // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    streamed = await client.post(
        "/items", content=chunks(), headers={"Content-Type": "application/json"}
    )
    problem(streamed, 413)
    assert seen == []


async def test_a_media_type_the_endpoint_does_not_take_is_refused(edge: Any) -> None:
    client, seen = edge
    for headers in ({"Content-Type": "text/plain"}, {}, {"Content-Type": "text/csv"}):
        refused = await client.post("/items", content=b'{"name": "x"}', headers=headers)
        assert problem(refused, 415)["errors"][0]["field"] == "Content-Type"
    suffixed = await client.post(
        "/items",
        content=b'{"name": "y"}',
        headers={"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )
    assert suffixed.status_code == 200
    no_body_taken = await client.request(
        "GET", "/items", content=b"x", headers={"Content-Type": "text/csv"}
    )
    problem(no_body_taken, 415)
    assert seen == ["y"]


async def test_json_nested_deeper_than_the_limit_is_refused_unparsed(edge: Any) -> None:
    client, seen = edge
    deep = b'{"name": "x", "tags": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    refused = await client.post(
        "/items", content=deep, headers={"Content-Type": "application/json"}
    )
    assert problem(refused, 400)["type"] == "urn:problem:too-deeply-nested"
    just_deep_enough = {"name": "y", "tags": [[[[[[["seven levels in all"]]]]]]]}
    assert (await client.post("/items", json=just_deep_enough)).status_code == 200
    assert seen == ["y"]


def test_nesting_is_counted_outside_strings_and_without_recursion() -> None:
    assert not nested_deeper_than(b'{"a": "[[[[[[", "b": ["\\"[["]}', 2)
    assert nested_deeper_than(b'{"a": [{"b": []}]}', 3)
    assert not nested_deeper_than(b'{"a": [{"b": []}]}', 4)
    assert nested_deeper_than(b"[" * 100_000, 32)  # never closed: a parser would still descend
    assert not nested_deeper_than(b"[]" * 100_000, 1)
    assert not nested_deeper_than(b'"\\\\"', 0)


async def test_an_unknown_query_parameter_is_named_not_ignored(edge: Any) -> None:
    client, seen = edge
    refused = await client.get("/items", params={"nmae": "x", "emial": "y", "limit": 3})
    body = problem(refused, 400)
    assert [e["field"] for e in body["errors"]] == ["emial", "nmae"]
    assert "limit, name" in body["errors"][0]["message"]
    known = await client.get("/items", params={"name": "x", "limit": 3, "extra.tier": "gold"})
    assert known.status_code == 200
    assert seen == ["find x"]


async def test_a_streamed_body_has_its_own_limit_and_is_stopped_at_it(edge: Any) -> None:
    client, seen = edge

    async def upload(size: int) -> AsyncIterator[bytes]:
        for _ in range(size // 4096):
            yield b"a,b\n" * 1024

    accepted = await client.post(
        "/files", content=upload(FILE_LIMIT), headers={"Content-Type": "text/csv"}
    )
    assert accepted.json() == {"size": FILE_LIMIT}
    refused = await client.post(
        "/files", content=upload(2 * FILE_LIMIT), headers={"Content-Type": "text/csv"}
    )
    problem(refused, 413)
    assert seen == [f"file {FILE_LIMIT}"]


async def answer_while_sending(port: int, head: bytes, chunks: int) -> tuple[bytes, int]:
    """Send `head`, then chunks of 64 KiB of a body that never ends, reading all the while;
    returns the answer and how many body bytes had gone out when it came."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    sent = 0
    answer = b""
    try:
        for _ in range(chunks):
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(65536), timeout=0.01)
            if answer:
                break
            piece = b"x" * 65536
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            sent += len(piece)
        if not answer:
            answer = await asyncio.wait_for(reader.read(65536), timeout=5)
    except ConnectionError:
        answer = answer or await asyncio.wait_for(reader.read(65536), timeout=5)
    finally:
        writer.close()
    return answer, sent


async def test_over_http_the_answer_comes_while_the_client_is_still_sending() -> None:
    """The proof that a body is not read whole: a chunked body of up to 100 MiB, without end,
    is answered 413 once a little more than the limit arrived, while the client still sends."""
    app, seen = limited_app()
    async with served(app) as url:
        port = int(url.rsplit(":", 1)[1])
        head = (
            b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer, sent = await answer_while_sending(port, head, chunks=1600)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        # Sent when refused: the limit, plus what the sockets buffer; far from 100 MiB.
        assert sent < LIMIT + 8 * 1024 * 1024, sent
        declared = (
            b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n"
        )
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(declared)  # and not one byte of the body
        answer = await asyncio.wait_for(reader.read(65536), timeout=5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == 413
    assert seen == []


def test_the_document_tells_every_refusal_as_problem_json() -> None:
    app, _ = limited_app()
    document = app.openapi()
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    add = document["paths"]["/items"]["post"]["responses"]
    assert {"400", "413", "415", "422"} <= add.keys()
    for status in ("400", "413", "415", "422"):
        assert add[status]["content"] == {"application/problem+json": {"schema": problem_ref}}
    find = document["paths"]["/items"]["get"]["responses"]
    assert {"400", "422"} <= find.keys()
    assert "413" not in find
    assert "HTTPValidationError" not in document["components"]["schemas"]
