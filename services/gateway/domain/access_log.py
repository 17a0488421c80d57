"""The access log: who read which field groups of which customer, when, why and from where.

It holds ids and group names only - never a value of the customer's data - so erasing a
customer leaves it as it is: the fact of each access stays, nothing personal of the customer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.contracts.envelope import Actor


@dataclass(frozen=True)
class RequestContext:
    """What the log records of the request a read came with."""

    actor: Actor
    request_id: str
    # `X-Purpose`: why the caller reads (a ticket, a campaign); free text of the caller's.
    purpose: str | None
    client: str | None
    route: str


@dataclass(frozen=True)
class Access:
    id: str
    at: datetime
    customer_id: str
    groups: tuple[str, ...]
    actor: Actor
    request_id: str
    purpose: str | None
    client: str | None
    route: str


def accesses(
    context: RequestContext,
    at: datetime,
    reads: Mapping[str, Iterable[str]],
    new_id: Callable[[], str],
) -> list[Access]:
    """One entry per customer whose personal data the answer holds (`reads`: customer id ->
    the groups returned); none for an answer without personal data."""
    return [
        Access(
            id=new_id(),
            at=at,
            customer_id=customer_id,
            groups=tuple(sorted(set(groups))),
            actor=context.actor,
            request_id=context.request_id,
            purpose=context.purpose,
            client=context.client,
            route=context.route,
        )
        for customer_id, groups in reads.items()
        if set(groups)
    ]
