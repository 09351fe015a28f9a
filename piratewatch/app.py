"""The app factory: wires the packages' routers, middleware and the store into one FastAPI app."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy.engine import Engine

from cases.crawls.views import families_router
from cases.crawls.views import router as crawls_router
from cases.db import make_engine, session_factory
from cases.intake.views import router as submissions_router
from cases.providers.views import router as providers_router
from cases.sites.views import router as sites_router
from cases.takedown.views import router as takedown_router
from cases.tenants.views import router as tenants_router
from cases.traffic.views import router as traffic_router
from cases.ui.sending import Delivery
from cases.ui.views import install_ui
from cases.web import ERROR_RESPONSES, install_error_handlers
from exporters.metrics import metrics_router
from piratewatch.middleware import BodyLimitMiddleware, RequestIdMiddleware
from piratewatch.settings import Settings
from piratewatch.wiring import make_channels, recheck_policy

API_DESCRIPTION = """
Submit pirate sites with evidence, and follow what happens to them.

Authenticate with an API key in the `X-API-Key` header. Submitters see their own association's
submissions and the sites they submitted; operators see everything. Another association's objects
answer 404, not 403.
"""


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the app. The engine is made from the settings unless one is given (tests share one)."""
    engine = engine or make_engine(settings.effective_database_url)
    app = FastAPI(title="piratewatch", version="0.1.0", description=API_DESCRIPTION)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.max_sites_per_request = settings.api.max_sites_per_request
    install_error_handlers(app)
    for router in (
        submissions_router,
        sites_router,
        tenants_router,
        traffic_router,
        crawls_router,
        families_router,
        providers_router,
        takedown_router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    install_ui(
        app,
        secret_key=settings.secret_key.get_secret_value(),
        settings=settings.ui,
        delivery=Delivery(make_channels(settings), recheck_policy(settings)),
    )
    app.include_router(metrics_router(app.state.session_factory, settings.metrics))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and store reachability."""
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app
