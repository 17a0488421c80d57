"""Reading uploaded files row by row, whatever the chunking."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from services.ingest.domain.imports.files import (
    FileRefused,
    Row,
    csv_rows,
    media_format,
    ndjson_rows,
)
from services.ingest.domain.imports.order_columns import ORDER_COLUMNS

HEADER = (
    "channel,shop,order_id,order_number,placed_at,updated_at,status,currency,total,line_count,"
    "buyer.email,buyer.first_name,billing_address.line1,billing_address.city,"
    "billing_address.country_code,marketing.email.state,marketing.email.reported_level"
)
ROW = (
    "own_store,berlin,A-1,1001,2026-01-02T10:00:00+01:00,2026-01-02T10:00:00+01:00,"
    'processing,EUR,19.90,1,anna@example.com,"Anna ""Änni""","Hauptstraße 5\nHinterhof",'
    "Berlin,DE,single_opt_in,newsletter box"
)


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read_csv(text: str, size: int = 7) -> list[Row]:
    return [row async for row in csv_rows(chunked(text.encode(), size), ORDER_COLUMNS)]


@pytest.mark.parametrize("size", [1, 3, 64, 10_000])
async def test_csv_rows_unflatten_columns_whatever_the_chunks(size: int) -> None:
    [row] = await read_csv(f"\ufeff{HEADER}\r\n{ROW}\r\n", size)
    assert row.line == 2
    assert row.values is not None
    assert row.values["buyer"] == {"email": "anna@example.com", "first_name": 'Anna "Änni"'}
    assert row.values["billing_address"]["line1"] == "Hauptstraße 5\nHinterhof"
    assert row.values["marketing"] == [
        {"purpose": "email", "state": "single_opt_in", "reported_level": "newsletter box"}
    ]
    assert row.name_of(("marketing", 0, "state")) == "marketing.email.state"
    assert row.name_of(("buyer", "email")) == "buyer.email"


async def test_csv_line_numbers_count_lines_of_the_file() -> None:
    rows = await read_csv(f"{HEADER}\n{ROW}\n\n{ROW}\nonly,three,cells\n")
    # The first record spans lines 2-3 (a quoted line break), then a blank line 4.
    assert [r.line for r in rows] == [2, 5, 7]
    assert rows[2].error is not None
    assert rows[2].error.field == "row"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (HEADER.replace("buyer.email", "buyer.emial"), "buyer.emial"),
        (HEADER.replace("currency,", ""), "currency"),
        (HEADER + ",buyer.email", "buyer.email"),
        ("", "header"),
    ],
)
async def test_a_bad_header_refuses_the_file_naming_the_column(header: str, field: str) -> None:
    with pytest.raises(FileRefused) as refused:
        await read_csv(f"{header}\n{ROW}\n" if header else "")
    assert refused.value.error.field == field


async def test_ndjson_rows_and_their_errors() -> None:
    lines = [json.dumps({"order_id": "1"}), "", "{broken", "[1]", json.dumps({"order_id": "ü"})]
    rows = [r async for r in ndjson_rows(chunked("\n".join(lines).encode(), 5))]
    assert [(r.line, r.values is not None) for r in rows] == [
        (1, True),
        (3, False),
        (4, False),
        (5, True),
    ]
    assert rows[3].values == {"order_id": "ü"}


async def test_text_that_is_not_utf8_refuses_the_file() -> None:
    with pytest.raises(FileRefused) as refused:
        _ = [r async for r in ndjson_rows(chunked(b'{"a": 1}\n\xff\xfe\n', 4))]
    assert refused.value.line == 2


def test_the_content_type_decides_the_format() -> None:
    assert media_format("text/csv; charset=utf-8") == "csv"
    assert media_format("application/x-ndjson") == "ndjson"
    assert media_format("application/json") is None
    assert media_format(None) is None


async def test_a_bare_carriage_return_in_a_csv_cell_is_refused_not_a_crash() -> None:
    """`a\rb,c` is no CSV record (Python's csv module raises on it): the header refuses the
    file, a later record only its row."""
    with pytest.raises(FileRefused) as refused:
        await read_csv("a\rb,c\n")
    assert (refused.value.line, refused.value.error.field) == (1, "header")
    rows = await read_csv(f"{HEADER}\nbroken\rcell,x\n{ROW}\n")
    assert [(r.line, r.error.field if r.error else None) for r in rows] == [(2, "row"), (3, None)]


async def test_an_ndjson_row_nested_too_deeply_is_refused_before_parsing() -> None:
    deep = "[" * 10_000 + "]" * 10_000
    good = json.dumps({"order_id": "A-1", "buyer": {"email": "a@example.com"}})
    text = f"{deep}\n{good}\n"
    rows = [row async for row in ndjson_rows(chunked(text.encode(), 4096), max_depth=8)]
    assert rows[0].error is not None
    assert (rows[0].line, rows[0].error.message) == (1, "nested deeper than 8 levels")
    assert rows[1].values == json.loads(good)
