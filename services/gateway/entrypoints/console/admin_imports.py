"""The console's imports: recent jobs with their progress, a file uploaded to start one (its
bytes streamed to ingest as they arrive, as `POST /v1/imports` does), and a page per job with
its failed rows and their reasons, and the rows the customer service parked after ingest
accepted them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.gateway.domain.console_sessions import ConsoleSession
from services.gateway.domain.policy import AccessDenied
from services.gateway.domain.roles import Action
from services.gateway.entrypoints.console.admin_web import AdminDep, refusal_of
from services.gateway.entrypoints.console.uploads import Upload
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Session,
    SignedInCaller,
    choice,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.ports import Refused
from shared.contracts.imports import ImportKind
from shared.contracts.replies import FieldError
from shared.errors import DomainError, InvalidInput

router = APIRouter(
    prefix=f"{PREFIX}/admin/imports",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[allowed(action=Action.IMPORT)],
)
ImportId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
# The file's format as the form names it, and the media type ingest reads it by.
FORMATS = {"csv": "text/csv", "ndjson": "application/x-ndjson"}


@router.get("")
async def imports(request: Request, caller: SignedInCaller, admin: AdminDep) -> HTMLResponse:
    return page(
        request,
        "admin_imports.html",
        jobs=(await admin.imports(caller)).items,
        kinds=tuple(k.value for k in ImportKind),
        formats=tuple(FORMATS),
        errors={},
    )


def _checked(session: ConsoleSession, fields: dict[str, str]) -> None:
    if not session.accepts_form(fields.get("csrf_token")):
        raise AccessDenied(
            "the form is not from this session; reload the page and send it again",
            errors=[FieldError(field="csrf_token", message="missing or wrong")],
        )


@router.post("")
async def start_import(
    request: Request, caller: SignedInCaller, session: Session, admin: AdminDep
) -> Response:
    """The job's page once ingest has read the whole file (or a refusal beside the form)."""
    upload = Upload(request, "file")
    try:
        fields = await upload.until_file()
        _checked(session, fields)
        kind = choice(ImportKind, fields.get("kind"), "kind")
        media = FORMATS.get(fields.get("format", ""))
        if media is None:
            raise InvalidInput([FieldError(field="format", message="one of csv, ndjson")])
        job = await admin.start_import(
            caller,
            upload.chunks(),
            content_type=media,
            kind=kind,
            source=fields.get("source", "").strip() or None,
        )
    except (Refused, DomainError) as error:
        messages, status = refusal_of(error)
        location = (error.headers or {}).get("location") if isinstance(error, Refused) else None
        if location:
            # Ingest refused the file part way: the job tells how far it got.
            return RedirectResponse(f"{PREFIX}/admin{location.removeprefix('/v1')}", 303)
        return page(
            request,
            "admin_imports.html",
            status_code=status,
            jobs=(await admin.imports(caller)).items,
            kinds=tuple(k.value for k in ImportKind),
            formats=tuple(FORMATS),
            errors=messages,
        )
    return RedirectResponse(f"{PREFIX}/admin/imports/{job.id}", status_code=303)


@router.get("/{import_id}")
async def import_job(
    request: Request, import_id: ImportId, caller: SignedInCaller, admin: AdminDep
) -> HTMLResponse:
    shown = await admin.import_page(caller, import_id)
    return page(request, "admin_import.html", job=shown.job, parked=shown.parked)
