"""Import jobs in ingest's own small database: the one thing ingest keeps.

A job is written when an upload starts, updated while rows arrive (so anyone can follow it), and
expires after `KEEP_JOBS_FOR`. Webhooks never touch this database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from pymongo.errors import PyMongoError

from services.ingest.use_cases.import_runs import ImportJobsUnavailable
from shared.contracts.envelope import Actor
from shared.contracts.imports import ImportJob

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

KEEP_JOBS_FOR = timedelta(days=30)
log = logging.getLogger(__name__)


class ImportJobs:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def keep_indexes(self, *, retry_every_s: float = 5.0) -> None:
        """Create the expiry index, retrying while the database is away: ingest must start and
        take webhooks without its database."""
        while True:
            try:
                await self._collection.create_index(
                    "created_at", expireAfterSeconds=int(KEEP_JOBS_FOR.total_seconds())
                )
                return
            except PyMongoError as error:
                log.warning("import jobs index not created yet: %s", error)
                await asyncio.sleep(retry_every_s)

    async def add(self, job: ImportJob) -> None:
        try:
            await self._collection.insert_one(_document(job))
        except PyMongoError as error:
            raise ImportJobsUnavailable(str(error)) from error

    async def save(self, job: ImportJob) -> None:
        try:
            await self._collection.replace_one({"_id": job.id}, _document(job))
        except PyMongoError as error:
            raise ImportJobsUnavailable(str(error)) from error

    async def get(self, job_id: str) -> ImportJob | None:
        try:
            found = await self._collection.find_one({"_id": job_id})
        except PyMongoError as error:
            raise ImportJobsUnavailable(str(error)) from error
        if found is None:
            return None
        found["id"] = found.pop("_id")
        return ImportJob.model_validate(found)

    async def recent(self, *, limit: int, started_by: Actor | None) -> list[ImportJob]:
        query: Document = (
            {}
            if started_by is None
            else {"started_by.type": started_by.type.value, "started_by.id": started_by.id}
        )
        try:
            found = await self._collection.find(query).sort("created_at", -1).to_list(limit)
        except PyMongoError as error:
            raise ImportJobsUnavailable(str(error)) from error
        for document in found:
            document["id"] = document.pop("_id")
        return [ImportJob.model_validate(d) for d in found]


def _document(job: ImportJob) -> Document:
    document = job.model_dump(mode="json", exclude={"id"})
    # A real date, for the expiry index.
    document["created_at"] = job.created_at
    return {"_id": job.id, **document}
