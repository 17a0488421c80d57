"""What reading a dead-lettered message whole reads, as the access log records it: against each
customer the message names (the ids messages carry their customers by), the personal field
groups of its body's keys; a message that names no customer, against a subject of its own.
Pure: the use case (`use_cases.dead_letters`) decides when a message is shown whole."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from services.gateway.domain.policy import CUSTOMER_FIELDS
from services.gateway.domain.redaction import NOT_PERSONAL
from services.gateway.domain.roles import FieldGroup
from shared.dead_letters import Parked

# What a message says about itself rather than about a customer.
ENVELOPE_KEYS = frozenset(
    {"type", "message_id", "correlation_id", "causation_id", "occurred_at", "actor"}
)
# The keys by which a message names the customers it concerns.
CUSTOMER_KEYS = ("customer_id", "master_id", "source_ids")
# A body's keys by group: a customer's fields, and its custom fields under `extra`.
BODY_GROUPS = {**CUSTOMER_FIELDS, "extra": FieldGroup.CUSTOM_FIELDS}
# The groups of a customer's fields that are personal data.
PERSONAL_GROUPS = frozenset(BODY_GROUPS.values()) - NOT_PERSONAL


def read_of(service: str, parked: Parked) -> dict[str, frozenset[str]]:
    """What showing the message whole reads: customer id (or the message's own subject when it
    names none) -> the personal field groups of its body."""
    try:
        decoded: Any = json.loads(parked.body)
    except ValueError:
        decoded = parked.body
    groups = _groups(decoded)
    named = _customers(decoded) if isinstance(decoded, dict) else []
    subjects = named or [f"dead-letter:{service}:{parked.message_id or 'unknown'}"]
    return {subject: groups for subject in subjects}


def _customers(body: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in CUSTOMER_KEYS:
        value = body.get(key)
        values = value if isinstance(value, list) else [value]
        found += [v for v in values if isinstance(v, str) and v]
    return list(dict.fromkeys(found))


def _groups(body: Any) -> frozenset[str]:
    """The personal groups of the body's keys, at any depth (what is under a customer field's
    key is of its group); every personal group when it also holds text whose group is unknown
    (a key of no customer field, a body that is only text): it was shown whole, so what it may
    hold counts as read."""
    if not isinstance(body, dict):
        return PERSONAL_GROUPS if body else frozenset()
    known: set[str] = set()
    pending: list[Any] = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending += value
            continue
        if not isinstance(value, dict):
            continue
        for key, inner in value.items():
            group = BODY_GROUPS.get(key)
            if group is not None:
                known.add(group)
            elif isinstance(inner, str) and not _ids_only(key):
                return PERSONAL_GROUPS
            elif key not in ENVELOPE_KEYS:
                pending.append(inner)
    return frozenset(known & PERSONAL_GROUPS)


def _ids_only(key: str) -> bool:
    return key in ENVELOPE_KEYS or key in CUSTOMER_KEYS or key.endswith("_id")
