"""The gateway takes at most GATEWAY_MAX_REQUESTS_IN_FLIGHT requests at once: past it, anyone,
with a key or without, gets the same 503 at once, before authentication; liveness, readiness
and the metrics scrape still answer. A console page is told so by a page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from tests.conftest import Namespace, Suite, suite_of
from tests.support.waiting import eventually

SHED = "suite_http_requests_shed_total"
IN_FLIGHT = "suite_http_requests_in_flight"


@pytest.fixture
async def capped(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Suite]:
    monkeypatch.setenv("GATEWAY_MAX_REQUESTS_IN_FLIGHT", "1")
    # The customer service is not running: a search waits for it this long, then fails.
    monkeypatch.setenv("GATEWAY_RPC_TIMEOUT_S", "2")
    async with suite_of(namespace, ("gateway",)) as suite:
        yield suite


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "gateway"}) or 0.0


def answered(route: str, status: int) -> float:
    """`suite_http_requests_total` of the gateway's route with this status."""
    labels = {"service": "gateway", "route": route, "method": "GET", "status": str(status)}
    return REGISTRY.get_sample_value("suite_http_requests_total", labels) or 0.0


async def test_past_the_cap_everyone_gets_503_busy_and_health_still_answers(
    capped: Suite,
) -> None:
    shed_before, in_flight_before = sample(SHED), sample(IN_FLIGHT)
    busy_before, refused_before = answered("/v1/roles", 503), answered("/v1/roles", 401)
    search = asyncio.create_task(capped.gateway.get("/v1/customers", params={"email": "a@b.c"}))
    await eventually(lambda: sample(IN_FLIGHT) == in_flight_before + 1, what="the search")

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=capped.apps["gateway"]), base_url="http://gateway"
    ) as anonymous:
        refused = [await anonymous.get("/v1/roles"), await capped.gateway.get("/v1/roles")]
        for answer in refused:
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "1"
            assert answer.headers["content-type"] == "application/problem+json"
            assert "www-authenticate" not in answer.headers
            assert answer.json()["type"] == "urn:problem:busy"
        # The anonymous caller is told what the admin is, and nothing more.
        assert refused[0].json() == refused[1].json()
        assert sample(SHED) == shed_before + 2
        # Counted with every other answer, and named by a request id like them.
        assert answered("/v1/roles", 503) == busy_before + 2
        assert all(len(a.headers["x-request-id"]) == 32 for a in refused)
        for path in ("/health/live", "/health/ready", "/metrics"):
            assert (await anonymous.get(path)).status_code == 200, path

        assert (await search).status_code == 503  # the customer service did not answer
        assert sample(IN_FLIGHT) == in_flight_before
        unauthorized = await anonymous.get("/v1/roles", headers={"X-Request-ID": "req-4712"})
        assert unauthorized.status_code == 401
        assert unauthorized.headers.get_list("x-request-id") == ["req-4712"]
        assert answered("/v1/roles", 401) == refused_before + 1
    assert (await capped.gateway.get("/v1/roles")).status_code == 200


async def test_a_shed_console_page_is_a_page_and_an_api_request_still_the_problem(
    capped: Suite,
) -> None:
    in_flight_before = sample(IN_FLIGHT)
    search = asyncio.create_task(capped.gateway.get("/v1/customers", params={"email": "a@b.c"}))
    await eventually(lambda: sample(IN_FLIGHT) == in_flight_before + 1, what="the search")

    browser = {"Accept": "text/html"}
    page = await capped.gateway.get("/console/customers", headers=browser)
    assert page.status_code == 503, page.text
    assert page.headers["retry-after"] == "1"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "The console is busy; try again in a moment." in page.text
    api = await capped.gateway.get("/v1/roles", headers=browser)
    assert api.status_code == 503, api.text
    assert api.headers["retry-after"] == "1"
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["type"] == "urn:problem:busy"

    assert (await search).status_code == 503  # the customer service did not answer
    assert (await capped.gateway.get("/console/customers")).status_code == 303  # to sign in
