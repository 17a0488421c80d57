"""Bulk imports: a file of orders or customer records, run as a job the caller can follow.

An import is started (its job written), then every row is validated, published with confirms,
counted and explained. Rows are published through the same intake as single orders, several at
a time (a window of confirms in flight) so that a file is not limited by one broker round trip
per row. Each row's message id is derived from the row (`domain.imports.row_commands`), so
uploading a file again after a failure is safe: rows that were accepted are the same messages
and the consumers skip them.

A key bound to a shop (an integration's) imports for that shop only, as an integration posts
only its own orders: each row of another shop fails, naming `shop`, like any row that cannot be
taken. Nothing refuses a file up front for its rows: it is read as it arrives, so whose its rows
are is known row by row. Customer records belong to no shop, so such a key imports none.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import ValidationError

from services.ingest.domain.imports.files import DEFAULT_MAX_DEPTH, FileRefused, Row, rows_of
from services.ingest.domain.imports.row_commands import READINGS, RowReading
from services.ingest.domain.integrations import ForeignOrder
from services.ingest.use_cases.intake import Accepted, BrokerUnavailable
from shared.contracts.envelope import Actor, Command, utc_now
from shared.contracts.imports import ImportJob, ImportJobList, ImportKind, ImportStatus, RowError
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

PUBLISH_WINDOW = 64
SAVE_EVERY_S = 0.5
# Kept in the job for the caller; more are only counted (a job is one MongoDB document).
MAX_KEPT_ERRORS = 1000


class ImportJobsUnavailable(Exception):
    """The store of import jobs does not answer."""


class ImportJobStore(Protocol):
    async def add(self, job: ImportJob) -> None: ...
    async def save(self, job: ImportJob) -> None: ...
    async def get(self, job_id: str) -> ImportJob | None: ...
    async def recent(self, *, limit: int, started_by: Actor | None) -> list[ImportJob]: ...


class RowPublisher(Protocol):
    async def publish(self, command: Command, *, what: str) -> Accepted: ...


class ShopBoundImport(Exception):
    """A key bound to a shop started an import that is not of that shop's orders; `field` names
    what makes it so. Nothing was imported."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UploadInterrupted(Exception):
    """The caller's upload broke off before the end of the file."""


