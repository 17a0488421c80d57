"""The console people work in, served under /console: server-rendered pages (Jinja2) that call
the gateway's use cases and the services directly, never the HTTP API over the network, so the
console and the API share authentication, authorisation and what a caller is shown."""

from services.gateway.entrypoints.console import (
    admin,
    admin_dead_letters,
    admin_fields,
    admin_imports,
    consent,
    customers,
    duplicates,
    editing,
    reports,
    sign_in,
    tasks,
)

ROUTERS = (
    sign_in.router,
    customers.router,
    editing.router,
    consent.router,
    tasks.router,
    duplicates.router,
    reports.router,
    admin.router,
    admin_fields.router,
    admin_imports.router,
    admin_dead_letters.router,
)
