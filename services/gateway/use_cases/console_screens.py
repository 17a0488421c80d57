"""What each console screen shows, gathered in one go: the screen's parts are asked of the
services concurrently (one round trip to the gateway per page), each answer passes the screen's
`Viewer`, and a part the caller's roles do not read is not asked for at all.

A part whose service does not answer in time is shown as unavailable; the rest of the screen
still works (the customer record itself is the one part a customer screen cannot do without).
"""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar, Union

from services.gateway.domain.roles import FieldGroup
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.console_view import Viewer
from services.gateway.use_cases.ports import Refused, Services
from shared.contracts import consent as cs
from shared.contracts import custom_fields as cf
from shared.contracts import customer_history as h
from shared.contracts import customer_notes as n
from shared.contracts import customer_overview as o
from shared.contracts import customer_reports as r
from shared.contracts import customers as c
from shared.contracts import duplicates as dup
from shared.contracts import tasks as t
from shared.contracts.envelope import Actor, utc_now
from shared.rpc import ServiceUnavailable

G = FieldGroup
P = TypeVar("P")
# How many orders and notes a customer's page shows (its timeline and ledger show as many:
# their queries' default), and how many of their open duplicate candidates.
PAGE = 50
CANDIDATES = 20


@dataclass(frozen=True)
class Unavailable:
    """A part whose service did not answer in time, or holds nothing for the customer: the
    consent service learns of a customer from events, so a page opened right after the
    customer was created can come before it; an erased customer is refused there."""

    service: str
    reason: str | None = None


# A part of a screen: its answer; None when the caller's roles do not read it.
Part = Union[P, Unavailable, None]  # noqa: UP007 - a generic alias


async def _part(wanted: bool, answer: Awaitable[P], *, absent_from: str | None = None) -> Part[P]:
    """The answer, or Unavailable when its service did not answer in time. `absent_from`
    names a service that may not know the customer (yet) or no longer: its refusal (404, 410)
    empties this part with the reason instead of failing the whole page."""
    if not wanted:
        if inspect.iscoroutine(answer):
            answer.close()  # a coroutine never awaited would warn
        return None
    try:
        return await answer
    except ServiceUnavailable as error:
        return Unavailable(error.service)
    except Refused as refused:
        if absent_from is not None and (refused.not_found or refused.gone):
            return Unavailable(absent_from, refused.problem.detail)
        raise


def _consent_parts(
    consent: Part[cs.ConsentOverview],
) -> tuple[Part[cs.CustomerConsents], Part[cs.ConsentHistoryPage], Part[cs.PurposeList]]:
    """The consent service's one answer as the screen's three parts (each unavailable, or not
    read, as the answer was)."""
    if isinstance(consent, cs.ConsentOverview):
        return consent.consents, consent.history, consent.purposes
    return consent, consent, consent


async def _shown_top(viewer: Viewer, top: Part[r.TopCustomersReport]) -> Part[r.TopCustomersReport]:
    """Cut and on record as in the API: names only for readers of `identity`."""
    return await viewer.top_customers(top) if isinstance(top, r.TopCustomersReport) else top


class MergedElsewhere(Exception):
    """The customer was absorbed by another record; the screen shows that one instead."""

    def __init__(self, master_id: str) -> None:
        super().__init__(master_id)
        self.master_id = master_id


@dataclass(frozen=True)
class Month:
    """One bar pair of the 360's small chart."""

    month: str
    orders: int
    activities: int


@dataclass(frozen=True)
class Customer360:
    customer: c.CustomerView
    orders: Part[h.OrderPage]
    tasks: Part[t.TaskPage]
    notes: Part[n.NotePage]
    timeline: Part[h.ActivityPage]
    consents: Part[cs.CustomerConsents]
    ledger: Part[cs.ConsentHistoryPage]
    # Every purpose the consent service knows (as its admin screen lists them): a decision can
    # be recorded for an active one the customer has not decided on yet.
    purposes: Part[cs.PurposeList]
    custom_fields: Part[cf.CustomFieldList]
    duplicates: Part[dup.DuplicatePage]

    @property
    def active_purposes(self) -> list[cs.PurposeView]:
        if not isinstance(self.purposes, cs.PurposeList):
            return []
        return [p for p in self.purposes.items if p.active]

    @property
    def revenue(self) -> dict[str, Decimal]:
        return dict(sorted(self.customer.stats.revenue.items()))

    def months(self) -> list[Month]:
        """Orders and activities per month, over what the screen holds."""
        orders: Counter[str] = Counter()
        activities: Counter[str] = Counter()
        if isinstance(self.orders, h.OrderPage):
            orders.update(_month(o.placed_at) for o in self.orders.items)
        if isinstance(self.timeline, h.ActivityPage):
            activities.update(_month(a.at) for a in self.timeline.items)
        return [Month(m, orders[m], activities[m]) for m in sorted(orders.keys() | activities)]


