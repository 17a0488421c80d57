"""Merge: a master absorbs other customers, and nothing any of them held is lost.

The master's values win; its blanks are filled from the sources in the order given. Lists are
united (addresses de-duplicated by content, bank accounts by fingerprint), statistics added up.
Each source becomes a tombstone that points at the master; what it held is in the master now,
and a snapshot of it goes into the history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.customer.domain.addresses import merge_address_lists
from services.customer.domain.customer import PROFILE_FIELDS, Customer, EmailAddress
from services.customer.domain.errors import Conflict, InvalidInput
from services.customer.domain.orders import combine_stats
from shared.contracts.customers import CustomerStatus
from shared.contracts.replies import FieldError

# Following tombstones deeper than this means the data is broken.
MAX_MERGE_HOPS = 20


async def follow_merges(
    customer: Customer | None, get: Callable[[str], Awaitable[Customer | None]]
) -> Customer | None:
    """The customer a tombstone's chain ends at (`get` reads one customer by id)."""
    start = customer.id if customer else None
    for _ in range(MAX_MERGE_HOPS):
        if customer is None or customer.merged_into is None:
            return customer
        customer = await get(customer.merged_into)
    raise RuntimeError(f"merge chain of {start} is longer than {MAX_MERGE_HOPS}")


@dataclass(frozen=True)
class Merged:
    master: Customer
    tombstones: tuple[Customer, ...]


def check_request(master_id: str, source_ids: Sequence[str]) -> None:
    """What can be refused before reading anything."""
    errors = []
    seen: set[str] = set()
    for index, source_id in enumerate(source_ids):
        if source_id == master_id:
            errors.append(
                FieldError(
                    field=f"source_ids.{index}", message="a customer cannot be merged into itself"
                )
            )
        elif source_id in seen:
            errors.append(FieldError(field=f"source_ids.{index}", message="given twice"))
        seen.add(source_id)
    if errors:
        raise InvalidInput(errors)


def check_parties(master: Customer, sources: Sequence[Customer]) -> None:
    """Refuse merging into a closed customer, closed sources, and cycles."""
    source_ids = {s.id for s in sources}
    if master.status is CustomerStatus.MERGED:
        if master.merged_into in source_ids:
            raise Conflict(
                f"customer {master.id} was merged into {master.merged_into}: merging back would "
                "make a cycle"
            )
        raise Conflict(
            f"customer {master.id} was merged into {master.merged_into}; merge into that one"
        )
    if master.status is CustomerStatus.ERASED:
        raise Conflict(f"customer {master.id} was erased; nothing can be merged into it")
    for index, source in enumerate(sources):
        field = f"source_ids.{index}"
        if source.status is CustomerStatus.MERGED:
            where = "the master" if source.merged_into == master.id else source.merged_into
            raise Conflict(f"customer {source.id} was merged into {where} already", field=field)
        if source.status is CustomerStatus.ERASED:
            raise Conflict(f"customer {source.id} was erased", field=field)


def merge(master: Customer, sources: Sequence[Customer], *, now: datetime) -> Merged:  # noqa: C901, PLR0912 - one pass over every part a master absorbs, in the order they depend
    check_parties(master, sources)
    update: dict[str, Any] = {}
    provenance = dict(master.provenance)
    extra = dict(master.extra)
    addresses = master.addresses
    emails = list(master.emails)
    lists: dict[str, list[str]] = {
        name: list(getattr(master, name))
        for name in ("phones", "unverified_phones", "tags", "channels", "channel_accounts")
    }
    accounts = list(master.bank_accounts)
    defaults = {n: getattr(master, n) for n in ("default_billing_id", "default_shipping_id")}
    stats = master.stats
    earliest = master
    for source in sources:
        for name in PROFILE_FIELDS:
            if getattr(master, name) is None and name not in update:
                value = getattr(source, name)
                if value is not None:
                    update[name] = value
                    if name in source.provenance:
                        provenance[name] = source.provenance[name]
        for key, value in source.extra.items():
            if extra.get(key) is None and value is not None:
                extra[key] = value
                if f"extra.{key}" in source.provenance:
                    provenance[f"extra.{key}"] = source.provenance[f"extra.{key}"]
        known = {e.address for e in emails}
        emails += [EmailAddress(address=e.address) for e in source.emails if e.address not in known]
        for name, values in lists.items():
            values += [v for v in getattr(source, name) if v not in values]
        fingerprints = {a.fingerprint for a in accounts}
        accounts += [a for a in source.bank_accounts if a.fingerprint not in fingerprints]
        addresses, renamed = merge_address_lists(addresses, source.addresses)
        for name, current in defaults.items():
            theirs = getattr(source, name)
            if current is None and theirs is not None:
                defaults[name] = renamed[theirs]
        stats = combine_stats(stats, source.stats)
        if source.created_at < earliest.created_at:
            earliest = source
    if emails and not any(e.primary for e in emails):
        primary = next(e for e in (e for s in sources for e in s.emails) if e.primary)
        emails = [e.model_copy(update={"primary": e.address == primary.address}) for e in emails]
    absorbed = master.changed(
        now,
        **update,
        **{name: tuple(values) for name, values in lists.items()},
        **defaults,
        emails=tuple(emails),
        addresses=addresses,
        bank_accounts=tuple(accounts),
        extra=extra,
        stats=stats,
        provenance=provenance,
        password_reset_required=any(c.password_reset_required for c in (master, *sources)),
        # The person has been a customer since the oldest of the merged customers.
        created_at=earliest.created_at,
        origin_channel=earliest.origin_channel,
    )
    return Merged(
        master=absorbed, tombstones=tuple(tombstone(s, master.id, now=now) for s in sources)
    )


def tombstone(source: Customer, master_id: str, *, now: datetime) -> Customer:
    """What stays of an absorbed customer (a tombstone): where they went."""
    return Customer(
        id=source.id,
        number=source.number,
        status=CustomerStatus.MERGED,
        version=source.version + 1,
        created_at=source.created_at,
        updated_at=now,
        origin_channel=source.origin_channel,
        merged_into=master_id,
        closed_at=now,
    )


def snapshot(customer: Customer) -> dict[str, Any]:
    """What an absorbed customer held, for the history (bank details only masked)."""
    data = customer.model_dump(
        mode="json",
        exclude={"bank_accounts", "provenance", "version", "updated_at"},
        exclude_defaults=True,
    )
    data["bank_accounts"] = [a.iban_masked for a in customer.bank_accounts]
    return data
