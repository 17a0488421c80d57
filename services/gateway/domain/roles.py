"""Roles as data: a role grants reading and/or writing of field groups, and actions.

Field groups are the parts of what the suite holds on a customer that a role sees or changes
as a whole; each custom field names its own group (`access_group`, by default
`custom_fields`). `customers` is what is no personal data: id, number, status, channels, tags,
order statistics. `*` stands for every group, custom field groups included.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EVERY_GROUP = "*"
ROLE_NAME = r"^[a-z][a-z0-9_-]{1,39}$"


class FieldGroup(StrEnum):
    CUSTOMERS = "customers"
    IDENTITY = "identity"
    CONTACT = "contact"
    ADDRESSES = "addresses"
    BANK = "bank"
    CUSTOM_FIELDS = "custom_fields"
    CONSENT = "consent"
    TASKS = "tasks"
    NOTES = "notes"
    HISTORY = "history"
    ORDERS = "orders"
    REPORTS = "reports"
    TAGS = "tags"


class Action(StrEnum):
    MERGE = "merge"
    # Disable, enable, require a password reset: a customer's life cycle short of erasure.
    DISABLE = "disable"
    ERASE = "erase"
    EXPORT = "export"
    IMPORT = "import"
    MANAGE_ACCESS = "manage_access"
    MANAGE_FIELDS = "manage_fields"


@dataclass(frozen=True)
class Role:
    name: str
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    actions: frozenset[Action] = frozenset()
    # Groups read only masked (bank accounts: no holder, BIC or bank, the IBAN's end only).
    masked: frozenset[str] = frozenset()
    description: str = ""


def _groups(*groups: FieldGroup | str) -> frozenset[str]:
    return frozenset(str(g) for g in groups)


G = FieldGroup
DEFAULT_ROLES: tuple[Role, ...] = (
    Role(
        "admin",
        reads=_groups(EVERY_GROUP),
        writes=_groups(EVERY_GROUP),
        actions=frozenset(Action),
        description="everything, including keys and roles",
    ),
    Role(
        "supporter",
        reads=_groups(
            G.CUSTOMERS,
            G.IDENTITY,
            G.CONTACT,
            G.ADDRESSES,
            G.BANK,
            G.NOTES,
            G.ORDERS,
            G.HISTORY,
            G.CONSENT,
            G.TASKS,
            G.CUSTOM_FIELDS,
        ),
        masked=_groups(G.BANK),
        writes=_groups(
            G.IDENTITY,
            G.CONTACT,
            G.ADDRESSES,
            G.BANK,
            G.NOTES,
            G.TAGS,
            G.CONSENT,
            G.TASKS,
            G.CUSTOM_FIELDS,
        ),
        actions=frozenset({Action.MERGE, Action.DISABLE}),
        description="customer service: reads and edits customers, bank accounts masked",
    ),
    Role(
        "marketing",
        reads=_groups(G.CUSTOMERS, G.IDENTITY, G.CONTACT, G.ADDRESSES, G.CONSENT, G.REPORTS),
        writes=_groups(G.CONSENT),
        description="consent and its reports",
    ),
    Role(
        "analyst",
        reads=_groups(G.CUSTOMERS, G.REPORTS),
        description="reports, and customers without personal data",
    ),
    Role(
        "integration",
        actions=frozenset({Action.IMPORT}),
        description="imports, for the shop its key is bound to",
    ),
)
BUILTIN_ROLES = frozenset(r.name for r in DEFAULT_ROLES)
