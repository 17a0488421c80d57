"""The consent service's directory against the real database: several customers at once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient

from services.consent.adapters.directory import MongoDirectory
from shared.contracts.customers import CustomerRef
from shared.mongo import Document
from tests.unit.consent.use_cases.fakes import customer


def ref(customer_id: str, version: int, email: str) -> CustomerRef:
    return customer(customer_id, email, version=version)


@pytest.fixture
async def directory(mongo: AsyncMongoClient[Document]) -> AsyncIterator[MongoDirectory]:
    name = f"directory_{uuid.uuid4().hex[:8]}"
    kept = MongoDirectory(mongo[name])
    await kept.ensure_indexes()
    yield kept
    await mongo.drop_database(name)


async def test_many_customers_are_learnt_in_one_write_newest_version_kept(
    directory: MongoDirectory,
) -> None:
    await directory.apply(ref("ann", 3, "ann3@example.com"))
    await directory.apply_many(
        [
            ref("ann", 2, "ann2@example.com"),  # older than known: changes nothing
            ref("ben", 1, "ben1@example.com"),
            ref("ben", 4, "ben4@example.com"),  # the newest of two in the batch
            ref("cat", 1, "cat1@example.com"),
        ]
    )
    await directory.apply_many([ref("cat", 1, "again@example.com")])  # a repeat: no change
    known = await directory.get_many(["ann", "ben", "cat", "nobody"])
    assert {k: (r.version, r.primary_email) for k, r in known.items()} == {
        "ann": (3, "ann3@example.com"),
        "ben": (4, "ben4@example.com"),
        "cat": (1, "cat1@example.com"),
    }


async def test_masters_follow_merge_chains_for_many_customers_at_once(
    directory: MongoDirectory, mongo: AsyncMongoClient[Document]
) -> None:
    await directory.apply_many([ref(c, 1, f"{c}@example.com") for c in "abcdz"])
    async with mongo.start_session() as session:
        await directory.remember_merge(["a"], "b", session=session)
        await directory.remember_merge(["b", "d"], "c", session=session)
    assert await directory.masters_of(["a", "b", "c", "d", "z", "unknown"]) == {
        "a": "c",
        "b": "c",
        "c": "c",
        "d": "c",
        "z": "z",
        "unknown": "unknown",
    }
