"""Which events' mails went out, keyed by the event's id: the mailer's own inbox.

Not `shared.inbox` as it is: there the record is written in the transaction of the change, and
an SMTP send cannot join a transaction. So an event is first claimed (`sending`, with a lease),
then marked `sent` once the server accepted the mail; copies of the event delivered meanwhile
find the claim and come back later, when they find `sent` and send nothing. A claim whose
holder died (its lease ran out) is taken over; one whose send failed is let go at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pymongo.errors import DuplicateKeyError, PyMongoError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.mailer.use_cases.ports import MailBeingSent
from shared.contracts.envelope import Message
from shared.inbox import KEEP_PROCESSED_FOR

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

SENDING, SENT = "sending", "sent"


class MongoSentMails:
    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._mails = collection
        self._lease = lease
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self._mails.create_index(
            "claimed_at", expireAfterSeconds=int(KEEP_PROCESSED_FOR.total_seconds())
        )

    async def claim(self, event: Message) -> bool:
        now = self._clock()
        claim = {"state": SENDING, "type": event.type, "claimed_at": now}
        try:
            await self._mails.insert_one(
                {"_id": event.message_id, **claim, "lease_until": now + self._lease}
            )
            return True
        except DuplicateKeyError:
            pass
        taken_over = await self._mails.update_one(
            {"_id": event.message_id, "state": SENDING, "lease_until": {"$lt": now}},
            {"$set": claim | {"lease_until": now + self._lease}},
        )
        if taken_over.matched_count == 1:
            return True
        earlier = await self._mails.find_one({"_id": event.message_id}, {"state": 1})
        if earlier is not None and earlier.get("state") == SENT:
            return False
        raise MailBeingSent(f"the mail of {event.message_id} is being sent by another delivery")

    async def release(self, event: Message) -> None:
        await self._mails.delete_one({"_id": event.message_id, "state": SENDING})

    async def record(self, event: Message) -> None:
        # The mail is out: losing this record would send it again, so a passing database
        # failure is waited out here rather than left to the event's redelivery.
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(8),
            wait=wait_exponential(multiplier=0.25, max=5),
            retry=retry_if_exception_type(PyMongoError),
            reraise=True,
        ):
            with attempt:
                await self._mails.update_one(
                    {"_id": event.message_id},
                    {"$set": {"state": SENT, "sent_at": self._clock()}},
                )
