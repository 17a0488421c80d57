"""Dead-lettered (parked) messages as the gateway shows them: what a consumer could not
process, why, and what it said (its body cut to the envelope for those whose roles do not read
every field group)."""

from __future__ import annotations

from typing import Any

from shared.contracts.envelope import Contract


class ParkedMessage(Contract):
    service: str
    message_id: str | None
    correlation_id: str | None
    message_type: str | None
    reason: str | None
    # The message as it was parked: a JSON body, or its text when it is none.
    body: dict[str, Any] | str
    # True when parts of the body are hidden from the caller's roles.
    redacted: bool = False


class ParkedMessageList(Contract):
    service: str
    items: tuple[ParkedMessage, ...]
    # At most this many are looked at; more may be parked.
    limit: int


class Replayed(Contract):
    service: str
    message_id: str
