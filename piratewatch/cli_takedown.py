"""``piratewatch`` commands of the takedown area (registered by ``piratewatch.cli``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, providers_app: typer.Typer) -> None:
    """Add this area's commands to the ``piratewatch`` app."""
