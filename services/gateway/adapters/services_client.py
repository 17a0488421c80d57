"""The gateway's client of the services: a query or command goes out over RabbitMQ, and the
answer comes back as the model the caller expects, or as the service's problem (`Refused`)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from services.gateway.use_cases.ports import Refused, ServiceName
from shared.contracts.envelope import Command, Query
from shared.redelivery import describe
from shared.rpc import RpcClient, ServiceUnavailable

R = TypeVar("R")


class ServicesClient:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc
        self._readers: dict[Any, TypeAdapter[Any]] = {}

    async def ask(self, service: ServiceName, query: Query | Command, reply: type[R]) -> R:
        """The service's answer as a `reply` (validated); `Refused` carries its problem."""
        answer = await self._rpc.request(service, query)
        if answer.problem is not None:
            raise Refused(answer.problem)
        try:
            result: R = self._reader(reply).validate_python(answer.result)
        except ValidationError as error:
            # The service speaks another version of the contract: as useless as no answer.
            raise ServiceUnavailable(
                service,
                f"{service} answered {query.type} with a malformed result: {describe(error)}",
            ) from error
        return result

    def _reader(self, reply: type[R]) -> TypeAdapter[R]:
        if reply not in self._readers:
            self._readers[reply] = TypeAdapter(reply)
        reader: TypeAdapter[R] = self._readers[reply]
        return reader
