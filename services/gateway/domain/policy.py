"""The one place that decides what a principal may read, write and do.

A principal's grants are the union of its roles'. Readers of a view ask which field groups they
may see; a change names the fields it touches, and one the caller may not write is refused
naming it (never silently dropped). Which group a field belongs to is here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.gateway.domain.principal import Principal
from services.gateway.domain.roles import EVERY_GROUP, Action, FieldGroup, Role
from shared.contracts.replies import FieldError
from shared.errors import DomainError

G = FieldGroup

# The fields of a customer (its view, its patch, the history's changes) by field group.
CUSTOMER_FIELDS: Mapping[str, str] = {
    "id": G.CUSTOMERS,
    "customer_number": G.CUSTOMERS,
    "status": G.CUSTOMERS,
    "version": G.CUSTOMERS,
    "tags": G.CUSTOMERS,
    "channels": G.CUSTOMERS,
    "stats": G.CUSTOMERS,
    "merged_into": G.CUSTOMERS,
    "created_at": G.CUSTOMERS,
    "updated_at": G.CUSTOMERS,
    "password_reset_required": G.CUSTOMERS,
    "title": G.IDENTITY,
    "first_name": G.IDENTITY,
    "last_name": G.IDENTITY,
    "company": G.IDENTITY,
    "company_id": G.IDENTITY,
    "gender": G.IDENTITY,
    "birthday": G.IDENTITY,
    "language": G.IDENTITY,
    # A channel's id of its customer: it points at one person.
    "channel_accounts": G.IDENTITY,
    "display_name": G.IDENTITY,
    "emails": G.CONTACT,
    "phones": G.CONTACT,
    "primary_email": G.CONTACT,
    "addresses": G.ADDRESSES,
    "default_billing_id": G.ADDRESSES,
    "default_shipping_id": G.ADDRESSES,
    "bank_accounts": G.BANK,
    "notes": G.NOTES,
    # The timeline's consent changes (`consent.<purpose>[.<channel>]`).
    "consent": G.CONSENT,
}
# Writing tags is a grant of its own; reading them is part of `customers`.
WRITE_GROUPS: Mapping[str, str] = {**CUSTOMER_FIELDS, "tags": G.TAGS}


class AccessDenied(DomainError):
    """The caller's roles do not allow this; `errors` name the fields or the action."""

    kind = "forbidden"
    title = "Forbidden"


@dataclass(frozen=True)
class Grants:
    reads: frozenset[str]
    writes: frozenset[str]
    actions: frozenset[Action]
    # Groups the principal reads only masked (no role of it reads them unmasked).
    masked: frozenset[str]
    # An integration key bound to a shop acts for that shop only.
    shop: str | None = None

    @classmethod
    def of(cls, principal: Principal, roles: Iterable[Role]) -> Grants:
        """What the principal's roles (those that exist) grant together."""
        held = [r for r in roles if r.name in principal.roles]
        reads = frozenset().union(*(r.reads for r in held))
        unmasked = frozenset().union(*(r.reads - r.masked for r in held))
        return cls(
            reads=reads,
            writes=frozenset().union(*(r.writes for r in held)),
            actions=frozenset().union(*(r.actions for r in held)),
            masked=reads - unmasked if EVERY_GROUP not in unmasked else frozenset(),
            shop=principal.shop,
        )

    def reads_group(self, group: str) -> bool:
        return EVERY_GROUP in self.reads or group in self.reads

    def writes_group(self, group: str) -> bool:
        return EVERY_GROUP in self.writes or group in self.writes

    def may(self, action: Action) -> bool:
        return action in self.actions

    def reads_masked(self, group: str) -> bool:
        return group in self.masked

    def require(self, action: Action) -> None:
        if not self.may(action):
            raise AccessDenied(
                f"your roles do not allow the action {action.value}",
                errors=[FieldError(field=action.value, message="action not allowed")],
            )

    def require_read(self, *groups: str) -> None:
        missing = [g for g in groups if not self.reads_group(g)]
        if missing:
            raise AccessDenied(
                f"your roles do not allow reading {', '.join(missing)}",
                errors=[FieldError(field=g, message="field group not readable") for g in missing],
            )

    def require_writes(self, fields: Mapping[str, str]) -> None:
        """`fields`: each field a change touches -> its group; refused naming every field the
        caller may not write."""
        refused = sorted(f for f, group in fields.items() if not self.writes_group(group))
        if refused:
            raise AccessDenied(
                f"your roles do not allow changing {', '.join(refused)}",
                errors=[
                    FieldError(field=f, message=f"field group {fields[f]} not writable")
                    for f in refused
                ],
            )

    def require_filters(self, filters: Mapping[str, str]) -> None:
        """A search by a field tells whether someone has that value: only for its readers."""
        refused = sorted(f for f, group in filters.items() if not self.reads_group(group))
        if refused:
            raise AccessDenied(
                f"your roles do not allow searching by {', '.join(refused)}",
                errors=[
                    FieldError(field=f, message=f"field group {filters[f]} not readable")
                    for f in refused
                ],
            )


def field_group(field: str, custom_groups: Mapping[str, str]) -> str:
    """The group of a customer field, of a history change's field (`addresses.<id>`,
    `extra.<key>`, `notes.<id>.text`) or of a custom field."""
    head, _, rest = field.partition(".")
    if head == "extra":
        return custom_groups.get(rest, G.CUSTOM_FIELDS)
    # Unknown fields are kept from everyone but those who read every group.
    return CUSTOMER_FIELDS.get(head, EVERY_GROUP)
