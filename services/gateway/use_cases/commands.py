"""Sending a command on a caller's behalf: whose it is, and how a retry stays one change.

A client may send an idempotency key: the same key from the same caller for the same kind of
command gives the same message id, so a request retried after a timeout changes nothing twice
(the services skip a message id they applied) and is answered like the first one.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from shared.contracts.envelope import Actor, Command

C = TypeVar("C", bound=Command)
# Fixed namespace of the message ids derived from idempotency keys; changing it would make
# every retried request a new change.
_KEYS = uuid.UUID("9a3c1f0e-5b7d-4e2a-8c61-0f4b2d9e7a15")


def command(kind: type[C], caller: Actor, idempotency_key: str | None, **fields: Any) -> C:
    if idempotency_key is not None:
        scope = f"{kind.type_name()}\x1f{caller.type.value}:{caller.id}\x1f{idempotency_key}"
        fields["message_id"] = uuid.uuid5(_KEYS, scope).hex
    return kind(actor=caller, **fields)
