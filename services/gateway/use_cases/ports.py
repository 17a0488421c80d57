"""What the gateway's use cases need from outside: the services, asked over request/reply."""

from __future__ import annotations

from typing import Literal, Protocol, TypeVar

from shared.contracts.envelope import Command, Query
from shared.contracts.replies import ProblemError

R = TypeVar("R")
ServiceName = Literal["customer", "consent", "tasks", "pullers"]


class Services(Protocol):
    async def ask(self, service: ServiceName, query: Query | Command, reply: type[R]) -> R:
        """The service's answer to `query` as a `reply`; raises `Refused` with the service's
        problem, or `shared.rpc.ServiceUnavailable` when no answer comes in time."""
        ...


class Refused(ProblemError):
    """A service refused the query or command. Its problem reaches the caller as it is (the
    service named the fields and chose the status), so the gateway does not restate it."""

    @property
    def not_found(self) -> bool:
        """The service does not know what was asked about."""
        return self.problem.status == 404

    @property
    def gone(self) -> bool:
        """It existed, but is no more (an erased customer)."""
        return self.problem.status == 410
