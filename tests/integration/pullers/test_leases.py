"""One active poller per integration when several replicas run: the lease in the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pymongo import AsyncMongoClient

from services.pullers.adapters.integration_store import MongoIntegrationStore
from shared.contracts.envelope import utc_now
from shared.mongo import Document
from tests.conftest import Namespace


async def test_one_replica_holds_an_integration_until_its_lease_expires(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    db = mongo[namespace.database("pullers")]
    try:
        replicas = [MongoIntegrationStore(db) for _ in range(4)]
        await asyncio.gather(*(r.ensure(["amazon-de"]) for r in replicas))
        now = utc_now()
        until = now + timedelta(minutes=2)
        claims = await asyncio.gather(
            *(
                r.claim("amazon-de", owner=f"replica-{i}", now=now, until=until)
                for i, r in enumerate(replicas)
            )
        )
        assert claims.count(True) == 1
        holder = f"replica-{claims.index(True)}"
        other = next(f"replica-{i}" for i, won in enumerate(claims) if not won)
        store = replicas[0]

        # Only the holder moves the watermark; the holder renews.
        assert not await store.advance("amazon-de", owner=other, watermark=now, handed_over=1)
        assert await store.advance("amazon-de", owner=holder, watermark=now, handed_over=3)
        assert await store.claim("amazon-de", owner=holder, now=now, until=until)

        # A holder that stopped answering loses the integration once the lease expired.
        later = until + timedelta(seconds=1)
        assert await store.claim("amazon-de", owner=other, now=later, until=later + timedelta(1))
        assert not await store.advance("amazon-de", owner=holder, watermark=later, handed_over=1)

        # A released lease is free at once.
        await store.release("amazon-de", owner=other)
        assert await store.claim("amazon-de", owner=holder, now=now, until=until)
        assert await store.watermark("amazon-de") == now.replace(
            microsecond=now.microsecond // 1000 * 1000
        )
    finally:
        await mongo.drop_database(namespace.database("pullers"))
