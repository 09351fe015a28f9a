"""The app as uvicorn's ``--factory`` builds it for the load benchmark (settings from the environment)."""

from __future__ import annotations

from fastapi import FastAPI

from piratewatch.app import create_app
from piratewatch.settings import get_settings


def app() -> FastAPI:
    return create_app(get_settings())
