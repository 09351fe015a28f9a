"""``GET /metrics``: the Prometheus text format, rendered by our store collector."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Header, HTTPException, Response
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from exporters.config import MetricsSettings
from exporters.metrics.collector import StoreCollector

#: The classic text format: every Prometheus 2 reads it, and our names need none of the newer one's escaping.
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"


def metrics_router(factory: sessionmaker[Session], settings: MetricsSettings) -> APIRouter:
    """The ``/metrics`` route, reading the store through `factory` at every scrape."""
    collector = StoreCollector(factory, settings)
    token = settings.bearer_token.get_secret_value()
    router = APIRouter(tags=["metrics"])

    # A plain (sync) endpoint: FastAPI runs it in its thread pool, so the store reads never block the loop.
    @router.get("/metrics", response_class=Response, summary="Prometheus metrics")
    def metrics(authorization: str | None = Header(default=None)) -> Response:
        """Every piratewatch metric, read from the store now (``docs/metrics.md`` lists them)."""
        if token and not secrets.compare_digest(authorization or "", f"Bearer {token}"):
            raise HTTPException(status_code=401, detail="metrics need `Authorization: Bearer <token>`")
        return Response(collector.render(), media_type=TEXT_FORMAT)

    return router
