"""Publishing ingest's commands to RabbitMQ: persistent, mandatory, confirmed (`shared.broker`)."""

from __future__ import annotations

import logging

from faststream.rabbit import RabbitBroker

from services.ingest.use_cases.intake import BrokerUnavailable
from shared.broker import publish
from shared.contracts.envelope import Command
from shared.redelivery import describe
from shared.topology import Topology

log = logging.getLogger(__name__)


class BrokerPublisher:
    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._topology = topology

    async def publish(self, command: Command, *, what: str) -> None:
        try:
            await publish(self._broker, self._topology, command)
        except Exception as error:
            # Whatever failed (connection, confirm, timeout), the command was not taken.
            log.warning("%s not accepted, broker failed: %s", what, describe(error))
            raise BrokerUnavailable() from error
