"""Every service serves the metric contract (docs/operations/metrics.md) at `GET /metrics`.

The seven services run as processes; orders go through ingest, the gateway asks the services,
the pullers are asked for their integrations, a command that fits no contract is parked, and a
double opt-in has the mailer ask the customer service for the person's language. Then each
service is scraped: the metrics of what it does are there with exactly the contract's labels,
no `suite_*` name outside the contract appears, and the counts add up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.pullers.settings import PullersSettings
from shared.broker import make_broker
from shared.contracts.integrations import GetIntegrations
from shared.rpc import RpcClient
from tests.conftest import TEST_ACTOR, Namespace
from tests.support.access import ADMIN_HEADERS
from tests.support.broker import publish_raw
from tests.support.deployment import DEPLOYED_SERVICES
from tests.support.orders import INTEGRATION_HEADERS, order_json
from tests.support.suite_processes import running_services
from tests.support.waiting import eventually
from tests.unit.test_compose_monitoring import CONTRACT

pytestmark = pytest.mark.e2e

MESSAGES = {
    "suite_messages_received_total",
    "suite_messages_processed_total",
    "suite_messages_retried_total",
    "suite_messages_parked_total",
    "suite_handler_duration_seconds",
}
CONSUMER = MESSAGES | {"suite_queue_depth"}
OUTBOX = {"suite_outbox_backlog", "suite_outbox_oldest_age_seconds"}
# Services that change their data in transactions.
TRANSACTIONS = {"suite_transactions_total", "suite_transaction_attempts_total"}
HTTP = {"suite_http_requests_total", "suite_http_request_duration_seconds"}
RPC = {"suite_rpc_duration_seconds"}
SHEDDING = {"suite_http_requests_in_flight", "suite_http_requests_shed_total"}
# What each service does, so what it must export (a request queue: messages without retries).
EXPECTED = {
    "customer": CONSUMER | OUTBOX | TRANSACTIONS | HTTP | {"suite_messages_failed_total"},
    "consent": CONSUMER | OUTBOX | TRANSACTIONS | HTTP,
    "tasks": CONSUMER | OUTBOX | HTTP,
    "mailer": CONSUMER | RPC | HTTP,
    "gateway": HTTP | RPC | SHEDDING,
    "ingest": HTTP,
    "pullers": HTTP | {"suite_messages_received_total", "suite_messages_processed_total"},
}
# Exported only by services that have the part they measure.
ONLY = {
    "suite_outbox_backlog": {"customer", "consent", "tasks"},
    "suite_transactions_total": {"customer", "consent", "tasks", "gateway"},
    "suite_transaction_attempts_total": {"customer", "consent", "tasks", "gateway"},
    "suite_queue_depth": {"customer", "consent", "tasks", "mailer"},
    "suite_rpc_duration_seconds": {"gateway", "mailer"},
    "suite_http_requests_in_flight": {"gateway"},
    "suite_http_requests_shed_total": {"gateway"},
    "suite_messages_retried_total": {"customer", "consent", "tasks", "mailer"},
}


def scrape(text: str) -> dict[str, list[Any]]:
    """Metric name (as in the contract) -> its samples; a family without samples is no series
    (prometheus-client announces every metric it defines, with or without values)."""
    found: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        name = family.name
        if family.type == "counter":
            name += "_total"
        if name.startswith("suite_") and family.samples:
            found[name] = family.samples
    return found


async def test_every_service_serves_the_metric_contract(
    namespace: Namespace, tmp_path: Path
) -> None:
    async with running_services(namespace, tmp_path, {}) as suite:
        async with httpx.AsyncClient(timeout=15, headers=ADMIN_HEADERS) as http:
            ingest, gateway = suite.url("ingest"), suite.url("gateway")
            for n in range(3):
                accepted = await http.post(
                    f"{ingest}/v1/orders",
                    json=order_json(email=f"metrics-{n}@example.com"),
                    headers=INTEGRATION_HEADERS,
                )
                assert accepted.status_code == 202, accepted.text
            await publish_raw(
                namespace.infra.amqp_url,
                namespace.topology.commands.name,
                "customer.upsert_from_order.v1",
                {"type": "customer.upsert_from_order.v1", "message_id": "unfit-1"},
            )

            async def customer() -> Any:
                page = await http.get(
                    f"{gateway}/v1/customers", params={"email": "metrics-0@example.com"}
                )
                return page.json()["items"]

            [person] = await eventually(customer, what="the customer")

            async def started() -> bool:
                answer = await http.post(
                    f"{gateway}/v1/customers/{person['id']}/consents/double-opt-in",
                    json={"purpose": "email", "text_version": "newsletter-v3"},
                )
                return answer.status_code == 202

            await eventually(started, what="a double opt-in")
            await eventually(lambda: any(suite.mail_dir.glob("*.eml")), what="the mail")
            missing = await http.get(f"{gateway}/v1/customers/{'0' * 24}")
            assert missing.status_code in (400, 404), missing.text

        broker = make_broker(PullersSettings(), service="test", tracer_provider=None)
        rpc = RpcClient(broker, namespace.topology, timeout_s=10)
        await broker.start()
        try:
            assert (await rpc.request("pullers", GetIntegrations(actor=TEST_ACTOR))).ok
        finally:
            await broker.stop()

        async def scraped() -> dict[str, dict[str, list[Any]]] | None:
            result = {}
            async with httpx.AsyncClient(timeout=5) as http:
                for name in DEPLOYED_SERVICES:
                    answer = await http.get(f"{suite.url(name)}/metrics")
                    assert answer.status_code == 200
                    assert answer.headers["content-type"].startswith("text/plain")
                    result[name] = scrape(answer.text)
            # The queue depths and outbox gauges come from loops that run every few seconds.
            ready = all(EXPECTED[name] <= result[name].keys() for name in DEPLOYED_SERVICES)
            return result if ready else None

        try:
            metrics = await eventually(scraped, timeout=30, what="every expected metric")
        finally:
            suite.stop()

    for name, exported in metrics.items():
        assert exported.keys() <= CONTRACT.keys(), f"{name} exports names outside the contract"
        for metric, samples in exported.items():
            if metric in ONLY:
                assert name in ONLY[metric], f"{name} exports {metric}"
            for sample in samples:
                labels = set(sample.labels) - {"le"}
                assert labels == CONTRACT[metric], (name, metric, sample)
                assert sample.labels["service"] == name, (name, sample)

    of_customer = metrics["customer"]
    queue = namespace.topology.customer.name

    def total(name: str, **labels: str) -> float:
        return sum(
            float(s.value)
            for s in of_customer[name]
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    assert total("suite_messages_parked_total", queue=queue) == 1
    assert total("suite_messages_failed_total", queue=queue) >= 1
    received = total(
        "suite_messages_received_total", queue=queue, type="customer.upsert_from_order.v1"
    )
    assert received >= 4  # three orders and the one that fits no contract
    routes = {s.labels["route"] for s in metrics["gateway"]["suite_http_requests_total"]}
    assert "/v1/customers/{customer_id}" in routes, routes
    assert not any(person["id"] in route for route in routes)
    targets = {s.labels["target"] for s in metrics["gateway"]["suite_rpc_duration_seconds"]}
    assert {"customer", "consent"} <= targets
