"""Cursor pagination: a page ends at a (sort value, id) position the next page starts after.

A cursor is opaque to callers (base64 of JSON); a tampered one is refused as invalid input.
Sorting always ends on `_id`, so records with equal sort values keep a stable order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from services.customer.domain.errors import field_error

T = TypeVar("T")


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
    """The filter for records after the cursor's position in (field, _id) order."""
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


async def every(
    page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]],
) -> list[T]:
    """All items of a paged listing, page after page (for what must be complete: an export)."""
    found: list[T] = []
    cursor: str | None = None
    while True:
        items, cursor = await page(cursor)
        found += items
        if cursor is None:
            return found
