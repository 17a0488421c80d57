"""Customer rows of a bulk import: CSV columns, the command a row becomes, its message id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import ValidationError

from services.ingest.domain.imports.customer_columns import CUSTOMER_COLUMNS, OPTIONAL_COLUMNS
from services.ingest.domain.imports.files import FileRefused, Row, csv_rows
from services.ingest.domain.imports.row_commands import READINGS
from shared.contracts.customers import ImportCustomer
from shared.contracts.envelope import Actor, ActorType, utc_now
from shared.contracts.imports import ImportJob, ImportKind, ImportStatus

HEADER = (
    "external_id,updated_at,first_name,last_name,emails,phones,tags,"
    "address.line1,address.city,address.country,extra.tier,extra.score"
)
ROW = (
    'C-1,2026-01-05T09:30:00+01:00,Jörg,"Müller, jun.",'
    "joerg@example.de; j.mueller@example.com,030 901820,vip;wholesale,"
    "Hauptstraße 5,Berlin,DE,gold,42"
)
CUSTOMERS = READINGS[ImportKind.CUSTOMERS]


async def chunked(data: bytes, size: int = 5) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(text: str) -> list[Row]:
    return [row async for row in csv_rows(chunked(text.encode()), CUSTOMER_COLUMNS)]


def job(file_format: str = "csv") -> ImportJob:
    now = utc_now()
    return ImportJob(
        id="f" * 32,
        status=ImportStatus.RUNNING,
        format=file_format,
        kind=ImportKind.CUSTOMERS,
        source="old-crm",
        started_by=Actor(type=ActorType.SUPPORTER, id="ida"),
        created_at=now,
        updated_at=now,
    )


def command(values: dict[str, Any], file_format: str = "csv") -> ImportCustomer:
    made = CUSTOMERS.command(values, job(file_format))
    assert isinstance(made, ImportCustomer)
    return made


async def test_a_csv_row_becomes_a_customer_draft() -> None:
    [row] = await read(f"{HEADER}\n{ROW}\n")
    assert row.values is not None
    imported = command(row.values)
    draft = imported.customer
    assert (imported.source, imported.external_id) == ("old-crm", "C-1")
    assert (draft.first_name, draft.last_name) == ("Jörg", "Müller, jun.")
    assert [(e.address, e.primary) for e in draft.emails or ()] == [
        ("joerg@example.de", True),
        ("j.mueller@example.com", False),
    ]
    assert (draft.phones, draft.tags) == (("030 901820",), ("vip", "wholesale"))
    [address] = draft.addresses
    assert (address.line1, address.city, address.country) == ("Hauptstraße 5", "Berlin", "DE")
    # Cells are text: the customer service reads them by each field's type.
    assert draft.extra == {"tier": "gold", "score": "42"}
    assert imported.extra_as_text
    assert imported.correlation_id == "f" * 32
    assert imported.actor == Actor(type=ActorType.SUPPORTER, id="ida")


async def test_an_invalid_cell_is_named_by_its_column() -> None:
    bad = ROW.replace("2026-01-05T09:30:00+01:00", "5.1.2026").replace("Hauptstraße 5", "")
    [row] = await read(f"{HEADER}\n{bad}\n")
    assert row.values is not None
    with pytest.raises(ValidationError) as refused:
        command(row.values)
    assert {row.name_of(e["loc"]) for e in refused.value.errors()} == {
        "updated_at",
        "address.line1",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (HEADER.replace("extra.tier", "extra.Tier"), "extra.Tier"),
        (HEADER.replace("emails", "email"), "email"),
        (HEADER.replace("external_id,", ""), "external_id"),
        (HEADER + ",tags", "tags"),
    ],
)
async def test_a_header_the_customer_import_cannot_take_refuses_the_file(
    header: str, field: str
) -> None:
    with pytest.raises(FileRefused) as refused:
        await read(f"{header}\n{ROW}\n")
    assert refused.value.error.field == field


def test_an_ndjson_row_is_typed_json_and_takes_nothing_else() -> None:
    row = {
        "external_id": "C-2",
        "updated_at": "2026-01-05T09:30:00Z",
        "customer": {"last_name": "Nowak", "extra": {"score": 42}},
    }
    imported = command(row, "ndjson")
    assert imported.customer.extra == {"score": 42}
    assert not imported.extra_as_text
    with pytest.raises(ValidationError) as refused:
        command({**row, "actor": {"type": "supporter", "id": "someone-else"}}, "ndjson")
    assert [e["loc"] for e in refused.value.errors()] == [("actor",)]


def test_the_same_row_is_the_same_message_and_a_corrected_row_a_new_one() -> None:
    row = {
        "external_id": "C-3",
        "updated_at": "2026-01-05T09:30:00+01:00",
        "customer": {"last_name": "Nowak"},
    }
    first = command(row)
    assert command(dict(row)).message_id == first.message_id
    corrected = command({**row, "customer": {"last_name": "Nowakowska"}})
    assert corrected.message_id != first.message_id
    later = command({**row, "updated_at": "2026-01-06T09:30:00+01:00"})
    assert later.message_id != first.message_id


def test_the_documented_columns_are_the_columns() -> None:
    """The module docstring lists them for sellers; the contract decides them."""
    address = ("first_name", "last_name", "company", "line1", "line2", "postal_code", "city")
    assert set(OPTIONAL_COLUMNS) == {
        *("title", "first_name", "last_name", "company", "gender", "birthday", "language"),
        *("company_id", "emails", "phones", "tags"),
        *(f"address.{name}" for name in (*address, "region", "country", "phone")),
    }
