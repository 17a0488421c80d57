"""Running an import: every row validated, published with confirms, counted and explained.

Rows are published through the same intake as single orders, several at a time (a window of
confirms in flight) so that a file is not limited by one broker round trip per row. Each row's
message id is derived from the row (see `kinds`), so uploading a file again after a failure is
safe: rows that were accepted are the same messages and the consumers skip them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from pydantic import ValidationError
from pymongo.errors import PyMongoError

from services.ingest.imports.formats import FileRefused, Row
from services.ingest.imports.jobs import ImportJobs
from services.ingest.imports.kinds import RowReading
from services.ingest.publishing import BrokerUnavailable, Intake
from shared.contracts.envelope import Command, utc_now
from shared.contracts.imports import ImportJob, ImportStatus, RowError

log = logging.getLogger(__name__)

PUBLISH_WINDOW = 64
SAVE_EVERY_S = 0.5
# Kept in the job for the caller; more are only counted (a job is one MongoDB document).
MAX_KEPT_ERRORS = 1000


class UploadInterrupted(Exception):
    """The caller's upload broke off before the end of the file."""


@dataclass(frozen=True)
class Finished:
    job: ImportJob
    # Set when the file itself was refused (its header, its encoding), not just some rows.
    refused: FileRefused | None = None


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


async def run_import(
    job: ImportJob,
    rows: AsyncIterator[Row],
    *,
    reading: RowReading,
    jobs: ImportJobs,
    intake: Intake,
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
    return Finished(finished, refused)


async def _save(jobs: ImportJobs, job: ImportJob) -> None:
    """Progress is for followers: a database hiccup must not stop rows that are flowing, and
    the uploader gets the final job in the response either way."""
    try:
        await jobs.save(job)
    except PyMongoError as error:
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
    except ValidationError as error:
        progress.fail(
            row.line,
            [
                RowError(line=row.line, field=row.name_of(e["loc"]), message=e["msg"])
                for e in error.errors()
            ],
        )
        return None
