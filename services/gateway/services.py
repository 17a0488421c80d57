"""Asking the services: a query goes out over RabbitMQ, a reply or a problem comes back."""

from __future__ import annotations

import logging
from typing import Any

from shared.contracts.envelope import Command, Query
from shared.contracts.replies import Problem, ProblemError
from shared.rpc import RpcClient, ServiceUnavailable

log = logging.getLogger(__name__)


class Services:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc

    async def ask(self, service: str, query: Query | Command) -> Any:
        """The result of the query, or a ProblemError the API turns into problem+json."""
        try:
            reply = await self._rpc.ask(service, query)
        except ServiceUnavailable as error:
            log.warning("%s", error)
            raise ProblemError(
                Problem(
                    type="urn:problem:service-unavailable",
                    title=f"The {service} service is unavailable",
                    status=503,
                    detail=str(error),
                ),
                headers={"Retry-After": "5"},
            ) from error
        if reply.problem is not None:
            raise ProblemError(reply.problem)
        return reply.result
