"""Cursors of the tasks service: opaque positions; a tampered one is refused naming `cursor`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from services.tasks.adapters.paging import after, cursor_of
from shared.errors import InvalidInput

SORT = ("priority_rank", "due_sort", "_id")
DUE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def forged(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def test_a_page_starts_after_the_last_position_of_the_one_before() -> None:
    cursor = cursor_of({"_id": "t7", "priority_rank": 1, "due_sort": DUE}, SORT)
    # In sort order: the ties on the first two fields, then on the first, then on none.
    assert after(cursor, SORT, descending=False) == [
        {"priority_rank": 1, "due_sort": DUE, "_id": {"$gt": "t7"}},
        {"priority_rank": 1, "due_sort": {"$gt": DUE}},
        {"priority_rank": {"$gt": 1}},
    ]
    assert after(None, SORT, descending=True) == [{}]
    assert "$lt" in str(after(cursor, SORT, descending=True))


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        forged([1, "t7"]),
        forged([1, {"t": "yesterday"}, "t7"]),
        forged([True, {"t": DUE.isoformat()}, "t7"]),
        forged([2**70, {"t": DUE.isoformat()}, "t7"]),
        forged({"priority_rank": 1}),
    ],
)
def test_a_tampered_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        after(cursor, SORT, descending=False)
    assert refused.value.errors[0].field == "cursor"
