"""Events this service keeps in its outbox (`outbox` collection), as far as erasure is concerned.

The outbox (shared.outbox) keeps sent events a week for diagnosis. Consent's events carry
addresses, IP addresses and sealed confirmation links, so on erasure they go, the unsent ones
too: the person is gone, and nothing about them is to be sent any more.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session


class MongoStoredEvents:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None:
        # Every event consent publishes names its customer as `customer_id`.
        await self._collection.delete_many(
            {"body.customer_id": {"$in": list(customer_ids)}}, session=session
        )
