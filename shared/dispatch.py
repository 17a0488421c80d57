"""Route a received message body to the function that handles its type.

One queue carries several message types; the `type` field says which contract a body follows.
A body that names no known type, or does not fit its contract, can never succeed: it is a
`PermanentFailure`, which the consumer parks at once instead of retrying.

A subscriber declares its body as `dispatcher.body_type()`: the registered contracts as one union
discriminated by `type`, so the AsyncAPI document FastStream generates shows every message's
schema. Reading a body that way never raises: it gives the message, a `Skipped` for a type of an
ignored family, or the `InvalidMessage` that `dispatch` then raises (a work-queue consumer parks
it, a request/reply answer turns it into a problem), exactly as for a raw body.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, Union

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from shared.contracts.envelope import Message
from shared.contracts.replies import FieldError

M = TypeVar("M", bound=Message)
R = TypeVar("R")
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


class PermanentFailure(Exception):
    """Processing this message again would fail again: park it for a person to look at."""


class InvalidMessage(PermanentFailure):
    def __init__(self, detail: str, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(detail + "".join(f"; {e.field}: {e.message}" for e in errors))
        self.detail = detail
        self.errors = errors


@dataclass(frozen=True)
class Skipped:
    """A message of an ignored family that nothing here handles (see `Dispatcher.ignore`)."""

    type: str


# What a typed subscriber receives: see `Dispatcher.body_type`.
Received = Message | Skipped | InvalidMessage


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

    def contracts(self) -> tuple[type[Message], ...]:
        return tuple(contract for contract, _ in self._routes.values())

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

    def read(self, body: object) -> Received:
        """The body as its contract, a `Skipped`, or why it cannot be handled (not raised)."""
        if self.ignores(body):
            assert isinstance(body, Mapping)
            return Skipped(str(body["type"]))
        try:
            message, _ = self.parse(body)
        except InvalidMessage as invalid:
            return invalid
        return message

    def body_type(self) -> Any:
        """The type a subscriber declares its body as, once every contract is registered.

        Its schema is the union of the contracts, discriminated by `type`; validating a body
        against it is `read` (the contract's own validation, with the same field errors).
        """
        contracts = self.contracts()
        if not contracts:
            raise TypeError("register the contracts before asking for the body type")
        return Annotated[
            Union[contracts],  # noqa: UP007 - a tuple of types only unpacks into Union[...]
            Field(discriminator="type"),
            WrapValidator(self._read_body),
        ]

    def _read_body(self, body: object, _: ValidatorFunctionWrapHandler) -> Received:
        return self.read(body)

    def typed(self, subscriber: H) -> H:
        """`subscriber` (a function of the body) with its body declared as `body_type()`.

        Declare the subscriber once every contract is registered, then give it to FastStream.
        """
        body = next(iter(inspect.signature(subscriber).parameters))
        subscriber.__annotations__ = subscriber.__annotations__ | {body: self.body_type()}
        return subscriber

    async def dispatch(self, body: object) -> R | None:
        """Handle a raw body, or one a typed subscriber has read already (see `body_type`)."""
        received = body if isinstance(body, Received) else self.read(body)
        if isinstance(received, Skipped):
            return None
        if isinstance(received, InvalidMessage):
            raise received
        route = self._routes.get(received.type)
        if route is None:
            raise InvalidMessage(f"unknown message type {received.type!r}")
        return await route[1](received)
