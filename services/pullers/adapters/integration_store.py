"""The pullers' own database: each integration's lease, watermark and counters, and the
orders ingest refused (parked with their reason and payload, to be replayed).

`integrations`: one document per integration, created once (insert; a taken key means another
replica created it). The lease is claimed with a conditional `update_one` (free, expired, or
already ours) and its `matched_count` says who holds it: never the document an upsert returns,
which SecantusDB does not always return. The watermark is only moved by the lease holder.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.pullers.domain.orders import PulledOrder, Refusal
from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import ParkedOrder
from shared.contracts.integrations import IntegrationState, ParkedOrderView
from shared.contracts.replies import FieldError

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document


class MongoIntegrationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._integrations = db["integrations"]
        self._parked = db["parked_orders"]

    async def ensure(self, names: list[str]) -> None:
        await self._parked.create_index([("integration", ASCENDING), ("parked_at", ASCENDING)])
        for name in names:
            # Another replica may have created it a moment ago.
            with contextlib.suppress(DuplicateKeyError):
                await self._integrations.insert_one(
                    {"_id": name, "orders_pulled": 0, "lease_owner": None, "lease_until": None}
                )

    async def claim(self, name: str, *, owner: str, now: datetime, until: datetime) -> bool:
        result = await self._integrations.update_one(
            {
                "_id": name,
                "$or": [
                    {"lease_owner": None},
                    {"lease_owner": owner},
                    {"lease_until": {"$lt": now}},
                ],
            },
            {"$set": {"lease_owner": owner, "lease_until": until}},
        )
        return result.matched_count == 1

    async def release(self, name: str, *, owner: str) -> None:
        await self._integrations.update_one(
            {"_id": name, "lease_owner": owner},
            {"$set": {"lease_owner": None, "lease_until": None}},
        )

    async def watermark(self, name: str) -> datetime | None:
        doc = await self._integrations.find_one({"_id": name}, {"watermark": 1})
        return doc.get("watermark") if doc else None

    async def advance(
        self, name: str, *, owner: str, watermark: datetime, handed_over: int
    ) -> bool:
        result = await self._integrations.update_one(
            {"_id": name, "lease_owner": owner},
            {"$set": {"watermark": watermark}, "$inc": {"orders_pulled": handed_over}},
        )
        return result.matched_count == 1

    async def record_run(self, name: str, *, at: datetime, error: str | None) -> None:
        fields: Document = {"last_run_at": at}
        if error is None:
            fields |= {"last_success_at": at, "last_error": None, "last_error_at": None}
        else:
            fields |= {"last_error": error[:1000], "last_error_at": at}
        await self._integrations.update_one({"_id": name}, {"$set": fields})

    async def park(self, name: str, order: PulledOrder, refusal: Refusal, *, at: datetime) -> None:
        # One parked entry per order: a later refused state replaces the earlier one.
        await self._parked.update_one(
            {"_id": _parked_id(name, order.order_id)},
            {
                "$set": {
                    "integration": name,
                    "order_id": order.order_id,
                    "updated_at": order.updated_at,
                    "payload": order.payload,
                    "reason": refusal.reason,
                    "errors": [e.model_dump() for e in refusal.errors],
                },
                "$setOnInsert": {"parked_at": at},
                "$inc": {"attempts": 1},
            },
            upsert=True,
        )

    async def unpark(self, name: str, order_id: str) -> None:
        await self._parked.delete_one({"_id": _parked_id(name, order_id)})

    async def parked_ids(self, name: str) -> set[str]:
        cursor = self._parked.find({"integration": name}, {"order_id": 1})
        return {doc["order_id"] async for doc in cursor}

    async def parked(
        self, name: str, *, order_ids: tuple[str, ...] = (), limit: int = 100
    ) -> list[ParkedOrder]:
        query: Document = {"integration": name}
        if order_ids:
            query["order_id"] = {"$in": list(order_ids)}
        cursor = self._parked.find(query).sort("parked_at", ASCENDING).limit(limit)
        return [_parked_order(doc) async for doc in cursor]

    async def state(
        self, integration: IntegrationSettings, *, parked_limit: int
    ) -> IntegrationState:
        doc = await self._integrations.find_one({"_id": integration.name}) or {}
        parked = await self.parked(integration.name, limit=parked_limit)
        return IntegrationState(
            name=integration.name,
            channel=integration.channel,
            shop=integration.shop,
            watermark=doc.get("watermark"),
            last_run_at=doc.get("last_run_at"),
            last_success_at=doc.get("last_success_at"),
            orders_pulled=doc.get("orders_pulled", 0),
            last_error=doc.get("last_error"),
            last_error_at=doc.get("last_error_at"),
            parked_count=await self._parked.count_documents({"integration": integration.name}),
            parked=tuple(p.view for p in parked),
            polled_by=doc.get("lease_owner"),
            lease_until=doc.get("lease_until"),
        )


def _parked_id(name: str, order_id: str) -> str:
    return f"{name}:{order_id}"


def _parked_order(doc: Document) -> ParkedOrder:
    errors: list[Any] = doc.get("errors") or []
    return ParkedOrder(
        order=PulledOrder(
            order_id=doc["order_id"], updated_at=doc.get("updated_at"), payload=doc["payload"]
        ),
        view=ParkedOrderView(
            order_id=doc["order_id"],
            updated_at=doc.get("updated_at"),
            reason=doc["reason"],
            errors=tuple(FieldError.model_validate(e) for e in errors),
            parked_at=doc["parked_at"],
            attempts=doc.get("attempts", 1),
        ),
    )
