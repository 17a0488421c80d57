"""The person a shop's privacy request names: by their account at the channel, else their email
address, else one of their orders there.

Merged customers lead to their master. An erased person is nobody: the suite holds nothing
personal on them any more (their identities were released when they were erased).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.channels import order_key
from services.customer.domain.identities import identifiers_of_person
from shared.contracts.customers import CustomerStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.customer.domain.customer import Customer
    from services.customer.use_cases.ports import Customers, Identities, Orders
    from shared.mongo import Session


@dataclass
class People:
    customers: Customers
    identities: Identities
    orders: Orders

    async def named_by(
        self,
        *,
        channel: str,
        shop: str,
        channel_customer_id: str | None,
        email: str | None,
        order_ids: Sequence[str],
        session: Session,
    ) -> Customer | None:
        keys = [
            i.key
            for i in identifiers_of_person(
                channel, shop, channel_customer_id=channel_customer_id, email=email
            )
        ]
        owners = await self.identities.owners(keys, session=session)
        owner_id = next((owners[k] for k in keys if k in owners), None)
        if owner_id is None:
            owner_id = await self.orders.buyer_of_any(
                [order_key(channel, shop, order_id) for order_id in order_ids], session=session
            )
        customer = await self.customers.resolve(owner_id, session=session) if owner_id else None
        if customer is None or customer.status is CustomerStatus.ERASED:
            return None
        return customer
