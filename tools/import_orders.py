"""Import a file of orders or customers through the gateway, with a progress bar, and follow the
job to its end.

    python -m tools.import_orders orders.csv --gateway http://127.0.0.1:8000
    python -m tools.import_orders orders.ndjson --gateway http://gateway:8000 --api-key ...
    python -m tools.import_orders customers.csv --customers old-crm --gateway ...

`--customers <source>` imports customer records of the system named <source> (columns: see
`services/ingest/domain/imports/customer_columns.py`); without it the rows are orders. The file's
format comes from its extension (.csv, .ndjson/.jsonl) or `--format`. The upload goes at the
pace the suite confirms rows, so the progress bar shows rows being taken, not just bytes being
sent. Exit status: 0 all rows imported, 1 some rows failed, 2 the import did not finish.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from shared.contracts.imports import ImportJob, ImportKind

CONTENT_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}
CHUNK_BYTES = 64 * 1024
SHOWN_ERRORS = 20
TIMEOUT = httpx.Timeout(connect=10.0, read=600.0, write=600.0, pool=10.0)


def chunks(path: Path, advance: Callable[[int], None]) -> Iterator[bytes]:
    """The file in chunks, never all of it in memory; each one counted once it is handed over."""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
            advance(len(chunk))


def upload(
    client: httpx.Client,
    path: Path,
    file_format: str,
    console: Console,
    *,
    customers_of: str | None = None,
) -> httpx.Response:
    columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn())
    with Progress(
        *columns, TransferSpeedColumn(), TimeRemainingColumn(), console=console
    ) as progress:
        task = progress.add_task(f"importing {path.name}", total=path.stat().st_size)
        params = {"kind": "customers", "source": customers_of} if customers_of else {}
        return client.post(
            "/v1/imports",
            params=params,
            content=chunks(path, lambda size: progress.advance(task, size)),
            headers={"Content-Type": CONTENT_TYPES[file_format]},
        )


def follow(client: httpx.Client, job: ImportJob, *, poll_s: float = 0.5) -> ImportJob:
    while not job.finished:
        time.sleep(poll_s)
        answer = client.get(f"/v1/imports/{job.id}")
        answer.raise_for_status()
        job = ImportJob.model_validate(answer.json())
    return job


def report(job: ImportJob, console: Console) -> int:
    console.print(
        f"import {job.id}: [bold]{job.status.value}[/bold] - {job.rows_total} rows, "
        f"{job.rows_accepted} accepted, {job.rows_failed} failed"
    )
    for error in job.errors[:SHOWN_ERRORS]:
        console.print(f"  line {error.line}: {error.field}: {error.message}")
    hidden = len(job.errors) - SHOWN_ERRORS + job.errors_omitted
    if hidden > 0:
        console.print(f"  ... and {hidden} more errors (GET /v1/imports/{job.id})")
    if job.detail:
        console.print(job.detail)
    if job.kind is ImportKind.CUSTOMERS and job.rows_accepted:
        # Accepted rows are checked once more by the customer service (custom field values).
        console.print(
            "rows the customer service cannot apply are parked there: "
            f"python -m tools.dead_letters list customer --correlation-id {job.id}"
        )
    if job.status.value != "completed":
        return 2
    return 1 if job.rows_failed else 0


def run(arguments: list[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.import_orders", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--gateway", required=True, help="base URL of the suite's gateway")
    parser.add_argument("--format", choices=sorted(CONTENT_TYPES))
    parser.add_argument(
        "--customers",
        metavar="SOURCE",
        help="the rows are customer records of this system (a slug, e.g. old-crm)",
    )
    parser.add_argument("--api-key", help="sent as a bearer token once the gateway asks for one")
    args = parser.parse_args(arguments)
    console = Console(stderr=True)
    file_format = args.format or EXTENSIONS.get(args.file.suffix.lower())
    if file_format is None:
        parser.error(f"cannot tell the format of {args.file.name}: give --format")
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    with httpx.Client(
        base_url=args.gateway, timeout=TIMEOUT, headers=headers, transport=transport
    ) as client:
        try:
            answer = upload(client, args.file, file_format, console, customers_of=args.customers)
            body: Any = _json_or_text(answer)
            if answer.status_code != httpx.codes.CREATED:
                console.print(f"[red]import refused ({answer.status_code}):[/red] {_problem(body)}")
                return 2
            job = follow(client, ImportJob.model_validate(body))
        except httpx.HTTPError as error:
            console.print(f"[red]the gateway could not be reached:[/red] {error}")
            return 2
    return report(job, console)


def _json_or_text(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return answer.text


def _problem(body: Any) -> str:
    if not isinstance(body, dict):
        return str(body)
    fields = "; ".join(f"{e['field']}: {e['message']}" for e in body.get("errors", []))
    return " ".join(filter(None, (body.get("title"), body.get("detail"), fields)))


if __name__ == "__main__":
    sys.exit(run())
