"""Composition root of the gateway: it owns no customer data and asks the services over
RabbitMQ; its own database holds access data (API keys, roles, the access log).

Everything the endpoints depend on is built here, once, and put on the app's state, where the
`Annotated` dependencies of `entrypoints.dependencies` find it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.staticfiles import StaticFiles

from services.gateway.adapters.access_log_store import MongoAccessLog
from services.gateway.adapters.access_store import MongoKeys, MongoRoles
from services.gateway.adapters.console_sessions import MongoSessions
from services.gateway.adapters.ingest_client import IngestClient
from services.gateway.adapters.pages import Pages
from services.gateway.adapters.parking_queues import RabbitParkingQueues
from services.gateway.adapters.rate_limits import RateLimits
from services.gateway.adapters.recent_roles import RecentRoles
from services.gateway.adapters.services_client import ServicesClient
from services.gateway.domain.policy import AccessDenied
from services.gateway.entrypoints import ROUTERS, console
from services.gateway.entrypoints.authentication import Authentication
from services.gateway.entrypoints.console.sign_in import ConsoleAuthentication, shed
from services.gateway.entrypoints.console.web import STATIC
from services.gateway.settings import GatewaySettings
from services.gateway.use_cases.access import Authenticator, KeyAdmin, RoleAdmin
from services.gateway.use_cases.console_access import ConsoleAccess
from services.gateway.use_cases.dead_letters import DeadLetters
from services.gateway.use_cases.visibility import CustomFieldGroups
from shared.contracts.envelope import utc_now
from shared.contracts.replies import Problem
from shared.health import database_check
from shared.http_limits import Answers, install_request_limits
from shared.load_shedding import LoadShedding
from shared.mongo import make_client
from shared.problems import problem_response
from shared.rpc import RpcClient
from shared.runtime import ServiceRuntime, configure_logging, serve
from shared.settings import Environment

if TYPE_CHECKING:
    from services.gateway.adapters.oidc import OidcProvider
    from services.gateway.adapters.tokens import JwtVerifier

NAME = "gateway"


def token_verifier(settings: GatewaySettings) -> JwtVerifier | None:
    if not settings.accepts_tokens:
        return None
    # Imported only when tokens are configured: PyJWT brings cryptography, whose native
    # library alone is 8-10 MB of resident memory in a gateway that never checks a token.
    from services.gateway.adapters.tokens import JwtVerifier, TokenRules

    assert settings.jwt_issuer
    assert settings.jwt_audience
    rules = TokenRules(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        roles_claim=settings.jwt_roles_claim,
        name_claim=settings.jwt_name_claim,
        leeway_s=settings.jwt_leeway_s,
        algorithms=settings.jwt_algorithms,
    )
    return JwtVerifier(rules, jwks_url=settings.jwt_jwks_url, jwks_file=settings.jwt_jwks_file)


def oidc_provider(settings: GatewaySettings) -> OidcProvider | None:
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_redirect_url):
        return None
    # Imported only when sign-in is configured, as `token_verifier` does (PyJWT, cryptography).
    from services.gateway.adapters.oidc import OidcClientSettings, OidcProvider

    secret = settings.oidc_client_secret
    return OidcProvider(
        OidcClientSettings(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else "",
            redirect_url=settings.oidc_redirect_url,
            roles_claim=settings.jwt_roles_claim,
            name_claim=settings.jwt_name_claim,
            leeway_s=settings.jwt_leeway_s,
            algorithms=settings.jwt_algorithms,
        )
    )


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = ServiceRuntime.create(NAME, settings)
    rpc = RpcClient(runtime.broker, runtime.topology, timeout_s=settings.rpc_timeout_s)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    keys, roles = MongoKeys(db["api_keys"]), RecentRoles(MongoRoles(db["roles"]))
    access_log = MongoAccessLog(db["access_log"])
    sessions = MongoSessions(db["console_sessions"])
    role_admin = RoleAdmin(roles)
    runtime.checks["database"] = database_check(client)
    runtime.on_start += [
        keys.ensure_indexes,
        access_log.ensure_indexes,
        sessions.ensure_indexes,
        role_admin.seed,
    ]
    runtime.on_stop.append(client.close)

    app = runtime.app(title="customer suite API", routers=(*ROUTERS, *console.ROUTERS))
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    install_request_limits(
        app,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        streamed={
            "/v1/imports": settings.max_import_bytes,
            "/console/admin/imports": settings.max_import_bytes,
        },
        open_query={"/v1/customers": ("extra.",)},
        answers=Answers(
            every=(401, 403, 429, 503),
            naming_a_record=(404, 410),
            changing=(409,),
            retried=(404,),
        ),
    )
    # The console's pages take a session instead of a key (and send a browser to sign in).
    app.add_middleware(ConsoleAuthentication)
    # Added after the console's and the limits, so it runs before them: nobody unauthenticated
    # gets further, not even to the limits.
    app.add_middleware(Authentication)
    # Added last, so it runs first, before authentication: a request refused for load costs no
    # lookup of its key, as at a load balancer. Everyone gets the same 503 (busy, nothing
    # more), so an anonymous caller learns nothing it could not from any busy server; a console
    # page gets it as a page.
    app.add_middleware(
        LoadShedding, service=NAME, limit=settings.max_requests_in_flight, refusal=shed
    )
    install_access_problems(app)
    bootstrap = settings.bootstrap_api_key
    app.state.authenticator = Authenticator(
        keys,
        roles,
        utc_now,
        bootstrap_key=bootstrap.get_secret_value() if bootstrap else None,
        tokens=token_verifier(settings),
    )
    provider = oidc_provider(settings)
    if provider is not None:
        runtime.on_stop.append(provider.close)
    app.state.console_access = ConsoleAccess(
        app.state.authenticator,
        sessions,
        timedelta(hours=settings.console_session_hours),
        provider,
    )
    # Outside development and tests the console is served over HTTPS only.
    app.state.console_secure_cookies = settings.environment not in (
        Environment.DEVELOPMENT,
        Environment.TEST,
    )
    app.state.key_admin = KeyAdmin(keys, roles, utc_now)
    app.state.role_admin = role_admin
    app.state.access_log = access_log
    app.state.rate_limits = RateLimits(settings.rate_limit)
    app.state.services = services = ServicesClient(rpc)
    app.state.custom_field_groups = CustomFieldGroups(services)
    app.state.ingest = IngestClient(settings.ingest_url, settings.ingest_token)
    app.state.pages = Pages()
    app.state.dead_letters = DeadLetters(RabbitParkingQueues(settings.amqp_url, runtime.topology))
    return app


def install_access_problems(app: FastAPI) -> None:
    """What the caller's roles do not allow: 403 naming the field or the action."""

    async def on_denied(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, AccessDenied)
        problem = Problem(
            type="urn:problem:forbidden",
            title="Forbidden",
            status=403,
            detail=error.detail,
            errors=error.errors,
        )
        return problem_response(problem)

    app.add_exception_handler(AccessDenied, on_denied)


def run() -> None:
    settings = GatewaySettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)
