"""Keyset pages without `$or`: the documents after a cursor's position are asked for as
alternatives in sort order (the ties first, then what lies beyond), one query each, until the
page is full. As one query they need a top-level `$or`, which SecantusDB answers by reading
the whole collection (see `shared.mongo.all_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.mongo import all_of

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document


async def in_turn(
    collection: AsyncCollection[Document],
    filters: Sequence[Document],
    positions: Sequence[Document],
    sort: list[tuple[str, int]],
    wanted: int,
    projection: Document | None = None,
) -> list[Document]:
    """Up to `wanted` documents passing every filter, from each position's alternative in
    turn, each sorted by `sort`."""
    found: list[Document] = []
    for position in positions:
        if len(found) >= wanted:
            break
        cursor = (
            collection.find(all_of(*filters, position), projection)
            .sort(sort)
            .limit(wanted - len(found))
        )
        found += [doc async for doc in cursor]
    return found
