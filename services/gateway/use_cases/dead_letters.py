"""Dead-lettered messages for those who manage access: listed and inspected without being
taken from their parking queue, and replayed (sent back to their service) once the cause is
fixed. The API's `/v1/dead-letters` and the console's admin screen both use this.

A message body holds personal data (a customer's name, an address): it is shown in full only
to roles that read every field group; to others, only its envelope (type, ids, actor, time).

A reason (the consumer's exception text) may quote the data too (a validation error names the
email it refused): a list shows every reason redacted by the logs' own redaction
(`shared.logs.redact_text`), and the whole reason is shown only with the whole message, when a
reader of every field group inspects it.

Inspecting a message whose body is shown whole is a read of personal data, on the access log like
any other, before it is answered; what it reads, and against whom, is
`domain.dead_letter_reads.read_of`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from services.gateway.domain.dead_letter_reads import ENVELOPE_KEYS, read_of
from services.gateway.domain.roles import Action, FieldGroup
from services.gateway.use_cases.access import Caller
from shared.contracts.dead_letters import ParkedMessage, ParkedMessageList, Replayed
from shared.contracts.replies import FieldError
from shared.dead_letters import Parked
from shared.errors import InvalidInput, NotFound
from shared.logs import redact_text

HIDDEN = "(hidden: your roles do not read every field group)"
MAX_LISTED = 200


class ReadsLog(Protocol):
    """Where a read of personal data is recorded (the gateway's `Visibility`)."""

    async def record_reads(self, reads: Mapping[str, Iterable[str]]) -> None: ...


class ParkingQueues(Protocol):
    def services(self) -> tuple[str, ...]: ...
    async def parked(
        self,
        service: str,
        *,
        limit: int,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> list[Parked]: ...
    async def replay(self, service: str, message_id: str) -> bool: ...


@dataclass
class DeadLetters:
    queues: ParkingQueues

    def services(self) -> tuple[str, ...]:
        return self.queues.services()

    async def list(
        self, caller: Caller, service: str, limit: int = 50, correlation_id: str | None = None
    ) -> ParkedMessageList:
        """Of one flow only, if `correlation_id` (an import's rows: its job id)."""
        caller.grants.require(Action.MANAGE_ACCESS)
        limit = max(1, min(limit, MAX_LISTED))
        parked = await self.queues.parked(
            self._known(service), limit=limit, correlation_id=correlation_id
        )
        # A list is no read of personal data: its reasons are redacted for every caller.
        items = tuple(
            _shown(caller, service, p).model_copy(update={"reason": _redacted_reason(p.reason)})
            for p in parked
        )
        return ParkedMessageList(service=service, items=items, limit=limit)

    async def get(
        self, caller: Caller, service: str, message_id: str, log: ReadsLog
    ) -> ParkedMessage:
        """The message, recorded on the access log (before it is returned) when shown whole."""
        caller.grants.require(Action.MANAGE_ACCESS)
        found = await self.queues.parked(self._known(service), limit=1, message_id=message_id)
        if not found:
            raise NotFound("Parked message", f"no parked message {message_id} of {service}")
        shown = _shown(caller, service, found[0])
        if shown.redacted:
            return shown.model_copy(update={"reason": _redacted_reason(shown.reason)})
        await log.record_reads(read_of(service, found[0]))
        return shown

    async def replay(self, caller: Caller, service: str, message_id: str) -> Replayed:
        caller.grants.require(Action.MANAGE_ACCESS)
        if not await self.queues.replay(self._known(service), message_id):
            raise NotFound("Parked message", f"no parked message {message_id} of {service}")
        return Replayed(service=service, message_id=message_id)

    def _known(self, service: str) -> str:
        if service not in self.queues.services():
            known = ", ".join(self.queues.services())
            raise InvalidInput([FieldError(field="service", message=f"one of {known}")])
        return service


def reads_everything(caller: Caller) -> bool:
    return all(caller.grants.reads_group(g) for g in FieldGroup)


def _envelope(key: str, value: Any) -> Any:
    return value if key in ENVELOPE_KEYS else HIDDEN


def _shown(caller: Caller, service: str, parked: Parked) -> ParkedMessage:
    body: dict[str, Any] | str
    try:
        decoded = json.loads(parked.body)
    except ValueError:
        decoded = None
    whole = reads_everything(caller)
    if isinstance(decoded, dict):
        body = decoded if whole else {k: _envelope(k, v) for k, v in decoded.items()}
        redacted = not whole and any(k not in ENVELOPE_KEYS for k in decoded)
    else:
        body, redacted = (parked.body, False) if whole else (HIDDEN, True)
    return ParkedMessage(
        service=service,
        message_id=parked.message_id,
        correlation_id=parked.correlation_id,
        message_type=parked.message_type,
        reason=parked.reason,
        body=body,
        redacted=redacted,
    )


def _redacted_reason(reason: str | None) -> str | None:
    return None if reason is None else redact_text(reason)
