"""The broker every service uses, and the one way a message is published."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.rabbit.schemas import Channel
from prometheus_client import REGISTRY

from shared.observe import MessageObservation

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from shared.contracts.envelope import Message
    from shared.settings import ServiceSettings
    from shared.topology import Topology

# A publish that RabbitMQ neither confirms nor refuses within this time counts as failed: the
# caller then answers 503 (ingest) or retries (a consumer), so nothing is silently dropped.
PUBLISH_TIMEOUT_S = 10.0


def make_broker(
    settings: ServiceSettings, *, service: str, tracer_provider: TracerProvider | None
) -> RabbitBroker:
    """A broker that never loses a publish quietly.

    Publisher confirms are waited for, and `on_return_raises` turns an unroutable (returned)
    mandatory publish into an error: without it RabbitMQ's return looks like success.
    Prefetch is bounded: unbounded, one consumer would take hundreds of messages at once.
    """
    return RabbitBroker(
        settings.amqp_url.get_secret_value(),
        default_channel=Channel(
            prefetch_count=settings.prefetch, publisher_confirms=True, on_return_raises=True
        ),
        # Telemetry first: a message's log lines and metrics are taken inside its span.
        middlewares=[
            RabbitTelemetryMiddleware(tracer_provider=tracer_provider),
            RabbitPrometheusMiddleware(registry=REGISTRY, app_name=service),
            MessageObservation(service),
        ],
        graceful_timeout=settings.graceful_timeout_s,
        app_id=service,
        logger=logging.getLogger(f"{service}.broker"),
        # FastStream logs every message received at INFO; that belongs at DEBUG in a service log.
        log_level=logging.DEBUG,
    )


def service_of(broker: RabbitBroker) -> str:
    """The service a broker belongs to (its `app_id`): the `service` label of its metrics."""
    return str(broker.config.app_id)


async def publish(broker: RabbitBroker, topology: Topology, message: Message) -> None:
    """Publish a command or event: persistent, mandatory, confirmed; routed by its type name."""
    await publish_body(
        broker,
        exchange=topology.exchange_for(message).name,
        body=message.model_dump(mode="json"),
        message_type=message.type,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
    )


async def publish_body(
    broker: RabbitBroker,
    *,
    exchange: str,
    body: dict[str, Any],
    message_type: str,
    message_id: str,
    correlation_id: str,
) -> None:
    """`publish` for a message already serialised (the outbox stores bodies, not models)."""
    await broker.publish(
        body,
        exchange=exchange,
        routing_key=message_type,
        persist=True,
        mandatory=True,
        message_id=message_id,
        correlation_id=correlation_id,
        message_type=message_type,
        content_type="application/json",
        timeout=PUBLISH_TIMEOUT_S,
    )
