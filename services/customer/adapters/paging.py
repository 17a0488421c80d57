"""Cursor pagination: a page ends at a (sort value, id) position the next page starts after.

A cursor is opaque to callers (base64 of JSON); a tampered one is refused as invalid input.
Sorting always ends on `_id`, so documents with equal sort values keep a stable order.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import field_error

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document


def encode(value: Any, last_id: str) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, last_id = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, TypeError) as error:
        raise field_error("cursor", "not a cursor this service handed out") from error
    if not isinstance(last_id, str):
        raise field_error("cursor", "not a cursor this service handed out")
    if isinstance(value, dict) and "t" in value:
        value = datetime.fromisoformat(value["t"])
    return value, last_id


def after(field: str, cursor: str | None, *, descending: bool) -> dict[str, Any]:
    """The filter for documents after the cursor's position in (field, _id) order."""
    if cursor is None:
        return {}
    value, last_id = decode(cursor)
    op = "$lt" if descending else "$gt"
    if field == "_id":
        return {"_id": {op: last_id}}
    return {"$or": [{field: {op: value}}, {field: value, "_id": {op: last_id}}]}


def order(field: str, *, descending: bool) -> list[tuple[str, int]]:
    direction = -1 if descending else 1
    if field == "_id":
        return [("_id", direction)]
    return [(field, direction), ("_id", direction)]


def dig(doc: dict[str, Any], path: str) -> Any:
    """A dotted path's value in a document (None if missing)."""
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def page(
    collection: AsyncCollection[Document],
    query: Document,
    *,
    field: str,
    descending: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[Document], str | None]:
    """One page of documents in (field, _id) order, and the cursor of the next (None: last)."""
    position = after(field, cursor, descending=descending)
    if position:
        query = {"$and": [query, position]}
    found = [
        doc
        async for doc in collection.find(query)
        .sort(order(field, descending=descending))
        .limit(limit + 1)
    ]
    items = found[:limit]
    if len(found) <= limit:
        return items, None
    last = items[-1]
    return items, encode(None if field == "_id" else dig(last, field), last["_id"])
