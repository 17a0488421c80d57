"""How an order changes its buyer's customer data: which value survives.

Every profile field remembers where its value came from, when, and who set it. An order's data
replaces a field only if the order is at least as new as what the field last saw, so updates
delivered out of order end in the same customer; a value a person set by hand is never
overwritten by an order. Lists (emails, phones, addresses, channels) only grow from orders.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.customer.domain.addresses import normalise_address, with_address
from services.customer.domain.channels import account_key, order_provenance, sales_channel
from services.customer.domain.customer import Customer, EmailAddress, Provenance
from services.customer.domain.errors import InvalidInput
from services.customer.domain.identities import is_masked_email, normalise_email, normalise_phone
from services.customer.domain.orders import Order, OrderSummary, count_order, is_newer, summary_of
from shared.contracts.envelope import Actor
from shared.countries import country_code

# Buyer fields an order carries, by the customer field they fill.
BUYER_FIELDS = ("first_name", "last_name", "company", "language")


@dataclass(frozen=True)
class OrderApplied:
    customer: Customer
    # The summary to store, None when a newer state of the order is known already.
    summary: OrderSummary | None
    # Parts of the order that could not be used, and why (shown in the history).
    skipped: dict[str, str] = field(default_factory=dict)
    # Values kept as the order gave them because they could not be normalised, and why
    # (shown in the history, flagged as unverified on the customer).
    unverified: dict[str, str] = field(default_factory=dict)


def apply_order(  # noqa: C901, PLR0912 - the survivorship rules for each part of an order, in one pass
    customer: Customer,
    order: Order,
    *,
    known: OrderSummary | None,
    actor: Actor,
    now: datetime,
    default_region: str,
    new_id: Callable[[], str],
    foreign_emails: Collection[str] = (),
) -> OrderApplied:
    """The customer after the order is merged in (`customer` itself if nothing changed).

    `known` is the stored summary of this order, if any. `foreign_emails` are addresses another
    customer owns: they stay with that customer.
    """
    update: dict[str, Any] = {}
    provenance = dict(customer.provenance)
    seen = Provenance(
        source=order_provenance(order.channel, order.shop, order.order_id),
        at=order.updated_at,
        actor=actor,
    )
    skipped: dict[str, str] = {}

    for name in BUYER_FIELDS:
        offered = getattr(order.buyer, name)
        if offered is None or not _order_may_set(customer.provenance.get(name), order):
            continue
        provenance[name] = seen
        if offered != getattr(customer, name):
            update[name] = offered

    email = normalise_email(order.buyer.email)
    if order.buyer.email and email is None:
        skipped["buyer.email"] = "not a valid email address"
    if email and email not in foreign_emails and email not in {e.address for e in customer.emails}:
        update["emails"] = _add_email(customer.emails, email)

    unverified: dict[str, str] = {}
    phones, unusable = _order_phones(order, default_region)
    phones = [p for p in phones if p not in customer.phones]
    if phones:
        update["phones"] = (*customer.phones, *phones)
    for path, raw in unusable.items():
        unverified[path] = f"{raw!r} is no possible phone number; kept as given, unverified"
    kept_as_given = [p for p in unusable.values() if p not in customer.unverified_phones]
    if kept_as_given:
        update["unverified_phones"] = (*customer.unverified_phones, *dict.fromkeys(kept_as_given))

    channel = sales_channel(order.channel, order.shop)
    if channel not in customer.channels:
        update["channels"] = (*customer.channels, channel)
    if order.buyer.channel_customer_id:
        account = account_key(order.channel, order.shop, order.buyer.channel_customer_id)
        if account not in customer.channel_accounts:
            update["channel_accounts"] = (*customer.channel_accounts, account)

    addresses = customer.addresses
    for kind, default_field in (
        ("billing", "default_billing_id"),
        ("shipping", "default_shipping_id"),
    ):
        postal = getattr(order, f"{kind}_address")
        if postal is None:
            continue
        try:
            address = normalise_address(
                postal,
                address_id=new_id(),
                default_region=default_region,
                path=f"{kind}_address",
                keep_unverified=True,
            )
        except InvalidInput as error:
            skipped[f"{kind}_address"] = str(error)
            continue
        for name in address.unverified:
            unverified[f"{kind}_address.{name}"] = (
                f"{getattr(address, name)!r} could not be normalised; kept as given, unverified"
            )
        addresses, address_id = with_address(addresses, address)
        if _order_may_set(customer.provenance.get(default_field), order):
            provenance[default_field] = seen
            if getattr(customer, default_field) != address_id:
                update[default_field] = address_id
    if addresses != customer.addresses:
        update["addresses"] = addresses

    summary = summary_of(order, customer.id)
    newer = is_newer(summary, known)
    if newer:
        update["stats"] = count_order(customer.stats, summary, known)
    if update or provenance != customer.provenance:
        customer = customer.changed(now, **update, provenance=provenance)
    return OrderApplied(
        customer=customer,
        summary=summary if newer else None,
        skipped=skipped,
        unverified=unverified,
    )


def _add_email(emails: tuple[EmailAddress, ...], address: str) -> tuple[EmailAddress, ...]:
    """A relay address never pushes out a real one as the primary; a real one replaces it."""
    current = next((e for e in emails if e.primary), None)
    promote = current is None or (is_masked_email(current.address) and not is_masked_email(address))
    if not promote:
        return (*emails, EmailAddress(address=address))
    demoted = tuple(EmailAddress(address=e.address) for e in emails)
    return (*demoted, EmailAddress(address=address, primary=True))


def _order_may_set(current: Provenance | None, order: Order) -> bool:
    if current is None:
        return True
    if current.by_hand:
        return False
    return order.updated_at >= current.at


def _order_phones(order: Order, default_region: str) -> tuple[list[str], dict[str, str]]:
    """The order's phone numbers in E.164, and those that are no possible number as given
    (by where the order had them)."""
    billing = order.billing_address or {}
    region = country_code(billing.get("country_code")) or default_region
    raw = {"buyer.phone": order.buyer.phone, "billing_address.phone": billing.get("phone")}
    found: list[str] = []
    unusable: dict[str, str] = {}
    for path, value in raw.items():
        if not value or not str(value).strip():
            continue
        phone = normalise_phone(value, default_region=region)
        if phone is None:
            unusable[path] = str(value).strip()
        elif phone not in found:
            found.append(phone)
    return found, unusable
