"""Retries and parked messages as the redelivery middleware logs them, for tests that count them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Redeliveries:
    retried: int
    parked: int


def redeliveries(caplog: pytest.LogCaptureFixture) -> Redeliveries:
    """Counted from the records of `shared.redelivery` (services running in this process)."""
    records = [r for r in caplog.records if r.name == "shared.redelivery"]
    return Redeliveries(
        retried=sum("retrying later" in r.getMessage() for r in records),
        parked=sum("parked message" in r.getMessage() for r in records),
    )


def capture_redeliveries(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shared.redelivery")
