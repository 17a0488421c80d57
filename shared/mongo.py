"""MongoDB access every service shares: the client factory and transactions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared import metrics
from shared.redelivery import TransientFailure

T = TypeVar("T")
log = logging.getLogger(__name__)

Document = dict[str, Any]
Session = AsyncClientSession
DUPLICATE_KEY = 11000


def make_client(url: str, *, app_name: str) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
    )


def all_of(*conditions: Document) -> Document:
    """Every condition at once: one filter document unless two name the same field, then `$and`.
    SecantusDB serves a query from the index of its first condition an index can serve and
    reads the whole collection for a top-level `$and` or `$or`, so write the narrowest
    condition first; MongoDB plans both forms alike."""
    merged: Document = {}
    for condition in conditions:
        if merged.keys() & condition.keys():
            return {"$and": [c for c in conditions if c]}
        merged |= condition
    return merged


async def ping(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")


class StillConflicting(TransientFailure):
    """Others kept changing the same records; try again later."""


async def in_transaction(
    client: AsyncMongoClient[Document],
    body: Callable[[Session], Awaitable[T]],
    *,
    conflict_retries: int = 3,
    retry_on: tuple[type[Exception], ...] = (),
) -> T:
    """Run `body` in a transaction and return its result.

    The driver already retries a body that hit a transient conflict, so the body must have no
    side effects outside the database. A unique-key conflict (two consumers claiming the same
    new identity at once) aborts the transaction instead; running the body again then sees the
    winner's committed write, so it is retried here a few times too, as are `retry_on` errors
    (an optimistic version check that lost). A body that keeps losing raises `StillConflicting`,
    a passing failure: its message is tried again after a delay rather than parked.
    """
    retryable: tuple[type[Exception], ...] = (DuplicateKeyError, BulkWriteError, *retry_on)
    # The driver runs the body again by itself after a write conflict: counted here, under the
    # service's name, which `make_client` gave the client as its application name.
    service = client.options.pool_options.metadata.get("application", {}).get("name", "unknown")
    attempts = metrics.TRANSACTION_ATTEMPTS.labels(service)

    async def attempt_of_body(session: Session) -> T:
        attempts.inc()
        return await body(session)

    try:
        return await _with_retries(client, attempt_of_body, conflict_retries, retryable)
    finally:
        metrics.TRANSACTIONS.labels(service).inc()


async def _with_retries(
    client: AsyncMongoClient[Document],
    body: Callable[[Session], Awaitable[T]],
    conflict_retries: int,
    retryable: tuple[type[Exception], ...],
) -> T:
    for attempt in range(1, conflict_retries + 1):
        async with client.start_session() as session:
            try:
                return await session.with_transaction(body)
            except retryable as error:
                if not _lost_a_race(error):
                    raise
                if attempt == conflict_retries:
                    raise StillConflicting(f"lost {attempt} races in a row: {error}") from error
                log.debug("conflict, running the transaction again: %r", error)
    raise AssertionError("unreachable")


def _lost_a_race(error: Exception) -> bool:
    """A conflict that running the body again resolves.

    `insert_many` reports a taken unique key as a BulkWriteError, not a DuplicateKeyError;
    only one whose every error is a duplicate key (11000) is a lost race.
    """
    if isinstance(error, BulkWriteError):
        return only_duplicate_keys(error)
    return True


def only_duplicate_keys(error: BulkWriteError) -> bool:
    """Whether every write that failed in a bulk write found its unique key taken."""
    errors = error.details.get("writeErrors", [])
    return bool(errors) and all(e.get("code") == DUPLICATE_KEY for e in errors)
