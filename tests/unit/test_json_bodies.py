"""JSON bodies are held to their document's types (`shared.json_bodies`), where FastAPI's own
(lax) validation converts `"false"` to false, `"3"` to 3 and a number of seconds to a moment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import AwareDatetime, BaseModel

from shared.json_bodies import strict_json_body
from shared.problems import install_problem_handlers


class Colour(StrEnum):
    RED = "red"


class Body(BaseModel):
    flag: bool
    count: int
    at: AwareDatetime
    colour: Colour = Colour.RED


def _app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(strict_json_body)])
    install_problem_handlers(app)

    @app.post("/things")
    async def add(body: Body) -> dict[str, Any]:
        return body.model_dump(mode="json")

    @app.post("/optional")
    async def optional(body: Body | None = None) -> bool:
        return body is None

    return app


async def _post(path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.post(path, **kwargs)


VALID = {"flag": False, "count": 3, "at": "2026-11-30T12:00:00Z", "colour": "red"}


async def test_a_body_of_the_documented_types_is_taken_as_json_carries_them() -> None:
    response = await _post("/things", json=VALID)
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["at"]).year == 2026


@pytest.mark.parametrize(
    ("field", "value"),
    [("flag", "false"), ("flag", 0), ("count", "3"), ("count", 3.5), ("at", 1764504000)],
)
async def test_a_value_that_only_converts_to_its_type_is_refused(field: str, value: Any) -> None:
    response = await _post("/things", json=VALID | {field: value})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:problem:invalid-input"
    assert [e["field"] for e in problem["errors"]] == [field]


async def test_an_optional_body_may_still_be_left_out() -> None:
    response = await _post("/optional")
    assert (response.status_code, response.json()) == (200, True)


async def test_an_integer_written_with_a_zero_fraction_is_an_integer_as_json_schema_says() -> None:
    response = await _post("/things", json=VALID | {"count": 3.0})
    assert (response.status_code, response.json()["count"]) == (200, 3)
