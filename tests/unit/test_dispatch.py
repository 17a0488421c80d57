"""Dispatching bodies to handlers by their type name."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import TypeAdapter

from shared.contracts.customers import CustomerCreated, CustomerErased, CustomerRef
from shared.dispatch import Dispatcher, InvalidMessage, Skipped
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


async def test_a_typed_body_is_read_as_its_contract_and_dispatched_like_a_raw_one() -> None:
    seen: list[CustomerCreated] = []

    async def handle(event: CustomerCreated) -> str:
        seen.append(event)
        return "done"

    dispatcher: Dispatcher[str] = Dispatcher(ignore=("customer.",))
    dispatcher.register(CustomerCreated, handle)
    body = TypeAdapter(dispatcher.body_type())
    event = created()
    read = body.validate_python(event.model_dump(mode="json"))
    assert read == event
    assert await dispatcher.dispatch(read) == "done"
    assert seen == [event]
    assert body.validate_python({"type": "customer.note_added.v1"}) == Skipped(
        "customer.note_added.v1"
    )
    assert await dispatcher.dispatch(Skipped("customer.note_added.v1")) is None


async def test_a_typed_body_that_cannot_be_handled_fails_with_the_raw_bodys_reason() -> None:
    dispatcher: Dispatcher[None] = Dispatcher()

    async def handle(event: CustomerCreated) -> None:
        raise AssertionError("must not be called")

    dispatcher.register(CustomerCreated, handle)
    body = TypeAdapter(dispatcher.body_type())
    broken = created().model_dump(mode="json")
    del broken["actor"]
    for raw, reason in (
        (broken, "customer.created.v1 does not fit its contract; actor: Field required"),
        ({"type": "invoice.paid.v1"}, "unknown message type 'invoice.paid.v1'"),
        ([1, 2], "not a JSON object"),
    ):
        read = body.validate_python(raw)
        assert isinstance(read, InvalidMessage)
        with pytest.raises(InvalidMessage, match=reason):
            await dispatcher.dispatch(read)


def test_the_body_type_documents_every_contract_by_its_type() -> None:
    dispatcher: Dispatcher[None] = Dispatcher()

    async def handle(_: object) -> None: ...

    dispatcher.register(CustomerCreated, handle)
    dispatcher.register(CustomerErased, handle)
    schema = TypeAdapter(dispatcher.body_type()).json_schema()
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(schema["discriminator"]["mapping"]) == {"customer.created.v1", "customer.erased.v1"}

    async def on_message(body: object) -> None: ...

    declared = dispatcher.typed(on_message).__annotations__["body"]
    assert get_args(declared)[0] == CustomerCreated | CustomerErased
    with pytest.raises(TypeError):
        Dispatcher().body_type()
