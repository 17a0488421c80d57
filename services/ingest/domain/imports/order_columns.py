"""The CSV columns of an order import: the canonical order's fields, flattened.

Dotted names stand for nested fields (`buyer.email`, `billing_address.country_code`); marketing
consent is `marketing.<purpose>.state|decided_at|reported_level`. NDJSON rows need no layout:
each is a canonical order as `POST /v1/orders` takes it.
"""

from __future__ import annotations

from typing import Any

from services.ingest.domain.imports.files import Row, checked_columns, filled, nest

_ADDRESS = (
    "first_name",
    "last_name",
    "company",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country_code",
    "phone",
)
REQUIRED_COLUMNS = (
    "channel",
    "shop",
    "order_id",
    "order_number",
    "placed_at",
    "updated_at",
    "status",
    "currency",
    "total",
    "line_count",
)
OPTIONAL_COLUMNS = (
    *(
        f"buyer.{name}"
        for name in (
            "channel_customer_id",
            "email",
            "phone",
            "first_name",
            "last_name",
            "company",
            "language",
        )
    ),
    *(f"billing_address.{name}" for name in _ADDRESS),
    *(f"shipping_address.{name}" for name in _ADDRESS),
)
MARKETING_FIELDS = ("state", "decided_at", "reported_level")
_KNOWN = frozenset({*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS})


class OrderColumns:
    def checked_header(self, cells: list[str]) -> tuple[str, ...]:
        return checked_columns(cells, required=REQUIRED_COLUMNS, known=_known, kind="order")

    def unflattened(self, line: int, header: tuple[str, ...], cells: list[str]) -> Row:
        values: dict[str, Any] = {"buyer": {}}
        marketing: dict[str, dict[str, str]] = {}
        for column, value in filled(header, cells):
            if column.startswith("marketing."):
                purpose, _, part = column.removeprefix("marketing.").rpartition(".")
                marketing.setdefault(purpose, {"purpose": purpose})[part] = value
                continue
            nest(values, column, value)
        names: dict[str, str] = {}
        for index, purpose in enumerate(marketing):
            names[f"marketing.{index}"] = f"marketing.{purpose}.state"
            for part in (*MARKETING_FIELDS, "purpose"):
                names[f"marketing.{index}.{part}"] = f"marketing.{purpose}.{part}"
        if marketing:
            values["marketing"] = list(marketing.values())
        return Row(line, values, names=names)


def _known(column: str) -> bool:
    purpose, _, part = column.removeprefix("marketing.").rpartition(".")
    is_marketing = column.startswith("marketing.") and bool(purpose) and part in MARKETING_FIELDS
    return column in _KNOWN or is_marketing


ORDER_COLUMNS = OrderColumns()
