"""The console's import form is read as it arrives: the fields before the file, then the file's
bytes handed on while the body is still coming in."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from services.gateway.entrypoints.console.uploads import Upload
from shared.errors import InvalidInput

BOUNDARY = "----form7MA4YWxkTrZu0gW"
FILE = b"external_id,first_name\r\n" + b"".join(b"C-%d,Name %d\r\n" % (i, i) for i in range(300))


def body(*, with_file: bool = True) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\ntoken-1\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncustomers\r\n',
    ]
    data = "".join(parts).encode()
    if with_file:
        data += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + FILE
            + b"\r\n"
        )
    return data + f"--{BOUNDARY}--\r\n".encode()


def request(data: bytes, size: int, pulled: list[int]) -> Request:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]

    async def receive() -> dict[str, Any]:
        pulled.append(1)
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/console/admin/imports",
        "headers": [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())],
    }
    return Request(scope, receive)


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
async def test_the_fields_come_first_then_the_file_as_it_arrives(size: int) -> None:
    pulled: list[int] = []
    upload = Upload(request(body(), size, pulled), "file")
    fields = await upload.until_file()
    assert fields == {"csrf_token": "token-1", "kind": "customers"}
    assert upload.filename == "c.csv"
    received = bytearray()
    first_at = None
    async for chunk in upload.chunks():
        first_at = first_at if first_at is not None else len(pulled)
        received += chunk
    assert bytes(received) == FILE
    if size < len(FILE) // 4:
        # The first bytes were handed on long before the body was all read.
        assert first_at is not None
        assert first_at < len(pulled) / 2


async def test_a_form_without_a_file_is_refused() -> None:
    upload = Upload(request(body(with_file=False), 50, []), "file")
    with pytest.raises(InvalidInput):
        await upload.until_file()


async def test_a_body_that_is_not_a_multipart_form_is_refused() -> None:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
    with pytest.raises(InvalidInput):
        Upload(Request(scope), "file")
