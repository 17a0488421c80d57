"""Between the domain's models and MongoDB documents.

BSON has no `date` and no `Decimal`: dates are stored as ISO text (they sort the same) and
amounts as Decimal128 (exact, and sortable by the database for reports).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from bson import Decimal128
from pydantic import BaseModel

from shared.mongo import Document

M = TypeVar("M", bound=BaseModel)


def to_bson(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: to_bson(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_bson(v) for v in value]
    if isinstance(value, Decimal):
        return Decimal128(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def from_bson(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: from_bson(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_bson(v) for v in value]
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return value


def to_document(model: BaseModel, *, id_field: str = "id", **stored_only: Any) -> Document:
    """The model as a document, its `id_field` as `_id`, plus fields only the store keeps."""
    doc: Document = to_bson(model.model_dump(mode="python"))
    doc["_id"] = doc.pop(id_field)
    doc.update(stored_only)
    return doc


def from_document(
    model: type[M], doc: Document, *, id_field: str = "id", stored_only: tuple[str, ...] = ()
) -> M:
    fields = {k: v for k, v in doc.items() if k != "_id" and k not in stored_only}
    return model.model_validate(from_bson(fields) | {id_field: doc["_id"]})
