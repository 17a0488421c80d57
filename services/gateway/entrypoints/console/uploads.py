"""A console form with a file (`multipart/form-data`), read as it arrives: the fields before
the file come first (a browser sends a form's parts in document order, so the CSRF token's
hidden field precedes the file), then the file's bytes are handed on chunk by chunk, so the
gateway never holds a whole file (an import is streamed to ingest as in the API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from shared.contracts.replies import FieldError
from shared.errors import InvalidInput


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    value: bytearray = field(default_factory=bytearray)


@dataclass
class _Events:
    """What the parser found in the last chunk it was fed, in order."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    file_started: bool = False
    data: list[bytes] = field(default_factory=list)
    ended: bool = False


class Upload:
    """The form's fields before its file, then the file as a stream (`chunks`)."""

    def __init__(self, request: Request, file_field: str) -> None:
        content_type = request.headers.get("content-type", "")
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise InvalidInput([FieldError(field=file_field, message="send the form with a file")])
        self._file_field = file_field
        self._stream = request.stream()
        self._part = _Part()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._events = _Events()
        self._in_file = False
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._header_field.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    async def until_file(self) -> dict[str, str]:
        """Read the fields before the file; refused when there is no file."""
        while not self._events.file_started:
            if self._events.ended or not await self._feed():
                raise InvalidInput(
                    [FieldError(field=self._file_field, message="choose a file to import")]
                )
        return self.fields

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive (after `until_file`)."""
        while True:
            data, self._events.data = self._events.data, []
            for chunk in data:
                if chunk:
                    yield chunk
            if not self._in_file or self._events.ended:
                return
            if not await self._feed():
                return

    async def _feed(self) -> bool:
        try:
            chunk = await anext(self._stream)
        except StopAsyncIteration:
            return False
        if chunk:
            self._parser.write(chunk)
        return True

    def _part_begin(self) -> None:
        self._part = _Part()

    def _header_end(self) -> None:
        self._part.headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        self._part.name = options.get(b"name", b"").decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        self._part.filename = filename.decode("utf-8", errors="replace") if filename else None
        if self._part.name == self._file_field and not self._events.file_started:
            self._in_file = True
            self.filename = self._part.filename
            self._events.file_started = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._events.data.append(bytes(data[start:end]))
        elif not self._events.file_started:
            self._part.value.extend(data[start:end])

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file = False
        elif not self._events.file_started:
            value = self._part.value.decode("utf-8", errors="replace")
            self.fields.setdefault(self._part.name, value)

    def _end(self) -> None:
        self._events.ended = True
