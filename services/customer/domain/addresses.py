"""Postal addresses: normalised (ISO country, E.164 phone, tidy text), de-duplicated by content.

A customer has many addresses and at most one default for billing and one for shipping. An
address that is already there (same content, see `Address.content_key`) is not added twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.customer.domain.customer import Address, Customer
from services.customer.domain.errors import InvalidInput
from services.customer.domain.identities import normalise_phone
from services.customer.domain.text import tidy
from shared.contracts.replies import FieldError
from shared.countries import country_code

NewId = Callable[[], str]


def normalise_address(
    fields: dict[str, Any],
    *,
    address_id: str,
    default_region: str,
    path: str,
    keep_unverified: bool = False,
) -> Address:
    """An `Address` from raw values (country under `country` or `country_code`).

    Raises InvalidInput naming `<path>.<field>` for what cannot be accepted. With
    `keep_unverified` (channel data: refusing it would lose what the buyer gave), a country or
    phone that cannot be normalised is kept as given and named in `Address.unverified`.
    """
    errors: list[FieldError] = []
    unverified: list[str] = []
    country_field = "country" if "country" in fields else "country_code"
    given_country = tidy(str(fields.get(country_field) or ""))
    code = country_code(given_country)
    if code is None and keep_unverified and given_country is not None:
        code = given_country
        unverified.append("country_code")
    elif code is None:
        errors.append(
            FieldError(field=f"{path}.{country_field}", message="not an ISO 3166 country")
        )
    phone = None
    if fields.get("phone"):
        region = default_region if "country_code" in unverified else code or default_region
        phone = normalise_phone(fields["phone"], default_region=region)
        if phone is None and keep_unverified:
            phone = tidy(str(fields["phone"]))
            unverified.append("phone")
        elif phone is None:
            errors.append(FieldError(field=f"{path}.phone", message="not a valid phone number"))
    line1, city = tidy(fields.get("line1")), tidy(fields.get("city"))
    if line1 is None:
        errors.append(FieldError(field=f"{path}.line1", message="must not be blank"))
    if city is None:
        errors.append(FieldError(field=f"{path}.city", message="must not be blank"))
    if errors:
        raise InvalidInput(errors)
    assert code is not None
    assert line1 is not None
    assert city is not None
    postal_code = tidy(fields.get("postal_code"))
    return Address(
        id=address_id,
        first_name=tidy(fields.get("first_name")),
        last_name=tidy(fields.get("last_name")),
        company=tidy(fields.get("company")),
        line1=line1,
        line2=tidy(fields.get("line2")),
        postal_code=postal_code.upper() if postal_code else None,
        city=city,
        region=tidy(fields.get("region")),
        country_code=code,
        phone=phone,
        unverified=tuple(unverified),
    )


def with_address(
    addresses: tuple[Address, ...], address: Address
) -> tuple[tuple[Address, ...], str]:
    """The addresses with this one added unless already there; and the id it is known by."""
    existing = next((a for a in addresses if a.content_key == address.content_key), None)
    if existing is not None:
        # Same place: keep the known id, but learn a phone number it did not have.
        if existing.phone is None and address.phone is not None:
            updated = existing.model_copy(update={"phone": address.phone})
            return _replace(addresses, updated), existing.id
        return addresses, existing.id
    return (*addresses, address), address.id


def merge_address_lists(
    addresses: tuple[Address, ...], others: tuple[Address, ...]
) -> tuple[tuple[Address, ...], dict[str, str]]:
    """`addresses` plus those of `others` not already there; maps each other id to its id."""
    result = list(addresses)
    by_content = {a.content_key: a.id for a in result}
    taken = {a.id for a in result}
    renamed: dict[str, str] = {}
    for address in others:
        known = by_content.get(address.content_key)
        if known is not None:
            renamed[address.id] = known
            continue
        # Ids are random, so a clash is all but impossible; keep them unique anyway.
        new_id = address.id if address.id not in taken else f"{address.id}x"
        result.append(address.model_copy(update={"id": new_id}))
        by_content[address.content_key] = new_id
        taken.add(new_id)
        renamed[address.id] = new_id
    return tuple(result), renamed


def _replace(addresses: tuple[Address, ...], updated: Address) -> tuple[Address, ...]:
    return tuple(updated if a.id == updated.id else a for a in addresses)


def replace_address(customer: Customer, updated: Address) -> tuple[Address, ...]:
    """The addresses with `updated` in place of the one with its id.

    Raises InvalidInput if the new content equals another address of the customer.
    """
    clash = next(
        (
            a
            for a in customer.addresses
            if a.id != updated.id and a.content_key == updated.content_key
        ),
        None,
    )
    if clash is not None:
        raise InvalidInput(
            [
                FieldError(
                    field="address", message=f"the customer has this address already ({clash.id})"
                )
            ]
        )
    return _replace(customer.addresses, updated)
