"""HTTP requests are counted by their route's template, never by the path, and carry an id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, HTTPException
from prometheus_client import REGISTRY

from shared.metrics import UNMATCHED_ROUTE
from shared.observe import RequestObservation
from shared.runtime import metrics_router

SERVICE = "unit-test-observe"


def app() -> FastAPI:
    application = FastAPI()

    @application.get("/v1/customers/{customer_id}")
    async def customer(customer_id: str) -> dict[str, str]:
        if customer_id == "missing":
            raise HTTPException(404)
        return {"id": customer_id}

    application.add_middleware(RequestObservation, service=SERVICE)
    return application


def requests(route: str, method: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "suite_http_requests_total",
        {"service": SERVICE, "route": route, "method": method, "status": status},
    )
    return value or 0.0


async def test_requests_are_counted_by_route_template_method_and_status() -> None:
    template = "/v1/customers/{customer_id}"
    before = requests(template, "GET", "200"), requests(template, "GET", "404")
    unmatched = requests(UNMATCHED_ROUTE, "GET", "404")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app()), base_url="http://test"
    ) as client:
        ok = await client.get("/v1/customers/anna@example.com")
        missing = await client.get("/v1/customers/missing")
        nowhere = await client.get("/v2/nothing/here")
    assert (ok.status_code, missing.status_code, nowhere.status_code) == (200, 404, 404)
    assert requests(template, "GET", "200") == before[0] + 1
    assert requests(template, "GET", "404") == before[1] + 1
    assert requests(UNMATCHED_ROUTE, "GET", "404") == unmatched + 1
    samples = [
        s
        for family in REGISTRY.collect()
        for s in family.samples
        if s.labels.get("service") == SERVICE
    ]
    assert not any("anna" in value for s in samples for value in s.labels.values())
    duration = REGISTRY.get_sample_value(
        "suite_http_request_duration_seconds_count",
        {"service": SERVICE, "route": template, "method": "GET"},
    )
    assert duration is not None
    assert duration >= 2


async def test_a_request_id_is_echoed_or_made() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app()), base_url="http://test"
    ) as client:
        given = await client.get("/v1/customers/1", headers={"X-Request-ID": "abc-123"})
        hostile = await client.get("/v1/customers/1", headers={"X-Request-ID": "anna@x.de <b>"})
        made = await client.get("/v1/customers/1")
    assert given.headers["x-request-id"] == "abc-123"
    assert hostile.headers["x-request-id"] != "anna@x.de <b>"
    assert len(made.headers["x-request-id"]) == 32


async def test_a_scrape_may_ask_for_some_series_only() -> None:
    application = app()
    application.include_router(metrics_router())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://test"
    ) as client:
        await client.get("/v1/customers/anna@example.com")
        whole = await client.get("/metrics")
        asked = ["suite_http_requests_total", "suite_http_request_duration_seconds_count"]
        some = await client.get("/metrics", params={"name[]": asked})
        unknown = await client.get("/metrics", params={"name[]": "no_such_series"})
    assert whole.status_code == some.status_code == unknown.status_code == 200
    names = {
        line.split("{")[0].split(" ")[0]
        for line in some.text.splitlines()
        if line and not line.startswith("#")
    }
    assert names == set(asked)
    assert "suite_http_request_duration_seconds_bucket" in whole.text
    assert "suite_http_request_duration_seconds_bucket" not in some.text
    assert not [line for line in unknown.text.splitlines() if not line.startswith("#")]
