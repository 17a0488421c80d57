"""How an import from another system changes a customer (survivorship, as with orders).

The draft is first checked and normalised exactly like one a person enters (same errors, same
field names), then merged in: a field takes the imported value unless a person set it by hand
or it was set from newer data; lists only grow.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from services.customer.domain.addresses import with_address
from services.customer.domain.custom_fields import Definitions
from services.customer.domain.customer import PROFILE_FIELDS, Customer, EmailAddress, Provenance
from services.customer.domain.editing import create_profile
from shared.contracts.customers import CustomerDraft
from shared.contracts.envelope import Actor


def apply_import(  # noqa: C901, PLR0912, PLR0913 - one row of an import, field by field, with its rules in order
    customer: Customer,
    draft: CustomerDraft,
    *,
    source: str,
    updated_at: datetime,
    actor: Actor,
    definitions: Definitions,
    now: datetime,
    default_region: str,
    new_id: Callable[[], str],
    foreign_emails: Collection[str] = (),
) -> Customer:
    """The customer with the import merged in; `customer` itself if nothing changed.

    Raises InvalidInput naming the field of anything the draft cannot hold.
    """
    blank = Customer(
        id=customer.id, number=customer.number, created_at=now, updated_at=now, version=0
    )
    offered = create_profile(
        blank,
        draft,
        definitions=definitions,
        actor=actor,
        now=now,
        default_region=default_region,
        new_id=new_id,
        check_required=customer.version == 0,
    )
    seen = Provenance(source=f"import:{source}", at=updated_at, actor=actor)
    provenance = dict(customer.provenance)
    update: dict[str, Any] = {}

    def may_set(name: str) -> bool:
        current = customer.provenance.get(name)
        return current is None or (not current.by_hand and updated_at >= current.at)

    for name in PROFILE_FIELDS:
        value = getattr(offered, name)
        if value is not None and may_set(name):
            provenance[name] = seen
            if value != getattr(customer, name):
                update[name] = value
    extra = dict(customer.extra)
    for key, value in offered.extra.items():
        if may_set(f"extra.{key}"):
            provenance[f"extra.{key}"] = seen
            extra[key] = value
    if extra != customer.extra:
        update["extra"] = extra

    known = {e.address for e in customer.emails}
    fresh = [
        e.address
        for e in offered.emails
        if e.address not in known and e.address not in foreign_emails
    ]
    if fresh:
        has_primary = any(e.primary for e in customer.emails)
        update["emails"] = (
            *customer.emails,
            *(
                EmailAddress(address=a, primary=not has_primary and n == 0)
                for n, a in enumerate(fresh)
            ),
        )
    for name in ("phones", "tags"):
        ours = getattr(customer, name)
        added = tuple(v for v in getattr(offered, name) if v not in ours)
        if added:
            update[name] = (*ours, *added)
    addresses = customer.addresses
    first_id = None
    for address in offered.addresses:
        addresses, address_id = with_address(addresses, address)
        first_id = first_id or address_id
    if addresses != customer.addresses:
        update["addresses"] = addresses
    for name in ("default_billing_id", "default_shipping_id"):
        if getattr(customer, name) is None and first_id is not None:
            update[name] = first_id
            provenance[name] = seen
    if not update and provenance == customer.provenance:
        return customer
    return customer.changed(now, **update, provenance=provenance)
