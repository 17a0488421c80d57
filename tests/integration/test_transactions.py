"""The transaction runner: a lost race on a unique key runs the body again on fresh data."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError

from shared.mongo import Document, Session, in_transaction
from tests.conftest import Namespace


async def test_a_key_taken_by_insert_many_is_a_lost_race_that_is_run_again(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    claims = mongo[namespace.database("customer")]["claims"]
    await claims.insert_one({"_id": "email:taken@example.com", "owner": "first"})
    runs: list[str | None] = []

    async def claim_unless_taken(session: Session) -> str:
        owner = await claims.find_one({"_id": "email:taken@example.com"}, session=session)
        # The first run acts on a stale read, as a transaction that lost a race does.
        if not runs:
            runs.append(None)
            await claims.insert_many(
                [{"_id": "email:taken@example.com", "owner": "second"}], session=session
            )
            return "second"
        runs.append(owner["owner"] if owner else None)
        return str(owner["owner"]) if owner else "second"

    assert await in_transaction(mongo, claim_unless_taken) == "first"
    assert runs == [None, "first"]


async def test_other_bulk_write_errors_are_not_retried(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    db = mongo[namespace.database("customer")]
    await db.create_collection("strict", validator={"$jsonSchema": {"required": ["owner"]}})
    runs = 0

    async def invalid(session: Session) -> None:
        nonlocal runs
        runs += 1
        await db["strict"].insert_many([{"_id": "x"}], session=session)

    with pytest.raises(BulkWriteError):
        await in_transaction(mongo, invalid)
    assert runs == 1
