"""The caller's own notifications: what reached them when a reminder or deadline of their task
came (newest first), and marking them read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from services.gateway.entrypoints.dependencies import TASKS_ACCESS, Caller, ServicesDep
from shared.contracts import tasks as t
from shared.contracts.envelope import Contract

router = APIRouter(prefix="/v1/notifications", tags=["tasks"], dependencies=[TASKS_ACCESS])

NotificationId = Annotated[str, Field(min_length=1, max_length=100)]


class ReadNotifications(Contract):
    ids: tuple[NotificationId, ...] = Field(min_length=1, max_length=200)


@router.get("")
async def list_notifications(
    caller: Caller,
    services: ServicesDep,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[t.Cursor | None, Query()] = None,
) -> t.NotificationPage:
    """Newest first, with the count of unread ones."""
    query = t.ListNotifications(unread_only=unread_only, limit=limit, cursor=cursor, actor=caller)
    return await services.ask("tasks", query, t.NotificationPage)


@router.post("/read")
async def mark_read(
    body: ReadNotifications, caller: Caller, services: ServicesDep
) -> t.NotificationsMarked:
    """Marks the caller's own notifications among `ids` read; others' are left alone."""
    mark = t.MarkNotificationsRead(notification_ids=body.ids, actor=caller)
    return await services.ask("tasks", mark, t.NotificationsMarked)
