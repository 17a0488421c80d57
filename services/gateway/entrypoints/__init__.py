"""The gateway's HTTP API, one router per area. An endpoint parses the request, asks a service
(or calls a use case when there is more to do than that), and answers with the reply's model."""

from services.gateway.entrypoints import (
    access,
    consents,
    custom_fields,
    customer_details,
    customers,
    dead_letters,
    duplicates,
    exports,
    imports,
    integrations,
    notes,
    notifications,
    reports,
    tasks,
)

ROUTERS = (
    customers.router,
    exports.router,
    customer_details.router,
    notes.router,
    custom_fields.router,
    duplicates.router,
    reports.router,
    consents.router,
    imports.router,
    tasks.router,
    notifications.router,
    integrations.router,
    dead_letters.router,
    access.router,
)
