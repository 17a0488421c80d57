"""The cap on requests in progress (`shared.load_shedding`), on a small app of its own: past it
503 at once (a console page of the gateway as a page), health and metrics never refused, and the
count back down however a request ends; a count that leaked would refuse every request for good."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Scope

from services.gateway.entrypoints.console.sign_in import shed
from shared.load_shedding import NEVER_SHED, LoadShedding, busy
from tests.integration.ingest.serving import served
from tests.support.waiting import eventually

LIMIT = 2


@dataclass
class Shop:
    """The app behind the cap: `/held` answers once released, `/fails` raises, `/upload`
    reads its body; the operations paths answer at once."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    service: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")

    def app(self, limit: int = LIMIT, refusal: Callable[[Scope], ASGIApp] = busy) -> LoadShedding:
        async def held(_: Request) -> PlainTextResponse:
            await self.release.wait()
            return PlainTextResponse("done")

        async def fails(_: Request) -> PlainTextResponse:
            raise RuntimeError("the handler broke")

        async def upload(request: Request) -> PlainTextResponse:
            return PlainTextResponse(f"{len(await request.body())} bytes")

        async def operations(_: Request) -> PlainTextResponse:
            return PlainTextResponse("ok")

        routes = [
            Route("/held", held),
            Route("/fails", fails),
            Route("/upload", upload, methods=["POST"]),
            *(Route(path, operations) for path in NEVER_SHED),
        ]
        return LoadShedding(
            Starlette(routes=routes), service=self.service, limit=limit, refusal=refusal
        )

    def metric(self, name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"service": self.service})


@pytest.fixture
async def shop() -> AsyncIterator[tuple[Shop, LoadShedding, httpx.AsyncClient]]:
    shop = Shop()
    app = shop.app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield shop, app, client
    shop.release.set()


async def full(app: LoadShedding, client: httpx.AsyncClient) -> list[asyncio.Task[httpx.Response]]:
    """`LIMIT` requests in progress, waiting for their release."""
    held = [asyncio.create_task(client.get("/held")) for _ in range(LIMIT)]
    await eventually(lambda: app.in_flight == LIMIT, what="the held requests")
    return held


async def test_past_the_cap_a_request_is_answered_503_at_once(
    shop: tuple[Shop, LoadShedding, httpx.AsyncClient],
) -> None:
    world, app, client = shop
    held = await full(app, client)
    assert world.metric("suite_http_requests_in_flight") == LIMIT

    refused = await asyncio.wait_for(client.get("/held"), timeout=1)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json() == {
        "type": "urn:problem:busy",
        "title": "Busy",
        "status": 503,
        "detail": (
            "More requests are in progress than are taken at once; nothing was done. "
            "Try again shortly."
        ),
        "errors": [],
    }
    assert world.metric("suite_http_requests_shed_total") == 1

    world.release.set()
    assert [(await answer).status_code for answer in held] == [200] * LIMIT
    assert app.in_flight == 0
    assert world.metric("suite_http_requests_in_flight") == 0
    assert (await client.get("/held")).status_code == 200


async def test_the_gateway_sheds_a_console_page_as_a_page_and_the_rest_as_the_problem() -> None:
    shop = Shop()
    app = shop.app(refusal=shed)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        held = await full(app, client)
        page = await client.get("/console/customers", headers={"Accept": "text/html"})
        assert page.status_code == 503
        assert page.headers["retry-after"] == "1"
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "The console is busy; try again in a moment." in page.text
        for path in ("/v1/customers", "/console/static/console.css"):
            refused = await client.get(path, headers={"Accept": "text/html"})
            assert refused.status_code == 503, path
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["type"] == "urn:problem:busy"
        assert shop.metric("suite_http_requests_shed_total") == 3
        shop.release.set()
        assert [(await answer).status_code for answer in held] == [200] * LIMIT


async def test_health_and_metrics_are_never_shed_nor_counted(
    shop: tuple[Shop, LoadShedding, httpx.AsyncClient],
) -> None:
    world, app, client = shop
    await full(app, client)
    for path in sorted(NEVER_SHED):
        assert (await client.get(path)).status_code == 200, path
    assert app.in_flight == LIMIT
    assert world.metric("suite_http_requests_shed_total") == 0


async def test_a_request_whose_handler_raises_is_no_longer_counted(
    shop: tuple[Shop, LoadShedding, httpx.AsyncClient],
) -> None:
    _, app, client = shop
    for _ in range(LIMIT + 1):
        with pytest.raises(RuntimeError, match="the handler broke"):
            await client.get("/fails")
    assert app.in_flight == 0


async def test_a_cancelled_request_is_no_longer_counted(
    shop: tuple[Shop, LoadShedding, httpx.AsyncClient],
) -> None:
    world, app, client = shop
    held = await full(app, client)
    for request in held:
        request.cancel()
    await asyncio.gather(*held, return_exceptions=True)
    assert app.in_flight == 0
    assert world.metric("suite_http_requests_in_flight") == 0


async def test_a_client_gone_while_sending_its_body_is_no_longer_counted() -> None:
    shop = Shop()
    app = shop.app(limit=1)

    async def gone() -> Message:
        return {"type": "http.disconnect"}

    async def nobody(_: Message) -> None:
        """Uvicorn drops what is sent to a client that left."""

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "headers": [(b"content-length", b"100")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("t", 80),
    }
    with pytest.raises(ClientDisconnect):
        await app(scope, gone, nobody)
    assert app.in_flight == 0


async def test_over_http_a_client_that_leaves_frees_its_place() -> None:
    """With uvicorn: a client gone in the middle of its body frees its place at once; one gone
    while the handler works (waits for a service, say) holds it until the handler is done, as
    the work goes on. Either way the next request is taken."""
    shop = Shop()
    app = shop.app(limit=1)
    async with served(app) as url:  # type: ignore[arg-type]
        port = int(url.rsplit(":", 1)[1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
        await writer.drain()
        await eventually(lambda: app.in_flight == 1, what="the upload in progress")
        writer.close()
        await eventually(lambda: app.in_flight == 0, what="the upload's place freed")

        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        await eventually(lambda: app.in_flight == 1, what="the held request")
        writer.close()
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/held")).status_code == 503
            shop.release.set()
            await eventually(lambda: app.in_flight == 0, what="the held request's place freed")
            assert (await client.get("/held")).status_code == 200


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="refuse every request"):
        Shop().app(limit=0)
