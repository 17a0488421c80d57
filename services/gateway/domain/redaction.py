"""Views cut to what the caller may read (OWASP API3: choose what to return, never a record
whole). Each function takes a view as plain data and returns what is left, and the personal
field groups it returned (for the access log). What is cut is left out, not set to null."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.gateway.domain.policy import CUSTOMER_FIELDS, WRITE_GROUPS, Grants, field_group
from services.gateway.domain.roles import EVERY_GROUP, FieldGroup

G = FieldGroup
Data = dict[str, Any]
# What a masked bank account keeps: no holder, BIC or bank, the IBAN only masked.
_MASKED_BANK_FIELDS = ("id", "iban_masked", "country_code", "added_at")
# Timeline entries about one group are shown only to its readers.
_KIND_GROUPS = {
    "address_added": G.ADDRESSES,
    "address_changed": G.ADDRESSES,
    "address_removed": G.ADDRESSES,
    "bank_account_added": G.BANK,
    "bank_account_removed": G.BANK,
    "note_added": G.NOTES,
    "note_changed": G.NOTES,
    "note_removed": G.NOTES,
    "consent_changed": G.CONSENT,
    "order_imported": G.ORDERS,
    "order_updated": G.ORDERS,
    "task_created": G.TASKS,
    "task_reassigned": G.TASKS,
    "task_status_changed": G.TASKS,
    "task_completed": G.TASKS,
    "task_reminder_due": G.TASKS,
}
# Search filters by the group of the field they look at.
_FILTER_GROUPS = {
    "name": G.IDENTITY,
    "email": G.CONTACT,
    "phone": G.CONTACT,
    "number": G.CUSTOMERS,
    "channel": G.CUSTOMERS,
    "tag": G.CUSTOMERS,
    "status": G.CUSTOMERS,
}
# Groups that are no personal data: reading them is not recorded in the access log.
NOT_PERSONAL = frozenset({G.CUSTOMERS})


def customer(
    view: Mapping[str, Any], grants: Grants, custom_groups: Mapping[str, str]
) -> tuple[Data, set[str]]:
    shown: Data = {}
    returned: set[str] = set()
    for name, value in view.items():
        if name == "extra":
            extra = {
                k: v for k, v in value.items() if grants.reads_group(_custom(k, custom_groups))
            }
            returned |= {_custom(k, custom_groups) for k in extra}
            shown[name] = extra
            continue
        if name == "provenance":
            shown[name] = {
                f: p for f, p in value.items() if grants.reads_group(field_group(f, custom_groups))
            }
            continue
        group = CUSTOMER_FIELDS.get(name, EVERY_GROUP)
        if not grants.reads_group(group):
            continue
        if group == G.BANK and grants.reads_masked(G.BANK):
            value = [masked_bank_account(a) for a in value]
        shown[name] = value
        if value not in (None, [], (), {}):
            returned.add(group)
    return shown, returned - NOT_PERSONAL


def masked_bank_account(account: Mapping[str, Any]) -> Data:
    return {k: v for k, v in account.items() if k in _MASKED_BANK_FIELDS}


def bank_accounts(accounts: Iterable[Mapping[str, Any]], grants: Grants) -> list[Data]:
    if grants.reads_masked(G.BANK):
        return [masked_bank_account(a) for a in accounts]
    return [dict(a) for a in accounts]


def activity(
    entry: Mapping[str, Any], grants: Grants, custom_groups: Mapping[str, str]
) -> Data | None:
    """A timeline entry without the changes of fields the caller may not read (their before
    and after values go with them); None if the whole entry is about such a group."""
    group = _KIND_GROUPS.get(str(entry.get("kind")))
    if group is not None and not grants.reads_group(group):
        return None
    changes = [
        c
        for c in entry.get("changes", ())
        if grants.reads_group(field_group(str(c["field"]), custom_groups))
    ]
    return {**entry, "changes": changes}


def timeline_groups(
    entries: Iterable[Mapping[str, Any]], custom_groups: Mapping[str, str]
) -> set[str]:
    """The personal groups a shown timeline holds values of."""
    groups = {str(G.HISTORY)}
    for entry in entries:
        group = _KIND_GROUPS.get(str(entry.get("kind")))
        if group is not None:
            groups.add(group)
        groups |= {field_group(str(c["field"]), custom_groups) for c in entry.get("changes", ())}
    return groups - NOT_PERSONAL - {EVERY_GROUP}


# The parts of a personal data export besides the customer, by the group they need read.
_EXPORT_PARTS = {
    "identities": G.CONTACT,
    "orders": G.ORDERS,
    "notes": G.NOTES,
    "history": G.HISTORY,
    "consents": G.CONSENT,
    "consent_ledger": G.CONSENT,
}


def export(
    document: Mapping[str, Any], grants: Grants, custom_groups: Mapping[str, str]
) -> tuple[Data, set[str]]:
    """A personal data export cut like the views it is made of."""
    shown: Data = {}
    returned: set[str] = set()
    for name, value in document.items():
        group = _EXPORT_PARTS.get(name)
        if name == "customer":
            shown[name], returned = customer(value, grants, custom_groups)
        elif name == "history" and grants.reads_group(G.HISTORY):
            entries = [activity(a, grants, custom_groups) for a in value]
            shown[name] = [e for e in entries if e is not None]
        elif group is None or grants.reads_group(group):
            shown[name] = value
    returned |= {g for n, g in _EXPORT_PARTS.items() if shown.get(n)}
    return shown, returned - NOT_PERSONAL


def top_customer(entry: Mapping[str, Any], grants: Grants) -> Data:
    if grants.reads_group(G.IDENTITY):
        return dict(entry)
    return {k: v for k, v in entry.items() if k != "display_name"}


def write_group(name: str, custom_groups: Mapping[str, str]) -> str:
    """The group a change of `name` (a customer field, `extra.<key>`) needs written."""
    if name.startswith("extra."):
        return _custom(name.removeprefix("extra."), custom_groups)
    return WRITE_GROUPS.get(name, EVERY_GROUP)


def read_group(name: str, custom_groups: Mapping[str, str]) -> str:
    if name.startswith("extra."):
        return _custom(name.removeprefix("extra."), custom_groups)
    return _FILTER_GROUPS.get(name, CUSTOMER_FIELDS.get(name, EVERY_GROUP))


def _custom(key: str, custom_groups: Mapping[str, str]) -> str:
    return custom_groups.get(key, G.CUSTOM_FIELDS)
