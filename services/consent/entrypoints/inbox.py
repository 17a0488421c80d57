"""The consent work queue: consent commands, and the customer events the service follows.

Nobody waits for these; a refusal decides what happens to the message: tried again later (the
customer may still be on the way) or parked for a person at once (it can never succeed).

Decisions, one or more per order, are recorded in micro-batches (`shared.batching`): the batch
is checked at once (the customers they carry learnt in one write, their customers and the
purposes read in one query each) but each decision is admitted or refused on its own, so one
refused does not fail the batch of the others; those admitted share one transaction, and one
whose batch failed is recorded on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitRouter
from faststream.rabbit.schemas import Channel

from services.consent.domain.errors import ErasedCustomer, UnknownCustomer
from shared.batching import Batcher, Lanes, in_batches
from shared.contracts.consent import RecordConsent
from shared.contracts.customers import (
    CustomerCreated,
    CustomerErased,
    CustomerRef,
    CustomersMerged,
    CustomerUpdated,
)
from shared.dispatch import Dispatcher, InvalidMessage, PermanentFailure, Received
from shared.errors import InvalidInput
from shared.redelivery import TransientFailure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.consent.use_cases import UseCases
    from services.consent.use_cases.decisions import Refusal
    from shared.topology import Topology


def decision_batcher(
    cases: UseCases, *, size: int, wait_s: float, concurrency: int
) -> Lanes[RecordConsent, Refusal | None]:
    """A customer's decisions in one lane: two batches appending to one ledger would conflict.
    (A decision for a customer merged away lands on the master's ledger from another lane;
    rare, and the database runs one of the two again.)"""
    return Lanes(
        cases.decisions.record_many,
        key=lambda command: command.customer_id,
        lanes=concurrency,
        size=size,
        wait_s=wait_s,
        name="decision batch",
    )


def directory_batcher(cases: UseCases, *, size: int, wait_s: float) -> Batcher[CustomerRef, None]:
    """Customer news, about one per order, kept in one write per batch: version-guarded, so a
    batch needs neither an inbox nor a transaction, and two batches side by side cannot undo
    each other."""

    async def learn_many(customers: Sequence[CustomerRef]) -> list[None]:
        await cases.customers.learn_many(customers)
        return [None] * len(customers)

    return Batcher(learn_many, size=size, wait_s=wait_s, concurrency=2, name="directory batch")


def inbox_dispatcher(
    cases: UseCases,
    *,
    decisions: Lanes[RecordConsent, Refusal | None] | None = None,
    learnt: Batcher[CustomerRef, None] | None = None,
) -> Dispatcher[Any]:
    """`decisions`, `learnt`: the batchers decisions and customer news go through; without
    them each is handled alone."""
    dispatcher: Dispatcher[Any] = Dispatcher(ignore=("customer.",))
    alone = cases.decisions.record_alone
    record = in_batches(decisions, alone) if decisions else alone

    async def learn_alone(customer: CustomerRef) -> None:
        await cases.customers.learn(customer)

    learn = in_batches(learnt, learn_alone) if learnt else learn_alone

    async def on_customer(event: CustomerCreated | CustomerUpdated) -> None:
        await learn(event.customer)

    async def on_decision(command: RecordConsent) -> None:
        refusal = await record(command)
        if isinstance(refusal, UnknownCustomer):
            # Usually its CustomerCreated is still on the way: try again later, then park.
            raise TransientFailure(str(refusal)) from refusal
        if isinstance(refusal, ErasedCustomer):
            raise PermanentFailure(str(refusal)) from refusal
        if isinstance(refusal, InvalidInput):
            raise InvalidMessage("consent decision refused", refusal.errors) from refusal

    dispatcher.register(CustomerCreated, on_customer)
    dispatcher.register(CustomerUpdated, on_customer)
    dispatcher.register(CustomersMerged, cases.merges.apply)
    dispatcher.register(CustomerErased, cases.erasure.erase)
    dispatcher.register(RecordConsent, on_decision)
    return dispatcher


def inbox_router(
    topology: Topology, dispatcher: Dispatcher[Any], *, prefetch: int | None = None
) -> RabbitRouter:
    """`prefetch`: messages handled at once, if not the broker's default (a batch's worth)."""
    router = RabbitRouter()

    @router.subscriber(
        topology.consent.subscription(),
        title="consent inbox",
        channel=Channel(prefetch_count=prefetch) if prefetch else None,
    )
    @dispatcher.typed
    async def on_message(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router
