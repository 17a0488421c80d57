"""The problem handlers of every HTTP service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.problems import install_problem_handlers


async def test_a_method_not_allowed_names_every_method_of_the_path() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/things")
    async def things() -> list[str]:
        return []

    @app.post("/v1/things")
    async def add_thing() -> str:
        return "added"

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.delete("/v1/things")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    # Starlette names only the first route's methods (GET).
    assert response.headers["allow"] == "GET, POST"
