from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.customer.adapters import paging
from services.customer.domain.errors import InvalidInput


def test_a_cursor_carries_the_position_back() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert paging.decode(paging.encode(at, "x1")) == (at, "x1")
    assert paging.decode(paging.encode("Muller Anna", "x2")) == ("Muller Anna", "x2")


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWEtY3Vyc29y", "WzEsMl0"])
def test_a_cursor_not_handed_out_is_refused_naming_the_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        paging.decode(cursor)
    assert refused.value.errors[0].field == "cursor"
