"""Use case: many orders at once, each exactly as `orders.OrderCommands` handles it alone.

A consumer's micro-batch of `UpsertCustomerFromOrder` commands runs in one transaction, in the
order the commands arrived: each order goes through the same use case as alone, and sees what
the orders before it in the batch changed, so two orders of one new buyer make one customer.
A command already processed (a redelivery, or a twin in the same batch) changes nothing. What
the orders write is kept in memory and written at the end, one write per collection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from services.customer.use_cases.batch_stores import (
    BatchChanges,
    BatchCustomers,
    BatchHistory,
    BatchIdentities,
    BatchOrders,
    read_ahead,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.customer.use_cases.orders import OrderCommands
    from services.customer.use_cases.ports import Customers, History, Identities, Orders, Ref
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.mongo import Session
    from shared.unit_of_work import BatchRunner, ChangeRunner


@dataclass
class OrderBatches:
    unit: BatchRunner
    orders: OrderCommands

    async def upsert_from_orders(self, commands: Sequence[UpsertCustomerFromOrder]) -> list[Ref]:
        """Each command's answer, in order; all of them are stored, or none."""

        async def each(runner: ChangeRunner, session: Session) -> list[Ref]:
            single = self.orders
            ahead = await read_ahead(
                commands,
                identities=single.identities,
                orders=single.orders,
                customers=single.changes.customers,
                session=session,
            )
            # The stores as the batch sees them (see batch_stores): read ahead, written at the end.
            identities = BatchIdentities(single.identities, ahead.owners)
            orders = BatchOrders(single.orders, ahead.orders)
            customers = BatchCustomers(
                single.changes.customers, ahead.customers, expected_new=ahead.new_buyers
            )
            history = BatchHistory(single.changes.history)
            changes = BatchChanges(
                replace(
                    single.changes,
                    customers=cast("Customers", customers),
                    history=cast("History", history),
                )
            )
            # The single-order use case, its changes run in the batch's transaction.
            alone = replace(
                single,
                unit=runner,
                identities=cast("Identities", identities),
                orders=cast("Orders", orders),
                changes=changes,
            )
            answers = []
            for command in commands:
                answers.append(await alone.upsert_from_order(command))
                # The batch's stores answer from memory, so nothing above gives way: without
                # this, a batch held the process for all its orders' Python, and the queries
                # waiting for an answer (customer lookups) queued behind it.
                await asyncio.sleep(0)
            # One write per collection. The customers before the duplicate check, which reads
            # them; the order summaries before the customers, as in `orders` (see there).
            await identities.flush(session=session)
            await orders.flush(session=session)
            await customers.flush(session=session)
            await changes.flush(session=session)
            await history.flush(session=session)
            return answers

        return await self.unit.run_together(commands, each)
