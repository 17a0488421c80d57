"""Dropping a test's databases, bounded in time.

SecantusDB drops a database under its one storage lock, and the drop can spin without end when a
service still holds a transaction on the same data (seen: a drop while the consent service was
retrying decisions wedged the server, and every later test of the session hung on it). So drop
only once the services that write there have stopped, and never wait on a drop for ever: a drop
that does not finish raises `DropStalled`, and the tests' conftest then stops the session with
the reason instead of letting each later test time out.
"""

from __future__ import annotations

from collections.abc import Iterable

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from shared.mongo import Document

DROP_TIMEOUT_MS = 120_000


class DropStalled(RuntimeError):
    """The database server did not drop a database in time: it is likely wedged."""


async def drop_databases(mongodb_url: str, names: Iterable[str]) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_url, timeoutMS=DROP_TIMEOUT_MS)
    try:
        for name in names:
            try:
                await client.drop_database(name)
            except PyMongoError as error:
                raise DropStalled(
                    f"the database server did not drop {name} within {DROP_TIMEOUT_MS} ms "
                    f"({error!r}); later work on it would hang"
                ) from error
    finally:
        await client.close()
