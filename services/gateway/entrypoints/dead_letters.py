"""Dead-lettered messages: what the services parked, with the reason; replayed one by one once
the cause is fixed. For those who manage access (as the integrations' parked orders are)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import Authenticated, Viewer, allowed
from services.gateway.use_cases.dead_letters import MAX_LISTED, DeadLetters
from shared.contracts.dead_letters import ParkedMessage, ParkedMessageList, Replayed

router = APIRouter(
    prefix="/v1/dead-letters",
    tags=["dead letters"],
    dependencies=[allowed(action=Action.MANAGE_ACCESS)],
)
Service = Annotated[str, Path(pattern=r"^[a-z]{2,40}$")]
MessageId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")]


async def _dead_letters(request: Request) -> DeadLetters:
    dead_letters: DeadLetters = request.app.state.dead_letters
    return dead_letters


DeadLettersDep = Annotated[DeadLetters, Depends(_dead_letters)]


@router.get("/{service}")
async def list_parked(
    service: Service,
    caller: Authenticated,
    dead_letters: DeadLettersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
    correlation_id: Annotated[str | None, Query(max_length=100)] = None,
) -> ParkedMessageList:
    """The service's parked messages (they stay parked), oldest first, of one flow if
    `correlation_id` is given (an import's rows: its id); bodies cut to their envelope unless
    the caller's roles read every field group, reasons redacted (a message read whole shows
    its reason whole)."""
    return await dead_letters.list(caller, service, limit, correlation_id)


@router.get("/{service}/{message_id}")
async def get_parked(
    service: Service,
    message_id: MessageId,
    caller: Authenticated,
    dead_letters: DeadLettersDep,
    viewer: Viewer,
) -> ParkedMessage:
    """The message with its whole reason to roles that read every field group, on the access
    log against the customers it names (or against itself when it names none); to others its
    envelope and the reason redacted."""
    return await dead_letters.get(caller, service, message_id, viewer)


@router.post("/{service}/{message_id}/replay")
async def replay_parked(
    service: Service, message_id: MessageId, caller: Authenticated, dead_letters: DeadLettersDep
) -> Replayed:
    """Send the message back to its service's work queue, attempts counted anew; 404 when it
    is no longer parked (replayed already)."""
    return await dead_letters.replay(caller, service, message_id)
