"""The services' parking queues on RabbitMQ, for the gateway's dead-letter use case: each look
or replay opens its own short connection (an operator's occasional request; the services'
message traffic keeps the runtime's connection to itself)."""

from __future__ import annotations

import logging

from aio_pika.exceptions import AMQPError
from pydantic import SecretStr

from shared.dead_letters import Parked, consumer, list_parked, replay_one, services_of
from shared.rpc import ServiceUnavailable
from shared.topology import Topology

log = logging.getLogger(__name__)


class RabbitParkingQueues:
    def __init__(self, amqp_url: SecretStr, topology: Topology) -> None:
        self._amqp_url = amqp_url
        self._topology = topology

    def services(self) -> tuple[str, ...]:
        return services_of(self._topology)

    async def parked(
        self,
        service: str,
        *,
        limit: int,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> list[Parked]:
        queue = consumer(self._topology, service)
        try:
            return await list_parked(
                self._amqp_url.get_secret_value(),
                queue,
                limit=limit,
                message_id=message_id,
                correlation_id=correlation_id,
            )
        except (AMQPError, OSError) as error:
            raise _unavailable(error) from error

    async def replay(self, service: str, message_id: str) -> bool:
        queue = consumer(self._topology, service)
        try:
            return await replay_one(self._amqp_url.get_secret_value(), queue, message_id)
        except (AMQPError, OSError) as error:
            raise _unavailable(error) from error


def _unavailable(error: Exception) -> ServiceUnavailable:
    log.warning("parking queues unavailable: %s", error)
    return ServiceUnavailable("message broker", "The parked messages cannot be reached now.")
