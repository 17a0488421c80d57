"""A normal stream of orders that carry marketing decisions: every decision recorded at the first
attempt, none retried, none parked (issue: consent decisions raced their customer's creation)."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from services.customer.settings import CustomerSettings
from shared.broker import make_broker, publish
from shared.contracts.orders import MarketingSignal
from shared.mongo import Document
from tests.conftest import Namespace, suite_of
from tests.support.orders import upsert
from tests.support.redelivery_log import capture_redeliveries, redeliveries
from tests.support.waiting import eventually

ORDERS = 30


async def test_a_stream_of_new_buyers_decisions_costs_no_retry_and_parks_nothing(
    namespace: Namespace, mongo: AsyncMongoClient[Document], caplog: pytest.LogCaptureFixture
) -> None:
    capture_redeliveries(caplog)
    signal = MarketingSignal(purpose="email", state="single_opt_in")
    commands = []
    for i in range(ORDERS):
        command = upsert(email=f"stream-{i}@example.com", customer_id=f"s-{i}")
        marketing = command.order.model_copy(update={"marketing": (signal,)})
        commands.append(command.model_copy(update={"order": marketing}))
    async with suite_of(namespace, ("customer", "consent")) as suite:
        broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
        await broker.connect()
        try:
            for command in commands:
                await publish(broker, namespace.topology, command)
        finally:
            await broker.stop()
        ledger = suite.db(mongo, "consent")["ledger"]

        async def all_recorded() -> bool:
            return bool(await ledger.count_documents({}) == ORDERS)

        await eventually(all_recorded, timeout=120, what=f"{ORDERS} decisions in the ledger")
    counted = redeliveries(caplog)
    print(f"sent={ORDERS} recorded={ORDERS} retried={counted.retried} parked={counted.parked}")
    assert (counted.retried, counted.parked) == (0, 0)
