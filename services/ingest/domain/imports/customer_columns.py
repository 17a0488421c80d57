"""Columns of a CSV file of customer records (`POST /v1/imports?kind=customers&source=<slug>`).

Each record is one customer of the source system (another CRM, a shop system); it becomes a
`customer.import.v1` command, found again by its external id within the source:

    external_id    required: the record's id in the source system
    updated_at     required: when the source last changed the record (ISO 8601 with offset);
                   an older state never overwrites a newer one
    title, first_name, last_name, company, gender, birthday (YYYY-MM-DD), language (de, en-GB),
    company_id     the profile fields of `POST /v1/customers`
    emails         addresses separated by ";" (the first one is the primary address)
    phones         numbers separated by ";"
    tags           tags separated by ";"
    address.first_name, address.last_name, address.company, address.line1, address.line2,
    address.postal_code, address.city, address.region, address.country, address.phone
                   one postal address (line1, city and country make an address)
    extra.<key>    the value of the custom field <key>, as text: the customer service reads it by
                   the field's type (`42`, `true`, `2026-01-31`) and checks it like any edit

";" cannot be part of an email address (unless quoted), a phone number or a tag. An empty cell
is an absent value. NDJSON rows carry the same as JSON: `{"external_id": ..., "updated_at": ...,
"customer": {...}}` with the customer as `POST /v1/customers` takes it (custom field values
typed as JSON).
"""

from __future__ import annotations

import re
from typing import Any

from services.ingest.domain.imports.files import Row, checked_columns, filled, nest
from shared.contracts.customer_details import AddressInput
from shared.contracts.customers import CustomerPatch

REQUIRED_COLUMNS = ("external_id", "updated_at")
LIST_COLUMNS = ("emails", "phones", "tags")
# The rest of the profile a person enters, one value each; named as the contract names them.
PROFILE_COLUMNS = tuple(
    name for name in CustomerPatch.model_fields if name not in (*LIST_COLUMNS, "extra")
)
ADDRESS_FIELDS = tuple(AddressInput.model_fields)
OPTIONAL_COLUMNS = (
    *PROFILE_COLUMNS,
    *LIST_COLUMNS,
    *(f"address.{name}" for name in ADDRESS_FIELDS),
)
LIST_SEPARATOR = ";"
# The custom field keys of the customer contract: a column for another key refuses the file.
_EXTRA_COLUMN = re.compile(r"^extra\.[a-z][a-z0-9_]{1,39}$")
_KNOWN = frozenset({*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS})


class CustomerColumns:
    def checked_header(self, cells: list[str]) -> tuple[str, ...]:
        return checked_columns(cells, required=REQUIRED_COLUMNS, known=_known, kind="customer")

    def unflattened(self, line: int, header: tuple[str, ...], cells: list[str]) -> Row:
        values: dict[str, Any] = {"customer": {}}
        names: dict[str, str] = {}
        for column, value in filled(header, cells):
            if column in REQUIRED_COLUMNS:
                values[column] = value
            elif column in LIST_COLUMNS:
                values["customer"][column] = _listed(column, value)
                names[f"customer.{column}"] = column
            elif column.startswith("address."):
                _first_address(values)[column.removeprefix("address.")] = value
                # Every part, so that a missing one (an empty line1) is named by its column.
                names["customer.addresses.0"] = "address"
                names |= {f"customer.addresses.0.{f}": f"address.{f}" for f in ADDRESS_FIELDS}
            else:
                nest(values, f"customer.{column}", value)
                names[f"customer.{column}"] = column
        return Row(line, values, names=names)


def _listed(column: str, cell: str) -> list[Any]:
    items = [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]
    if column == "emails":
        return [{"address": address, "primary": n == 0} for n, address in enumerate(items)]
    return items


def _first_address(values: dict[str, Any]) -> dict[str, Any]:
    addresses: list[dict[str, Any]] = values["customer"].setdefault("addresses", [{}])
    return addresses[0]


def _known(column: str) -> bool:
    return column in _KNOWN or bool(_EXTRA_COLUMN.match(column))


CUSTOMER_COLUMNS = CustomerColumns()
