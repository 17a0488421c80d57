"""Route a received message body to the function that handles its type.

One queue carries several message types; the `type` field says which contract a body follows.
A body that names no known type, or does not fit its contract, can never succeed: it is a
`PermanentFailure`, which the consumer parks at once instead of retrying.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from shared.contracts.envelope import Message
from shared.contracts.replies import FieldError

M = TypeVar("M", bound=Message)
R = TypeVar("R")


class PermanentFailure(Exception):
    """Processing this message again would fail again: park it for a person to look at."""


class InvalidMessage(PermanentFailure):
    def __init__(self, detail: str, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(detail + "".join(f"; {e.field}: {e.message}" for e in errors))
        self.detail = detail
        self.errors = errors


def field_errors(error: ValidationError) -> tuple[FieldError, ...]:
    return tuple(
        FieldError(field=".".join(str(p) for p in e["loc"]) or "body", message=e["msg"])
        for e in error.errors()
    )


class Dispatcher(Generic[R]):
    """Type name -> (contract, handler). Handlers of one dispatcher return the same type."""

    def __init__(self, *, ignore: tuple[str, ...] = ()) -> None:
        """`ignore`: prefixes of type names that may arrive but need not all be handled here.

        An event consumer binds to a family of events (`customer.#`) and handles the ones it
        cares about; a new event type published later must not park the others' messages.
        """
        self._routes: dict[str, tuple[type[Message], Callable[[Any], Awaitable[R]]]] = {}
        self._ignore = ignore

    def register(self, contract: type[M], handler: Callable[[M], Awaitable[R]]) -> None:
        self._routes[contract.type_name()] = (contract, handler)

    def parse(self, body: object) -> tuple[Message, Callable[[Any], Awaitable[R]]]:
        if not isinstance(body, Mapping):
            raise InvalidMessage("message body is not a JSON object")
        type_name = body.get("type")
        route = self._routes.get(type_name) if isinstance(type_name, str) else None
        if route is None:
            raise InvalidMessage(f"unknown message type {type_name!r}")
        contract, handler = route
        try:
            return contract.model_validate(body), handler
        except ValidationError as error:
            raise InvalidMessage(
                f"{type_name} does not fit its contract", field_errors(error)
            ) from error

    def ignores(self, body: object) -> bool:
        type_name = body.get("type") if isinstance(body, Mapping) else None
        return (
            isinstance(type_name, str)
            and type_name.startswith(self._ignore)
            and type_name not in self._routes
        )

    async def dispatch(self, body: object) -> R | None:
        if self.ignores(body):
            return None
        message, handler = self.parse(body)
        return await handler(message)
