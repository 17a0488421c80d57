"""Liveness and readiness endpoints every service exposes.

Liveness says the process serves HTTP; readiness says it can do its work, i.e. its broker and
its database answer. An orchestrator restarts a process that is not alive and sends no traffic
to one that is not ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shared.mongo import Document, ping

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from pymongo import AsyncMongoClient

Check = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_S = 2.0


class NotReady(Exception):
    pass


def broker_check(broker: RabbitBroker) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout=CHECK_TIMEOUT_S):
            raise NotReady("RabbitMQ does not answer")

    return check


def database_check(client: AsyncMongoClient[Document]) -> Check:
    async def check() -> None:
        await ping(client)

    return check


def health_router(checks: Mapping[str, Check]) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/ready")
    async def ready() -> JSONResponse:
        results: dict[str, Any] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
                results[name] = "ok"
            except Exception as error:  # noqa: BLE001 - any failure means not ready
                results[name] = f"failing: {type(error).__name__}: {error}"[:300]
        ok = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": results},
            status_code=200 if ok else 503,
        )

    return router
