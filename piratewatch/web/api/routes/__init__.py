"""The REST API under ``/api/v1``: one module of routes per area."""

from fastapi import APIRouter

from piratewatch.web.api.routes import (
    associations,
    counter_notices,
    crawls,
    decisions,
    evidence,
    notices,
    providers,
    sites,
    submissions,
    traffic,
)

#: every router of the API, in the order the app installs them (and the OpenAPI schema lists them)
ROUTERS: tuple[APIRouter, ...] = (
    submissions.router,
    sites.router,
    associations.router,
    traffic.router,
    crawls.router,
    crawls.families_router,
    providers.router,
    notices.router,
    counter_notices.router,
    decisions.router,
    evidence.router,
)
