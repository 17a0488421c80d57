"""The whole suite as `make run` starts it: five processes, embedded MongoDB, one trace.

Drives the thin path over HTTP only — order into ingest, customer out of the gateway — and
checks that consent and tasks recorded the customer in their own databases, that one trace
spans the services, and that Ctrl-C leaves no process behind.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import SERVICES, Namespace
from tests.support.deployment import DEPLOYED_SERVICES
from tests.support.orders import INTEGRATION_HEADERS, order_json
from tests.support.otlp import otlp_receiver
from tests.support.processes import Process, port_open, tail, wait_ready
from tests.support.waiting import eventually
from tools.embedded_mongo import free_ports
from tools.run_local import DEV_BOOTSTRAP_API_KEY

pytestmark = pytest.mark.e2e


async def test_make_run_serves_the_order_to_customer_path_and_stops_cleanly(
    namespace: Namespace, tmp_path: Path
) -> None:
    # Every service on a free port: another suite may be running on the default ones.
    *chosen, mongo_port, otlp_port = free_ports(len(DEPLOYED_SERVICES) + 2)
    ports = dict(zip(DEPLOYED_SERVICES, chosen, strict=True))
    env = (
        # `make run`'s own development admin key, not the tests'.
        {
            k: v
            for k, v in os.environ.items()
            if k not in ("MONGODB_URL", "GATEWAY_BOOTSTRAP_API_KEY")
        }
        | {f"{service.upper()}_PORT": str(port) for service, port in ports.items()}
        | {
            "EMBEDDED_MONGODB_PORT": str(mongo_port),
            "EMBEDDED_MONGODB_DATA": str(tmp_path / "mongo"),
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_port}",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        }
    )
    log = tmp_path / "make-run.log"
    with (
        otlp_receiver(otlp_port) as spans,
        Process([sys.executable, "-m", "tools.run_local"], env=env, log=log) as suite,
    ):
        for port in ports.values():
            await asyncio.to_thread(wait_ready, port, process=suite.popen, log=log)
        async with httpx.AsyncClient(timeout=10) as http:
            ingest, gateway = (f"http://127.0.0.1:{ports[s]}" for s in ("ingest", "gateway"))
            # The development admin key `make run` gives the gateway.
            admin = {"X-API-Key": DEV_BOOTSTRAP_API_KEY}
            accepted = await http.post(
                f"{ingest}/v1/orders",
                json=order_json(email="e2e@example.com"),
                headers=INTEGRATION_HEADERS,
            )
            assert accepted.status_code == 202, accepted.text

            async def customer() -> dict[str, Any] | None:
                page = (
                    await http.get(
                        f"{gateway}/v1/customers",
                        params={"email": "e2e@example.com"},
                        headers=admin,
                    )
                ).json()
                return page["items"][0] if page["items"] else None

            found = await eventually(customer, what="the customer behind the gateway")
            by_id = await http.get(f"{gateway}/v1/customers/{found['id']}", headers=admin)
            assert by_id.json()["emails"][0]["address"] == "e2e@example.com"

        mongo: AsyncMongoClient[Document] = AsyncMongoClient(
            f"mongodb://127.0.0.1:{mongo_port}/?directConnection=true"
        )
        try:
            for service in ("consent", "tasks"):
                directory = mongo[namespace.database(service)]["customers"]

                async def recorded(directory: Any = directory) -> Any:
                    return await directory.find_one({"_id": found["id"]})

                await eventually(recorded, what=f"{service} to record the customer")
        finally:
            await mongo.close()

        traces = await eventually(
            lambda: spans.traces_spanning({"ingest", "customer", "consent", "tasks"}),
            what="one trace across ingest, customer, consent and tasks",
        )
        assert traces

        suite.signal(signal.SIGINT, group=True)  # what Ctrl-C in a terminal does
        await asyncio.to_thread(suite.wait, 30)
        await eventually(lambda: not suite.group_alive(), timeout=10, what="no process left")
        assert not any(port_open(p) for p in [*ports.values(), mongo_port]), tail(log)
    output = log.read_text()
    for service in SERVICES:
        assert f"{service} stopped" in output, f"{service} did not stop cleanly:\n{tail(log)}"
    assert "stopping embedded MongoDB" in output


async def test_a_service_killed_under_make_run_comes_back_and_ingest_takes_orders_meanwhile(
    namespace: Namespace, tmp_path: Path
) -> None:
    # Every service on a free port: another suite may be running on the default ones.
    *chosen, mongo_port = free_ports(len(DEPLOYED_SERVICES) + 1)
    ports = dict(zip(DEPLOYED_SERVICES, chosen, strict=True))
    env = (
        # `make run`'s own development admin key, not the tests'.
        {
            k: v
            for k, v in os.environ.items()
            if k not in ("MONGODB_URL", "GATEWAY_BOOTSTRAP_API_KEY")
        }
        | {f"{service.upper()}_PORT": str(port) for service, port in ports.items()}
        | {
            "EMBEDDED_MONGODB_PORT": str(mongo_port),
            "EMBEDDED_MONGODB_DATA": str(tmp_path / "mongo"),
        }
    )
    log = tmp_path / "make-run.log"
    with Process([sys.executable, "-m", "tools.run_local"], env=env, log=log) as suite:
        try:
            for port in ports.values():
                await asyncio.to_thread(wait_ready, port, process=suite.popen, log=log)
            [pid] = re.findall(r"customer +\| started with pid (\d+)", log.read_text())
            os.kill(int(pid), signal.SIGKILL)
            async with httpx.AsyncClient(timeout=10) as http:
                ingest, gateway = (f"http://127.0.0.1:{ports[s]}" for s in ("ingest", "gateway"))
                # The customer service is down: ingest still takes orders (they wait in RabbitMQ).
                for n in range(3):
                    accepted = await http.post(
                        f"{ingest}/v1/orders",
                        json=order_json(email=f"while-down-{n}@example.com"),
                        headers=INTEGRATION_HEADERS,
                    )
                    assert accepted.status_code == 202, accepted.text
                await asyncio.to_thread(wait_ready, ports["customer"], process=suite.popen, log=log)
                output = log.read_text()
                assert "customer killed by SIGKILL" in output, tail(log)
                assert len(re.findall(r"customer +\| started with pid", output)) == 2

                async def all_customers() -> bool:
                    for n in range(3):
                        page = await http.get(
                            f"{gateway}/v1/customers",
                            params={"email": f"while-down-{n}@example.com"},
                            headers={"X-API-Key": DEV_BOOTSTRAP_API_KEY},
                        )
                        if page.status_code != 200 or not page.json()["items"]:
                            return False
                    return True

                await eventually(
                    all_customers, timeout=60, what="the orders taken while it was down"
                )
            # The other services never restarted.
            for service in SERVICES:
                if service != "customer":
                    assert len(re.findall(rf"{service} +\| started with pid", output)) == 1
        finally:
            # Also after a failure: the runner stops its embedded database (own session) itself.
            suite.signal(signal.SIGINT, group=True)
            await asyncio.to_thread(suite.wait, 30)
