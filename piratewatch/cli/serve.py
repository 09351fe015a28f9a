"""``piratewatch serve`` (the API, the UI and ``/metrics``) and ``piratewatch demo`` (the offline demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from piratewatch.cli.support import cli_settings, console


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the API (OpenAPI at /docs), the web UI (/ui) and /metrics. Migrates the store first."""
    import uvicorn

    from cases.migrations import upgrade
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    settings = cli_settings()
    upgrade(settings.effective_database_url)
    with Services.from_settings(settings) as services:
        uvicorn.run(create_app(services), host=host or settings.host, port=port or settings.port, log_level="info")


def demo(
    port: Annotated[int, typer.Option(help="Port for the API.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its store.")] = None,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Keep serving the API.")] = True,
) -> None:
    """Run the offline demo on the embedded store: the lab, two associations, takedown, the report, the API."""
    from piratewatch.demo import run_demo

    if not run_demo(port=port, data_dir=data_dir, serve=serve_api, console=console.real):
        raise typer.Exit(1)
