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
from shared.keyset import in_turn

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
    """One page of documents in (field, _id) order, and the cursor of the next (None: last).

    After a cursor, the documents that tie with its sort value come first and the ones beyond
    it after, each asked for on its own: as one query they need a top-level `$or`, which
    SecantusDB answers by reading the whole collection (see `shared.mongo.all_of`)."""
    sort = order(field, descending=descending)
    if cursor is None:
        return _cut(await in_turn(collection, [query], [{}], sort, limit + 1), field, limit)
    value, last_id = decode(cursor)
    op = "$lt" if descending else "$gt"
    # The sort field leads: SecantusDB serves a query from its first condition's index.
    ties = [({} if field == "_id" else {field: value}) | {"_id": {op: last_id}}]
    beyond = [] if field == "_id" else _beyond(field, value, descending=descending)
    found = await in_turn(collection, [query], ties + beyond, sort, limit + 1)
    return _cut(found, field, limit)


def _beyond(field: str, value: Any, *, descending: bool) -> list[Document]:
    """The documents whose sort value lies past `value`, in sort order. A missing value sorts
    as null, before every other, and compares with none (`$gt: null` matches nothing), so the
    documents without a value come last when descending and are passed when ascending."""
    if value is None:
        return [] if descending else [{field: {"$ne": None}}]
    if descending:
        return [{field: {"$lt": value}}, {field: None}]
    return [{field: {"$gt": value}}]


def _cut(found: list[Document], field: str, limit: int) -> tuple[list[Document], str | None]:
    """The page, and the cursor after its last document if there is more."""
    items = found[:limit]
    if len(found) <= limit:
        return items, None
    last = items[-1]
    return items, encode(None if field == "_id" else dig(last, field), last["_id"])
