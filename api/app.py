"""`create_app(settings)`: the only place where the pieces are wired together."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from api.agreement_pdf import agreement_pdf_routes
from api.auth import dev_provider
from api.auth.cookies import UPLOAD_HEADER
from api.auth.oidc import Providers
from api.auth.routes import SignIn
from api.calendar_route import calendar_routes
from api.deadlines import quiet_abandoned_connects
from api.downloads import Viewers
from api.frontend import Frontend
from api.graphql_app import GraphQLApp
from api.health import announce_when_caught_up, health_routes
from api.limits import BodySizeLimit, HeaderSizeLimit, UploadLimit
from api.logs import configure_logging
from api.mail_relay import MailRelay
from api.media_route import media_routes
from api.metrics import HttpMetrics, metrics_route
from api.place_recheck import PlaceRecheck
from api.rate_limit import RateLimits
from api.request_id import RequestId
from api.response_cache import ResponseCache
from api.search_runtime import SearchRuntime
from api.security_headers import SecurityHeaders
from api.territory_export import territory_export_routes
from core.db import Database
from core.loopback import terminate_with_parent
from core.media.backends import media_storage
from core.media.images import size_text
from core.media.storage import MediaStorage
from core.settings import Settings
from core.wakeup import Wakeup
from schema.build import build_schema
from schema.trusted_documents import TrustedDocuments
from search.client import SearchClient

logger = logging.getLogger("entrelieux")


def create_app(
    settings: Settings,
    database: Database | None = None,
    search: SearchClient | None = None,
    providers: Providers | None = None,
    media: MediaStorage | None = None,
) -> Starlette:
    """The ASGI app. Tests pass their own `database`, `search`, sign-in `providers` and
    photo storage (`media`)."""
    db = database or Database.from_settings(settings)
    files = media or media_storage(settings)
    runtime = SearchRuntime(settings, db, client=search)
    identity = providers or Providers(settings.oidc_providers)
    limits = RateLimits(settings, db) if settings.rate_limits_on else None
    sign_in = SignIn(settings, db, identity, limits)
    commits = Wakeup()  # after a mutation commits: mail and live notifications look at once
    mail = MailRelay(db, settings, wakeup=commits)
    recheck = PlaceRecheck(db)
    # Not over a test's one connection: its writes never commit, so the version never moves.
    cached = settings.response_cache_on and db.bind is db.engine
    cache = ResponseCache(settings, db.engine) if cached else None
    trusted = TrustedDocuments.load(settings.trusted_documents_path)
    graphql = GraphQLApp(
        build_schema(settings, trusted),
        settings,
        db,
        runtime,
        sign_in,
        commits,
        files,
        limits,
        cache,
        trusted,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if settings.search_enabled and search is None:
            await runtime.start()
        if settings.run_relay:
            mail.start()
            recheck.start()
        watch = None
        if settings.search_enabled and settings.run_relay:
            watch = asyncio.create_task(announce_when_caught_up(db, settings), name="index-watch")
        demo = None
        if providers is None and dev_provider.wanted(settings):
            demo = await dev_provider.start_for_development(settings, identity)
        # What exists now (modules, the schema, the app) lives as long as the process: out of
        # the collector's sight, its full collections stop walking it (~10 % of a read's CPU).
        gc.collect()
        gc.freeze()
        try:
            with quiet_abandoned_connects(asyncio.get_running_loop()):
                yield
        finally:
            if watch is not None:
                watch.cancel()
            await mail.stop()
            await recheck.stop()
            await runtime.stop()
            if limits is not None:
                await limits.close()
            if demo is not None:
                await asyncio.to_thread(demo.stop)
            if providers is None:
                await identity.close()
            if database is None:
                await db.dispose()

    viewers = Viewers(db, sign_in, graphql.jwt, limits)  # who asks a download route
    app = Starlette(
        debug=False,
        routes=[
            *health_routes(db, settings, runtime),
            metrics_route(settings, db, runtime.search_state),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *calendar_routes(db),
            *territory_export_routes(viewers),
            *media_routes(files),
            *agreement_pdf_routes(viewers),
            *sign_in.routes(),
            *Frontend(settings).routes(),  # last: every other path is the web app's
        ],
        middleware=[
            # outermost: every response, a refusal or a 500 included, carries them
            Middleware(SecurityHeaders, settings=settings, providers=identity),
            Middleware(RequestId),  # then: every response, even a refusal, says its id
            Middleware(HttpMetrics),
            Middleware(HeaderSizeLimit),
            *_cors(settings),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.max_request_body_bytes,
                upload=UploadLimit(
                    settings.max_upload_body_bytes,
                    f"A photo may weigh at most {size_text(settings.photo_max_bytes)}: "
                    "this upload is larger.",
                ),
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.rate_limits = limits
    return app


def _cors(settings: Settings) -> list[Middleware]:
    """An allow-list: only CORS_ALLOWED_ORIGINS may call with credentials from a browser."""
    if not settings.cors_allowed_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", UPLOAD_HEADER],
            allow_credentials=True,
            max_age=600,
        )
    ]


def app_from_environment() -> Starlette:
    """The uvicorn factory: settings read from the environment when the server starts."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings)


def worker_from_environment() -> Starlette:
    """The factory of each HTTP worker of `serve --workers N` (uvicorn spawns them): as
    `app_from_environment`, with RUN_RELAY=false and the parent's Meilisearch in the environment
    (`api/relays.py`), and a worker that dies with its parent, even a SIGKILLed one."""
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        terminate_with_parent(parent.pid)
    return app_from_environment()
