"""A customer's history: the timeline of activities and the orders they placed."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.customers import FieldChange
from shared.contracts.envelope import Actor, ActorType, Contract, Id, Query

Cursor = Annotated[str, Field(max_length=200)]


class ActivityKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    ORDER_IMPORTED = "order_imported"
    ORDER_UPDATED = "order_updated"
    ADDRESS_ADDED = "address_added"
    ADDRESS_CHANGED = "address_changed"
    ADDRESS_REMOVED = "address_removed"
    BANK_ACCOUNT_ADDED = "bank_account_added"
    BANK_ACCOUNT_REMOVED = "bank_account_removed"
    TAGS_CHANGED = "tags_changed"
    NOTE_ADDED = "note_added"
    NOTE_CHANGED = "note_changed"
    NOTE_REMOVED = "note_removed"
    DISABLED = "disabled"
    ENABLED = "enabled"
    PASSWORD_RESET_REQUIRED = "password_reset_required"  # noqa: S105 - a kind, not a secret
    MERGED = "merged"
    ERASED = "erased"
    CONSENT_CHANGED = "consent_changed"
    # GDPR: a person asked for their data (through a channel); their data was exported.
    DATA_REQUESTED = "data_requested"
    DATA_EXPORTED = "data_exported"
    # A shop's data was erased (the shop left): what tied the customer to it is gone.
    SHOP_DATA_ERASED = "shop_data_erased"
    # Tasks about the customer (the tasks service owns them).
    TASK_CREATED = "task_created"
    TASK_REASSIGNED = "task_reassigned"
    TASK_STATUS_CHANGED = "task_status_changed"
    TASK_COMPLETED = "task_completed"
    TASK_REMINDER_DUE = "task_reminder_due"
    # Someone read the customer's personal data (from the gateway's access log; the customer
    # service records none).
    VIEWED = "viewed"


class ActivityView(Contract):
    id: str
    customer_id: str
    at: AwareDatetime
    actor: Actor
    kind: ActivityKind
    # Where the change came from, e.g. {"channel": "shopify", "shop": ..., "order_id": ...}.
    source: dict[str, str] = Field(default_factory=dict)
    changes: tuple[FieldChange, ...] = ()
    details: dict[str, Any] = Field(default_factory=dict)
    # The message that caused the change.
    message_id: str | None = None


class ActivityPage(Contract):
    items: tuple[ActivityView, ...]
    next_cursor: str | None = None


class TimelineSlice(Contract):
    """Which of a customer's activities to show, newest first: of one kind of actor, of some
    kinds (any when none are named), a page of them after a cursor."""

    actor_type: ActorType | None = None
    kinds: tuple[ActivityKind, ...] = ()
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Cursor | None = None


class GetTimeline(Query, TimelineSlice):
    """Newest first."""

    type: Literal["customer.timeline.v1"] = "customer.timeline.v1"
    customer_id: Id


class OrderSummaryView(Contract):
    id: str
    customer_id: str
    channel: str
    shop: str
    order_id: str
    order_number: str
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    status: str
    currency: str
    total: Decimal
    line_count: int


class OrderPage(Contract):
    items: tuple[OrderSummaryView, ...]
    next_cursor: str | None = None


class GetCustomerOrders(Query):
    """Newest order first."""

    type: Literal["customer.orders.v1"] = "customer.orders.v1"
    customer_id: Id
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Cursor | None = None
