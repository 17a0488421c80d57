"""Recording reads of customers' personal data, and reading the record back: per customer,
per principal, and as "viewed" entries in the customer's timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.gateway.domain.access_log import Access, RequestContext, accesses
from shared.contracts.customer_history import ActivityKind, ActivityPage, ActivityView
from shared.contracts.envelope import ActorType


class AccessLogStore(Protocol):
    async def add(self, entries: list[Access]) -> None: ...
    async def of_customer(
        self,
        customer_id: str,
        *,
        limit: int,
        before: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Access]: ...
    async def of_principal(
        self, principal_id: str, *, limit: int, before: str | None = None
    ) -> list[Access]: ...


@dataclass
class AccessRecorder:
    """Writes a request's reads in one batch, durably, before its answer goes out: a read that
    was answered is on record even if the gateway stops right after."""

    store: AccessLogStore
    context: RequestContext
    clock: Callable[[], datetime]
    new_id: Callable[[], str]

    async def record(self, reads: Mapping[str, Iterable[str]]) -> None:
        await self.store.add(accesses(self.context, self.clock(), reads, self.new_id))


def viewed(entry: Access) -> ActivityView:
    return ActivityView(
        id=f"access-{entry.id}",
        customer_id=entry.customer_id,
        at=entry.at,
        actor=entry.actor,
        kind=ActivityKind.VIEWED,
        source={},
        changes=(),
        details={"field_groups": list(entry.groups), "purpose": entry.purpose},
        message_id=None,
    )


async def with_views(
    page: ActivityPage,
    store: AccessLogStore,
    customer_id: str,
    *,
    first_page: bool,
    actor_type: ActorType | None,
    kinds: tuple[ActivityKind, ...],
    limit: int,
) -> ActivityPage:
    """The timeline page with the customer's "viewed" entries of the same stretch of time
    merged in, newest first: from the page's oldest entry (or the very first, on the last page)
    to its newest (or now, on the first page). Reads that fall between the last entry of one
    page and the first of the next show on neither (the cursor is the customer service's, and
    opaque): the access log lists them all."""
    if kinds and ActivityKind.VIEWED not in kinds:
        return page
    items = list(page.items)
    if not items and not first_page:
        return page
    found = await store.of_customer(
        customer_id,
        limit=limit,
        since=items[-1].at if items and page.next_cursor is not None else None,
        until=None if first_page else items[0].at,
    )
    views = [viewed(a) for a in found if actor_type is None or a.actor.type is actor_type]
    merged = sorted([*items, *views], key=lambda a: a.at, reverse=True)
    return page.model_copy(update={"items": tuple(merged)})
