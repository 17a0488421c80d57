"""The customer master record and how an order changes it (survivorship).

Every profile field remembers where its value came from, when, and who set it. An order's data
replaces a field only if the order is at least as new as what the field last saw, so updates
delivered out of order end in the same record; a value a supporter set by hand is never
overwritten by an import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.customer.domain.identities import normalise_email, normalise_phone
from shared.contracts.customers import CustomerStatus, FieldChange
from shared.contracts.envelope import Actor
from shared.contracts.orders import CanonicalOrder

PROFILE_FIELDS = ("first_name", "last_name", "company", "language")


class Provenance(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    at: datetime
    actor: Actor
    by_hand: bool = False


class EmailAddress(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    primary: bool = False


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    number: int
    status: CustomerStatus = CustomerStatus.ACTIVE
    version: int = 1
    created_at: datetime
    updated_at: datetime
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    language: str | None = None
    emails: tuple[EmailAddress, ...] = ()
    phones: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    @property
    def primary_email(self) -> str | None:
        return next((e.address for e in self.emails if e.primary), None)

    @property
    def display_name(self) -> str | None:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.company or None


class OrderApplied(BaseModel):
    """What applying an order did: the new record and the changes a person would care about."""

    model_config = ConfigDict(frozen=True)

    customer: Customer
    changes: tuple[FieldChange, ...]
    # The record must be saved even without visible changes: provenance saw a newer order.
    touched: bool


def order_source(order: CanonicalOrder) -> str:
    return f"{order.channel}:{order.shop}:order:{order.order_id}"


def new_customer(*, customer_id: str, number: int, now: datetime) -> Customer:
    return Customer(id=customer_id, number=number, created_at=now, updated_at=now, version=0)


def apply_order(
    customer: Customer, order: CanonicalOrder, *, actor: Actor, now: datetime, default_region: str
) -> OrderApplied:
    """The record after this order's buyer data is merged in; `customer` itself is unchanged."""
    update: dict[str, Any] = {}
    changes: list[FieldChange] = []
    provenance = dict(customer.provenance)
    seen = Provenance(source=order_source(order), at=order.updated_at, actor=actor)

    for name in PROFILE_FIELDS:
        offered = getattr(order.buyer, name)
        if offered is None or not _order_may_set(customer.provenance.get(name), order):
            continue
        provenance[name] = seen
        current = getattr(customer, name)
        if offered != current:
            update[name] = offered
            changes.append(FieldChange(field=name, before=current, after=offered))

    email = normalise_email(order.buyer.email)
    if email and email not in {e.address for e in customer.emails}:
        emails = (*customer.emails, EmailAddress(address=email, primary=not customer.emails))
        update["emails"] = emails
        changes.append(
            FieldChange(
                field="emails", before=_addresses(customer.emails), after=_addresses(emails)
            )
        )

    phones = [p for p in (_order_phones(order, default_region)) if p not in customer.phones]
    if phones:
        update["phones"] = (*customer.phones, *phones)
        changes.append(
            FieldChange(field="phones", before=list(customer.phones), after=list(update["phones"]))
        )

    channel = f"{order.channel}:{order.shop.lower()}"
    if channel not in customer.channels:
        update["channels"] = (*customer.channels, channel)
        changes.append(
            FieldChange(
                field="channels", before=list(customer.channels), after=list(update["channels"])
            )
        )

    touched = bool(update) or provenance != customer.provenance
    if touched:
        update |= {"provenance": provenance, "updated_at": now, "version": customer.version + 1}
    return OrderApplied(
        customer=customer.model_copy(update=update), changes=tuple(changes), touched=touched
    )


def _order_may_set(current: Provenance | None, order: CanonicalOrder) -> bool:
    if current is None:
        return True
    if current.by_hand:
        return False
    return order.updated_at >= current.at


def _order_phones(order: CanonicalOrder, default_region: str) -> list[str]:
    region = order.billing_address.country_code if order.billing_address else default_region
    raw = [order.buyer.phone, order.billing_address.phone if order.billing_address else None]
    found: list[str] = []
    for value in raw:
        phone = normalise_phone(value, default_region=region)
        if phone and phone not in found:
            found.append(phone)
    return found


def _addresses(emails: tuple[EmailAddress, ...]) -> list[str]:
    return [e.address for e in emails]
