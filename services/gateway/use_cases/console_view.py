"""What a console screen needs of the gateway's visibility: every answer passes a `Viewer`
before a template sees it, the one place that cuts it to the field groups the caller's roles
read (bank accounts masked for masked readers) and records the personal data shown in the
access log. The gateway's `use_cases.visibility.Visibility` is that viewer, for the API's routes
and the console's screens alike.
"""

from __future__ import annotations

from typing import Protocol

from shared.contracts.customer_history import ActivityPage, TimelineSlice
from shared.contracts.customer_reports import TopCustomersReport
from shared.contracts.customers import CustomerPage, CustomerView


class Viewer(Protocol):
    async def customer(self, view: CustomerView) -> CustomerView: ...
    async def customers(self, page: CustomerPage) -> CustomerPage: ...
    async def timeline(
        self, customer_id: str, page: ActivityPage, query: TimelineSlice
    ) -> ActivityPage: ...
    async def top_customers(self, report: TopCustomersReport) -> TopCustomersReport: ...
    async def record(self, customer_id: str, group: str, returned: bool = True) -> None:
        """A part the screen shows as the service gave it (notes, orders, consent)."""
        ...
