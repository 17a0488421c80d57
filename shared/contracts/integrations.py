"""What the order pullers tell about their integrations, over request/reply.

An integration is one seller account on a channel that does not push its orders (Amazon SP-API,
eBay, Adobe Commerce): the pullers poll it and hand each order to ingest. These contracts let an
admin see how each integration is doing, verify its connection, and send parked orders again.
The pullers answer them on their request queue (`<namespace>.pullers.rpc`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Command, Contract, Query
from shared.contracts.replies import FieldError

IntegrationName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
PulledChannel = Literal["amazon", "ebay", "adobe_commerce"]


class ParkedOrderView(Contract):
    """An order ingest refused as malformed: kept with its reason until it is taken."""

    order_id: str
    updated_at: AwareDatetime | None = None
    reason: str
    errors: tuple[FieldError, ...] = ()
    parked_at: AwareDatetime
    attempts: int = Field(ge=1)


class IntegrationState(Contract):
    name: str
    channel: PulledChannel
    shop: str
    # Every order updated up to this time has been handed over (or parked).
    watermark: AwareDatetime | None = None
    last_run_at: AwareDatetime | None = None
    last_success_at: AwareDatetime | None = None
    # Orders handed over to ingest whose update was past the watermark: an order read again in
    # the overlap is not counted twice (nor is one that became visible only behind it).
    orders_pulled: int = 0
    last_error: str | None = None
    last_error_at: AwareDatetime | None = None
    parked_count: int = 0
    # The oldest parked orders first, at most a page of them.
    parked: tuple[ParkedOrderView, ...] = ()
    # Which replica polls it now, and until when its lease holds.
    polled_by: str | None = None
    lease_until: AwareDatetime | None = None


class GetIntegrations(Query):
    """The state of every configured integration (`GET /v1/integrations` at the gateway)."""

    type: Literal["pullers.integrations.v1"] = "pullers.integrations.v1"


class IntegrationList(Contract):
    items: tuple[IntegrationState, ...]


class CheckIntegration(Query):
    """Call the channel once with the integration's credentials and say what it holds."""

    type: Literal["pullers.check_integration.v1"] = "pullers.check_integration.v1"
    integration: IntegrationName
    days: Annotated[int, Field(ge=1, le=90)] = 7


class ConnectionCheck(Contract):
    integration: str
    channel: PulledChannel
    shop: str
    since: AwareDatetime
    # Orders updated since `since` on the first page the channel returned.
    orders_found: int
    # The channel has more than the first page: `orders_found` is a lower bound.
    more: bool
    newest_update: AwareDatetime | None = None


class ReplayParkedOrders(Command):
    """Hand parked orders to ingest again (after the cause was fixed); none named: all of them."""

    type: Literal["pullers.replay_parked_orders.v1"] = "pullers.replay_parked_orders.v1"
    integration: IntegrationName
    order_ids: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(
        (), max_length=500
    )


class ReplayOutcome(Contract):
    accepted: tuple[str, ...]
    still_parked: tuple[str, ...]
