"""One order, one trace: ingest's request, the publish, the customer service's consume and its
database calls, the events it publishes and their consumption in consent and tasks; and a
gateway request through its request/reply call.

The seven services run as processes and export their spans over OTLP/HTTP to a receiver in
this test. The chain is checked parent by parent (each span's parent id), the messaging spans
against OpenTelemetry's messaging conventions, and every span's resource names its service,
the suite's version and the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.telemetry import suite_version
from tests.conftest import Namespace
from tests.support.access import ADMIN_HEADERS
from tests.support.orders import INTEGRATION_HEADERS, order_json
from tests.support.otlp import SpanRecord, Spans, otlp_receiver
from tests.support.suite_processes import running_services
from tests.support.waiting import eventually
from tools.embedded_mongo import free_port

pytestmark = pytest.mark.e2e

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5


class Trace:
    def __init__(self, spans: list[SpanRecord]) -> None:
        self.spans = spans
        self.by_id = {s.span_id: s for s in spans}

    def ancestors(self, span: SpanRecord) -> list[SpanRecord]:
        found = []
        while span.parent_id in self.by_id:
            span = self.by_id[span.parent_id]
            found.append(span)
        return found

    def under(self, ancestor: SpanRecord, **match: Any) -> list[SpanRecord]:
        """Spans below `ancestor` (at any depth) with these properties."""
        return [
            s
            for s in self.spans
            if ancestor in self.ancestors(s) and all(_has(s, k, v) for k, v in match.items())
        ]

    def one(self, **match: Any) -> SpanRecord:
        found = [s for s in self.spans if all(_has(s, k, v) for k, v in match.items())]
        assert found, f"no span with {match} in {self.describe()}"
        return found[0]

    def describe(self) -> str:
        return "\n".join(f"{s.service}: {s.name} ({s.kind}) <- {s.parent_id}" for s in self.spans)


def _has(span: SpanRecord, key: str, value: Any) -> bool:
    if key in ("service", "kind", "name"):
        return bool(getattr(span, key) == value)
    return bool(span.attributes.get(key.replace("__", ".")) == value)


def consumed(trace: Trace, below: SpanRecord, service: str, queue: str) -> SpanRecord:
    """The span of `service` processing a message from `queue`, below `below`."""
    found = trace.under(
        below,
        service=service,
        kind=CONSUMER,
        messaging__system="rabbitmq",
        messaging__operation="process",
        messaging__destination__name=queue,
    )
    assert found, f"{service} consuming {queue} below {below.name}:\n{trace.describe()}"
    return found[0]


def published(trace: Trace, below: SpanRecord, service: str, exchange: str) -> SpanRecord:
    found = trace.under(
        below,
        service=service,
        kind=PRODUCER,
        messaging__system="rabbitmq",
        messaging__operation="publish",
        messaging__destination__name=exchange,
    )
    assert found, f"{service} publishing to {exchange} below {below.name}:\n{trace.describe()}"
    return found[0]


def complete_trace(spans: Spans, root_name: str, services: set[str]) -> Trace | None:
    """The trace rooted in a span named `root_name` that reached all `services`."""
    for trace_id in spans.traces_spanning(services):
        trace = Trace(spans.in_trace(trace_id))
        if any(s.name == root_name and s.kind == SERVER for s in trace.spans):
            return trace
    return None


async def test_one_trace_follows_an_order_and_a_query_across_the_services(
    namespace: Namespace, tmp_path: Path
) -> None:
    otlp_port = free_port()
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_port}",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    topology = namespace.topology
    with otlp_receiver(otlp_port) as spans:
        async with running_services(namespace, tmp_path, env) as suite:
            async with httpx.AsyncClient(timeout=15, headers=ADMIN_HEADERS) as http:
                accepted = await http.post(
                    f"{suite.url('ingest')}/v1/orders",
                    json=order_json(email="traced@example.com"),
                    headers=INTEGRATION_HEADERS,
                )
                assert accepted.status_code == 202, accepted.text
                order_trace = await eventually(
                    lambda: complete_trace(
                        spans, "POST /v1/orders", {"ingest", "customer", "consent", "tasks"}
                    ),
                    timeout=30,
                    what="the order's trace to reach customer, consent and tasks",
                )
                found = await http.get(
                    f"{suite.url('gateway')}/v1/customers", params={"email": "traced@example.com"}
                )
                assert found.status_code == 200, found.text
                query_trace = await eventually(
                    lambda: complete_trace(spans, "GET /v1/customers", {"gateway", "customer"}),
                    what="the query's trace to reach the customer service",
                )
            suite.stop()

    # ingest HTTP -> publish of the command
    request = order_trace.one(service="ingest", kind=SERVER, name="POST /v1/orders")
    command = published(order_trace, request, "ingest", topology.commands.name)
    assert command.attributes["messaging.rabbitmq.destination.routing_key"] == (
        "customer.upsert_from_order.v1"
    )
    # -> the customer service's consume (below the command's creation), its database calls
    customer = consumed(order_trace, request, "customer", topology.customer.name)
    assert any(
        s.service == "ingest" and s.kind == PRODUCER for s in order_trace.ancestors(customer)
    )
    database = order_trace.under(customer, service="customer", kind=CLIENT, db__system="mongodb")
    assert database, order_trace.describe()
    # -> the events it published -> their consumption in consent and tasks
    event = published(order_trace, customer, "customer", topology.events.name)
    assert event.attributes["messaging.rabbitmq.destination.routing_key"].startswith("customer.")
    for service, queue in (("consent", topology.consent.name), ("tasks", topology.tasks.name)):
        consumer = consumed(order_trace, customer, service, queue)
        assert any(
            s.service == "customer" and s.kind == PRODUCER for s in order_trace.ancestors(consumer)
        )

    # gateway HTTP -> request/reply publish -> the customer service answering
    lookup = query_trace.one(service="gateway", kind=SERVER, name="GET /v1/customers")
    ask = query_trace.under(lookup, service="gateway", kind=PRODUCER, messaging__system="rabbitmq")
    assert ask, query_trace.describe()
    answer = consumed(query_trace, lookup, "customer", topology.rpc_queue("customer").name)
    assert any(s.service == "gateway" for s in query_trace.ancestors(answer))

    for span in order_trace.spans + query_trace.spans:
        assert span.resource["service.version"] == suite_version()
        assert span.resource["deployment.environment"] == "test"
