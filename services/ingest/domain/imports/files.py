"""Rows of an uploaded file, read as its bytes arrive: NDJSON or CSV.

Nothing here holds more than one record in memory. NDJSON is one JSON object per line. A CSV
file's columns are those of the import's `CsvLayout` (orders: `order_columns`, customer records:
`customer_columns`), which checks the header and turns each record into the row's values. An
empty cell is an absent value. Line numbers are those of the file (the CSV header is line 1),
so a seller finds a failed row in the file they uploaded.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.contracts.replies import FieldError
from shared.json_nesting import nested_deeper_than

NDJSON = "ndjson"
CSV = "csv"
MEDIA_TYPES = {
    "application/x-ndjson": NDJSON,
    "application/ndjson": NDJSON,
    "application/jsonl": NDJSON,
    "application/x-jsonlines": NDJSON,
    "text/csv": CSV,
    "application/csv": CSV,
}
# A longer line is no row but a broken or hostile file.
MAX_LINE_CHARS = 1_000_000
# How deep a row of NDJSON may nest (a canonical order needs 4 levels).
DEFAULT_MAX_DEPTH = 32


class FileRefused(Exception):
    """The file as a whole cannot be imported (its header, its encoding)."""

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(f"line {line}: {field}: {message}")
        self.line = line
        self.error = FieldError(field=field, message=message)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any] | None = None
    # Why the row could not even be read (then `values` is None).
    error: FieldError | None = None
    # path in `values` -> the file's own name for it, where they differ (CSV columns).
    names: Mapping[str, str] = field(default_factory=dict)

    def name_of(self, location: tuple[Any, ...]) -> str:
        parts = [str(p) for p in location]
        for end in range(len(parts), 0, -1):
            if (found := self.names.get(".".join(parts[:end]))) is not None:
                return found
        return ".".join(parts)


class CsvLayout(Protocol):
    """The columns of one kind of CSV import."""

    def checked_header(self, cells: list[str]) -> tuple[str, ...]:
        """The header's column names; raises FileRefused naming a column it cannot take."""
        ...

    def unflattened(self, line: int, header: tuple[str, ...], cells: list[str]) -> Row:
        """The row's values from its cells (one per column of the header)."""
        ...


def media_format(content_type: str | None) -> str | None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return MEDIA_TYPES.get(media)


async def lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[tuple[int, str]]:
    """(line number, text) of UTF-8 bytes as they arrive; a byte order mark is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    buffer, number = "", 0
    try:
        async for chunk in chunks:
            buffer += decoder.decode(chunk)
            *complete, buffer = buffer.split("\n")
            for text in complete:
                number += 1
                yield number, text.removesuffix("\r")
            if len(buffer) > MAX_LINE_CHARS:
                raise FileRefused(number + 1, "row", f"longer than {MAX_LINE_CHARS} characters")
        buffer += decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        line = number + 1 + error.object[: error.start].count(b"\n")
        raise FileRefused(line, "row", f"not UTF-8 text: {error.reason}") from None
    if buffer.strip():
        yield number + 1, buffer.removesuffix("\r")


async def ndjson_rows(
    chunks: AsyncIterable[bytes], max_depth: int = DEFAULT_MAX_DEPTH
) -> AsyncIterator[Row]:
    async for number, text in lines(chunks):
        if not text.strip():
            continue
        if nested_deeper_than(text.encode(), max_depth):
            message = f"nested deeper than {max_depth} levels"
            yield Row(number, error=FieldError(field="row", message=message))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield Row(number, error=FieldError(field="row", message=f"not JSON: {error}"))
            continue
        if not isinstance(value, dict):
            yield Row(number, error=FieldError(field="row", message="must be a JSON object"))
            continue
        yield Row(number, value)


async def csv_rows(chunks: AsyncIterable[bytes], layout: CsvLayout) -> AsyncIterator[Row]:
    header: tuple[str, ...] | None = None
    record: list[str] = []
    start = 0
    async for number, text in lines(chunks):
        if not record:
            start = number
        record.append(text)
        joined = "\n".join(record)
        # An odd number of quotes: a quoted cell goes on in the next line (RFC 4180 doubles
        # quotes inside quoted cells, so the parity tells).
        if joined.count('"') % 2:
            continue
        record = []
        try:
            cells = next(csv.reader([joined]), [])
        except csv.Error as error:
            # A bare carriage return inside an unquoted cell, say: the record cannot be read.
            if header is None:
                raise FileRefused(start, "header", f"not CSV: {error}") from None
            yield Row(start, error=FieldError(field="row", message=f"not CSV: {error}"))
            continue
        if header is None:
            header = layout.checked_header(cells)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            message = f"has {len(cells)} cells where the header has {len(header)} columns"
            yield Row(start, error=FieldError(field="row", message=message))
            continue
        yield layout.unflattened(start, header, cells)
    if record:
        yield Row(start, error=FieldError(field="row", message="a quoted cell is never closed"))
    if header is None:
        raise FileRefused(1, "header", "the file is empty: a CSV import needs a header line")


def checked_columns(
    cells: list[str], *, required: tuple[str, ...], known: Callable[[str], bool], kind: str
) -> tuple[str, ...]:
    """A CSV header: every column `known`, none twice, none of `required` missing."""
    header = tuple(cell.strip() for cell in cells)
    for column in header:
        if not known(column):
            raise FileRefused(1, column or "header", f"is not a column of the {kind} import")
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise FileRefused(1, duplicates[0], "appears more than once in the header")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRefused(1, missing[0], f"required column missing (all of {missing})")
    return header


def filled(header: tuple[str, ...], cells: list[str]) -> Iterator[tuple[str, str]]:
    """(column, value) of each cell of a record that is not empty (empty is absent)."""
    for column, cell in zip(header, cells, strict=True):
        if value := cell.strip():
            yield column, value


def nest(values: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a dotted `path` of `values` (`buyer.email` -> values["buyer"]["email"])."""
    *parents, leaf = path.split(".")
    target = values
    for parent in parents:
        target = target.setdefault(parent, {})
    target[leaf] = value


def rows_of(
    file_format: str,
    chunks: AsyncIterable[bytes],
    layout: CsvLayout,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> AsyncIterator[Row]:
    return csv_rows(chunks, layout) if file_format == CSV else ndjson_rows(chunks, max_depth)
