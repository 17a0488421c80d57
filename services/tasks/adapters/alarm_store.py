"""Alarms in MongoDB, claimed under a lease so that one instance at a time rings each.

An alarm document moves from `scheduled` to `rang` (its event is in the outbox) or `void` (its
task no longer wanted it). Claiming is one atomic find-and-update on the `(status, due_at)`
index that sets the lease; it never inserts, so it is not exposed to SecantusDB's habit of
returning None from an upserting find-and-update that did write (and should a plain one ever
do so, the lease simply runs out and the alarm is claimed again). Claiming and settling are
writes of their own, outside any transaction: an instance that dies inside its ringing
transaction leaves no lock on the alarm that would hold up the others' claims. Settled alarms
are purged after `KEEP_SETTLED_FOR`: their ids never come back, a task arms new ones under new
ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pymongo import ReturnDocument

from services.tasks.domain.reminders import Alarm, AlarmKind
from services.tasks.use_cases.ports import ClaimedAlarm, Clock, Session

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

SCHEDULED, RANG, VOID = "scheduled", "rang", "void"
NEVER_HELD = datetime(1970, 1, 1, tzinfo=UTC)
KEEP_SETTLED_FOR = timedelta(days=90)


class MongoAlarms:
    def __init__(self, collection: AsyncCollection[Document], clock: Clock) -> None:
        self._collection = collection
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("status", 1), ("due_at", 1)])
        await self._collection.create_index("task_id")
        await self._collection.create_index(
            "settled_at", expireAfterSeconds=int(KEEP_SETTLED_FOR.total_seconds())
        )

    async def arm(
        self, task_id: str, added: Sequence[Alarm], disarmed: Sequence[str], *, session: Session
    ) -> None:
        if disarmed:
            await self._collection.update_many(
                {"_id": {"$in": list(disarmed)}, "status": SCHEDULED},
                {"$set": {"status": VOID, "settled_at": self._clock()}},
                session=session,
            )
        if added:
            await self._collection.insert_many(
                [
                    {
                        "_id": alarm.id,
                        "task_id": task_id,
                        "kind": alarm.kind.value,
                        "due_at": alarm.at,
                        "status": SCHEDULED,
                        "lease_owner": None,
                        "lease_until": NEVER_HELD,
                        "settled_at": None,
                    }
                    for alarm in added
                ],
                session=session,
            )

    async def claim(self, *, owner: str, now: datetime, lease: timedelta) -> ClaimedAlarm | None:
        doc = await self._collection.find_one_and_update(
            {"status": SCHEDULED, "due_at": {"$lte": now}, "lease_until": {"$lte": now}},
            {"$set": {"lease_owner": owner, "lease_until": now + lease}},
            sort=[("due_at", 1)],
            return_document=ReturnDocument.AFTER,
        )
        if doc is None or doc.get("lease_owner") != owner:
            return None
        return ClaimedAlarm(
            alarm=Alarm(id=doc["_id"], kind=AlarmKind(doc["kind"]), at=doc["due_at"]),
            task_id=doc["task_id"],
        )

    async def settle(self, alarm_id: str, *, rang: bool, now: datetime) -> None:
        await self._collection.update_one(
            {"_id": alarm_id, "status": SCHEDULED},
            {"$set": {"status": RANG if rang else VOID, "settled_at": now}},
        )
