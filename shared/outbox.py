"""Transactional outbox: an event is stored with the change it reports, then published.

A service that changed its store and must tell the others does both or neither: the events are
inserted in the same transaction as the change. The handler publishes them right after the
commit (the fast path); the relay publishes whatever that missed (a crash, a broker outage)
once it is older than `grace_s`. An event may therefore go out twice; consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared import metrics
from shared.broker import publish, publish_body, service_of
from shared.redelivery import describe

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.topology import Topology

log = logging.getLogger(__name__)

KEEP_SENT_FOR = timedelta(days=7)
BATCH = 200
# How often the relay counts the backlog for the metrics (two indexed queries).
OBSERVE_EVERY_S = 5.0


class Outbox:
    def __init__(
        self,
        collection: AsyncCollection[Document],
        broker: RabbitBroker,
        topology: Topology,
        *,
        relay_interval_s: float = 1.0,
        grace_s: float = 5.0,
    ) -> None:
        self._collection = collection
        self._broker = broker
        self._topology = topology
        self._relay_interval_s = relay_interval_s
        self._grace = timedelta(seconds=grace_s)
        self._service = service_of(broker)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("sent_at", 1), ("created_at", 1)])
        await self._collection.create_index(
            "sent_at", name="purge_sent", expireAfterSeconds=int(KEEP_SENT_FOR.total_seconds())
        )

    async def add(self, messages: Sequence[Message], *, session: Session) -> list[Message]:
        """Store the messages with the change; returns them, to hand to `publish_or_defer`."""
        if not messages:
            return []
        now = datetime.now(UTC)
        await self._collection.insert_many(
            [
                {
                    "_id": m.message_id,
                    "type": m.type,
                    "exchange": self._topology.exchange_for(m).name,
                    "correlation_id": m.correlation_id,
                    "body": m.model_dump(mode="json"),
                    "created_at": now,
                    "sent_at": None,
                }
                for m in messages
            ],
            session=session,
        )
        return list(messages)

    async def publish(self, messages: Sequence[Message]) -> int:
        """Publish committed messages now, from memory, and mark them sent (the fast path).

        The publishes go out in order on one channel and their confirms are awaited together:
        one after the other, a batch's events cost a broker round trip each. Only confirmed
        messages are marked sent; the first failure is raised once the rest have settled, and
        the relay publishes what failed.
        """
        outcomes = await asyncio.gather(
            *(publish(self._broker, self._topology, message) for message in messages),
            return_exceptions=True,
        )
        sent = [
            message.message_id
            for message, outcome in zip(messages, outcomes, strict=True)
            if not isinstance(outcome, BaseException)
        ]
        await self._mark_sent(sent)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return len(sent)

    async def publish_or_defer(self, messages: Sequence[Message]) -> None:
        """After a commit: a failure here only delays the messages to the relay."""
        try:
            await self.publish(messages)
        except Exception as error:  # noqa: BLE001 - committed messages are never lost
            log.warning(
                "publishing %d message(s) deferred to the relay: %s",
                len(messages),
                describe(error),
            )

    async def forget_sent(self, customer_id: str, *, session: Session) -> int:
        """Erasure: drop sent messages about this customer, kept only for diagnosis.

        Contracts name a customer as `customer_id`, or in a `customer` or `master` reference,
        so those are the places looked at. Unsent messages stay: they still have to go out.
        """
        result = await self._collection.delete_many(
            {
                "sent_at": {"$ne": None},
                "$or": [
                    {"body.customer_id": customer_id},
                    {"body.customer.customer_id": customer_id},
                    {"body.master.customer_id": customer_id},
                ],
            },
            session=session,
        )
        return result.deleted_count

    async def publish_overdue(self) -> int:
        cutoff = datetime.now(UTC) - self._grace
        return await self._publish_matching({"sent_at": None, "created_at": {"$lt": cutoff}})

    async def relay(self) -> None:
        """Run until cancelled: publish what the fast path missed, and report the backlog."""
        observed_at = 0.0
        while True:
            try:
                sent = await self.publish_overdue()
                if sent:
                    log.info("outbox relay published %d overdue message(s)", sent)
                if time.monotonic() - observed_at >= OBSERVE_EVERY_S:
                    observed_at = time.monotonic()
                    await self.observe_backlog()
            except Exception as error:  # noqa: BLE001 - the relay must outlive a broker outage
                log.warning("outbox relay failed, will try again: %s", describe(error))
            await asyncio.sleep(self._relay_interval_s)

    async def observe_backlog(self) -> None:
        """Set the backlog metrics: unpublished entries, and the age of the oldest."""
        unsent = {"sent_at": None}
        backlog = await self._collection.count_documents(unsent)
        oldest = await self._collection.find_one(
            unsent, {"created_at": 1}, sort=[("created_at", 1)]
        )
        age = 0.0
        if oldest is not None:
            created = oldest["created_at"]
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - created).total_seconds())
        metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(age)

    async def _publish_matching(self, query: dict[str, Any]) -> int:
        sent: list[str] = []
        try:
            cursor = self._collection.find(query).sort("created_at", 1).limit(BATCH)
            async for entry in cursor:
                await publish_body(
                    self._broker,
                    exchange=entry["exchange"],
                    body=entry["body"],
                    message_type=entry["type"],
                    message_id=entry["_id"],
                    correlation_id=entry["correlation_id"],
                )
                sent.append(entry["_id"])
        finally:
            await self._mark_sent(sent)
        return len(sent)

    async def _mark_sent(self, message_ids: list[str]) -> None:
        # One write for the lot: a message published but not marked (a crash in between) is
        # only published again by the relay, which the idempotent consumers shrug off.
        if message_ids:
            await self._collection.update_many(
                {"_id": {"$in": message_ids}}, {"$set": {"sent_at": datetime.now(UTC)}}
            )
