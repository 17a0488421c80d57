"""The envelope every message carries, whatever it says.

A message is a frozen pydantic model that refuses unknown fields. Its `type` is a stable name with
a version (`customer.upsert_from_order.v1`): it is the routing key on the broker and the key a
consumer dispatches on, so a new version is a new type that can live beside the old one.
"""

from __future__ import annotations

import builtins
import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

MessageKind = Literal["command", "event", "query"]
# The id of a record (a customer, an address, a note...): opaque, printable ASCII without spaces,
# so an id cannot hide a blank, a control character or a look-alike of another id.
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
# MongoDB keeps integers in at most 8 bytes: every number that reaches it is bounded by this.
MAX_STORED_INT = 2**63 - 1
M = TypeVar("M", bound="Message")
# A contract strips the whitespace around text (`str_strip_whitespace`), so text that must not
# be empty must hold a character that is not whitespace: a pattern says so in the documents (the
# characters Python's `str.strip` removes, which JSON Schema's `\s` does not match exactly).
NOT_BLANK = (
    "[^\\t-\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")


def _written_as_a_moment(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be a date and time (ISO 8601), not a number")
    return value


# Pydantic reads a number, or text that is one, as seconds since 1970, where a document's
# `date-time` is a written date and time: for what arrives as text (a query parameter), which the
# strict JSON validation of bodies (`shared.json_bodies`) does not cover.
ISO_8601 = BeforeValidator(_written_as_a_moment)


class Contract(BaseModel):
    """Base of every model that crosses a process boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ActorType(StrEnum):
    """Who caused a change: shown in every customer's timeline."""

    API = "api"
    SYSTEM = "system"
    SUPPORTER = "supporter"
    CUSTOMER = "customer"


class Actor(Contract):
    type: ActorType
    id: str = Field(min_length=1, max_length=200)


SYSTEM_ACTOR = Actor(type=ActorType.SYSTEM, id="suite")


def new_message_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


class Message(Contract):
    """Envelope fields; a concrete message adds `type` as a Literal and its own body fields."""

    kind: ClassVar[MessageKind]

    type: str
    message_id: str = Field(default_factory=new_message_id, min_length=1, max_length=100)
    correlation_id: str = Field(default_factory=new_message_id, min_length=1, max_length=100)
    causation_id: str | None = Field(None, max_length=100)
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    actor: Actor

    @classmethod
    def type_name(cls) -> str:
        default = cls.model_fields["type"].default
        if not isinstance(default, str):
            raise TypeError(f"{cls.__name__} declares no type name")
        return default

    def caused(self, message_type: builtins.type[M], **fields: Any) -> M:
        """A message this one caused: same correlation, this one as its cause."""
        fields.setdefault("actor", self.actor)
        return message_type(
            correlation_id=self.correlation_id, causation_id=self.message_id, **fields
        )

    def with_id(self, message_id: str) -> Self:
        return self.model_copy(update={"message_id": message_id})


class Command(Message):
    kind: ClassVar[MessageKind] = "command"


class Event(Message):
    kind: ClassVar[MessageKind] = "event"


class Query(Message):
    kind: ClassVar[MessageKind] = "query"
