from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.customer.adapters import paging
from services.customer.domain.errors import InvalidInput


def test_a_cursor_carries_the_position_back() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert paging.decode(paging.encode(at, "x1")) == (at, "x1")
    assert paging.after("created_at", paging.encode(at, "x1"), descending=True) == {
        "$or": [{"created_at": {"$lt": at}}, {"created_at": at, "_id": {"$lt": "x1"}}]
    }


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWEtY3Vyc29y", "WzEsMl0"])
def test_a_cursor_not_handed_out_is_refused_naming_the_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        paging.decode(cursor)
    assert refused.value.errors[0].field == "cursor"
