"""Keyset pagination over several sort fields: a page ends at a position the next one starts
after. The position is the last item's sort values, ending on `_id` so equal values keep a
stable order. A cursor is opaque to callers (base64 of JSON); a tampered one is refused as
invalid input naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import field_error
from shared.keyset import in_turn

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

Sort = Sequence[str]


def cursor_of(doc: dict[str, Any], fields: Sort) -> str:
    values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in _values(doc, fields)]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after(cursor: str | None, fields: Sort, *, descending: bool) -> list[dict[str, Any]]:
    """The documents after the cursor's position in `fields` order, as conditions to ask one
    after the other, each for what follows the one before: the ties on every field but the
    last first, the ties on none last. As one query they need a top-level `$or`, which
    SecantusDB answers by reading the whole collection. No cursor: one empty condition."""
    if cursor is None:
        return [{}]
    values = _decode(cursor, len(fields))
    op = "$lt" if descending else "$gt"
    alternatives = []
    for index, field in enumerate(fields):
        equal = {fields[i]: values[i] for i in range(index)}
        alternatives.append(equal | {field: {op: values[index]}})
    return alternatives[::-1]


def order(fields: Sort, *, descending: bool) -> list[tuple[str, int]]:
    return [(field, -1 if descending else 1) for field in fields]


async def page(
    collection: AsyncCollection[Document],
    filters: Sequence[Document],
    fields: Sort,
    *,
    cursor: str | None,
    descending: bool,
    limit: int,
    projection: Document | None = None,
) -> tuple[list[Document], str | None]:
    """The documents that pass every filter, `limit` at most, in `fields` order after the
    cursor's position, and the cursor after the last of them (None: nothing follows)."""
    sort = order(fields, descending=descending)
    positions = after(cursor, fields, descending=descending)
    docs = await in_turn(collection, filters, positions, sort, limit + 1, projection)
    items = docs[:limit]
    return items, cursor_of(items[-1], fields) if len(docs) > limit else None


def _values(doc: dict[str, Any], fields: Sort) -> list[Any]:
    return [doc.get(field) for field in fields]


def _decode(cursor: str, size: int) -> list[Any]:
    refused = field_error("cursor", "not a cursor this service handed out")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as error:
        raise refused from error
    if not isinstance(values, list) or len(values) != size:
        raise refused
    decoded: list[Any] = []
    for value in values:
        if isinstance(value, dict):
            try:
                value = datetime.fromisoformat(value["t"])
            except (KeyError, TypeError, ValueError) as error:
                raise refused from error
        elif not isinstance(value, str | int) or isinstance(value, bool):
            raise refused
        elif isinstance(value, int) and abs(value) >= 2**63:
            # MongoDB takes integers of 8 bytes at most.
            raise refused
        decoded.append(value)
    return decoded
