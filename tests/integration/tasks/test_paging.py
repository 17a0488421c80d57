"""Keyset pages of the tasks service against the real database: ties on every sort field but
the last, both directions, filters, and every document exactly once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.tasks.adapters import paging
from shared.mongo import Document

SORT = ("rank", "due", "_id")
# Ties on rank, on (rank, due), none on _id; ids out of order.
DOCS: list[Document] = [
    {"_id": f"t{n}", "rank": rank, "due": due, "who": who}
    for n, (rank, due, who) in enumerate(
        [
            (1, 5, "a"),
            (0, 3, "b"),
            (1, 5, "a"),
            (2, 1, "b"),
            (1, 2, "a"),
            (0, 3, "a"),
            (1, 5, "b"),
            (2, 9, "a"),
            (0, 1, "b"),
            (1, 2, "b"),
            (1, 5, "a"),
        ]
    )
]


@pytest.fixture
async def collection(mongo: AsyncMongoClient[Document]) -> AsyncIterator[Any]:
    name = f"paging_{uuid.uuid4().hex[:8]}"
    await mongo[name]["tasks"].insert_many([dict(d) for d in DOCS])
    yield mongo[name]["tasks"]
    await mongo.drop_database(name)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("filters", [[], [{"who": "a"}], [{"who": "b"}, {"rank": {"$gte": 1}}]])
@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_pages_hold_every_document_once_in_sort_order(
    collection: Any, filters: list[Document], descending: bool, limit: int
) -> None:
    expected = [
        d["_id"]
        async for d in collection.find({"$and": filters} if filters else {}).sort(
            paging.order(SORT, descending=descending)
        )
    ]
    seen: list[str] = []
    cursor = None
    for _ in range(len(DOCS) + 1):
        found, cursor = await paging.page(
            collection, filters, SORT, cursor=cursor, descending=descending, limit=limit
        )
        seen += [d["_id"] for d in found]
        if cursor is None:
            break
    assert seen == expected
