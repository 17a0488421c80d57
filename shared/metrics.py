"""The metrics every service exports at `GET /metrics` (the contract: docs/operations/metrics.md).

One process serves one service (uvicorn with a single worker), so the process-wide registry of
`prometheus-client` is the service's. Should a service ever run several worker processes,
`PROMETHEUS_MULTIPROC_DIR` switches `prometheus-client` to its multiprocess mode, and the
scrape then collects the files of every worker (gauges report the largest value).

FastStream's own Prometheus middleware adds its `faststream_*` series (messages in process,
published messages by destination, sizes) next to ours.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from collections.abc import Sequence

    from faststream.message import StreamMessage

# The `*_created` series only double the scrape: nothing here reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# From 5 ms (a request/reply round trip is ~3 ms locally) to 10 s (beyond any timeout).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN_TYPE = "unknown"
UNMATCHED_ROUTE = "unmatched"
# A label value is never unbounded: a type name that does not look like one is `unknown`.
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,6}$")

MESSAGES_RECEIVED = Counter(
    "suite_messages_received_total",
    "Messages a consumer took from a queue and handed to its handler.",
    ["service", "queue", "type"],
)
MESSAGES_PROCESSED = Counter(
    "suite_messages_processed_total",
    "Messages handled successfully and acknowledged.",
    ["service", "queue", "type"],
)
MESSAGES_FAILED = Counter(
    "suite_messages_failed_total",
    "Handling attempts that failed (then retried or parked).",
    ["service", "queue", "type"],
)
MESSAGES_RETRIED = Counter(
    "suite_messages_retried_total",
    "Messages sent to the retry queue.",
    ["service", "queue"],
)
MESSAGES_PARKED = Counter(
    "suite_messages_parked_total",
    "Messages parked in the dead-letter queue.",
    ["service", "queue"],
)
HANDLER_DURATION = Histogram(
    "suite_handler_duration_seconds",
    "Time from handing a message to its handler until it is acknowledged, retried or parked.",
    ["service", "queue"],
    buckets=BUCKETS,
)
HTTP_REQUESTS = Counter(
    "suite_http_requests_total",
    "HTTP requests answered.",
    ["service", "route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "suite_http_request_duration_seconds",
    "Time from receiving an HTTP request until its response is sent.",
    ["service", "route", "method"],
    buckets=BUCKETS,
)
HTTP_IN_FLIGHT = Gauge(
    "suite_http_requests_in_flight",
    "HTTP requests being handled, counted against the service's cap (health and metrics not).",
    ["service"],
    multiprocess_mode="livesum",
)
HTTP_SHED = Counter(
    "suite_http_requests_shed_total",
    "HTTP requests answered 503 at once: the service had as many in hand as it takes.",
    ["service"],
)
OUTBOX_BACKLOG = Gauge(
    "suite_outbox_backlog",
    "Events stored in the outbox and not yet published.",
    ["service"],
    multiprocess_mode="max",
)
OUTBOX_OLDEST_AGE = Gauge(
    "suite_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox entry; 0 when there is none.",
    ["service"],
    multiprocess_mode="max",
)
RPC_DURATION = Histogram(
    "suite_rpc_duration_seconds",
    "Request/reply round trip as the caller sees it, answers and timeouts alike.",
    ["service", "target"],
    buckets=BUCKETS,
)
TRANSACTIONS = Counter(
    "suite_transactions_total",
    "Database transactions run to their end, committed or not.",
    ["service"],
)
TRANSACTION_ATTEMPTS = Counter(
    "suite_transaction_attempts_total",
    "Runs of a transaction's body: one more each time it lost a race (write conflict, "
    "taken key) and ran again.",
    ["service"],
)
QUEUE_DEPTH = Gauge(
    "suite_queue_depth",
    "Messages ready in the service's work queue, as the broker reports them.",
    ["service", "queue"],
    multiprocess_mode="max",
)


def message_type(message: StreamMessage[Any]) -> str:
    found = getattr(message.raw_message, "type", None)
    if isinstance(found, str) and len(found) <= 80 and _TYPE_NAME.match(found):
        return found
    return UNKNOWN_TYPE


def exposition(names: Sequence[str] = ()) -> tuple[bytes, str]:
    """The scrape: the body in Prometheus' text format, and its content type. `names` (sample
    names, Prometheus' `name[]`) restricts it to those series: a poll for one counter then
    costs neither side the other 250 lines (a full scrape is 2.5 ms of the service's CPU and
    5 ms of the reader's parsing)."""
    registry: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    if names:
        return generate_latest(registry.restricted_registry(names)), CONTENT_TYPE_LATEST
    return generate_latest(registry), CONTENT_TYPE_LATEST
