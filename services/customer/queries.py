"""Use cases that read customers, answered over request/reply."""

from __future__ import annotations

from dataclasses import dataclass

from services.customer.domain.identities import normalise_email
from services.customer.domain.views import customer_view
from services.customer.store import CustomerStore
from shared.contracts.customers import CustomerPage, CustomerView, FindCustomers, GetCustomer
from shared.contracts.replies import ProblemError, not_found


@dataclass
class CustomerQueries:
    store: CustomerStore

    async def get(self, query: GetCustomer) -> CustomerView:
        customer = await self.store.get(query.customer_id)
        if customer is None:
            raise ProblemError(not_found("Customer", f"no customer with id {query.customer_id}"))
        return customer_view(customer)

    async def find(self, query: FindCustomers) -> CustomerPage:
        email = None
        if query.email is not None:
            email = normalise_email(query.email)
            if email is None:
                # No valid address can belong to a customer: an empty page, not an error.
                return CustomerPage(items=())
        found = await self.store.find(email=email, after=query.cursor, limit=query.limit + 1)
        page = found[: query.limit]
        return CustomerPage(
            items=tuple(customer_view(c) for c in page),
            next_cursor=page[-1].id if len(found) > query.limit else None,
        )
