"""Changes a person makes through the API: create, edit, tags, status, addresses.

A value set by hand gets a provenance with `by_hand`, so no later order or import overwrites it.
Every refusal names the field it is about, in the same paths the API's request bodies use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from services.customer.domain.addresses import normalise_address, replace_address, with_address
from services.customer.domain.custom_fields import Definitions, apply_extra
from services.customer.domain.customer import Customer, EmailAddress, Provenance
from services.customer.domain.errors import Conflict, InvalidInput, NotFound
from services.customer.domain.identities import email_problem, normalise_email, normalise_phone
from services.customer.domain.text import tidy
from shared.contracts.customer_details import AddressInput
from shared.contracts.customers import CustomerDraft, CustomerPatch, CustomerStatus
from shared.contracts.envelope import Actor
from shared.contracts.replies import FieldError

API_SOURCE = "api"
OLDEST_BIRTHDAY = date(1900, 1, 1)
TEXT_FIELDS = ("title", "first_name", "last_name", "company")


def ensure_open(customer: Customer) -> None:
    """Refuse to change a tombstone or an erased customer, saying where a merged one went."""
    if customer.status is CustomerStatus.MERGED:
        raise Conflict(
            f"customer {customer.id} was merged into {customer.merged_into}; change that one"
        )
    if customer.status is CustomerStatus.ERASED:
        raise Conflict(f"customer {customer.id} was erased")


def by_hand(actor: Actor, now: datetime) -> Provenance:
    return Provenance(source=API_SOURCE, at=now, actor=actor, by_hand=True)


def edit_profile(
    customer: Customer,
    patch: CustomerPatch,
    *,
    clear: Iterable[str] = (),
    definitions: Definitions,
    actor: Actor,
    now: datetime,
    default_region: str,
    creating: bool = False,
) -> Customer:
    """The customer with the patch applied; unchanged if the patch changes nothing."""
    errors: list[FieldError] = []
    update = _profile_update(patch, clear, now=now, default_region=default_region, errors=errors)
    extra = customer.extra
    try:
        extra = apply_extra(customer.extra, patch.extra or {}, definitions, check_required=creating)
    except InvalidInput as error:
        errors += error.errors
    if errors:
        raise InvalidInput(errors)
    if extra != customer.extra:
        update["extra"] = extra
    update = {k: v for k, v in update.items() if getattr(customer, k) != v}
    if not update:
        return customer
    return customer.changed(
        now, **update, provenance=_set_by_hand(customer, update, extra, by_hand(actor, now))
    )


def _profile_update(
    patch: CustomerPatch,
    clear: Iterable[str],
    *,
    now: datetime,
    default_region: str,
    errors: list[FieldError],
) -> dict[str, Any]:
    """The profile fields the patch sets or clears, normalised; problems go to `errors`."""
    update: dict[str, Any] = {}
    given = patch.model_dump(exclude_none=True, exclude={"extra", "addresses"})
    for name in TEXT_FIELDS:
        if name in given:
            update[name] = tidy(given[name])
    for name in ("gender", "language", "company_id"):
        if name in given:
            update[name] = given[name]
    if patch.birthday is not None:
        if not OLDEST_BIRTHDAY <= patch.birthday <= now.date():
            errors.append(FieldError(field="birthday", message="must be a date in the past"))
        update["birthday"] = patch.birthday
    if patch.emails is not None:
        update["emails"] = _emails(patch, errors)
    if patch.phones is not None:
        update["phones"] = _phones(patch.phones, default_region, errors)
    if patch.tags is not None:
        update["tags"] = _unique(tidy(t) or t for t in patch.tags)
    for name in clear:
        update[name] = () if name in ("emails", "phones", "tags") else None
    return update


def _set_by_hand(
    customer: Customer, update: dict[str, Any], extra: dict[str, Any], hand: Provenance
) -> dict[str, Provenance]:
    """Provenance with every changed field (and changed custom field) marked as set by hand."""
    provenance = dict(customer.provenance)
    for name in update:
        if name != "extra":
            provenance[name] = hand
    for key in set(extra) | set(customer.extra):
        if extra.get(key) != customer.extra.get(key):
            provenance[f"extra.{key}"] = hand
    return provenance


def create_profile(
    customer: Customer,
    draft: CustomerDraft,
    *,
    definitions: Definitions,
    actor: Actor,
    now: datetime,
    default_region: str,
    new_id: Callable[[], str],
    check_required: bool = True,
) -> Customer:
    """A new customer from a draft: profile, then addresses (the first is both defaults).

    `check_required`: required custom fields must be given (not when the draft only updates).
    """
    errors: list[FieldError] = []
    try:
        customer = edit_profile(
            customer,
            draft,
            definitions=definitions,
            actor=actor,
            now=now,
            default_region=default_region,
            creating=check_required,
        )
    except InvalidInput as error:
        errors += error.errors
    addresses = customer.addresses
    for index, raw in enumerate(draft.addresses):
        try:
            address = _address(raw, new_id(), default_region, f"addresses.{index}")
        except InvalidInput as error:
            errors += error.errors
            continue
        addresses, _ = with_address(addresses, address)
    if not (draft.first_name or draft.last_name or draft.company or draft.emails):
        errors.append(
            FieldError(
                field="last_name", message="a customer needs a name, a company or an email address"
            )
        )
    if errors:
        raise InvalidInput(errors)
    update: dict[str, Any] = {"version": 1, "updated_at": now}
    if addresses:
        provenance = dict(customer.provenance)
        provenance["default_billing_id"] = provenance["default_shipping_id"] = by_hand(actor, now)
        update |= {
            "addresses": addresses,
            "default_billing_id": addresses[0].id,
            "default_shipping_id": addresses[0].id,
            "provenance": provenance,
        }
    # However many steps it took, a new customer starts at version 1.
    return customer.model_copy(update=update)


def change_tags(
    customer: Customer, *, add: Iterable[str], remove: Iterable[str], now: datetime
) -> Customer:
    removed = set(remove)
    tags = _unique([*(t for t in customer.tags if t not in removed), *add])
    return customer if tags == customer.tags else customer.changed(now, tags=tags)


def set_status(customer: Customer, status: CustomerStatus, *, now: datetime) -> Customer:
    ensure_open(customer)
    return customer if customer.status is status else customer.changed(now, status=status)


def require_password_reset(customer: Customer, *, now: datetime) -> Customer:
    ensure_open(customer)
    if customer.password_reset_required:
        return customer
    return customer.changed(now, password_reset_required=True)


def add_address(
    customer: Customer,
    raw: AddressInput,
    *,
    address_id: str,
    default_billing: bool,
    default_shipping: bool,
    actor: Actor,
    now: datetime,
    default_region: str,
) -> tuple[Customer, str]:
    """The customer with the address (once) and the id the address has there."""
    address = _address(raw, address_id, default_region, "address")
    addresses, known_id = with_address(customer.addresses, address)
    update: dict[str, Any] = {"addresses": addresses}
    update |= _defaults(customer, known_id, default_billing, default_shipping, fill_missing=True)
    return _with(customer, update, actor, now), known_id


def change_address(
    customer: Customer,
    address_id: str,
    raw: AddressInput | None,
    *,
    default_billing: bool | None,
    default_shipping: bool | None,
    actor: Actor,
    now: datetime,
    default_region: str,
) -> Customer:
    if customer.address(address_id) is None:
        raise NotFound("Address", f"the customer has no address {address_id}")
    update: dict[str, Any] = {}
    if raw is not None:
        updated = _address(raw, address_id, default_region, "address")
        update["addresses"] = replace_address(customer, updated)
    update |= _defaults(customer, address_id, default_billing, default_shipping, fill_missing=False)
    if default_billing is False and customer.default_billing_id == address_id:
        update["default_billing_id"] = None
    if default_shipping is False and customer.default_shipping_id == address_id:
        update["default_shipping_id"] = None
    return _with(customer, update, actor, now)


def remove_address(customer: Customer, address_id: str, *, actor: Actor, now: datetime) -> Customer:
    if customer.address(address_id) is None:
        raise NotFound("Address", f"the customer has no address {address_id}")
    update: dict[str, Any] = {
        "addresses": tuple(a for a in customer.addresses if a.id != address_id)
    }
    for name in ("default_billing_id", "default_shipping_id"):
        if getattr(customer, name) == address_id:
            update[name] = None
    return _with(customer, update, actor, now)


def _with(customer: Customer, update: dict[str, Any], actor: Actor, now: datetime) -> Customer:
    update = {k: v for k, v in update.items() if getattr(customer, k) != v}
    if not update:
        return customer
    provenance = dict(customer.provenance)
    for name in update:
        if name.startswith("default_"):
            provenance[name] = by_hand(actor, now)
    return customer.changed(now, **update, provenance=provenance)


def _defaults(
    customer: Customer,
    address_id: str,
    billing: bool | None,
    shipping: bool | None,
    *,
    fill_missing: bool,
) -> dict[str, Any]:
    """Defaults to set: those asked for, and (`fill_missing`) those the customer lacks."""
    update: dict[str, Any] = {}
    if billing or (fill_missing and customer.default_billing_id is None):
        update["default_billing_id"] = address_id
    if shipping or (fill_missing and customer.default_shipping_id is None):
        update["default_shipping_id"] = address_id
    return update


def _address(raw: AddressInput, address_id: str, default_region: str, path: str) -> Any:
    return normalise_address(
        raw.model_dump(), address_id=address_id, default_region=default_region, path=path
    )


def _emails(patch: CustomerPatch, errors: list[FieldError]) -> tuple[EmailAddress, ...]:
    assert patch.emails is not None
    found: list[EmailAddress] = []
    for index, entry in enumerate(patch.emails):
        problem = email_problem(entry.address)
        address = normalise_email(entry.address)
        if problem is not None or address is None:
            errors.append(
                FieldError(field=f"emails.{index}.address", message=problem or "not valid")
            )
            continue
        if any(e.address == address for e in found):
            errors.append(FieldError(field=f"emails.{index}.address", message="given twice"))
            continue
        found.append(EmailAddress(address=address, primary=entry.primary))
    primaries = sum(e.primary for e in found)
    if primaries > 1:
        errors.append(FieldError(field="emails", message="only one address can be primary"))
    if found and primaries == 0:
        found[0] = found[0].model_copy(update={"primary": True})
    return tuple(found)


def _phones(raw: Iterable[str], region: str, errors: list[FieldError]) -> tuple[str, ...]:
    found: list[str] = []
    for index, value in enumerate(raw):
        phone = normalise_phone(value, default_region=region, strict=True)
        if phone is None:
            errors.append(FieldError(field=f"phones.{index}", message="not a valid phone number"))
        elif phone not in found:
            found.append(phone)
    return tuple(found)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