def _month(at: datetime) -> str:
    return at.strftime("%Y-%m")


@dataclass(frozen=True)
class Reports:
    period: r.Period
    new_customers: Part[r.NewCustomersReport]
    repeat_purchase: Part[r.RepeatPurchaseReport]
    top_customers: Part[r.TopCustomersReport]
    consent: Part[cs.ConsentReport]
    tasks: Part[t.TaskReport]
    # Top customers are named only to those who read identities.
    names_shown: bool

    def new_per_day(self) -> list[tuple[str, int]]:
        """New customers per day over the period (every day, none left out), for the chart."""
        if not isinstance(self.new_customers, r.NewCustomersReport):
            return []
        counts: Counter[str] = Counter()
        for row in self.new_customers.rows:
            counts[row.day.isoformat()] += row.count
        days = (self.period.end - self.period.start).days + 1
        every = [(self.period.start + timedelta(days=i)).isoformat() for i in range(days)]
        return [(day, counts[day]) for day in every]


@dataclass
class Screens:
    services: Services

    async def customers(
        self, caller: Caller, viewer: Viewer, query: c.FindCustomers
    ) -> c.CustomerPage:
        caller.grants.require_read(G.CUSTOMERS)
        page = await self.services.ask("customer", query, c.CustomerPage)
        return await viewer.customers(page)

    async def customer(self, caller: Caller, viewer: Viewer, customer_id: str) -> c.CustomerView:
        """The record alone (for its edit forms)."""
        caller.grants.require_read(G.CUSTOMERS)
        query = c.GetCustomer(customer_id=customer_id, actor=caller.principal.actor)
        view = await self.services.ask("customer", query, c.CustomerView)
        if view.merged_into:
            raise MergedElsewhere(view.merged_into)
        return await viewer.customer(view)

    async def customer_360(
        self, caller: Caller, viewer: Viewer, customer_id: str, timeline: h.TimelineSlice
    ) -> Customer360:
        caller.grants.require_read(G.CUSTOMERS)
        actor, reads, ask = caller.principal.actor, caller.grants.reads_group, self.services.ask
        of_customer = {"customer_id": customer_id, "actor": actor}
        # One request to each service: the customer service reads the customer once for all
        # its parts (asked for only where the caller's roles read them).
        of_record = o.GetCustomerOverview(
            orders=PAGE if reads(G.ORDERS) else 0,
            notes=PAGE if reads(G.NOTES) else 0,
            timeline=timeline if reads(G.HISTORY) else None,
            custom_fields=True,
            duplicates=CANDIDATES,
            **of_customer,
        )
        # All at once; a refusal of any (the customer unknown, say) cancels the others.
        try:
            async with asyncio.TaskGroup() as parts:
                record = parts.create_task(ask("customer", of_record, o.CustomerOverview))
                tasks = parts.create_task(
                    _part(
                        reads(G.TASKS),
                        ask("tasks", t.GetCustomerTasks(limit=20, **of_customer), t.TaskPage),
                    )
                )
                consent = parts.create_task(
                    _part(
                        reads(G.CONSENT),
                        ask("consent", cs.GetConsentOverview(**of_customer), cs.ConsentOverview),
                        absent_from="consent",
                    )
                )
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        overview = record.result()
        if overview.customer.merged_into:
            raise MergedElsewhere(overview.customer.merged_into)
        consents, ledger, purposes = _consent_parts(consent.result())
        # What the page shows is recorded at once: the access log's group commit writes the
        # entries of one page in one or two inserts instead of one after another.
        recorded = [
            viewer.record(customer_id, group, returned=bool(part.items))
            for group, part in (
                (G.ORDERS, overview.orders),
                (G.NOTES, overview.notes),
                (G.CONSENT, ledger),
            )
            if isinstance(part, h.OrderPage | n.NotePage | cs.ConsentHistoryPage)
        ]
        try:
            async with asyncio.TaskGroup() as cut:
                shown_customer = cut.create_task(viewer.customer(overview.customer))
                if overview.timeline is not None:
                    activities = cut.create_task(
                        viewer.timeline(customer_id, overview.timeline, timeline)
                    )
                for record_shown in recorded:
                    cut.create_task(record_shown)
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return Customer360(
            customer=shown_customer.result(),
            orders=overview.orders,
            tasks=tasks.result(),
            notes=overview.notes,
            timeline=activities.result() if overview.timeline is not None else None,
            consents=consents,
            ledger=ledger,
            purposes=purposes,
            custom_fields=overview.custom_fields,
            duplicates=overview.duplicates,
        )

    async def reports(self, caller: Caller, viewer: Viewer, *, days: int, currency: str) -> Reports:
        """The reports screen: every report at once, each part only for its readers."""
        caller.grants.require_read(G.REPORTS)
        actor, ask = caller.principal.actor, self.services.ask
        today = utc_now().date()
        period = r.Period(start=today - timedelta(days=days - 1), end=today)
        async with asyncio.TaskGroup() as parts:
            new = parts.create_task(
                _part(
                    True,
                    ask(
                        "customer",
                        r.NewCustomersPerDay(period=period, actor=actor),
                        r.NewCustomersReport,
                    ),
                )
            )
            repeat = parts.create_task(
                _part(
                    True, ask("customer", r.RepeatPurchaseRate(actor=actor), r.RepeatPurchaseReport)
                )
            )
            top = parts.create_task(
                _part(
                    True,
                    ask(
                        "customer",
                        r.TopCustomersByRevenue(currency=currency, actor=actor),
                        r.TopCustomersReport,
                    ),
                )
            )
            consent = parts.create_task(
                _part(True, ask("consent", cs.GetConsentReport(actor=actor), cs.ConsentReport))
            )
            tasks = parts.create_task(
                _part(True, ask("tasks", t.GetTaskReport(actor=actor), t.TaskReport))
            )
        return Reports(
            period=period,
            new_customers=new.result(),
            repeat_purchase=repeat.result(),
            top_customers=await _shown_top(viewer, top.result()),
            consent=consent.result(),
            tasks=tasks.result(),
            names_shown=caller.grants.reads_group(G.IDENTITY),
        )

    async def tasks(
        self, caller: Caller, statuses: Sequence[t.TaskStatus], cursor: str | None, *, team: bool
    ) -> tuple[t.TaskPage, Part[t.NotificationPage]]:
        """The caller's tasks, or the team's (everyone's), open ones unless `statuses` say
        otherwise, by deadline; and the caller's notifications."""
        caller.grants.require_read(G.TASKS)
        actor = caller.principal.actor
        query = t.FindTasks(
            assignee=None if team else actor.id,
            status=tuple(statuses) or t.OPEN_STATUSES,
            cursor=cursor,
            limit=100,
            actor=actor,
        )
        tasks, notifications = await asyncio.gather(
            self.services.ask("tasks", query, t.TaskPage),
            _part(
                True,
                self.services.ask(
                    "tasks", t.ListNotifications(limit=20, actor=actor), t.NotificationPage
                ),
            ),
        )
        return tasks, notifications

    async def duplicates(
        self, caller: Caller, viewer: Viewer, cursor: str | None
    ) -> tuple[dup.DuplicatePage, dict[str, c.CustomerView]]:
        """Open candidates, highest score first, with the records they pair."""
        caller.grants.require_read(G.CUSTOMERS)
        actor = caller.principal.actor
        page = await self.services.ask(
            "customer", dup.ListDuplicates(limit=20, cursor=cursor, actor=actor), dup.DuplicatePage
        )
        ids = sorted({i for candidate in page.items for i in candidate.customer_ids})
        return page, await self._customers(viewer, actor, ids)

    async def merge(
        self, caller: Caller, viewer: Viewer, candidate_id: str
    ) -> tuple[dup.DuplicateCandidateView, dict[str, c.CustomerView]]:
        """A candidate and its two records side by side."""
        caller.grants.require_read(G.CUSTOMERS)
        actor = caller.principal.actor
        candidate = await self.services.ask(
            "customer",
            dup.GetDuplicate(candidate_id=candidate_id, actor=actor),
            dup.DuplicateCandidateView,
        )
        return candidate, await self._customers(viewer, actor, candidate.customer_ids)

    async def _customers(
        self, viewer: Viewer, actor: Actor, ids: Sequence[str]
    ) -> dict[str, c.CustomerView]:
        views = await asyncio.gather(
            *(
                self.services.ask(
                    "customer", c.GetCustomer(customer_id=i, actor=actor), c.CustomerView
                )
                for i in ids
            )
        )
        return {v.id: await viewer.customer(v) for v in views}
