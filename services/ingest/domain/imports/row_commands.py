"""What a row of each kind of import becomes: the command published for it.

An order row becomes its buyer's upsert command, exactly like a single order; a customer record
(of the other system the caller named as `source`) becomes `customer.import.v1`. Both message
ids come from the row's content, so uploading a file again sends the same messages for the same
rows and the consumers skip what they applied already, while a corrected row is a new message.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.ingest.domain.imports.customer_columns import CUSTOMER_COLUMNS
from services.ingest.domain.imports.files import CSV, CsvLayout
from services.ingest.domain.imports.order_columns import ORDER_COLUMNS
from services.ingest.domain.integrations import refuse_other_shop
from services.ingest.domain.orders import channel_actor, upsert_command
from shared.contracts.customers import CustomerDraft, ImportCustomer
from shared.contracts.envelope import Command
from shared.contracts.imports import ImportJob, ImportKind
from shared.contracts.orders import CanonicalOrder

# Fixed namespace of customer record message ids; changing it would make every row look new.
_CUSTOMER_RECORD_NAMESPACE = uuid.UUID("0d5e8c3a-71b4-4f69-a2e7-5c9b14f8d620")


class CustomerRecord(BaseModel):
    """A customer record of another system as an NDJSON row carries it (CSV cells are
    unflattened into the same shape)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    external_id: Annotated[str, Field(min_length=1, max_length=100)]
    updated_at: AwareDatetime
    customer: CustomerDraft = Field(default_factory=CustomerDraft)


@dataclass(frozen=True)
class RowReading:
    """How rows of one kind are read: their CSV columns, and the command a row's values make
    (raising pydantic's ValidationError, whose locations the row names by its own columns, or
    ForeignOrder for a row that is not the importing key's shop's)."""

    layout: CsvLayout
    command: Callable[[dict[str, Any], ImportJob], Command]


def order_command(values: dict[str, Any], job: ImportJob) -> Command:
    order = CanonicalOrder.model_validate(values)
    if job.shop is not None:
        refuse_other_shop(job.shop, order)
    return upsert_command(order, actor=channel_actor(order), correlation_id=job.id)


def customer_record_command(values: dict[str, Any], job: ImportJob) -> Command:
    assert job.source is not None, "an import of customer records names their source"
    row = CustomerRecord.model_validate(values)
    command = ImportCustomer(
        source=job.source,
        external_id=row.external_id,
        updated_at=row.updated_at,
        customer=row.customer,
        extra_as_text=job.format == CSV,
        actor=job.started_by,
        correlation_id=job.id,
    )
    return command.with_id(customer_record_message_id(command))


def customer_record_message_id(command: ImportCustomer) -> str:
    updated = command.updated_at.astimezone(UTC).isoformat(timespec="microseconds")
    content = hashlib.sha256(
        command.customer.model_dump_json().encode() + bytes([command.extra_as_text])
    ).hexdigest()
    name = "\x1f".join((command.source, command.external_id, updated, content))
    return uuid.uuid5(_CUSTOMER_RECORD_NAMESPACE, name).hex


READINGS: dict[ImportKind, RowReading] = {
    ImportKind.ORDERS: RowReading(ORDER_COLUMNS, order_command),
    ImportKind.CUSTOMERS: RowReading(CUSTOMER_COLUMNS, customer_record_command),
}