class UploadTooLarge(Exception):
    """The file passed the largest size an import takes; nothing after that was read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than {limit} bytes, the most an import takes.")
        self.limit = limit


@dataclass(frozen=True)
class Finished:
    job: ImportJob
    # Set when the file itself was refused (its header, its encoding), not just some rows.
    refused: FileRefused | None = None
    # Set when the file was larger than an import may be.
    too_large: UploadTooLarge | None = None


@dataclass
class _Progress:
    job: ImportJob
    total: int = 0
    accepted: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    omitted: int = 0
    broker_failure_line: int | None = None

    def fail(self, line: int, errors: list[RowError]) -> None:
        self.failed += 1
        room = MAX_KEPT_ERRORS - len(self.errors)
        self.errors += errors[: max(room, 0)]
        self.omitted += max(len(errors) - max(room, 0), 0)

    def snapshot(
        self, status: ImportStatus = ImportStatus.RUNNING, detail: str | None = None
    ) -> ImportJob:
        now = utc_now()
        return self.job.model_copy(
            update={
                "status": status,
                "updated_at": now,
                "finished_at": None if status is ImportStatus.RUNNING else now,
                "rows_total": self.total,
                "rows_accepted": self.accepted,
                "rows_failed": self.failed,
                "errors": tuple(sorted(self.errors, key=lambda e: e.line)),
                "errors_omitted": self.omitted,
                "detail": detail,
            }
        )


async def import_file(  # noqa: PLR0913 - keyword-only: the run's file, its owner and its limits
    upload: AsyncIterable[bytes],
    *,
    file_format: str,
    kind: ImportKind,
    source: str | None,
    started_by: Actor,
    jobs: ImportJobStore,
    intake: RowPublisher,
    shop: str | None = None,
    clock: Callable[[], datetime] = utc_now,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Finished:
    """Start an import of `upload` and run it to its end; raises ImportJobsUnavailable when not
    even the job can be written (then nothing was imported). `shop`: the shop the key that
    imports is bound to, if it is; rows of other shops fail (ShopBoundImport for a kind of
    import that has no shop)."""
    _check_source(kind, source)
    _check_shop(kind, shop)
    # Milliseconds: what MongoDB keeps of a date, so a followed job equals the answered one.
    now = clock()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    job = ImportJob(
        id=uuid.uuid4().hex,
        status=ImportStatus.RUNNING,
        format=file_format,
        kind=kind,
        source=source,
        started_by=started_by,
        shop=shop,
        created_at=now,
        updated_at=now,
    )
    await jobs.add(job)
    reading = READINGS[kind]
    rows = rows_of(file_format, upload, reading.layout, max_depth=max_depth)
    return await run_import(job, rows, reading=reading, jobs=jobs, intake=intake)


async def import_job(jobs: ImportJobStore, import_id: str) -> ImportJob:
    found = await jobs.get(import_id)
    if found is None:
        raise NotFound("Import", f"No import {import_id}.")
    return found


async def recent_imports(
    jobs: ImportJobStore, *, limit: int, started_by: Actor | None = None
) -> ImportJobList:
    """The newest jobs (of one caller, if given), so a person sees imports they did not
    follow from the start."""
    return ImportJobList(items=tuple(await jobs.recent(limit=limit, started_by=started_by)))


def _check_source(kind: ImportKind, source: str | None) -> None:
    """Customer records need the system they come from (their external ids are unique only
    there); orders name their channel and shop in every row."""
    if (source is None) == (kind is ImportKind.CUSTOMERS):
        message = (
            "required for kind=customers: the system the records come from"
            if source is None
            else "only a customer import has a source; orders name their channel in each row"
        )
        raise InvalidInput([FieldError(field="source", message=message)], message)


def _check_shop(kind: ImportKind, shop: str | None) -> None:
    if shop is not None and kind is not ImportKind.ORDERS:
        raise ShopBoundImport(
            "kind",
            f"The key is bound to the shop {shop!r} and imports only its orders: "
            "customer records belong to no shop.",
        )


async def run_import(
    job: ImportJob,
    rows: AsyncIterator[Row],
    *,
    reading: RowReading,
    jobs: ImportJobStore,
    intake: RowPublisher,
) -> Finished:
    """Read every row, publish the valid ones, and return the finished job (also saved)."""
    progress = _Progress(job)
    window = asyncio.Semaphore(PUBLISH_WINDOW)
    in_flight: set[asyncio.Task[None]] = set()

    async def publish(line: int, command: Command) -> None:
        try:
            await intake.publish(command, what=f"import {job.id} line {line}")
            progress.accepted += 1
        except BrokerUnavailable:
            if progress.broker_failure_line is None or line < progress.broker_failure_line:
                progress.broker_failure_line = line
            message = "not accepted: the message broker is unavailable"
            progress.fail(line, [RowError(line=line, field="row", message=message)])
        finally:
            window.release()

    saved_at = time.monotonic()
    status, detail = ImportStatus.COMPLETED, None
    refused: FileRefused | None = None
    too_large: UploadTooLarge | None = None
    try:
        async for row in rows:
            if progress.broker_failure_line is not None:
                break
            progress.total += 1
            command = _command(row, reading, progress)
            if command is not None:
                await window.acquire()
                task = asyncio.create_task(publish(row.line, command))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            if time.monotonic() - saved_at > SAVE_EVERY_S:
                await _save(jobs, progress.snapshot())
                saved_at = time.monotonic()
    except FileRefused as error:
        refused = error
        progress.errors.append(
            RowError(line=error.line, field=error.error.field, message=error.error.message)
        )
        status, detail = ImportStatus.FAILED, f"The file was refused: {error}"
    except UploadInterrupted:
        status = ImportStatus.INTERRUPTED
        detail = "The upload broke off; rows after the last one counted were not received."
    except UploadTooLarge as error:
        too_large = error
        status = ImportStatus.FAILED
        detail = f"{error} Rows after the last one counted were not read: split the file."
    finally:
        await asyncio.gather(*in_flight)
    if progress.broker_failure_line is not None:
        status = ImportStatus.FAILED
        detail = (
            f"The message broker became unavailable at line {progress.broker_failure_line}; "
            "later rows were not imported. Upload the file again: rows already accepted are "
            "recognised and change nothing."
        )
    finished = progress.snapshot(status, detail)
    await _save(jobs, finished)
    log.info(
        "import %s %s: %d rows, %d accepted, %d failed",
        job.id,
        finished.status.value,
        finished.rows_total,
        finished.rows_accepted,
        finished.rows_failed,
    )
    return Finished(finished, refused, too_large)


async def _save(jobs: ImportJobStore, job: ImportJob) -> None:
    """Progress is for followers: a database hiccup must not stop rows that are flowing, and
    the uploader gets the final job in the response either way."""
    try:
        await jobs.save(job)
    except ImportJobsUnavailable as error:
        log.warning("import %s: progress not saved: %s", job.id, error)


def _command(row: Row, reading: RowReading, progress: _Progress) -> Command | None:
    if row.values is None:
        assert row.error is not None
        progress.fail(
            row.line, [RowError(line=row.line, field=row.error.field, message=row.error.message)]
        )
        return None
    try:
        return reading.command(row.values, progress.job)
    except ForeignOrder as error:
        progress.fail(
            row.line,
            [RowError(line=row.line, field=e.field, message=e.message) for e in error.errors],
        )
        return None
    except ValidationError as error:
        progress.fail(
            row.line,
            [
                RowError(line=row.line, field=row.name_of(e["loc"]), message=e["msg"])
                for e in error.errors()
            ],
        )
        return None
