"""The app factory: the REST API's routers, the operators' UI, ``/metrics`` and the middleware, on one
FastAPI app that reaches the store and the backends through one :class:`~piratewatch.services.Services`."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from piratewatch.services import Services
from piratewatch.web.api.routes import ROUTERS
from piratewatch.web.api_docs import docs_app
from piratewatch.web.errors import ERROR_RESPONSES, install_error_handlers
from piratewatch.web.metrics import metrics_router
from piratewatch.web.middleware import BodyLimitMiddleware, RequestIdMiddleware, UnsafeUrlMiddleware
from piratewatch.web.throttle import throttle_for
from piratewatch.web.ui.sending import Delivery
from piratewatch.web.ui.views import install_ui

API_DESCRIPTION = """
Submit pirate sites with evidence, and follow what happens to them.

Authenticate with an API key in the `X-API-Key` header. Submitters see their own association's
submissions and the sites they submitted; operators see everything. Another association's objects
answer 404, not 403.
"""


def create_app(services: Services) -> FastAPI:
    """Build the app on `services` (the caller closes them when the app is done)."""
    settings = services.settings
    # /docs and /redoc load their scripts and styles from the app itself: they render with no network
    app = docs_app(title="piratewatch", version="0.1.0", description=API_DESCRIPTION)
    app.state.services = services
    app.state.settings = settings
    app.state.engine = services.engine
    app.state.session_factory = services.factory
    app.state.max_sites_per_request = settings.api.max_sites_per_request
    app.state.auth_throttle = throttle_for(
        settings.redis_url, settings.api.auth_failures_per_minute, settings.api.auth_throttle_prefix
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, responses=ERROR_RESPONSES)
    install_ui(
        app,
        secret_key=settings.secret_key.get_secret_value(),
        settings=settings.ui,
        delivery=Delivery(services.channels, services.recheck),
    )
    app.include_router(metrics_router(services.factory, settings.metrics))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and store reachability."""
        with services.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api.max_body_bytes)
    app.add_middleware(UnsafeUrlMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
