"""Dispatching bodies to handlers by their type name."""

from __future__ import annotations

import pytest

from shared.contracts.customers import CustomerCreated, CustomerRef
from shared.dispatch import Dispatcher, InvalidMessage
from tests.conftest import TEST_ACTOR


def created() -> CustomerCreated:
    ref = CustomerRef(customer_id="c1", customer_number=10001, version=1, status="active")
    return CustomerCreated(customer=ref, actor=TEST_ACTOR)


async def test_a_body_reaches_the_handler_of_its_type_as_its_contract() -> None:
    seen: list[CustomerCreated] = []

    async def handle(event: CustomerCreated) -> str:
        seen.append(event)
        return "done"

    dispatcher: Dispatcher[str] = Dispatcher()
    dispatcher.register(CustomerCreated, handle)
    event = created()
    assert await dispatcher.dispatch(event.model_dump(mode="json")) == "done"
    assert seen == [event]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([1, 2], "not a JSON object"),
        ({"type": "customer.deleted.v9"}, "unknown message type 'customer.deleted.v9'"),
        ({"no": "type"}, "unknown message type None"),
    ],
)
async def test_what_cannot_be_handled_is_invalid(body: object, reason: str) -> None:
    dispatcher: Dispatcher[None] = Dispatcher()
    with pytest.raises(InvalidMessage, match=reason):
        await dispatcher.dispatch(body)


async def test_a_body_that_does_not_fit_names_each_field() -> None:
    dispatcher: Dispatcher[None] = Dispatcher()

    async def handle(event: CustomerCreated) -> None:
        raise AssertionError("must not be called")

    dispatcher.register(CustomerCreated, handle)
    body = created().model_dump(mode="json")
    body["customer"]["version"] = 0
    del body["actor"]
    with pytest.raises(InvalidMessage) as raised:
        await dispatcher.dispatch(body)
    assert {e.field for e in raised.value.errors} == {"customer.version", "actor"}


async def test_other_events_of_an_ignored_family_are_skipped_but_strangers_are_not() -> None:
    dispatcher: Dispatcher[None] = Dispatcher(ignore=("customer.",))
    await dispatcher.dispatch({"type": "customer.note_added.v1"})  # skipped: no error
    with pytest.raises(InvalidMessage):
        await dispatcher.dispatch({"type": "invoice.paid.v1"})
