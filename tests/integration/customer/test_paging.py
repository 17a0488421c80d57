"""Cursor pages against the real database: ties in the sort value, both directions, a filter
that names the sort field too, and every document exactly once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.customer.adapters import paging
from shared.mongo import Document

# Sort values with ties (three "b", two None) and a missing one; ids out of order.
DOCS: list[Document] = [
    {"_id": "k7", "name": "b", "n": 1},
    {"_id": "k1", "name": "a", "n": 2},
    {"_id": "k5", "name": "b", "n": 3},
    {"_id": "k3", "name": "c", "n": 1},
    {"_id": "k2", "name": "b", "n": 2},
    {"_id": "k9", "name": None, "n": 3},
    {"_id": "k4", "n": 1},
    {"_id": "k8", "name": "d", "n": 2},
    {"_id": "k6", "name": "a", "n": 3},
]


@pytest.fixture
async def collection(mongo: AsyncMongoClient[Document]) -> Any:
    name = f"paging_{uuid.uuid4().hex[:8]}"
    db = mongo[name]
    await db["people"].insert_many([dict(d) for d in DOCS])
    yield db["people"]
    await mongo.drop_database(name)


async def every_page(
    collection: Any, query: Document, field: str, *, descending: bool
) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        found, cursor = await paging.page(
            collection, query, field=field, descending=descending, cursor=cursor, limit=2
        )
        seen += [d["_id"] for d in found]
        if cursor is None:
            return seen
    raise AssertionError(f"no last page: {seen}")


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("field", ["name", "_id", "n"])
@pytest.mark.parametrize("query", [{}, {"n": {"$in": [1, 3]}}, {"name": "b"}])
async def test_pages_hold_every_document_once_in_sort_order(
    collection: Any, query: Document, field: str, descending: bool
) -> None:
    expected = [
        d["_id"]
        async for d in collection.find(query).sort(paging.order(field, descending=descending))
    ]
    assert await every_page(collection, query, field, descending=descending) == expected
