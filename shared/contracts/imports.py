"""Bulk imports of orders or customers: the job a caller follows, as ingest keeps it and the
gateway shows it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Actor, Contract


class ImportKind(StrEnum):
    """What each row of a file is."""

    # A canonical order: its buyer becomes or updates a customer (`customer.upsert_from_order`).
    ORDERS = "orders"
    # A customer record from another system (`customer.import`).
    CUSTOMERS = "customers"


# A rule across two parameters, which a schema cannot state: said in the document's words, and
# refused as a business rule (422).
IMPORT_SOURCE = (
    "The system the customer records come from: required with kind=customers, and refused "
    "with kind=orders (each order names its channel)."
)


class ImportStatus(StrEnum):
    RUNNING = "running"
    # Every row was read: each one is either accepted (published, confirmed) or failed. An
    # accepted row is the suite's to apply: one the customer service then cannot apply (e.g. a
    # custom field value of the wrong type) is parked there, with this job's id as its
    # correlation id and the field in its reason.
    COMPLETED = "completed"
    # Stopped by the suite (the broker became unavailable): rows after `rows_total` were not read.
    FAILED = "failed"
    # The upload broke off: rows after `rows_total` were not received.
    INTERRUPTED = "interrupted"


class RowError(Contract):
    """Why one row was not imported: its line in the file and the field (column) at fault."""

    line: int = Field(ge=1)
    field: str
    message: str


class ImportJob(Contract):
    id: str
    status: ImportStatus
    format: str
    kind: ImportKind = ImportKind.ORDERS
    # The system customer rows come from (their external ids are unique within it).
    source: str | None = None
    started_by: Actor
    # The shop the key that started the import is bound to: rows of other shops failed.
    shop: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    rows_total: int = 0
    rows_accepted: int = 0
    rows_failed: int = 0
    errors: tuple[RowError, ...] = ()
    # Errors beyond those kept in `errors` are only counted.
    errors_omitted: int = 0
    detail: str | None = None

    @property
    def finished(self) -> bool:
        return self.status is not ImportStatus.RUNNING


class ImportJobList(Contract):
    """Recent imports, newest first."""

    items: tuple[ImportJob, ...]
