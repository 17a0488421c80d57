"""Use case: many orders at once, each exactly as `orders.OrderCommands` handles it alone.

A consumer's micro-batch of `UpsertCustomerFromOrder` commands runs in one transaction, in the
order the commands arrived: each order goes through the same use case as alone, and sees what
the orders before it in the batch changed, so two orders of one new buyer make one customer.
A command already processed (a redelivery, or a twin in the same batch) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.customer.use_cases.orders import OrderCommands
    from services.customer.use_cases.ports import Ref
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.unit_of_work import BatchRunner, ChangeRunner


@dataclass
class OrderBatches:
    unit: BatchRunner
    orders: OrderCommands

    async def upsert_from_orders(self, commands: Sequence[UpsertCustomerFromOrder]) -> list[Ref]:
        """Each command's answer, in order; all of them are stored, or none."""

        async def each(runner: ChangeRunner) -> list[Ref]:
            # The single-order use case, its changes run in the batch's transaction.
            alone = replace(self.orders, unit=runner)
            return [await alone.upsert_from_order(command) for command in commands]

        return await self.unit.run_together(commands, each)
