"""Ingest answers 2xx only when RabbitMQ took the order; otherwise 503, so the channel retries."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import Namespace, running
from tests.support.broker import tap
from tests.support.orders import INTEGRATION_HEADERS, order_json
from tests.support.proxy import cuttable_proxy
from tests.support.waiting import eventually


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    credentials = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


async def test_broker_down_gives_503_and_publishes_nothing_then_recovers(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = urlsplit(namespace.infra.amqp_url)
    async with cuttable_proxy(broker.hostname or "127.0.0.1", broker.port or 5672) as proxy:
        monkeypatch.setenv("AMQP_URL", through(namespace.infra.amqp_url, proxy.port))
        from services.ingest.main import create_app

        app = create_app()
        async with (
            running(app),
            tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://ingest",
                headers=INTEGRATION_HEADERS,
            ) as ingest,
        ):
            accepted = await ingest.post("/v1/orders", json=order_json(order_id="A-1"))
            assert accepted.status_code == 202
            await commands.wait_for(1)

            await proxy.cut()
            refused = await ingest.post("/v1/orders", json=order_json(order_id="A-2"))
            assert refused.status_code == 503
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["retry-after"]
            ready = await ingest.get("/health/ready")
            assert ready.status_code == 503

            await proxy.restore()

            async def accepted_again() -> bool:
                response = await ingest.post("/v1/orders", json=order_json(order_id="A-3"))
                return response.status_code == 202

            await eventually(accepted_again, timeout=30, interval=0.5, what="ingest to reconnect")
            orders = {b["order"]["order_id"] for b in commands.bodies()}
            assert "A-2" not in orders
            assert {"A-1", "A-3"} <= orders
