"""Customer records for domain tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.customer.domain.customer import Address, Customer, Provenance
from shared.contracts.envelope import Actor, ActorType

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SUPPORTER = Actor(type=ActorType.SUPPORTER, id="sam")
SHOP = Actor(type=ActorType.SYSTEM, id="shopify:demo")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def customer(customer_id: str = "c1", **fields: Any) -> Customer:
    return Customer(id=customer_id, number=10001, **({"created_at": T0, "updated_at": T0} | fields))


def address(address_id: str = "a1", **fields: Any) -> Address:
    values = {
        "line1": "Hauptstraße 5",
        "postal_code": "10115",
        "city": "Berlin",
        "country_code": "DE",
    }
    return Address(id=address_id, **(values | fields))


def by_import(minutes: int = 0) -> Provenance:
    return Provenance(source="shopify:demo:order:1", at=at(minutes), actor=SHOP)
