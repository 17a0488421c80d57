"""Sending a command from an HTTP request: whose it is, and how a retry stays one change.

A client may send `Idempotency-Key`: the same key from the same caller for the same kind of
command gives the same message id, so a request retried after a timeout changes nothing twice
and is answered like the first one.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import Header

from shared.contracts.envelope import Actor, Command
from shared.contracts.replies import ProblemError, invalid

_KEYS = uuid.UUID("9a3c1f0e-5b7d-4e2a-8c61-0f4b2d9e7a15")
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=8, max_length=100, pattern=r"^[\x21-\x7e]+$"),
]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=30)]


def command(
    kind: type[Command], caller: Actor, idempotency_key: str | None, **fields: Any
) -> Command:
    if idempotency_key is not None:
        scope = f"{kind.type_name()}\x1f{caller.type.value}:{caller.id}\x1f{idempotency_key}"
        fields["message_id"] = uuid.uuid5(_KEYS, scope).hex
    return kind(actor=caller, **fields)


def expected_version(if_match: str | None) -> int | None:
    """`If-Match: "3"` (the record's version, as an ETag) -> 3."""
    if if_match is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
    if match is None:
        raise ProblemError(invalid('If-Match must be the version of the record, e.g. "3"'))
    return int(match.group(1))
