"""The request/reply side of the customer service: what a requester gets back."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from services.customer.entrypoints.requests import answered_commands, answering
from shared.contracts import custom_fields, customer_details, customer_notes, customers, duplicates
from shared.contracts.customers import EnableCustomer
from shared.contracts.envelope import Actor, ActorType, Command
from shared.contracts.replies import ProblemError
from shared.dispatch import Dispatcher
from shared.mongo import StillConflicting
from shared.rpc import answer

ACTOR = Actor(type=ActorType.API, id="tests")


async def test_a_command_that_keeps_conflicting_is_answered_busy_not_failed() -> None:
    async def contended(_: Any) -> dict[str, str]:
        raise StillConflicting("others kept changing customer c1")

    async def never(_: dict[str, str]) -> None:
        raise AssertionError("no reply is read for a change that did not happen")

    handle = answering(contended, never)
    with pytest.raises(ProblemError) as busy:
        await handle(EnableCustomer(customer_id="c1", actor=ACTOR))
    assert busy.value.problem.status == 503
    assert busy.value.headers == {"Retry-After": "1"}


async def test_a_command_is_answered_with_what_it_changed() -> None:
    async def change(_: Any) -> dict[str, str]:
        return {"customer_id": "c1"}

    async def view(ref: dict[str, str]) -> dict[str, str]:
        return {"id": ref["customer_id"], "status": "active"}

    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(EnableCustomer, answering(change, view))
    body = EnableCustomer(customer_id="c1", actor=ACTOR).model_dump(mode="json")
    assert await answer(dispatcher, body) == {
        "result": {"id": "c1", "status": "active"},
        "problem": None,
    }
    body["customer_id"] = ""
    refused = await answer(dispatcher, body)
    assert refused["problem"]["errors"][0]["field"] == "customer_id"


def test_every_customer_command_of_the_contracts_has_a_use_case() -> None:
    declared = {
        member.type_name()
        for module in (customers, customer_details, customer_notes, custom_fields, duplicates)
        for _, member in inspect.getmembers(module, inspect.isclass)
        if issubclass(member, Command) and member.__module__ == module.__name__
    }
    # Work-queue only: orders and imports come from systems, not from a person waiting.
    wired = {command.type_name() for command, _, _ in answered_commands(_unwired())}
    assert declared - wired == {"customer.import.v1"}


def _unwired() -> Any:
    class Anything:
        def __getattr__(self, _: str) -> Any:
            return Anything()

    return Anything()
