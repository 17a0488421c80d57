"""The pullers' state per integration through the public API (`GET /v1/integrations`): the
gateway asks the pullers over request/reply."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.contracts.envelope import utc_now
from tests.conftest import Suite, create_app, running
from tests.integration.ingest.serving import served
from tests.integration.pullers.conftest import ADOBE_KEY, pullers
from tests.integration.pullers.marketplaces import (
    ADOBE_PASSWORD,
    ADOBE_USERNAME,
    FakeAdobeCommerce,
    adobe_order,
)
from tests.support.access import ADMIN_HEADERS
from tests.support.waiting import eventually


async def test_the_gateway_shows_each_integrations_last_run_watermark_and_errors(
    world: Suite, ingest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utc_now()
    adobe = FakeAdobeCommerce(
        [
            adobe_order(3001, now - timedelta(hours=2), email="anna@example.ch"),
            adobe_order(3002, now - timedelta(hours=1), email="x@example.ch", state="lost"),
        ]
    )
    async with served(adobe.app()) as url:
        shop = {
            "name": "shop-ch",
            "channel": "adobe_commerce",
            "shop": "shop.example.ch",
            "ingest_key": ADOBE_KEY,
            "api_url": f"{url}/rest/default",
            "username": ADOBE_USERNAME,
            "password": ADOBE_PASSWORD,
            "poll_interval_s": 1,
            "initial_lookback_days": 1,
        }
        # A second shop whose server does not answer: its last error says so.
        broken = shop | {"name": "shop-down", "api_url": "http://127.0.0.1:9/rest/default"}
        async with (
            pullers(ingest_url, monkeypatch, shop, broken),
            running(create_app("gateway")) as gateway,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway),
                base_url="http://gateway",
                headers=ADMIN_HEADERS,
            ) as api,
        ):

            async def settled() -> dict[str, Any] | None:
                response = await api.get("/v1/integrations")
                assert response.status_code == 200, response.text
                states = {s["name"]: s for s in response.json()["items"]}
                pulled, down = states["shop-ch"], states["shop-down"]
                if pulled["orders_pulled"] == 1 and pulled["parked_count"] and down["last_error"]:
                    return states
                return None

            states = await eventually(settled, timeout=30, what="both integrations' state")
    pulled, down = states["shop-ch"], states["shop-down"]
    assert (pulled["channel"], pulled["shop"]) == ("adobe_commerce", "shop.example.ch")
    assert pulled["watermark"] is not None
    assert pulled["last_run_at"] is not None
    assert pulled["last_error"] is None
    assert [p["order_id"] for p in pulled["parked"]] == ["3002"]
    assert (down["watermark"], down["orders_pulled"]) == (None, 0)
    assert down["last_error_at"] is not None
