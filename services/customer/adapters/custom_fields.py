"""Custom field definitions (the `custom_fields` collection), keyed by the field's key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.customer.adapters.bson import from_document, to_document
from services.customer.domain.custom_fields import FieldDefinition
from services.customer.use_cases.ports import ChangedMeanwhile

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session


class MongoCustomFields:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.fields = db["custom_fields"]

    async def all(self, *, session: Session | None = None) -> dict[str, FieldDefinition]:
        cursor = self.fields.find({}, session=session).sort("_id", 1)
        return {doc["_id"]: _definition(doc) async for doc in cursor}

    async def get(self, key: str, *, session: Session | None = None) -> FieldDefinition | None:
        doc = await self.fields.find_one({"_id": key}, session=session)
        return _definition(doc) if doc else None

    async def add(self, definition: FieldDefinition, *, session: Session) -> None:
        """A field with this key already defined raises DuplicateKeyError."""
        await self.fields.insert_one(to_document(definition, id_field="key"), session=session)

    async def replace(
        self, definition: FieldDefinition, *, previous_version: int, session: Session
    ) -> None:
        result = await self.fields.replace_one(
            {"_id": definition.key, "version": previous_version},
            to_document(definition, id_field="key"),
            session=session,
        )
        if result.matched_count != 1:
            raise ChangedMeanwhile(definition.key)

    async def remove(self, key: str, *, session: Session) -> None:
        await self.fields.delete_one({"_id": key}, session=session)


def _definition(doc: Document) -> FieldDefinition:
    return from_document(FieldDefinition, doc, id_field="key")
