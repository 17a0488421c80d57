"""The import runner: counts, errors, and what happens when the broker goes away mid-file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.ingest.domain.imports.files import NDJSON, Row
from services.ingest.domain.imports.row_commands import READINGS
from services.ingest.use_cases.import_runs import (
    ShopBoundImport,
    UploadInterrupted,
    import_file,
    run_import,
)
from services.ingest.use_cases.intake import Accepted, BrokerUnavailable
from shared.contracts.envelope import Actor, ActorType, Command, utc_now
from shared.contracts.imports import ImportJob, ImportKind, ImportStatus
from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder
from tests.support.orders import order_json


class Jobs:
    def __init__(self) -> None:
        self.added: list[ImportJob] = []
        self.saved: list[ImportJob] = []

    async def add(self, job: ImportJob) -> None:
        self.added.append(job)

    async def save(self, job: ImportJob) -> None:
        self.saved.append(job)

    async def get(self, job_id: str) -> ImportJob | None:
        return next((j for j in reversed(self.saved) if j.id == job_id), None)

    async def recent(self, *, limit: int, started_by: Actor | None) -> list[ImportJob]:
        return self.added[-limit:]


class Intake:
    """Accepts orders until `fail_from` of them were accepted, then the broker is gone."""

    def __init__(self, fail_from: int | None = None) -> None:
        self.accepted: list[CanonicalOrder] = []
        self.fail_from = fail_from

    async def publish(self, command: Command, *, what: str) -> Accepted:
        if self.fail_from is not None and len(self.accepted) >= self.fail_from:
            raise BrokerUnavailable()
        assert isinstance(command, UpsertCustomerFromOrder)
        self.accepted.append(command.order)
        return Accepted(message_id=command.message_id)


def job() -> ImportJob:
    now = utc_now()
    return ImportJob(
        id="0" * 32,
        status=ImportStatus.RUNNING,
        format="ndjson",
        started_by=Actor(type=ActorType.API, id="tests"),
        created_at=now,
        updated_at=now,
    )


async def rows(count: int, *, then: Exception | None = None) -> AsyncIterator[Row]:
    for n in range(1, count + 1):
        yield Row(n, order_json(order_id=f"R-{n}"))
    if then is not None:
        raise then


async def run(source: AsyncIterator[Row], intake: Intake) -> Any:
    jobs = Jobs()
    finished = await run_import(
        job(),
        source,
        reading=READINGS[ImportKind.ORDERS],
        jobs=jobs,
        intake=intake,
    )
    assert jobs.saved[-1] == finished.job
    return finished.job


async def test_every_row_is_accepted_or_explained() -> None:
    async def mixed() -> AsyncIterator[Row]:
        yield Row(2, order_json(order_id="A"))
        yield Row(3, {**order_json(order_id="B"), "currency": "euro", "total": "-1"})
        yield Row(5, error=None, values={"order_id": "C"})

    intake = Intake()
    finished = await run(mixed(), intake)
    assert finished.status is ImportStatus.COMPLETED
    assert (finished.rows_total, finished.rows_accepted, finished.rows_failed) == (3, 1, 2)
    assert [(e.line, e.field) for e in finished.errors[:2]] == [(3, "currency"), (3, "total")]
    assert {e.line for e in finished.errors} == {3, 5}
    assert [o.order_id for o in intake.accepted] == ["A"]


async def test_the_broker_going_away_stops_the_import_and_says_where() -> None:
    intake = Intake(fail_from=150)
    finished = await run(rows(1000), intake)
    assert finished.status is ImportStatus.FAILED
    assert finished.rows_accepted == 150
    assert finished.rows_total < 1000
    assert finished.rows_accepted + finished.rows_failed == finished.rows_total
    assert finished.detail is not None
    assert "upload the file again" in finished.detail.lower()


async def test_an_upload_that_breaks_off_is_interrupted_with_what_arrived() -> None:
    finished = await run(rows(10, then=UploadInterrupted()), Intake())
    assert finished.status is ImportStatus.INTERRUPTED
    assert (finished.rows_total, finished.rows_accepted) == (10, 10)


async def test_errors_beyond_the_kept_ones_are_counted() -> None:
    async def broken() -> AsyncIterator[Row]:
        for n in range(1, 1200):
            yield Row(n, {"currency": "euro"})

    finished = await run(broken(), Intake())
    assert finished.rows_failed == 1199
    assert len(finished.errors) == 1000
    assert finished.errors_omitted > 0


async def ndjson(*orders: dict[str, Any]) -> AsyncIterator[bytes]:
    for order in orders:
        yield json.dumps(order).encode() + b"\n"


async def import_orders(
    intake: Intake,
    *orders: dict[str, Any],
    shop: str | None,
    kind: ImportKind = ImportKind.ORDERS,
    jobs: Jobs | None = None,
) -> ImportJob:
    jobs = jobs or Jobs()
    finished = await import_file(
        ndjson(*orders),
        file_format=NDJSON,
        kind=kind,
        source="old-crm" if kind is ImportKind.CUSTOMERS else None,
        started_by=Actor(type=ActorType.API, id="integration-key"),
        shop=shop,
        jobs=jobs,
        intake=intake,
    )
    return finished.job


async def test_a_key_bound_to_a_shop_imports_that_shops_rows_and_fails_the_others() -> None:
    intake = Intake()
    finished = await import_orders(
        intake,
        order_json(order_id="OWN-1", shop="demo-store.myshopify.com"),
        order_json(order_id="OTHER-1", shop="other-store.myshopify.com"),
        # The shop as the order contract spells it: trimmed, lowercase.
        order_json(order_id="OWN-2", shop=" Demo-Store.myshopify.com"),
        shop="demo-store.myshopify.com",
    )
    assert finished.status is ImportStatus.COMPLETED
    assert finished.shop == "demo-store.myshopify.com"
    assert (finished.rows_total, finished.rows_accepted, finished.rows_failed) == (3, 2, 1)
    [error] = finished.errors
    assert (error.line, error.field) == (2, "shop")
    assert "demo-store.myshopify.com" in error.message
    assert "other-store.myshopify.com" in error.message
    assert sorted(o.order_id for o in intake.accepted) == ["OWN-1", "OWN-2"]


async def test_a_file_all_of_another_shop_fails_every_row_and_publishes_nothing() -> None:
    intake = Intake()
    finished = await import_orders(
        intake,
        *(order_json(order_id=f"O-{n}", shop="other-store.myshopify.com") for n in range(3)),
        shop="demo-store.myshopify.com",
    )
    assert (finished.rows_accepted, finished.rows_failed) == (0, 3)
    assert [(e.line, e.field) for e in finished.errors] == [(1, "shop"), (2, "shop"), (3, "shop")]
    assert intake.accepted == []


async def test_a_key_bound_to_no_shop_imports_every_shop() -> None:
    intake = Intake()
    finished = await import_orders(
        intake,
        order_json(order_id="A", shop="demo-store.myshopify.com"),
        order_json(order_id="B", shop="other-store.myshopify.com"),
        shop=None,
    )
    assert finished.shop is None
    assert (finished.rows_accepted, finished.rows_failed) == (2, 0)


async def test_a_key_bound_to_a_shop_imports_no_customer_records() -> None:
    """They belong to no shop: refused before anything is read or a job written."""
    intake, jobs = Intake(), Jobs()
    with pytest.raises(ShopBoundImport) as refused:
        await import_orders(
            intake,
            {"external_id": "C-1", "updated_at": "2026-11-20T10:00:00Z"},
            shop="demo-store.myshopify.com",
            kind=ImportKind.CUSTOMERS,
            jobs=jobs,
        )
    assert refused.value.field == "kind"
    assert (jobs.added, intake.accepted) == ([], [])
