"""An in-memory stand-in for the services the gateway asks: answers by message type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from services.gateway.use_cases.ports import Refused, ServiceName
from shared.contracts.envelope import Command, Query
from shared.contracts.replies import Problem

R = TypeVar("R")
Answer = Callable[[Any], Any]


def problem(status: int, title: str = "refused", detail: str | None = None) -> Problem:
    return Problem(title=title, status=status, detail=detail)


class FakeServices:
    """`answers[(service, message type)]` makes the answer to a message: a reply model, or a
    Problem the service refuses with. Every message asked is kept in `asked`."""

    def __init__(self, answers: dict[tuple[ServiceName, type[Any]], Answer]) -> None:
        self.answers = answers
        self.asked: list[tuple[ServiceName, Query | Command]] = []

    async def ask(self, service: ServiceName, query: Query | Command, reply: type[R]) -> R:
        self.asked.append((service, query))
        answer = self.answers[(service, type(query))](query)
        if isinstance(answer, Problem):
            raise Refused(answer)
        assert isinstance(answer, reply), f"{type(query).__name__} answered with {answer!r}"
        return answer

    def sent(self, kind: type[Any]) -> list[Any]:
        return [message for _, message in self.asked if isinstance(message, kind)]
