"""The app as uvicorn's ``--factory`` builds it for the load benchmark (settings from the environment)."""

from __future__ import annotations

from fastapi import FastAPI

from piratewatch.config import get_settings
from piratewatch.services import Services
from piratewatch.web.app import create_app


def app() -> FastAPI:
    return create_app(Services.from_settings(get_settings()))
