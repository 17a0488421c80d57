"""Purposes of consent are data: a seller adds their own and retires what they no longer use."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.contracts.consent import (
    EMAIL,
    PHONE,
    POST,
    PROFILING,
    SMS,
    THIRD_PARTY_SHARING,
)


class PurposeDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    description: str | None = None
    # A retired purpose takes no new opt-ins; withdrawals are always recorded.
    active: bool = True


# Seeded into every new consent database; from then on they are data like any other purpose.
DEFAULT_PURPOSES = (
    PurposeDefinition(key=EMAIL, title="Email marketing"),
    PurposeDefinition(key=SMS, title="SMS marketing"),
    PurposeDefinition(key=PHONE, title="Telephone marketing"),
    PurposeDefinition(key=POST, title="Postal marketing"),
    PurposeDefinition(
        key=THIRD_PARTY_SHARING,
        title="Sharing with third parties",
        description="Passing contact data to partners for their own marketing",
    ),
    PurposeDefinition(
        key=PROFILING,
        title="Profiling",
        description="Analysing purchases and behaviour to personalise offers",
    ),
)
